//! The four settings a subaccount's authority changes: name, delegate, custom max leverage and
//! the de-risk opt-out. They share one accounts struct, so they live together.
use crate::error::BalError;
use crate::math::constants::MARGIN_PRECISION;
use crate::state::validate_name;
use crate::state::{User, USER_SEED};
use crate::validate;
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(sub_account_id: u16)]
pub struct UpdateUser<'info> {
    /// Only the authority: a delegate may trade but not change the account's settings.
    pub authority: Signer<'info>,
    #[account(
        mut,
        seeds = [USER_SEED, authority.key().as_ref(), &sub_account_id.to_le_bytes()],
        bump = user.load()?.bump,
        has_one = authority @ BalError::NotUserAuthority,
    )]
    pub user: AccountLoader<'info, User>,
}

pub fn update_name(ctx: Context<UpdateUser>, name: [u8; 32]) -> Result<()> {
    validate_name(&name)?;
    let mut user = ctx.accounts.user.load_mut()?;
    user.name = name;
    user.invariant()
}

/// `Pubkey::default()` removes the delegate.
pub fn update_delegate(ctx: Context<UpdateUser>, delegate: Pubkey) -> Result<()> {
    let mut user = ctx.accounts.user.load_mut()?;
    validate!(delegate != user.authority, BalError::DelegateNotAllowed);
    user.delegate = delegate;
    user.invariant()
}

/// Smallest custom initial margin ratio: 100x leverage.
pub const MIN_CUSTOM_MARGIN_RATIO: u32 = MARGIN_PRECISION / 100;

/// `margin_ratio` (precision: MARGIN) is the account's initial margin floor: 2_000 means at most
/// 5x. 0 removes it. Initial margin then uses the larger of this and each market's ratio.
pub fn update_custom_margin_ratio(ctx: Context<UpdateUser>, margin_ratio: u32) -> Result<()> {
    validate!(
        margin_ratio == 0 || (MIN_CUSTOM_MARGIN_RATIO..=MARGIN_PRECISION).contains(&margin_ratio),
        BalError::InvalidMarginRatio
    );
    let mut user = ctx.accounts.user.load_mut()?;
    user.custom_margin_ratio = margin_ratio;
    user.invariant()
}

/// When set, `settle_pnl` will not de-risk this account's LP positions below initial margin.
pub fn update_derisk_opt_out(ctx: Context<UpdateUser>, opt_out: bool) -> Result<()> {
    let mut user = ctx.accounts.user.load_mut()?;
    user.derisk_opt_out = opt_out as u8;
    user.invariant()
}
