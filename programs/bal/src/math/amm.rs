//! The constant-product curve on virtual reserves: `base × quote = k = sqrt_k²`, price
//! `quote / base × peg`. Every function rounds in the protocol's favour: a reserve computed from
//! `k` rounds up (so `base × quote ≥ k` after any swap), what a trader pays rounds up and what a
//! trader receives rounds down.
use crate::error::BalError;
use crate::math::constants::{PERCENTAGE_PRECISION, RESERVE_TIMES_PEG_TO_QUOTE};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor, square_div_ceil, U256};
use crate::validate;
use anchor_lang::prelude::*;

/// Virtual reserves and the curve's `sqrt_k`. precision: BASE for all three.
///
/// Passed by reference: three 128-bit values would take six of the v0 VM's five argument
/// registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Curve {
    pub base: u128,
    pub quote: u128,
    pub sqrt_k: u128,
}

/// A peg move, passed by reference to keep calls within five argument registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PegChange {
    pub old: u64,
    pub new: u64,
}

/// Which way base moves through the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwapDirection {
    /// Base goes into the pool: a trader sells (goes short).
    Add,
    /// Base leaves the pool: a trader buys (goes long).
    Remove,
}

/// Reserve price `quote / base × peg`, rounded down. precision: PRICE
pub fn reserve_price(curve: &Curve, peg: u64) -> Result<u64> {
    let price = mul_div_floor(curve.quote, peg as u128, curve.base)?;
    price.cast::<u64>()
}

/// Reserves after `base_delta` base moves in `direction`; the quote reserve keeps `x·y ≥ k`.
pub fn swap_base(curve: &Curve, base_delta: u128, direction: SwapDirection) -> Result<Curve> {
    // Taking all the base (or more) is past any bound the curve has.
    let base = match direction {
        SwapDirection::Add => curve.base.safe_add(base_delta)?,
        SwapDirection::Remove => curve.base.saturating_sub(base_delta),
    };
    if base == 0 {
        return err!(BalError::AmmReserveBounds);
    }
    Ok(Curve {
        base,
        quote: square_div_ceil(curve.sqrt_k, base)?,
        sqrt_k: curve.sqrt_k,
    })
}

/// Reserves after `quote_delta` (in reserve units) moves: `Add` puts quote in (a buyer pays),
/// `Remove` takes it out (a seller receives). The base reserve keeps `x·y ≥ k`.
pub fn swap_quote(curve: &Curve, quote_delta: u128, direction: SwapDirection) -> Result<Curve> {
    let quote = match direction {
        SwapDirection::Add => curve.quote.safe_add(quote_delta)?,
        SwapDirection::Remove => curve.quote.safe_sub(quote_delta)?,
    };
    if quote == 0 {
        return err!(BalError::AmmReserveBounds);
    }
    Ok(Curve {
        base: square_div_ceil(curve.sqrt_k, quote)?,
        quote,
        sqrt_k: curve.sqrt_k,
    })
}

/// Rounding of a quote amount derived from a reserve change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Round {
    /// What a trader receives.
    Down,
    /// What a trader pays.
    Up,
}

/// Quote amount of a quote-reserve change: `Δreserve × peg / 1e9`. precision: QUOTE
pub fn reserve_to_quote(reserve_delta: u128, peg: u64, round: Round) -> Result<u128> {
    match round {
        Round::Down => mul_div_floor(reserve_delta, peg as u128, RESERVE_TIMES_PEG_TO_QUOTE),
        Round::Up => mul_div_ceil(reserve_delta, peg as u128, RESERVE_TIMES_PEG_TO_QUOTE),
    }
}

/// Quote-reserve change worth `quote` at `peg`: `quote × 1e9 / peg`.
pub fn quote_to_reserve(quote: u128, peg: u64, round: Round) -> Result<u128> {
    match round {
        Round::Down => mul_div_floor(quote, RESERVE_TIMES_PEG_TO_QUOTE, peg as u128),
        Round::Up => mul_div_ceil(quote, RESERVE_TIMES_PEG_TO_QUOTE, peg as u128),
    }
}

/// Reserves a taker trades against on one side: the quote reserve shifted by half the spread
/// (price scales with quote², so half the spread moves the price by about the whole spread).
/// `SwapDirection::Remove` (a buyer) gets the ask side, `Add` (a seller) the bid side.
pub fn spread_curve(curve: &Curve, spread: u32, direction: SwapDirection) -> Result<Curve> {
    let shift = mul_div_ceil(
        curve.quote,
        spread as u128,
        2 * PERCENTAGE_PRECISION as u128,
    )?;
    let sqrt_k = curve.sqrt_k;
    match direction {
        SwapDirection::Remove => {
            let quote = curve.quote.safe_add(shift)?;
            Ok(Curve {
                base: mul_div_floor(sqrt_k, sqrt_k, quote)?,
                quote,
                sqrt_k,
            })
        }
        SwapDirection::Add => {
            let quote = curve.quote.safe_sub(shift)?;
            if quote == 0 {
                return err!(BalError::AmmReserveBounds);
            }
            Ok(Curve {
                base: square_div_ceil(sqrt_k, quote)?,
                quote,
                sqrt_k,
            })
        }
    }
}

/// Concentration bounds on the base reserve: `[sqrt_k / c, sqrt_k × c]`.
/// `concentration_coef` precision: PERCENTAGE. Returns `(min, max)`, precision: BASE.
pub fn base_reserve_bounds(sqrt_k: u128, concentration_coef: u32) -> Result<(u128, u128)> {
    let c = concentration_coef as u128;
    let one = PERCENTAGE_PRECISION as u128;
    Ok((
        mul_div_ceil(sqrt_k, one, c)?,
        mul_div_floor(sqrt_k, c, one)?,
    ))
}

/// The quote reserve once every user position were closed against the curve: users' net long
/// `net_user_base` goes back into the pool. precision: BASE
pub fn terminal_quote_reserve(curve: &Curve, net_user_base: i128) -> Result<u128> {
    let base = (curve.base as i128).safe_add(net_user_base)?;
    if base <= 0 {
        return err!(BalError::AmmReserveBounds);
    }
    square_div_ceil(curve.sqrt_k, base as u128)
}

/// Signed `value / divisor` rounded up (toward +∞): a cost the protocol pays rounds up, a gain
/// it books rounds down.
fn div_toward_protocol(value: i128, divisor: u128) -> Result<i128> {
    let divisor = divisor.cast::<i128>()?;
    let quotient = value.safe_div(divisor)?;
    let exact = quotient.safe_mul(divisor)? == value;
    Ok(if value > 0 && !exact {
        quotient.safe_add(1)?
    } else {
        quotient
    })
}

/// Cost to the protocol (QUOTE; negative is a gain) of moving the peg while users hold
/// `net_user_base`: what closing every user position would pay them changes by
/// `(quote − terminal_quote) × Δpeg`.
pub fn repeg_cost(curve: &Curve, terminal_quote: u128, peg: &PegChange) -> Result<i128> {
    let owed_reserve = (curve.quote as i128).safe_sub(terminal_quote as i128)?;
    let peg_change = (peg.new as i128).safe_sub(peg.old as i128)?;
    div_toward_protocol(
        owed_reserve.safe_mul(peg_change)?,
        RESERVE_TIMES_PEG_TO_QUOTE,
    )
}

/// Reserves scaled from `sqrt_k` to `new_sqrt_k` so the price stays put: both scale by the same
/// ratio, the base reserve rounded down (but never below the lower concentration bound of
/// `concentration_coef`, which rounding down could cross by a unit for a curve sitting on it:
/// the upper bound cannot be crossed) and the quote reserve from `k` rounded up.
pub fn rescale_curve(curve: &Curve, new_sqrt_k: u128, concentration_coef: u32) -> Result<Curve> {
    let (min_base, _) = base_reserve_bounds(new_sqrt_k, concentration_coef)?;
    let base = mul_div_floor(curve.base, new_sqrt_k, curve.sqrt_k)?.max(min_base);
    if base == 0 {
        return err!(BalError::AmmReserveBounds);
    }
    Ok(Curve {
        base,
        quote: square_div_ceil(new_sqrt_k, base)?,
        sqrt_k: new_sqrt_k,
    })
}

/// Inputs of `k_update_cost`.
pub struct KUpdate<'a> {
    pub curve: &'a Curve,
    pub new_sqrt_k: u128,
    pub peg: u64,
    /// The net base the curve must be able to take back: the protocol's inventory, negated.
    pub net_user_base: i128,
    /// precision: PERCENTAGE
    pub concentration_coef: u32,
}

/// Cost to the protocol (QUOTE; negative is a gain) of changing `sqrt_k` with the price kept:
/// the change in what closing every user position would pay them, and the new curve.
pub fn k_update_cost(update: &KUpdate) -> Result<(i128, Curve)> {
    let new_curve = rescale_curve(update.curve, update.new_sqrt_k, update.concentration_coef)?;
    let old_terminal = terminal_quote_reserve(update.curve, update.net_user_base)?;
    let new_terminal = terminal_quote_reserve(&new_curve, update.net_user_base)?;
    let old_owed = (update.curve.quote as i128).safe_sub(old_terminal as i128)?;
    let new_owed = (new_curve.quote as i128).safe_sub(new_terminal as i128)?;
    let cost = new_owed.safe_sub(old_owed)?.safe_mul(update.peg as i128)?;
    Ok((
        div_toward_protocol(cost, RESERVE_TIMES_PEG_TO_QUOTE)?,
        new_curve,
    ))
}

/// Peg that puts the reserve price on `target_price` (both precision: PRICE), rounded to the
/// nearest unit and never zero.
pub fn peg_for_price(curve: &Curve, target_price: u64) -> Result<u64> {
    let doubled = mul_div_floor(2 * target_price as u128, curve.base, curve.quote)?;
    let peg = doubled.safe_add(1)? / 2;
    (peg.max(1)).cast::<u64>()
}

/// Base a taker can trade on `curve` (a side's spread curve) before the marginal price
/// `k × peg / base²` passes `limit`: buying (`Remove`) while it stays at or below `limit`,
/// selling (`Add`) while it stays at or above. Rounded down, so a fill of that size never
/// trades through `limit`. precision: BASE
pub fn base_to_price(
    curve: &Curve,
    peg: u64,
    limit: u64,
    direction: SwapDirection,
) -> Result<u128> {
    validate!(limit > 0, BalError::MathError);
    // The base reserve at which the marginal price is `limit`: √(k × peg / limit).
    let k_times_peg = U256::from(curve.sqrt_k) * U256::from(curve.sqrt_k) * U256::from(peg);
    let squared = k_times_peg / U256::from(limit);
    // u128's square root is far cheaper on the VM than U256's; k × peg fits it up to
    // sqrt_k ≈ 1e19 at ordinary prices.
    let (at_limit, exact) = match u128::try_from(squared) {
        Ok(narrow) => {
            let root = narrow.isqrt();
            (root, root * root == narrow)
        }
        Err(_) => {
            let root = squared.integer_sqrt();
            let narrow = root.cast::<u128>()?;
            (narrow, root * root == squared)
        }
    };
    Ok(match direction {
        // Buying lowers the base reserve; stop at or above the (rounded-up) reserve at `limit`.
        SwapDirection::Remove => {
            let floor_reserve = at_limit.safe_add(u128::from(!exact))?;
            curve.base.saturating_sub(floor_reserve)
        }
        // Selling raises it; stop at or below the (rounded-down) reserve at `limit`.
        SwapDirection::Add => at_limit.saturating_sub(curve.base),
    })
}

#[cfg(test)]
mod tests;
