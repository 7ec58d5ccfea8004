use crate::controller::bankruptcy::resolve_bankruptcy;
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::read::position::holds_only_claims;
use crate::state::gate::check_market;
use crate::state::MarketAction;
use crate::state::{
    PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct ResolveBadDebt<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    /// The market whose fee pool (insurance) pays first: the one whose loss the account last
    /// settled (`User::last_loss_market`).
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
}

/// Permissionless: writes off the negative balance of an account that holds no base, LP
/// shares or orders anywhere, net of what its positions still claim (see
/// `controller::bankruptcy`), the fee pool of the market whose loss it last settled paying
/// first. Refuses an account that still holds something (`AccountNotEmptied`), another market
/// (`NotTheLossMarket`), or a balance its claims cover (`NoBadDebt`).
pub fn handler(ctx: Context<ResolveBadDebt>) -> Result<()> {
    let accounts = &ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let record = {
        let mut user = accounts.user.load_mut()?;
        let mut spot = accounts.spot_market.load_mut()?;
        let mut market = accounts.perp_market.load_mut()?;
        check_market(&accounts.state, &market, MarketAction::ResolveBadDebt)?;
        validate!(holds_only_claims(&user), BalError::AccountNotEmptied);
        validate!(
            market.market_index == user.last_loss_market,
            BalError::NotTheLossMarket
        );
        accrue_interest(&mut spot, now)?;
        let resolved = resolve_bankruptcy(&mut user, &mut spot, &mut market)?;
        let Some(resolved) = resolved else {
            return err!(BalError::NoBadDebt);
        };
        user.invariant()?;
        spot.invariant()?;
        market.invariant()?;
        resolved.record(accounts.user.key(), &market, &spot, now)
    };
    emit_cpi!(record);
    Ok(())
}
