//! `settle_pnl` for one user and `settle_pnl_many` for a keeper's batch. Permissionless. An LP
//! below its initial margin that did not opt out is de-risked first (`controller::derisk`,
//! the same rule `derisk_lp` applies).
use crate::contexts::batch::Batch;
use crate::contexts::MarketUser;
use crate::controller::derisk::{derisk, DeriskBooks, DeriskTerms};
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::pnl::{commit_settle_pnl, plan_settle_pnl};
use crate::events::{
    DeriskRecord, PnlSettled, SettlePnlBatchRecord, SettlePnlRecord, BATCH_RECORD_USERS,
};
use crate::math::oracle::OracleAction;
use crate::read::derisk_decision::{derisk_decision, DeriskDecision, DeriskJudge};
use crate::read::margin::{MarketView, MarketViews};
use crate::read::market_views::load_market_views;
use crate::state::gate::allows;
use crate::state::MarketAction;
use crate::state::User;
use anchor_lang::prelude::*;

/// Checks the pauses, reads the one price the instruction uses — valid for settling, which
/// asks what a fill does (fresh, certain, near its TWAP), so a de-risk may trade at it — and
/// accrues interest. precision: PRICE
fn prepare(ctx: &Context<MarketUser>, clock: &Clock) -> Result<u64> {
    let (_, _, price) =
        ctx.accounts
            .market
            .enter(MarketAction::SettlePnl, OracleAction::SettlePnl, clock)?;
    Ok(price)
}

/// What settling one user did, for its records.
struct Settled {
    derisked: Option<DeriskRecord>,
    settled: Option<SettlePnlRecord>,
}

/// De-risks `user` when the rule says so, then settles its P&L in this market. `views` holds
/// the user's other markets (none in a batch: an LP whose margin needs them is then settled
/// without a de-risk) and is kept current for this one.
fn settle_user(
    ctx: &Context<MarketUser>,
    user: &AccountLoader<User>,
    views: &mut MarketViews,
    price: u64,
) -> Result<Settled> {
    let now = Clock::get()?.unix_timestamp;
    let state = &ctx.accounts.market.state;
    let key = user.key();
    let mut user = user.load_mut()?;
    let mut spot = ctx.accounts.market.spot_market.load_mut()?;
    let mut market = ctx.accounts.market.perp_market.load_mut()?;
    let index = market.market_index;
    // Settled once here, an LP's entitlement is nothing to every simulation that follows.
    settle_lp_before_trading(&mut user, &mut market)?;
    views.set(MarketView::new(&market, price, now)?);
    let judge = DeriskJudge {
        spot: &spot,
        views,
        market_index: index,
        now,
        cooldown_seconds: state.lp_cooldown_seconds,
    };
    let mut derisked = None;
    if let DeriskDecision::Applies(before) = derisk_decision(&user, &judge)? {
        let terms = DeriskTerms {
            oracle_price: price,
            fee_rate: state.fees.taker_fee_rate,
            now,
            before,
            may_trade: allows(state, &market, MarketAction::Reduce)?,
        };
        let mut books = DeriskBooks {
            user: &mut user,
            spot: &mut spot,
            market: &mut market,
        };
        let outcome = derisk(&mut books, views, &terms)?;
        derisked = Some(outcome.record(key, index, now));
        views.set(MarketView::new(&market, price, now)?);
    }
    let planned = plan_settle_pnl(&user, &market, views.find(index)?)?;
    if let Some(plan) = &planned {
        commit_settle_pnl(plan, &mut user, &mut spot, &mut market)?;
    }
    user.invariant()?;
    spot.invariant()?;
    market.invariant()?;
    Ok(Settled {
        derisked,
        // A settle that moves nothing into the balance says nothing.
        settled: planned
            .filter(|plan| plan.amount != 0)
            .map(|plan| SettlePnlRecord {
                ts: now,
                user: key,
                market_index: index,
                amount: plan.amount,
                oracle_price: price,
            }),
    })
}

/// Emits what settling one user did: a failure anywhere before leaves no record behind.
fn emit_settled(ctx: &Context<MarketUser>, records: Settled) -> Result<()> {
    if let Some(record) = records.derisked {
        emit_cpi!(record);
    }
    if let Some(record) = records.settled {
        emit_cpi!(record);
    }
    Ok(())
}

/// Settles the user's P&L in this market into its quote balance; an LP below initial margin
/// that has not opted out is de-risked first. Ok, moving nothing, when the user has no position
/// here. Remaining accounts (for an LP's margin): a `(PerpMarket, oracle)` pair for every other
/// active position of the user, in slot order.
pub fn settle_pnl<'info>(ctx: Context<'info, MarketUser<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    let price = prepare(&ctx, &clock)?;
    let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
    let records = settle_user(&ctx, &ctx.accounts.user, &mut views, price)?;
    emit_settled(&ctx, records)
}

/// Settles every user passed as a remaining account, de-risking LPs first as `settle_pnl`
/// does. An LP whose margin also depends on positions in other markets cannot be judged here:
/// it is settled without a de-risk (`derisk_lp` with its markets does that). With `try_mode`, a
/// user that cannot be settled is restored to what it was (with the markets) and its error code
/// recorded; without it, the first failure reverts the batch. Return data: one little-endian
/// u32 per user (see `contexts::batch`). Records: one `SettlePnlBatchRecord` per
/// `BATCH_RECORD_USERS` users settled, and a `DeriskRecord` per LP de-risked. Nothing allocated
/// grows with the batch beyond a result code and a record entry per user: the views and the
/// snapshot buffers are reused.
pub fn settle_pnl_many<'info>(
    ctx: Context<'info, MarketUser<'info>>,
    try_mode: bool,
) -> Result<()> {
    let clock = Clock::get()?;
    let price = prepare(&ctx, &clock)?;
    let mut views = MarketViews(Vec::with_capacity(1));
    let spot = ctx.accounts.market.spot_market.to_account_info();
    let market = ctx.accounts.market.perp_market.to_account_info();
    let mut settled = Vec::with_capacity(ctx.remaining_accounts.len());
    let results = Batch {
        users: ctx.remaining_accounts,
        try_mode,
        restores: Some(&[&spot, &market]),
    }
    .run(|user| {
        let records = settle_user(&ctx, user, &mut views, price)?;
        if let Some(record) = records.derisked {
            emit_cpi!(record);
        }
        settled.extend(records.settled.map(|record| PnlSettled {
            user: record.user,
            amount: record.amount,
        }));
        Ok(())
    })?;
    let market_index = ctx.accounts.market.perp_market.load()?.market_index;
    for part in settled.chunks(BATCH_RECORD_USERS) {
        emit_cpi!(SettlePnlBatchRecord {
            ts: clock.unix_timestamp,
            market_index,
            oracle_price: price,
            settled: part.to_vec(),
        });
    }
    results.publish()
}
