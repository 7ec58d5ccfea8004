//! The accounts of a user acting in one market on its own (or its delegate's) signature:
//! `place_perp_order`, `close_position`, `place_order` and `add_liquidity` take them.
use crate::error::BalError;
use crate::state::{
    PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;

/// Remaining accounts: a `(PerpMarket, oracle)` pair for every other active position of the
/// user (every fill is margin-checked, a reducing one against manufacturing debt).
#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct Trade<'info> {
    /// The user's authority or delegate.
    pub authority: Signer<'info>,
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
