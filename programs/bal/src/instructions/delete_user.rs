use crate::error::BalError;
use crate::state::{User, USER_SEED};
use crate::validate;
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(sub_account_id: u16)]
pub struct DeleteUser<'info> {
    /// Receives the rent back.
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [USER_SEED, authority.key().as_ref(), &sub_account_id.to_le_bytes()],
        bump = user.load()?.bump,
        has_one = authority @ BalError::NotUserAuthority,
        close = authority,
    )]
    pub user: AccountLoader<'info, User>,
}

pub fn handler(ctx: Context<DeleteUser>) -> Result<()> {
    let user = ctx.accounts.user.load()?;
    validate!(user.is_empty(), BalError::UserNotEmpty);
    Ok(())
}
