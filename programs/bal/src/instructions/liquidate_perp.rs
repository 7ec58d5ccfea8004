use crate::controller::amm_fill::PositionDirection;
use crate::controller::liquidation::{
    liquidatable_position, liquidation_fee, resolve_bankruptcy, FeeTransfer, LiquidationBooks,
};
use crate::controller::lp::remove_shares;
use crate::controller::margin::{load_market_views, margin_summary, MarginType, MarketView};
use crate::controller::oracle::oracle_price_for;
use crate::controller::orders::cancel_all_orders;
use crate::controller::pnl::{commit_settle_pnl, plan_settle_pnl};
use crate::controller::position::find_position;
use crate::controller::spot_balance::accrue_interest;
use crate::controller::trade::{trade_against_amm, TakerOrder};
use crate::error::BalError;
use crate::events::LiquidationRecord;
use crate::math::oracle::OracleAction;
use crate::state::PerpPosition;
use crate::state::{
    pause, PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, SPOT_MARKET_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;

/// Remaining accounts: a `(PerpMarket, oracle)` pair for every other active position of the
/// liquidated user, in slot order.
#[event_cpi]
#[derive(Accounts)]
pub struct LiquidatePerp<'info> {
    pub liquidator: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    /// Receives the liquidator's share of the fee.
    #[account(
        mut,
        constraint = liquidator_user.load()?.authority == liquidator.key() @ BalError::NotUserAuthority,
        constraint = liquidator_user.key() != user.key() @ BalError::SelfAction,
    )]
    pub liquidator_user: AccountLoader<'info, User>,
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, &spot_market.load()?.market_index.to_le_bytes()],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &perp_market.load()?.market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: must be the market's oracle; `oracle_price_for` checks key, owner and layout.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless for any user below maintenance margin: closes up to `max_base` of its
/// position in this market against the AMM (closing positions rather than taking them over, so
/// the liquidator needs no margin), charges the liquidation fee, settles the P&L and resolves
/// a bankruptcy if nothing is left open.
pub fn handler(ctx: Context<LiquidatePerp>, max_base: u64) -> Result<()> {
    let accounts = &ctx.accounts;
    validate!(
        !accounts.state.is_paused(pause::LIQUIDATION),
        BalError::OperationPaused
    );
    validate!(max_base > 0, BalError::ZeroAmount);
    let clock = Clock::get()?;
    let share_rate = accounts.state.fees.liquidator_share_rate;
    let mut user = accounts.user.load_mut()?;
    let mut liquidator = accounts.liquidator_user.load_mut()?;
    let mut spot = accounts.spot_market.load_mut()?;
    let mut market = accounts.perp_market.load_mut()?;
    validate!(
        !market.is_paused(pause::LIQUIDATION),
        BalError::OperationPaused
    );
    let price = oracle_price_for(
        &mut market,
        &accounts.oracle.to_account_info(),
        OracleAction::Liquidation,
        &clock,
    )?;
    accrue_interest(&mut spot, clock.unix_timestamp)?;

    let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Liquidation, &clock)?;
    views.0.push(MarketView::new(&market, price));
    let summary = margin_summary(&user, &spot, &views, MarginType::Maintenance)?;
    validate!(
        !summary.meets_requirement(),
        BalError::NotLiquidatable,
        "collateral {} >= maintenance {}",
        summary.collateral,
        summary.requirement
    );
    // Resting orders go first: a liquidated account may not add risk. If their share of the
    // requirement was what put it below maintenance, that is the whole liquidation.
    if cancel_all_orders(&mut user)? > 0
        && margin_summary(&user, &spot, &views, MarginType::Maintenance)?.meets_requirement()
    {
        user.invariant()?;
        return Ok(());
    }
    // LP shares go next: burned (cooldown or not), their entitlement settled.
    let burned = burn_all_shares(&mut user, &mut market)?;
    if burned > 0
        && find_position(&user, market.market_index)
            .is_none_or(|s| user.perp_positions[s].base_asset_amount == 0)
    {
        user.invariant()?;
        market.invariant()?;
        return Ok(());
    }
    let slot = liquidatable_position(&user, market.market_index)?;
    let held = user.perp_positions[slot].base_asset_amount;
    let order = TakerOrder {
        direction: if held > 0 {
            PositionDirection::Short
        } else {
            PositionDirection::Long
        },
        base: max_base.min(held.unsigned_abs()),
        limit_price: None,
        oracle_price: price,
        fee_rate: 0,
        now: clock.unix_timestamp,
    };
    let outcome = trade_against_amm(&mut user, &mut spot, &mut market, &order)?;
    let (fee, to_liquidator) = liquidation_fee(outcome.quote, market.liquidation_fee, share_rate)?;
    let view = MarketView::new(&market, price);
    let mut books = LiquidationBooks {
        user: &mut user,
        liquidator: &mut liquidator,
        spot: &mut spot,
        market: &mut market,
    };
    books.pay_fee(&FeeTransfer { fee, to_liquidator })?;
    if let Some(plan) = plan_settle_pnl(books.user, books.market, &view)? {
        commit_settle_pnl(&plan, books.user, books.spot, books.market)?;
    }
    let bankruptcy = resolve_bankruptcy(&mut books)?;
    user.invariant()?;
    liquidator.invariant()?;
    spot.invariant()?;
    market.invariant()?;
    let record = LiquidationRecord {
        ts: clock.unix_timestamp,
        user: accounts.user.key(),
        liquidator: accounts.liquidator_user.key(),
        market_index: market.market_index,
        base_closed: outcome.base,
        fee_to_liquidator: to_liquidator,
        fee_to_insurance: fee - to_liquidator,
        bankruptcy_covered_by_insurance: bankruptcy.covered_by_insurance,
        bankruptcy_socialized: bankruptcy.socialized,
    };
    drop((user, liquidator, spot, market));
    emit_cpi!(record);
    Ok(())
}

/// Burns every LP share of `user` in `market`; returns how many.
fn burn_all_shares(user: &mut User, market: &mut PerpMarket) -> Result<u128> {
    let Some(slot) = find_position(user, market.market_index) else {
        return Ok(0);
    };
    let position: &mut PerpPosition = &mut user.perp_positions[slot];
    let shares = position.lp.shares.get();
    if shares > 0 {
        remove_shares(position, market, shares)?;
    }
    Ok(shares)
}
