use crate::controller::account_creation::{create_zero_copy_pda, NewPda};
use crate::math::constants::ACCOUNT_VERSION;
use crate::state::{validate_name, User, USER_SEED};
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(sub_account_id: u16)]
pub struct InitializeUser<'info> {
    /// Owns the new subaccount and pays its rent.
    #[account(mut)]
    pub authority: Signer<'info>,
    /// CHECK: created by the handler (`create_zero_copy_pda` refuses an existing account).
    #[account(
        mut,
        seeds = [USER_SEED, authority.key().as_ref(), &sub_account_id.to_le_bytes()],
        bump,
    )]
    pub user: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<InitializeUser>, sub_account_id: u16, name: [u8; 32]) -> Result<()> {
    validate_name(&name)?;
    let accounts = &ctx.accounts;
    let authority = accounts.authority.key();
    let bump = ctx.bumps.user;
    let id = sub_account_id.to_le_bytes();
    let info = accounts.user.to_account_info();
    let new = NewPda {
        payer: &accounts.authority.to_account_info(),
        account: &info,
        system_program: &accounts.system_program.to_account_info(),
        space: User::SPACE,
        signer_seeds: &[USER_SEED, authority.as_ref(), &id, &[bump]],
    };
    create_zero_copy_pda(&new, |user: &mut User| {
        user.authority = authority;
        user.name = name;
        user.sub_account_id = sub_account_id;
        user.version = ACCOUNT_VERSION;
        user.bump = bump;
        user.invariant()
    })
}
