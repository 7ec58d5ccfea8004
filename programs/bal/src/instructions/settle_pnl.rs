//! `settle_pnl` for one user and `settle_pnl_many` for a keeper's batch. Permissionless.
use crate::controller::margin::MarketView;
use crate::controller::oracle::oracle_price_for;
use crate::controller::pnl::{commit_settle_pnl, plan_settle_pnl, SettlePlan};
use crate::controller::position::find_position;
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::events::{DeriskRecord, SettlePnlRecord};
use crate::instructions::batch::{batch_user, BatchResults};
use crate::instructions::derisk_lp::{derisk_user, DeriskAccounts};
use crate::math::oracle::OracleAction;
use crate::state::{
    pause, PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, SPOT_MARKET_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct SettlePnl<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    /// The user to settle; `settle_pnl_many` takes its users as remaining accounts instead and
    /// ignores this one's position unless it is also listed there.
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

/// The market's view at a price valid for settling, after accruing interest.
fn prepare(ctx: &Context<SettlePnl>, clock: &Clock) -> Result<MarketView> {
    validate!(
        !ctx.accounts.state.is_paused(pause::SETTLE),
        BalError::OperationPaused
    );
    let mut market = ctx.accounts.perp_market.load_mut()?;
    validate!(!market.is_paused(pause::SETTLE), BalError::OperationPaused);
    let price = oracle_price_for(
        &mut market,
        &ctx.accounts.oracle.to_account_info(),
        OracleAction::SettlePnl,
        clock,
    )?;
    accrue_interest(
        &mut *ctx.accounts.spot_market.load_mut()?,
        clock.unix_timestamp,
    )?;
    Ok(MarketView::new(&market, price))
}

/// The user's settlement, or `None` with nothing to settle. Reads only: a refusal here
/// changes nothing.
fn plan(
    ctx: &Context<SettlePnl>,
    user: &AccountLoader<User>,
    view: &MarketView,
) -> Result<Option<SettlePlan>> {
    let user = user.load()?;
    let market = ctx.accounts.perp_market.load()?;
    plan_settle_pnl(&user, &market, view)
}

/// Books a plan and checks the accounts it touched.
fn commit(ctx: &Context<SettlePnl>, user: &AccountLoader<User>, plan: &SettlePlan) -> Result<()> {
    let mut user = user.load_mut()?;
    let mut spot = ctx.accounts.spot_market.load_mut()?;
    let mut market = ctx.accounts.perp_market.load_mut()?;
    commit_settle_pnl(plan, &mut user, &mut spot, &mut market)?;
    user.invariant()?;
    spot.invariant()?;
    market.invariant()
}

/// Whether the user is an LP in this market that has not opted out of de-risking.
fn derisk_applies(ctx: &Context<SettlePnl>) -> Result<bool> {
    let user = ctx.accounts.user.load()?;
    let market_index = ctx.accounts.perp_market.load()?.market_index;
    Ok(user.derisk_opt_out == 0
        && find_position(&user, market_index)
            .is_some_and(|s| user.perp_positions[s].lp.shares.get() > 0))
}

/// Settles the user's P&L in this market into its quote balance; an LP below initial margin
/// that has not opted out is de-risked first. Ok, moving nothing, when the user has no position
/// here. Remaining accounts (for an LP's margin): a `(PerpMarket, oracle)` pair for every other
/// active position of the user, in slot order.
pub fn settle_pnl<'info>(ctx: Context<'info, SettlePnl<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    if derisk_applies(&ctx)? {
        let accounts = &ctx.accounts;
        let derisked = derisk_user(
            &DeriskAccounts {
                state: &accounts.state,
                user: &accounts.user,
                spot_market: &accounts.spot_market,
                perp_market: &accounts.perp_market,
                oracle: accounts.oracle.to_account_info(),
                remaining: ctx.remaining_accounts,
            },
            &clock,
        );
        match derisked {
            Ok(outcome) => emit_cpi!(DeriskRecord {
                ts: clock.unix_timestamp,
                user: accounts.user.key(),
                market_index: accounts.perp_market.load()?.market_index,
                shares_burned: outcome.shares_burned,
                base_reduced: outcome.base_reduced,
                shortage: outcome.shortage,
            }),
            Err(error) if error == BalError::NothingToDerisk.into() => {}
            Err(error) => return Err(error),
        }
    }
    let view = prepare(&ctx, &clock)?;
    let Some(plan) = plan(&ctx, &ctx.accounts.user, &view)? else {
        return Ok(());
    };
    commit(&ctx, &ctx.accounts.user, &plan)?;
    emit_cpi!(SettlePnlRecord {
        ts: clock.unix_timestamp,
        user: ctx.accounts.user.key(),
        market_index: view.market_index,
        amount: plan.amount,
        oracle_price: view.oracle_price,
    });
    Ok(())
}

/// Settles every user passed as a remaining account. With `try_mode`, a user that cannot be
/// settled is skipped and its error code recorded; without it, the first failure reverts the
/// batch. Return data: one little-endian u32 per user (see `instructions::batch`).
pub fn settle_pnl_many<'info>(ctx: Context<'info, SettlePnl<'info>>, try_mode: bool) -> Result<()> {
    let clock = Clock::get()?;
    let view = prepare(&ctx, &clock)?;
    let mut results = BatchResults::default();
    for info in ctx.remaining_accounts.iter() {
        let planned = batch_user(info).and_then(|user| Ok((plan(&ctx, &user, &view)?, user)));
        match planned {
            Ok((Some(plan), user)) => {
                // A failure past planning is not the user's: it reverts the batch.
                commit(&ctx, &user, &plan)?;
                emit_cpi!(SettlePnlRecord {
                    ts: clock.unix_timestamp,
                    user: info.key(),
                    market_index: view.market_index,
                    amount: plan.amount,
                    oracle_price: view.oracle_price,
                });
                results.push(Ok(()));
            }
            Ok((None, _)) => results.push(Ok(())),
            Err(error) if try_mode => results.push(Err(error)),
            Err(error) => return Err(error),
        }
    }
    results.publish();
    Ok(())
}
