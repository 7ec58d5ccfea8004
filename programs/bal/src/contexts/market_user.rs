//! The accounts of a permissionless action on one user in one market, signed by nobody in
//! particular: `settle_pnl`, `settle_pnl_many` and `derisk_lp` take them.
use crate::error::BalError;
use crate::state::{
    PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct MarketUser<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    /// The user acted on; `settle_pnl_many` takes its users as remaining accounts instead and
    /// ignores this one's position unless it is also listed there.
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
