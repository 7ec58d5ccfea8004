use crate::error::BalError;
use crate::state::{validate_lp_cooldown, validate_pause_bits, FeeSchedule, State, STATE_SEED};
use anchor_lang::prelude::*;

/// Exchange-wide settings to change; `None` leaves a setting as it is.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default)]
pub struct UpdateStateParams {
    pub new_admin: Option<Pubkey>,
    pub fees: Option<FeeSchedule>,
    /// seconds
    pub lp_cooldown_seconds: Option<i64>,
    /// Bits of `pause::*`: set pauses the operation on every market, clear resumes it.
    pub paused_operations: Option<u32>,
}

#[derive(Accounts)]
pub struct UpdateState<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
}

pub fn handler(ctx: Context<UpdateState>, params: UpdateStateParams) -> Result<()> {
    let state = &mut ctx.accounts.state;
    if let Some(admin) = params.new_admin {
        state.admin = admin;
    }
    if let Some(fees) = params.fees {
        fees.validate()?;
        state.fees = fees;
    }
    if let Some(seconds) = params.lp_cooldown_seconds {
        validate_lp_cooldown(seconds)?;
        state.lp_cooldown_seconds = seconds;
    }
    if let Some(bits) = params.paused_operations {
        validate_pause_bits(bits)?;
        state.paused_operations = bits;
    }
    state.invariant()
}
