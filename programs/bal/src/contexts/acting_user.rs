//! The accounts of a subaccount acting on its own signature or its delegate's, embedded in every
//! instruction a delegate may send (trading, resting and cancelling orders, adding liquidity):
//! the signer and the subaccount, checked to belong together before the handler runs.
use crate::error::BalError;
use crate::state::User;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ActingUser<'info> {
    /// The user's authority or delegate.
    pub authority: Signer<'info>,
    #[account(
        mut,
        constraint = user.load()?.is_authority_or_delegate(&authority.key())
            @ BalError::NotUserAuthority,
    )]
    pub user: AccountLoader<'info, User>,
}

impl ActingUser<'_> {
    /// Whether the signer is the delegate rather than the authority (a delegate's trades and
    /// orders answer to rules of their own).
    pub fn by_delegate(&self, user: &User) -> bool {
        self.authority.key() != user.authority
    }
}
