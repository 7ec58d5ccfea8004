//! The part of a market's fee pool kept back for its repegs.
use crate::math::amm::{peg_for_price, repeg_cost, terminal_quote_reserve, PegChange};
use crate::math::books::curve_net_user_base;
use crate::math::constants::{PERCENTAGE_PRECISION, REPEG_MAX_STEP};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::read::second_start::current_reserve_price;
use crate::state::PerpMarket;
use anchor_lang::prelude::*;

/// What the funding update's largest repeg (`REPEG_MAX_STEP` either way) would cost the fee
/// pool now: the part of the pool no write-off takes, so absorbing losses never starves the
/// repeg that keeps the curve near the oracle (and trades inside the price band). A cost that
/// cannot be bounded (a curve that could not take the protocol's inventory back, arithmetic
/// past its range at an extreme price) keeps the whole pool: the fee pool is then passed over
/// as a tier, never the reason a write-off or a liquidation fails. precision: QUOTE
pub fn repeg_reserve(market: &PerpMarket) -> u64 {
    largest_repeg_cost(market).unwrap_or(u64::MAX)
}

fn largest_repeg_cost(market: &PerpMarket) -> Result<u64> {
    let curve = market.amm.curve();
    let terminal = terminal_quote_reserve(&curve, curve_net_user_base(market)?)?;
    let price = current_reserve_price(market)?;
    let step = mul_div_floor(
        price as u128,
        REPEG_MAX_STEP as u128,
        PERCENTAGE_PRECISION as u128,
    )?
    .cast::<u64>()?;
    let mut worst = 0i128;
    for target in [price.safe_add(step)?, price.safe_sub(step)?.max(1)] {
        let peg = PegChange {
            old: market.amm.peg_multiplier,
            new: peg_for_price(&curve, target)?,
        };
        worst = worst.max(repeg_cost(&curve, terminal, &peg)?);
    }
    Ok(worst.min(u64::MAX as i128) as u64)
}
