//! Quotes against the AMM: the spread curve a taker meets on its side, the best price, the base
//! a limit reaches and the price of a fill, all without changing the market.
use crate::error::BalError;
use crate::math::amm::{
    base_to_price, reserve_price, reserve_to_quote, spread_curve, swap_base, Curve, Round,
    SwapDirection,
};
use crate::math::constants::MAX_FILL_QUOTE;
use crate::math::position::floor_to_step;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::spread::{spreads, SpreadInputs};
use crate::state::{PerpMarket, PositionDirection};
use crate::validate;
use anchor_lang::prelude::*;

/// The outcome of a fill before it is booked.
#[derive(Clone, Copy, Debug)]
pub struct AmmFill {
    /// precision: BASE
    pub base: u64,
    /// What the taker pays (long) or receives (short). precision: QUOTE
    pub quote: u64,
    pub curve: Curve,
}

/// The curve a taker in `direction` trades on: the ask side's spread curve for a buyer, the
/// bid side's for a seller, spreads widened by inventory and oracle volatility.
fn side_curve(
    market: &PerpMarket,
    direction: PositionDirection,
    oracle_price: u64,
) -> Result<Curve> {
    let amm = &market.amm;
    let curve = amm.curve();
    let (long_spread, short_spread) = spreads(&SpreadInputs {
        base_spread: amm.base_spread,
        max_spread: amm.max_spread,
        base_asset_amount_with_amm: amm.base_asset_amount_with_amm,
        sqrt_k: curve.sqrt_k,
        oracle_price,
        oracle_twap_5min: amm.oracle_twap_5min,
    })?;
    match direction {
        PositionDirection::Long => spread_curve(&curve, long_spread, SwapDirection::Remove),
        PositionDirection::Short => spread_curve(&curve, short_spread, SwapDirection::Add),
    }
}

fn swap_direction(direction: PositionDirection) -> SwapDirection {
    match direction {
        PositionDirection::Long => SwapDirection::Remove,
        PositionDirection::Short => SwapDirection::Add,
    }
}

/// The price a taker in `direction` would get from the AMM for the first unit: the best ask
/// for a buyer, the best bid for a seller. precision: PRICE
pub fn amm_best_price(
    market: &PerpMarket,
    direction: PositionDirection,
    oracle_price: u64,
) -> Result<u64> {
    reserve_price(
        &side_curve(market, direction, oracle_price)?,
        market.amm.peg_multiplier,
    )
}

/// Base a taker in `direction` can trade against the AMM before its marginal price passes
/// `limit`, within the curve's bounds, rounded down to the market's step. precision: BASE
pub fn amm_base_within(
    market: &PerpMarket,
    direction: PositionDirection,
    limit: u64,
    oracle_price: u64,
) -> Result<u64> {
    let amm = &market.amm;
    let side = side_curve(market, direction, oracle_price)?;
    // Most often the AMM's first unit is already past the limit: skip the square root.
    let best = reserve_price(&side, amm.peg_multiplier)?;
    let reachable = match direction {
        PositionDirection::Long => best < limit,
        PositionDirection::Short => best > limit,
    };
    if !reachable {
        return Ok(0);
    }
    let to_price = base_to_price(&side, amm.peg_multiplier, limit, swap_direction(direction))?;
    let base = amm.base_asset_reserve.get();
    let to_bound = match direction {
        PositionDirection::Long => base.saturating_sub(amm.min_base_asset_reserve.get()),
        PositionDirection::Short => amm.max_base_asset_reserve.get().saturating_sub(base),
    };
    let within = to_price.min(to_bound).cast::<u64>()?;
    Ok(floor_to_step(within, market.order_step_size))
}

/// Prices `base` for a taker in `direction` without changing the market.
pub fn quote_amm_fill(
    market: &PerpMarket,
    direction: PositionDirection,
    base: u64,
    oracle_price: u64,
) -> Result<AmmFill> {
    let amm = &market.amm;
    let curve = amm.curve();
    let side = side_curve(market, direction, oracle_price)?;
    let amount = base as u128;
    let (quote, after) = match direction {
        PositionDirection::Long => {
            let ask_after = swap_base(&side, amount, SwapDirection::Remove)?;
            let paid = reserve_to_quote(
                ask_after.quote.safe_sub(side.quote)?,
                amm.peg_multiplier,
                Round::Up,
            )?;
            (paid, swap_base(&curve, amount, SwapDirection::Remove)?)
        }
        PositionDirection::Short => {
            let bid_after = swap_base(&side, amount, SwapDirection::Add)?;
            let received = reserve_to_quote(
                side.quote.safe_sub(bid_after.quote)?,
                amm.peg_multiplier,
                Round::Down,
            )?;
            (received, swap_base(&curve, amount, SwapDirection::Add)?)
        }
    };
    validate!(
        after.base >= amm.min_base_asset_reserve.get()
            && after.base <= amm.max_base_asset_reserve.get(),
        BalError::AmmReserveBounds
    );
    validate!(
        quote <= MAX_FILL_QUOTE as u128,
        BalError::AmountTooLarge,
        "fill of {} quote",
        quote
    );
    Ok(AmmFill {
        base,
        quote: quote as u64,
        curve: after,
    })
}

/// Average price of a fill. precision: PRICE
pub fn fill_price(base: u64, quote: u64) -> Result<u64> {
    let price = crate::math::wide::mul_div_floor(
        quote as u128,
        crate::math::constants::BASE_PRECISION,
        base.max(1) as u128,
    )?;
    price.cast::<u64>()
}
