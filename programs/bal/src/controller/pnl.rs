//! Settling a position's P&L into the quote balance, through the market's P&L pool. Planned
//! first (reads only, may refuse), then committed, so a keeper's batch can skip a user whose
//! plan fails without leaving anything half-written.
use crate::controller::spot_balance::update_quote_balance;
use crate::math::books::add_users_quote;
use crate::math::constants::{LP_AGG_PRECISION, MAX_SETTLE_AMOUNT};
use crate::math::lp_books::settle_lp_position;
use crate::math::position::{release_if_empty, settle_funding};
use crate::math::safe_math::{Cast, SafeMath};
use crate::read::margin::{position_pnl, simulated_position, MarketView};
use crate::read::position::find_position;
use crate::state::{PerpMarket, SpotMarket, User};
use anchor_lang::prelude::*;

/// What settling one position will move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SettlePlan {
    pub slot: usize,
    /// Into the quote balance; negative for a loss. precision: QUOTE
    pub amount: i128,
}

/// The settlement of `user`'s position in `market` at `view`'s price, or `None` when there is
/// no position. Losses are paid in full (a balance may go negative: a borrow); gains only as
/// far as the P&L pool holds them; either at most `MAX_SETTLE_AMOUNT` at once.
pub fn plan_settle_pnl(
    user: &User,
    market: &PerpMarket,
    view: &MarketView,
) -> Result<Option<SettlePlan>> {
    let Some(slot) = find_position(user, market.market_index) else {
        return Ok(None);
    };
    // An LP's unsettled entitlement settles first, so the plan sees the position after it.
    let position = simulated_position(&user.perp_positions[slot], view)?;
    let pnl = position_pnl(&position, view)?;
    let amount = if pnl > 0 {
        pnl.min(market.pnl_pool as i128)
    } else {
        pnl
    };
    // However large the P&L, one settle moves a bounded amount (the rest stays in the
    // position for the next), so the balance's scaled u64 can always take it.
    let limit = MAX_SETTLE_AMOUNT as i128;
    Ok(Some(SettlePlan {
        slot,
        amount: amount.clamp(-limit, limit),
    }))
}

/// Books a plan: funding into the position, the amount out of its quote and into the quote
/// balance, and the P&L pool's side.
pub fn commit_settle_pnl(
    plan: &SettlePlan,
    user: &mut User,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
) -> Result<()> {
    let position = &mut user.perp_positions[plan.slot];
    settle_lp_position(position, market)?;
    settle_funding(position, market.funding.cumulative_funding_rate)?;
    let quote = &mut position.quote_asset_amount;
    quote.set(quote.get().safe_sub(plan.amount)?);
    release_if_empty(position);
    update_quote_balance(&mut user.quote_balance, spot, plan.amount)?;
    add_users_quote(market, plan.amount.safe_mul(-(LP_AGG_PRECISION as i128))?)?;
    let magnitude: u64 = plan.amount.unsigned_abs().cast()?;
    if plan.amount < 0 {
        user.last_loss_market = market.market_index;
    }
    if plan.amount >= 0 {
        market.pnl_pool = market.pnl_pool.safe_sub(magnitude)?;
        spot.perp_pools_balance = spot.perp_pools_balance.safe_sub(magnitude)?;
    } else {
        market.pnl_pool = market.pnl_pool.safe_add(magnitude)?;
        spot.perp_pools_balance = spot.perp_pools_balance.safe_add(magnitude)?;
    }
    Ok(())
}
