//! What keeper batches (`settle_pnl_many`, `settle_lp_many`) share: how a remaining account is
//! taken as a user, the per-user result codes they return, and the snapshot that lets a
//! refused user in try mode leave nothing changed.
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
    /// Room for `users` codes up front, so the buffer never grows (the heap is never freed).
    pub fn with_capacity(users: usize) -> Self {
        BatchResults(Vec::with_capacity(users * 4))
    }

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

/// Copies of the data of the accounts one user's step may write, taken before the step and
/// copied back when it fails in try mode, so a refused user changes nothing. The buffers are
/// reused from user to user: the program heap is never freed.
#[derive(Default)]
pub struct Snapshot(Vec<Vec<u8>>);

impl Snapshot {
    pub fn take(&mut self, accounts: &[&AccountInfo]) -> Result<()> {
        self.0.resize_with(accounts.len(), Vec::new);
        for (buffer, info) in self.0.iter_mut().zip(accounts) {
            buffer.clear();
            buffer.extend_from_slice(&info.try_borrow_data()?);
        }
        Ok(())
    }

    pub fn restore(&self, accounts: &[&AccountInfo]) -> Result<()> {
        for (buffer, info) in self.0.iter().zip(accounts) {
            let mut data = info.try_borrow_mut_data()?;
            validate!(
                data.len() == buffer.len(),
                BalError::InvalidRemainingAccounts
            );
            data.copy_from_slice(buffer);
        }
        Ok(())
    }
}
