//! Admin-driven changes to a market's curve: the peg and `sqrt_k`. Each is paid for from the
//! fee pool (into the P&L pool, which owes users the difference) and refused when it cannot pay.
use crate::controller::mark::observe_mark_price;
use crate::error::BalError;
use crate::math::amm::{
    k_update_cost, peg_for_price, repeg_cost, terminal_quote_reserve, Curve, KUpdate, PegChange,
};
use crate::math::books::{curve_net_user_base, refresh_derived_reserves};
use crate::math::constants::{MAX_SQRT_K, MIN_SQRT_K, PERCENTAGE_PRECISION};
use crate::math::constants::{REPEG_MAX_STEP, REPEG_THRESHOLD};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::read::second_start::{current_reserve_price, curve_moved};
use crate::state::PerpMarket;
use crate::validate;
use anchor_lang::prelude::*;

/// Books a signed cost against the fee pool: a cost moves quote from the fee pool to the P&L
/// pool (users are owed more), a gain moves it back. Refuses what the fee pool cannot pay.
fn settle_curve_cost(market: &mut PerpMarket, cost: i128) -> Result<()> {
    if cost >= 0 {
        let cost = cost.cast::<u64>()?;
        validate!(
            cost <= market.fee_pool,
            BalError::FeePoolInsufficient,
            "cost {} > fee pool {}",
            cost,
            market.fee_pool
        );
        market.fee_pool -= cost;
        market.pnl_pool = market.pnl_pool.safe_add(cost)?;
    } else {
        // A gain is only real to the extent the P&L pool holds it.
        let gain = cost.unsigned_abs().cast::<u64>()?.min(market.pnl_pool);
        market.pnl_pool -= gain;
        market.fee_pool = market.fee_pool.safe_add(gain)?;
    }
    Ok(())
}

/// Moves the peg so the reserve price equals `oracle_price`, at `now` (the new price stands as
/// the mark from then). Returns the cost paid (QUOTE, negative for a gain).
pub fn repeg_to_oracle(market: &mut PerpMarket, oracle_price: u64, now: i64) -> Result<i128> {
    let curve = market.amm.curve();
    let peg = PegChange {
        old: market.amm.peg_multiplier,
        new: peg_for_price(&curve, oracle_price)?,
    };
    let terminal = terminal_quote_reserve(&curve, curve_net_user_base(market)?)?;
    let cost = repeg_cost(&curve, terminal, &peg)?;
    settle_curve_cost(market, cost)?;
    market.amm.peg_multiplier = peg.new;
    observe_mark_price(market, now)?;
    Ok(cost)
}

/// Keeps the peg following the oracle: when the reserve price is more than `REPEG_THRESHOLD`
/// away from the oracle's five-minute TWAP (the TWAP, not the last print), repegs toward it,
/// at most `REPEG_MAX_STEP` per update, if the fee pool can pay. Returns the cost (0 when
/// it did not repeg: within the threshold, unaffordable — left for the next update — or put
/// off). A curve pushed just before the update would be repegged where the push left it, at
/// the fee pool's cost, and stand off the oracle once the push is undone: when the curve moved
/// earlier in this second the repeg is put off (`repeg_pending`) to the next second's first
/// oracle read (`controller::oracle::record_oracle_price`), which comes before anything can
/// move the curve in that second, so no push can keep the peg from following.
pub fn follow_oracle(market: &mut PerpMarket, now: i64) -> Result<i128> {
    if curve_moved(market, now)? {
        market.repeg_pending = 1;
        return Ok(0);
    }
    market.repeg_pending = 0;
    let target = market.amm.oracle_twap_5min;
    let price = current_reserve_price(market)?;
    let drift = mul_div_floor(
        price.abs_diff(target) as u128,
        PERCENTAGE_PRECISION as u128,
        target.max(1) as u128,
    )?;
    if target == 0 || drift <= REPEG_THRESHOLD as u128 {
        return Ok(0);
    }
    let step = mul_div_floor(
        price as u128,
        REPEG_MAX_STEP as u128,
        PERCENTAGE_PRECISION as u128,
    )?
    .cast::<u64>()?;
    let target = target.clamp(price.saturating_sub(step), price.saturating_add(step));
    // Unaffordable, or the curve could not take the protocol's inventory back (its cost has no
    // bound): left for a later update.
    match repeg_to_oracle(market, target, now) {
        Ok(cost) => Ok(cost),
        Err(error)
            if error == BalError::FeePoolInsufficient.into()
                || error == BalError::AmmReserveBounds.into() =>
        {
            Ok(0)
        }
        Err(error) => Err(error),
    }
}

/// Sets `sqrt_k` with the price kept (within a unit, which stands as the mark from `now`).
/// Returns the cost paid (QUOTE, negative for a gain).
pub fn update_sqrt_k(market: &mut PerpMarket, new_sqrt_k: u128, now: i64) -> Result<i128> {
    validate!(
        (MIN_SQRT_K..=MAX_SQRT_K).contains(&new_sqrt_k),
        BalError::InvalidAmmParameters
    );
    let curve: Curve = market.amm.curve();
    let (cost, new_curve) = k_update_cost(&KUpdate {
        curve: &curve,
        new_sqrt_k,
        peg: market.amm.peg_multiplier,
        net_user_base: curve_net_user_base(market)?,
        concentration_coef: market.amm.concentration_coef,
    })?;
    settle_curve_cost(market, cost)?;
    market.amm.set_curve(&new_curve);
    refresh_derived_reserves(market)?;
    observe_mark_price(market, now)?;
    Ok(cost)
}
