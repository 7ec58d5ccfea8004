//! BAL: `add_liquidity`, `remove_liquidity`, `settle_lp` and `settle_lp_many`.
use crate::contexts::batch::Batch;
use crate::contexts::Trade;
use crate::controller::lp::{add_shares, validate_add_price};
use crate::controller::position::open_position;
use crate::error::BalError;
use crate::events::{
    LiquidityAction, LiquidityRecord, LpSettleBatchRecord, LpSettled, BATCH_RECORD_USERS,
};
use crate::math::lp_books::{remove_shares, settle_lp_position, LpSettlement};
use crate::math::oracle::OracleAction;
use crate::math::position::release_if_empty;
use crate::math::safe_math::SafeMath;
use crate::read::margin::{validate_initial_margin, MarketView};
use crate::read::market_views::load_market_views;
use crate::read::position::find_position;
use crate::state::gate::check_market;
use crate::state::MarketAction;
use crate::state::PriceBounds;
use crate::state::{PerpMarket, State, User, PERP_MARKET_SEED, STATE_SEED};
use crate::validate;
use anchor_lang::prelude::*;

/// What an LP action changed, for its record.
struct Change {
    action: LiquidityAction,
    shares_delta: i128,
    shares_after: u128,
    settled: LpSettlement,
}

fn record(user: Pubkey, market: &PerpMarket, change: &Change) -> LiquidityRecord {
    LiquidityRecord {
        ts: 0,
        user,
        market_index: market.market_index,
        action: change.action,
        shares_delta: change.shares_delta,
        shares_after: change.shares_after,
        sqrt_k_after: market.amm.sqrt_k.get(),
        base_settled: change.settled.base,
        quote_settled: change.settled.quote,
        funding_settled: change.settled.funding,
    }
}

/// Mints `shares` (rounded down to the market's step) to the user's position, where the
/// curve's reserve price is within the market's band around the oracle and within `bounds`
/// (`controller::lp::validate_add_price`). The account must pass initial margin afterwards,
/// LP open orders included; the removal cooldown starts.
pub fn add_liquidity(ctx: Context<Trade>, shares: u64, bounds: PriceBounds) -> Result<()> {
    let accounts = &ctx.accounts;
    let clock = Clock::get()?;
    let mut event = {
        let mut user = accounts.acting.user.load_mut()?;
        let (spot, mut market, price) = accounts.market.enter(
            MarketAction::AddLiquidity,
            OracleAction::AddLiquidity,
            &clock,
        )?;
        validate_add_price(&market, price, &bounds, clock.unix_timestamp)?;
        let step = market.order_step_size;
        let minted = (shares / step).safe_mul(step)? as u128;
        let slot = open_position(
            &mut user,
            market.market_index,
            market.funding.cumulative_funding_rate,
        )?;
        let settled = settle_lp_position(&mut user.perp_positions[slot], &mut market)?;
        add_shares(&mut user.perp_positions[slot], &mut market, minted)?;
        user.last_add_liquidity_ts = clock.unix_timestamp;
        let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
        views
            .0
            .push(MarketView::new(&market, price, clock.unix_timestamp)?);
        validate_initial_margin(&user, &spot, &views)?;
        user.invariant()?;
        spot.invariant()?;
        market.invariant()?;
        let after = user.perp_positions[slot].lp.shares.get();
        record(
            accounts.acting.user.key(),
            &market,
            &Change {
                action: LiquidityAction::Add,
                shares_delta: minted as i128,
                shares_after: after,
                settled,
            },
        )
    };
    event.ts = clock.unix_timestamp;
    emit_cpi!(event);
    Ok(())
}

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct ManageLiquidity<'info> {
    /// For `remove_liquidity`: the user's authority or delegate. For `settle_lp`: anyone.
    pub signer: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
}

/// Settles, then burns `shares` (all when `None`), for the owner or its delegate only. The
/// cooldown since the last add applies, except in a reduce-only market.
pub fn remove_liquidity(ctx: Context<ManageLiquidity>, shares: Option<u128>) -> Result<()> {
    let accounts = &ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut event = {
        let mut user = accounts.user.load_mut()?;
        let mut market = accounts.perp_market.load_mut()?;
        // A settling market's shares go with its positions (`settle_expired_positions`), its
        // curve frozen.
        check_market(&accounts.state, &market, MarketAction::RemoveLiquidity)?;
        // Only the owner (or its delegate) chooses when its shares go: another LP removing them
        // would take a larger part of the wind-down. A winding-down market lets them go
        // without waiting out the cooldown.
        validate!(
            user.is_authority_or_delegate(&accounts.signer.key()),
            BalError::NotUserAuthority
        );
        let winding_down = market
            .status()?
            .refusal(MarketAction::RemoveInCooldown)
            .is_none();
        if !winding_down {
            let ready = user
                .last_add_liquidity_ts
                .safe_add(accounts.state.lp_cooldown_seconds)?;
            validate!(
                now >= ready,
                BalError::LpCooldown,
                "removable from {}",
                ready
            );
        }
        let slot =
            find_position(&user, market.market_index).ok_or(BalError::InsufficientLpShares)?;
        let position = &mut user.perp_positions[slot];
        let burn = shares.unwrap_or(position.lp.shares.get());
        let settled = remove_shares(position, &mut market, burn)?;
        let after = position.lp.shares.get();
        release_if_empty(position);
        user.invariant()?;
        market.invariant()?;
        record(
            accounts.user.key(),
            &market,
            &Change {
                action: LiquidityAction::Remove,
                shares_delta: -(burn as i128),
                shares_after: after,
                settled,
            },
        )
    };
    event.ts = now;
    emit_cpi!(event);
    Ok(())
}

/// Settles one LP's position in the market: what it moved, `None` when it moved nothing.
fn settle_user(
    user: &AccountLoader<User>,
    market: &mut PerpMarket,
) -> Result<Option<LpSettlement>> {
    let mut user = user.load_mut()?;
    let Some(slot) = find_position(&user, market.market_index) else {
        return Ok(None);
    };
    let position = &mut user.perp_positions[slot];
    if position.lp.shares.get() == 0 {
        return Ok(None);
    }
    let settled = settle_lp_position(position, market)?;
    user.invariant()?;
    Ok(Some(settled).filter(|settled| !settled.moved_nothing()))
}

/// Permissionless and idempotent: moves the user's LP entitlement into its position. A settle
/// that moves nothing leaves no record.
pub fn settle_lp(ctx: Context<ManageLiquidity>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let event = {
        let mut market = ctx.accounts.perp_market.load_mut()?;
        check_market(&ctx.accounts.state, &market, MarketAction::SettleLp)?;
        let Some(settled) = settle_user(&ctx.accounts.user, &mut market)? else {
            return Ok(());
        };
        market.invariant()?;
        let user = ctx.accounts.user.load()?;
        let shares = find_position(&user, market.market_index)
            .map_or(0, |s| user.perp_positions[s].lp.shares.get());
        let mut event = record(
            ctx.accounts.user.key(),
            &market,
            &Change {
                action: LiquidityAction::Settle,
                shares_delta: 0,
                shares_after: shares,
                settled,
            },
        );
        event.ts = now;
        event
    };
    emit_cpi!(event);
    Ok(())
}

/// Settles every LP passed as a (writable) remaining account. With `try_mode` an account that
/// is not a user is skipped with its error code; return data as `contexts::batch` describes.
/// Records: one `LpSettleBatchRecord` per `BATCH_RECORD_USERS` LPs whose settle moved
/// something.
pub fn settle_lp_many<'info>(
    ctx: Context<'info, ManageLiquidity<'info>>,
    try_mode: bool,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let mut settled = Vec::with_capacity(ctx.remaining_accounts.len());
    let (market_index, results) = {
        let mut market = ctx.accounts.perp_market.load_mut()?;
        check_market(&ctx.accounts.state, &market, MarketAction::SettleLp)?;
        // A failure past loading the user is not the user's: it reverts the batch.
        let results = Batch {
            users: ctx.remaining_accounts,
            try_mode,
            restores: None,
        }
        .run(|user| {
            if let Some(moved) = settle_user(user, &mut market)? {
                settled.push(LpSettled {
                    user: user.key(),
                    base_settled: moved.base,
                    quote_settled: moved.quote,
                    funding_settled: moved.funding,
                });
            }
            Ok(())
        })?;
        market.invariant()?;
        (market.market_index, results)
    };
    for part in settled.chunks(BATCH_RECORD_USERS) {
        emit_cpi!(LpSettleBatchRecord {
            ts: now,
            market_index,
            settled: part.to_vec(),
        });
    }
    results.publish()
}
