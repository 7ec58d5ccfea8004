//! The admin's changes to the quote market: its interest curve and its insurance fund's
//! unstake delay.
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::state::{
    InterestCurve, SpotMarket, State, QUOTE_SPOT_MARKET_INDEX_SEED, SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AdminUpdateSpotMarket<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
}

/// Interest accrued so far is charged at the old curve; the new one applies from now on.
pub fn update_interest(
    ctx: Context<AdminUpdateSpotMarket>,
    interest_curve: InterestCurve,
) -> Result<()> {
    interest_curve.validate()?;
    let mut market = ctx.accounts.spot_market.load_mut()?;
    accrue_interest(&mut market, Clock::get()?.unix_timestamp)?;
    market.interest_curve = interest_curve;
    market.invariant()
}

/// Pending requests too are paid by the delay in force when they are paid.
pub fn update_insurance_unstake_delay(
    ctx: Context<AdminUpdateSpotMarket>,
    unstake_delay: i64,
) -> Result<()> {
    let mut market = ctx.accounts.spot_market.load_mut()?;
    market.insurance.unstake_delay = unstake_delay;
    market.invariant()
}
