//! A position's bookkeeping when a fill changes it: base, quote, entry and break-even amounts,
//! and the P&L a reduction realizes.
use crate::math::constants::{BASE_PRECISION, MAX_FILL_QUOTE};
use crate::math::funding::funding_payment;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::state::PerpPosition;
use anchor_lang::prelude::*;

/// `amount` rounded down to a whole number of `step`s (a zero step counts as one): what an
/// order, a fill or a transfer may move, since every position is a multiple of the market's
/// step. precision: BASE
pub fn floor_to_step(amount: u64, step: u64) -> u64 {
    let step = step.max(1);
    amount / step * step
}

/// The most base one fill may carry at `price` (`MAX_FILL_QUOTE` of quote), rounded down.
/// precision: BASE
pub fn largest_fill_base(price: u64) -> u64 {
    let base = MAX_FILL_QUOTE as u128 * BASE_PRECISION / price.max(1) as u128;
    base.min(u64::MAX as u128) as u64
}

/// What a fill gives the trader: base bought (positive) or sold (negative), and quote received
/// (positive) or paid (negative), fees excluded. precision: BASE, QUOTE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    pub base: i64,
    pub quote: i128,
}

/// `value × part / whole` for `part ≤ whole`, rounded toward zero (i128 division is allowed
/// on the v0 VM). A product past 128 bits (a position's quote after years of funding at the
/// largest price) goes through 256.
fn pro_rata(value: i128, part: u64, whole: u64) -> Result<i128> {
    if let Some(product) = value.checked_mul(part as i128) {
        return product.safe_div(whole as i128);
    }
    let magnitude =
        mul_div_floor(value.unsigned_abs(), part as u128, whole as u128)?.cast::<i128>()?;
    Ok(if value < 0 { -magnitude } else { magnitude })
}

/// Applies `fill` to `position`; returns the P&L realized by the part that reduced it
/// (QUOTE: what that part received or paid against the entry cost it closed).
pub fn apply_fill(position: &mut PerpPosition, fill: &Fill) -> Result<i128> {
    if fill.base == 0 {
        return Ok(0);
    }
    let base = position.base_asset_amount;
    let quote = position.quote_asset_amount.get().safe_add(fill.quote)?;
    let entry = position.quote_entry_amount.get();
    let break_even = position.quote_break_even_amount.get();
    let increases = base == 0 || (base > 0) == (fill.base > 0);
    if increases {
        position.base_asset_amount = base.safe_add(fill.base)?;
        position.quote_asset_amount.set(quote);
        position.quote_entry_amount.set(entry.safe_add(fill.quote)?);
        position
            .quote_break_even_amount
            .set(break_even.safe_add(fill.quote)?);
        return Ok(0);
    }
    let held = base.unsigned_abs();
    let traded = fill.base.unsigned_abs();
    let closed = held.min(traded);
    // The part of the fill that closes, and the entry cost it closes.
    let closing_quote = pro_rata(fill.quote, closed, traded)?;
    let closed_entry = pro_rata(entry, closed, held)?;
    let closed_break_even = pro_rata(break_even, closed, held)?;
    let realized = closing_quote.safe_add(closed_entry)?;

    position.base_asset_amount = base.safe_add(fill.base)?;
    position.quote_asset_amount.set(quote);
    position
        .quote_entry_amount
        .set(entry.safe_sub(closed_entry)?);
    position
        .quote_break_even_amount
        .set(break_even.safe_sub(closed_break_even)?);
    if traded > held {
        // A flip: the rest of the fill opens the other side at its own price.
        let opening_quote = fill.quote.safe_sub(closing_quote)?;
        position.quote_entry_amount.set(opening_quote);
        position.quote_break_even_amount.set(opening_quote);
    }
    Ok(realized)
}

/// Frees the slot when nothing is left in it.
pub fn release_if_empty(position: &mut PerpPosition) {
    if position.is_empty() {
        *position = PerpPosition::default();
    }
}

/// Moves the funding owed since the position's snapshot into its quote (and break-even).
/// Returns the change: negative when the position paid. precision: QUOTE
pub fn settle_funding(position: &mut PerpPosition, cumulative_funding_rate: i64) -> Result<i128> {
    let delta = cumulative_funding_rate.safe_sub(position.last_cumulative_funding_rate)?;
    let payment = funding_payment(position.base_asset_amount, delta)?;
    add_to_quote(position, payment)?;
    position.last_cumulative_funding_rate = cumulative_funding_rate;
    Ok(payment)
}

/// Adds `amount` (funding, a fee, a rebate: signed, precision QUOTE) to the position's quote
/// and break-even, or to the break-even only (`quote` false: fees paid from the balance).
pub fn add_to_quote(position: &mut PerpPosition, amount: i128) -> Result<()> {
    let quote = &mut position.quote_asset_amount;
    quote.set(quote.get().safe_add(amount)?);
    add_to_break_even(position, amount)
}

/// Adds `amount` (signed, precision QUOTE) to the position's break-even only: fees and rebates
/// move through the quote balance, not the position's quote.
pub fn add_to_break_even(position: &mut PerpPosition, amount: i128) -> Result<()> {
    let break_even = &mut position.quote_break_even_amount;
    break_even.set(break_even.get().safe_add(amount)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position() -> PerpPosition {
        PerpPosition::default()
    }

    #[test]
    fn open_reduce_flip_and_close() {
        let mut p = position();
        // Buy 2 at 100.
        assert_eq!(
            apply_fill(
                &mut p,
                &Fill {
                    base: 2_000,
                    quote: -200_000
                }
            )
            .unwrap(),
            0
        );
        // Sell 1 at 110: +10 realized.
        assert_eq!(
            apply_fill(
                &mut p,
                &Fill {
                    base: -1_000,
                    quote: 110_000
                }
            )
            .unwrap(),
            10_000
        );
        assert_eq!(
            (p.base_asset_amount, p.quote_entry_amount.get()),
            (1_000, -100_000)
        );
        // Sell 3 at 90: closes 1 (−10) and opens 2 short at 90.
        assert_eq!(
            apply_fill(
                &mut p,
                &Fill {
                    base: -3_000,
                    quote: 270_000
                }
            )
            .unwrap(),
            -10_000
        );
        assert_eq!(
            (p.base_asset_amount, p.quote_entry_amount.get()),
            (-2_000, 180_000)
        );
        // Buy back 2 at 80: +20.
        assert_eq!(
            apply_fill(
                &mut p,
                &Fill {
                    base: 2_000,
                    quote: -160_000
                }
            )
            .unwrap(),
            20_000
        );
        assert_eq!(p.base_asset_amount, 0);
        assert_eq!(p.quote_entry_amount.get(), 0);
        // All realized P&L stays in the quote until settled: +10 −10 +20.
        assert_eq!(p.quote_asset_amount.get(), 20_000);
    }
}
