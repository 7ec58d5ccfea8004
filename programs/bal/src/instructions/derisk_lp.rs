use crate::controller::derisk::{
    burn_to_initial_margin, reduce_within_band, DeriskInputs, DeriskOutcome,
};
use crate::controller::margin::{load_market_views, MarketView};
use crate::controller::oracle::oracle_price_for;
use crate::events::DeriskRecord;
use crate::instructions::settle_pnl::{prepare, SettlePnl};
use crate::math::oracle::OracleAction;
use crate::state::{PerpMarket, SpotMarket, State, User};
use anchor_lang::prelude::*;

/// The accounts a de-risk reads and writes, from `derisk_lp` or `settle_pnl`.
pub struct DeriskAccounts<'a, 'info> {
    pub state: &'a State,
    pub user: &'a AccountLoader<'info, User>,
    pub spot_market: &'a AccountLoader<'info, SpotMarket>,
    pub perp_market: &'a AccountLoader<'info, PerpMarket>,
    pub oracle: AccountInfo<'info>,
    /// `(PerpMarket, oracle)` pairs for the user's other positions.
    pub remaining: &'info [AccountInfo<'info>],
}

/// De-risks the user's LP position in the market when the account is below initial margin
/// (see `controller::derisk`; interest accrued by the caller). Burning cannot be undone, so the
/// whole de-risk is judged at a price valid for a fill (fresh, certain, near its TWAP), read
/// before anything changes. Used by `derisk_lp` and, first, by `settle_pnl`.
pub fn derisk_user(accounts: &DeriskAccounts, clock: &Clock) -> Result<DeriskOutcome> {
    let mut user = accounts.user.load_mut()?;
    let mut spot = accounts.spot_market.load_mut()?;
    let mut market = accounts.perp_market.load_mut()?;
    let price = oracle_price_for(&mut market, &accounts.oracle, OracleAction::Fill, clock)?;
    let mut views = load_market_views(accounts.remaining, OracleAction::Margin, clock)?;
    views.0.push(MarketView::new(&market, price));
    let mut outcome = burn_to_initial_margin(&mut user, &spot, &mut market, &views)?;
    if outcome.still_short {
        outcome.base_reduced = reduce_within_band(
            &mut user,
            &mut spot,
            &mut market,
            &DeriskInputs {
                views: &views,
                oracle_price: price,
                fee_rate: accounts.state.fees.taker_fee_rate,
                now: clock.unix_timestamp,
            },
        )?;
    }
    user.invariant()?;
    spot.invariant()?;
    market.invariant()?;
    Ok(outcome)
}

/// The record of a de-risk of `user` in `market_index`.
pub fn derisk_record(
    user: Pubkey,
    market_index: u16,
    outcome: &DeriskOutcome,
    ts: i64,
) -> DeriskRecord {
    DeriskRecord {
        ts,
        user,
        market_index,
        shares_burned: outcome.shares_burned,
        orders_cancelled: outcome.orders_cancelled,
        base_reduced: outcome.base_reduced,
        shortage: outcome.shortage,
    }
}

/// Permissionless: cancels the account's resting orders, then burns the fewest LP shares that
/// restore initial margin (then reduces the position within a band around the oracle if
/// needed). Refuses when there is nothing to do.
/// Accounts: those of `settle_pnl`. Remaining accounts: a `(PerpMarket, oracle)` pair for
/// every other active position of the user, in slot order.
pub fn handler<'info>(ctx: Context<'info, SettlePnl<'info>>) -> Result<()> {
    let clock = Clock::get()?;
    prepare(&ctx, &clock)?;
    let accounts = &ctx.accounts;
    let outcome = derisk_user(
        &DeriskAccounts {
            state: &accounts.state,
            user: &accounts.user,
            spot_market: &accounts.spot_market,
            perp_market: &accounts.perp_market,
            oracle: accounts.oracle.to_account_info(),
            remaining: ctx.remaining_accounts,
        },
        &clock,
    )?;
    let market_index = ctx.accounts.perp_market.load()?.market_index;
    emit_cpi!(derisk_record(
        ctx.accounts.user.key(),
        market_index,
        &outcome,
        clock.unix_timestamp
    ));
    Ok(())
}
