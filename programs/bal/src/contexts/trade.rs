//! The accounts of a user acting in one market on its own (or its delegate's) signature:
//! `place_perp_order`, `close_position`, `place_order` and `add_liquidity` take them.
// The composites' generated plumbing (`__client_accounts_*`, their bumps) comes with the globs.
use crate::contexts::acting_user::*;
use crate::contexts::market::*;
use anchor_lang::prelude::*;

/// Remaining accounts: a `(PerpMarket, oracle)` pair for every other active position of the
/// user (every fill is margin-checked, a reducing one against manufacturing debt).
#[event_cpi]
#[derive(Accounts)]
pub struct Trade<'info> {
    pub acting: ActingUser<'info>,
    pub market: MarketContext<'info>,
}
