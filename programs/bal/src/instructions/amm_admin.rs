//! Admin changes to a market's curve: repeg to the oracle and set `sqrt_k`. Both keep the
//! books whole by paying the change in what users are owed from the fee pool.
use crate::controller::amm::{refresh_derived_reserves, repeg_to_oracle, update_sqrt_k};
use crate::controller::oracle::oracle_price_for;
use crate::error::BalError;
use crate::math::oracle::OracleAction;
use crate::state::{PerpMarket, State, PERP_MARKET_SEED, STATE_SEED};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AdminUpdateAmm<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &perp_market.load()?.market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: must be the market's oracle; `oracle_price_for` checks key, owner and layout.
    pub oracle: UncheckedAccount<'info>,
}

/// Moves the peg so the mark equals the oracle price, paying the cost from the fee pool.
pub fn repeg(ctx: Context<AdminUpdateAmm>) -> Result<()> {
    let mut market = ctx.accounts.perp_market.load_mut()?;
    let price = oracle_price_for(
        &mut market,
        &ctx.accounts.oracle.to_account_info(),
        OracleAction::Repeg,
        &Clock::get()?,
    )?;
    let cost = repeg_to_oracle(&mut market, price)?;
    msg!("repeg to {} cost {}", market.amm.peg_multiplier, cost);
    refresh_derived_reserves(&mut market)?;
    market.invariant()
}

/// Sets `sqrt_k` (precision: BASE) with the price kept, paying the cost from the fee pool.
pub fn update_k(ctx: Context<AdminUpdateAmm>, sqrt_k: u128) -> Result<()> {
    let mut market = ctx.accounts.perp_market.load_mut()?;
    oracle_price_for(
        &mut market,
        &ctx.accounts.oracle.to_account_info(),
        OracleAction::Repeg,
        &Clock::get()?,
    )?;
    let cost = update_sqrt_k(&mut market, sqrt_k)?;
    msg!("sqrt_k {} cost {}", sqrt_k, cost);
    market.invariant()
}
