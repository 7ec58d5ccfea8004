//! What keeper batches (`settle_pnl_many`, `settle_lp_many`) share: how a remaining account is
//! taken as a user, and the per-user result codes they return.
use crate::error::BalError;
use crate::state::User;
use crate::validate;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::set_return_data;

/// Result code of a user that was settled (or had nothing to settle).
pub const BATCH_OK: u32 = 0;
/// Result code of a user refused with a runtime (not a program) error.
pub const BATCH_RUNTIME_ERROR: u32 = u32::MAX;

/// A remaining account as a writable `User` of this program.
pub fn batch_user<'info>(info: &'info AccountInfo<'info>) -> Result<AccountLoader<'info, User>> {
    let user = AccountLoader::<User>::try_from(info)?;
    validate!(info.is_writable, BalError::InvalidRemainingAccounts);
    Ok(user)
}

/// One little-endian u32 per user: `BATCH_OK` or the code it was refused with.
#[derive(Default)]
pub struct BatchResults(Vec<u8>);

impl BatchResults {
    pub fn push(&mut self, outcome: Result<()>) {
        let code = match outcome {
            Ok(()) => BATCH_OK,
            Err(error) => match ProgramError::from(error) {
                ProgramError::Custom(code) => code,
                _ => BATCH_RUNTIME_ERROR,
            },
        };
        self.0.extend_from_slice(&code.to_le_bytes());
    }

    /// Returns the codes to the caller as the instruction's return data.
    pub fn publish(&self) {
        set_return_data(&self.0);
    }
}
