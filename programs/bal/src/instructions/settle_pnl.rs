//! `settle_pnl` for one user and `settle_pnl_many` for a keeper's batch. Permissionless.
use crate::controller::derisk::DeriskOutcome;
use crate::controller::margin::MarketView;
use crate::controller::oracle::oracle_price_for;
use crate::controller::pnl::{commit_settle_pnl, plan_settle_pnl, SettlePlan};
use crate::controller::position::find_position;
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::events::SettlePnlRecord;
use crate::instructions::batch::{batch_user, BatchResults, Snapshot};
use crate::instructions::derisk_lp::{derisk_record, derisk_user, DeriskAccounts};
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

/// Checks the pauses, reads a price valid for settling (which the market's TWAPs then
/// include) and accrues interest. precision: PRICE
pub fn prepare(ctx: &Context<SettlePnl>, clock: &Clock) -> Result<u64> {
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
    Ok(price)
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

/// One user to settle, with what its settlement reads.
#[derive(Clone, Copy)]
struct Target<'a, 'info> {
    user: &'a AccountLoader<'info, User>,
    /// The `(PerpMarket, oracle)` pairs of the user's other positions.
    remaining: &'info [AccountInfo<'info>],
    /// Valid for settling. precision: PRICE
    price: u64,
    clock: &'a Clock,
    /// In a batch the user's other markets are not passed: an LP whose margin needs them is
    /// settled without a de-risk.
    batch: bool,
}

/// For an LP in this market that has not opted out: de-risks it when it is below initial
/// margin; `None` otherwise.
fn derisk_first<'info>(
    ctx: &Context<'info, SettlePnl<'info>>,
    target: &Target<'_, 'info>,
) -> Result<Option<DeriskOutcome>> {
    let Target {
        user,
        remaining,
        clock,
        batch,
        ..
    } = *target;
    let market_index = ctx.accounts.perp_market.load()?.market_index;
    let applies = {
        let user = user.load()?;
        user.derisk_opt_out == 0
            && find_position(&user, market_index)
                .is_some_and(|s| user.perp_positions[s].lp.shares.get() > 0)
    };
    if !applies {
        return Ok(None);
    }
    let accounts = &ctx.accounts;
    let derisked = derisk_user(
        &DeriskAccounts {
            state: &accounts.state,
            user,
            spot_market: &accounts.spot_market,
            perp_market: &accounts.perp_market,
            oracle: accounts.oracle.to_account_info(),
            remaining,
        },
        clock,
    );
    // Nothing to do, or nothing that may be done now: a settle never waits on a de-risk. Each
    // of these refusals comes before the de-risk changes anything.
    let deferred = |error: &Error| {
        let code = |e: BalError| *error == e.into();
        code(BalError::NothingToDerisk)
            || code(BalError::OracleStale)
            || code(BalError::OracleTooUncertain)
            || code(BalError::OracleNonPositive)
            || code(BalError::OracleTooDivergent)
            || (batch && code(BalError::MarginAccountMissing))
    };
    match derisked {
        Ok(outcome) => Ok(Some(outcome)),
        Err(error) if deferred(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

/// De-risks (when it applies) and settles one user, then emits what happened: a failure
/// anywhere leaves no record behind.
fn settle_user<'info>(
    ctx: &Context<'info, SettlePnl<'info>>,
    target: &Target<'_, 'info>,
) -> Result<()> {
    let Target {
        user, price, clock, ..
    } = *target;
    let derisked = derisk_first(ctx, target)?;
    let view = MarketView::new(&*ctx.accounts.perp_market.load()?, price);
    let planned = plan(ctx, user, &view)?;
    if let Some(plan) = &planned {
        commit(ctx, user, plan)?;
    }
    if let Some(outcome) = derisked {
        emit_cpi!(derisk_record(
            user.key(),
            view.market_index,
            &outcome,
            clock.unix_timestamp
        ));
    }
    if let Some(plan) = planned {
        emit_cpi!(SettlePnlRecord {
            ts: clock.unix_timestamp,
            user: user.key(),
            market_index: view.market_index,
            amount: plan.amount,
            oracle_price: price,
        });
    }
    Ok(())
}

/// Settles the user's P&L in this market into its quote balance; an LP below initial margin
/// that has not opted out is de-risked first. Ok, moving nothing, when the user has no position
/// here. Remaining accounts (for an LP's margin): a `(PerpMarket, oracle)` pair for every other
/// active position of the user, in slot order.
pub fn settle_pnl<'info>(ctx: Context<'info, SettlePnl<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    let price = prepare(&ctx, &clock)?;
    settle_user(
        &ctx,
        &Target {
            user: &ctx.accounts.user,
            remaining: ctx.remaining_accounts,
            price,
            clock: &clock,
            batch: false,
        },
    )
}

/// Settles every user passed as a remaining account, de-risking LPs first as `settle_pnl`
/// does. An LP whose margin also depends on positions in other markets cannot be judged here:
/// it is settled without a de-risk (`derisk_lp` with its markets does that). With `try_mode`, a user that
/// cannot be settled is restored to what it was (with the markets) and its error code
/// recorded; without it, the first failure reverts the batch. Return data: one little-endian
/// u32 per user (see `instructions::batch`).
pub fn settle_pnl_many<'info>(ctx: Context<'info, SettlePnl<'info>>, try_mode: bool) -> Result<()> {
    let clock = Clock::get()?;
    let price = prepare(&ctx, &clock)?;
    let mut results = BatchResults::default();
    let mut snapshot = Snapshot::default();
    let spot = ctx.accounts.spot_market.to_account_info();
    let market = ctx.accounts.perp_market.to_account_info();
    for info in ctx.remaining_accounts.iter() {
        // Only a writable user of this program is copied (and later restored).
        let user = match batch_user(info) {
            Ok(user) => user,
            Err(error) if try_mode => {
                results.push(Err(error));
                continue;
            }
            Err(error) => return Err(error),
        };
        let touched = [info, &spot, &market];
        if try_mode {
            snapshot.take(&touched)?;
        }
        let target = Target {
            user: &user,
            remaining: &[],
            price,
            clock: &clock,
            batch: true,
        };
        match settle_user(&ctx, &target) {
            Ok(()) => results.push(Ok(())),
            Err(error) if try_mode => {
                snapshot.restore(&touched)?;
                results.push(Err(error));
            }
            Err(error) => return Err(error),
        }
    }
    results.publish();
    Ok(())
}
