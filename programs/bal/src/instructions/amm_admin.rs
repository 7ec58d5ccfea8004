//! Admin changes to a market's curve: repeg to the oracle and set `sqrt_k`. Both keep the
//! books whole by paying the change in what users are owed from the fee pool. A settling
//! market's curve is frozen: neither applies to it. Both act only on a curve nothing moved
//! earlier in the same second (`CurveMovedThisSecond`): their cost is priced off where the
//! curve stands, which a trade placed first could choose.
use crate::controller::amm::{repeg_to_oracle, update_sqrt_k};
use crate::controller::oracle::oracle_price_for;
use crate::error::BalError;
use crate::math::books::refresh_derived_reserves;
use crate::math::oracle::OracleAction;
use crate::read::second_start::curve_moved;
use crate::state::gate::check_market;
use crate::state::MarketAction;
use crate::state::{PerpMarket, State, PERP_MARKET_SEED, STATE_SEED};
use crate::validate;
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct AdminUpdateAmm<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
        has_one = oracle @ BalError::InvalidOracle,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: the market's oracle (`has_one` above, a relation in the IDL); its owner and
    /// layout are checked where it is read.
    pub oracle: UncheckedAccount<'info>,
}

/// Moves the peg so the mark equals the oracle price, paying the cost from the fee pool.
pub fn repeg(ctx: Context<AdminUpdateAmm>) -> Result<()> {
    let mut market = ctx.accounts.perp_market.load_mut()?;
    check_market(&ctx.accounts.state, &market, MarketAction::AmmAdmin)?;
    let clock = Clock::get()?;
    let price = oracle_price_for(
        &mut market,
        &ctx.accounts.oracle.to_account_info(),
        OracleAction::Repeg,
        &clock,
    )?;
    validate!(
        !curve_moved(&market, clock.unix_timestamp)?,
        BalError::CurveMovedThisSecond
    );
    let cost = repeg_to_oracle(&mut market, price, clock.unix_timestamp)?;
    msg!("repeg to {} cost {}", market.amm.peg_multiplier, cost);
    refresh_derived_reserves(&mut market)?;
    market.invariant()
}

/// Sets `sqrt_k` (precision: BASE) with the price kept, paying the cost from the fee pool.
pub fn update_k(ctx: Context<AdminUpdateAmm>, sqrt_k: u128) -> Result<()> {
    let mut market = ctx.accounts.perp_market.load_mut()?;
    check_market(&ctx.accounts.state, &market, MarketAction::AmmAdmin)?;
    let clock = Clock::get()?;
    oracle_price_for(
        &mut market,
        &ctx.accounts.oracle.to_account_info(),
        OracleAction::Repeg,
        &clock,
    )?;
    validate!(
        !curve_moved(&market, clock.unix_timestamp)?,
        BalError::CurveMovedThisSecond
    );
    let cost = update_sqrt_k(&mut market, sqrt_k, clock.unix_timestamp)?;
    msg!("sqrt_k {} cost {}", sqrt_k, cost);
    market.invariant()
}
