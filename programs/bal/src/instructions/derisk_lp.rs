use crate::controller::derisk::{derisk, DeriskInputs, DeriskOutcome};
use crate::controller::margin::{load_market_views, MarketView};
use crate::controller::oracle::oracle_price_for;
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::events::DeriskRecord;
use crate::instructions::settle_pnl::SettlePnl;
use crate::math::oracle::OracleAction;
use crate::state::{pause, PerpMarket, SpotMarket, State, User};
use crate::validate;
use anchor_lang::prelude::*;

/// The accounts a de-risk reads and writes, from `derisk_lp` or `settle_pnl`.
pub struct DeriskAccounts<'a, 'info> {
    pub state: &'a State,
    pub user: &'a AccountLoader<'info, User>,
    pub spot_market: &'a AccountLoader<'info, SpotMarket>,
    pub perp_market: &'a AccountLoader<'info, PerpMarket>,
    pub oracle: AccountInfo<'info>,
    pub remaining: &'info [AccountInfo<'info>],
}

/// De-risks the user's LP position in the market when the account is below initial margin
/// (see `controller::derisk`). Used by `derisk_lp` and, first, by `settle_pnl`.
pub fn derisk_user(accounts: &DeriskAccounts, clock: &Clock) -> Result<DeriskOutcome> {
    let remaining = accounts.remaining;
    let mut user = accounts.user.load_mut()?;
    let mut spot = accounts.spot_market.load_mut()?;
    let mut market = accounts.perp_market.load_mut()?;
    let price = oracle_price_for(
        &mut market,
        &accounts.oracle.to_account_info(),
        OracleAction::Fill,
        clock,
    )?;
    accrue_interest(&mut spot, clock.unix_timestamp)?;
    let mut views = load_market_views(remaining, OracleAction::Margin, clock)?;
    views.0.push(MarketView::new(&market, price));
    let outcome = derisk(
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
    user.invariant()?;
    spot.invariant()?;
    market.invariant()?;
    Ok(outcome)
}

/// Permissionless: burns the fewest LP shares that restore initial margin (then reduces the
/// position within a band around the oracle if needed). Refuses when there is nothing to do.
/// Accounts: those of `settle_pnl`. Remaining accounts: a `(PerpMarket, oracle)` pair for
/// every other active position of the user, in slot order.
pub fn handler<'info>(ctx: Context<'info, SettlePnl<'info>>) -> Result<()> {
    validate!(
        !ctx.accounts.state.is_paused(pause::SETTLE),
        BalError::OperationPaused
    );
    let clock = Clock::get()?;
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
    emit_cpi!(DeriskRecord {
        ts: clock.unix_timestamp,
        user: ctx.accounts.user.key(),
        market_index,
        shares_burned: outcome.shares_burned,
        base_reduced: outcome.base_reduced,
        shortage: outcome.shortage,
    });
    Ok(())
}
