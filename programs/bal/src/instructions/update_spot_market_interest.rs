use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::state::{InterestCurve, SpotMarket, State, SPOT_MARKET_SEED, STATE_SEED};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct UpdateSpotMarketInterest<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, &spot_market.load()?.market_index.to_le_bytes()],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
}

/// Interest accrued so far is charged at the old curve; the new one applies from now on.
pub fn handler(
    ctx: Context<UpdateSpotMarketInterest>,
    interest_curve: InterestCurve,
) -> Result<()> {
    interest_curve.validate()?;
    let mut market = ctx.accounts.spot_market.load_mut()?;
    accrue_interest(&mut market, Clock::get()?.unix_timestamp)?;
    market.interest_curve = interest_curve;
    market.invariant()
}
