//! The accounts of a permissionless action on one user in one market, signed by nobody in
//! particular: `settle_pnl`, `settle_pnl_many` and `derisk_lp` take them.
// The composite's generated plumbing (`__client_accounts_*`, its bumps) comes with the glob.
use crate::contexts::market::*;
use crate::state::User;
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
pub struct MarketUser<'info> {
    /// The user acted on; `settle_pnl_many` takes its users as remaining accounts instead and
    /// ignores this one's position unless it is also listed there.
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    pub market: MarketContext<'info>,
}
