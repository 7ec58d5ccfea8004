use crate::controller::derisk::{derisk, DeriskBooks, DeriskTerms};
use crate::controller::oracle::oracle_price_for;
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::math::oracle::OracleAction;
use crate::read::derisk_decision::{derisk_decision, DeriskDecision, DeriskJudge};
use crate::read::margin::MarketView;
use crate::read::market_views::load_market_views;
use crate::state::gate::{allows, check_market};
use crate::state::MarketAction;
use crate::state::{
    PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;

/// Remaining accounts: a `(PerpMarket, oracle)` pair for every other active position of the
/// user, in slot order.
#[event_cpi]
#[derive(Accounts)]
pub struct DeriskLp<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
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

/// Permissionless: de-risks the user's LP position in the market when `derisk_decision` says
/// it applies (see `controller::derisk`). Burning cannot be undone, so the whole de-risk is
/// judged at a price valid for a fill (fresh, certain, near its TWAP). Refuses when there is
/// nothing to do (`NothingToDerisk`), when the account opted out (`DeriskOptedOut`), while its
/// LP cooldown runs (`LpCooldown`) and when a market it holds is missing
/// (`MarginAccountMissing`).
pub fn handler<'info>(ctx: Context<'info, DeriskLp<'info>>) -> Result<()> {
    let accounts = &ctx.accounts;
    let clock = Clock::get()?;
    let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
    let record = {
        let mut user = accounts.user.load_mut()?;
        let mut spot = accounts.spot_market.load_mut()?;
        let mut market = accounts.perp_market.load_mut()?;
        check_market(&accounts.state, &market, MarketAction::Derisk)?;
        let price = oracle_price_for(
            &mut market,
            &accounts.oracle.to_account_info(),
            OracleAction::Fill,
            &clock,
        )?;
        accrue_interest(&mut spot, clock.unix_timestamp)?;
        views.set(MarketView::new(&market, price, clock.unix_timestamp)?);
        let judge = DeriskJudge {
            spot: &spot,
            views: &views,
            market_index: market.market_index,
            now: clock.unix_timestamp,
            cooldown_seconds: accounts.state.lp_cooldown_seconds,
        };
        let before = match derisk_decision(&user, &judge)? {
            DeriskDecision::Applies(before) => before,
            DeriskDecision::NotNeeded => return err!(BalError::NothingToDerisk),
            DeriskDecision::OptedOut => return err!(BalError::DeriskOptedOut),
            DeriskDecision::InCooldown => return err!(BalError::LpCooldown),
            DeriskDecision::CannotJudge => return err!(BalError::MarginAccountMissing),
        };
        let terms = DeriskTerms {
            oracle_price: price,
            fee_rate: accounts.state.fees.taker_fee_rate,
            now: clock.unix_timestamp,
            before,
            may_trade: allows(&accounts.state, &market, MarketAction::Reduce)?,
        };
        let outcome = derisk(
            &mut DeriskBooks {
                user: &mut user,
                spot: &mut spot,
                market: &mut market,
            },
            &mut views,
            &terms,
        )?;
        user.invariant()?;
        spot.invariant()?;
        market.invariant()?;
        outcome.record(
            accounts.user.key(),
            market.market_index,
            clock.unix_timestamp,
        )
    };
    emit_cpi!(record);
    Ok(())
}
