//! The one runner of keeper batches (`settle_pnl_many`, `settle_lp_many`,
//! `settle_expired_positions`): each remaining account taken as a user, one step per user, the
//! per-user result codes returned as return data, and in try mode a snapshot that lets a
//! refused user leave nothing changed.
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
fn batch_user<'info>(info: &'info AccountInfo<'info>) -> Result<AccountLoader<'info, User>> {
    let user = AccountLoader::<User>::try_from(info)?;
    validate!(info.is_writable, BalError::InvalidRemainingAccounts);
    Ok(user)
}

/// One little-endian u32 per user: `BATCH_OK` or the code it was refused with.
#[derive(Default)]
#[must_use = "the codes reach the caller only when published"]
pub struct BatchResults(Vec<u8>);

impl BatchResults {
    /// Room for `users` codes up front, so the buffer never grows (the heap is never freed).
    fn with_capacity(users: usize) -> Self {
        BatchResults(Vec::with_capacity(users * 4))
    }

    fn push(&mut self, outcome: Result<()>) {
        let code = match outcome {
            Ok(()) => BATCH_OK,
            Err(error) => match ProgramError::from(error) {
                ProgramError::Custom(code) => code,
                _ => BATCH_RUNTIME_ERROR,
            },
        };
        self.0.extend_from_slice(&code.to_le_bytes());
    }

    /// Returns the codes to the caller as the instruction's return data. Last: a CPI after it
    /// (a record's `emit_cpi!`) would clear the return data.
    pub fn publish(&self) -> Result<()> {
        set_return_data(&self.0);
        Ok(())
    }
}

/// Copies of the data of the accounts one user's step may write, taken before the step and
/// copied back when it fails in try mode, so a refused user changes nothing. The buffers are
/// reused from user to user: the program heap is never freed.
#[derive(Default)]
struct Snapshot(Vec<Vec<u8>>);

impl Snapshot {
    fn take(&mut self, accounts: &[&AccountInfo]) -> Result<()> {
        self.0.resize_with(accounts.len(), Vec::new);
        for (buffer, info) in self.0.iter_mut().zip(accounts) {
            buffer.clear();
            buffer.extend_from_slice(&info.try_borrow_data()?);
        }
        Ok(())
    }

    fn restore(&self, accounts: &[&AccountInfo]) -> Result<()> {
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

/// A batch over the users in `users` (the instruction's remaining accounts).
pub struct Batch<'a, 'info> {
    pub users: &'info [AccountInfo<'info>],
    /// Refuse one user and go on (its code in the return data) instead of failing the batch.
    pub try_mode: bool,
    /// What a refused user's step may have changed besides the user: snapshotted before each
    /// step and restored with the user in try mode. `None` when a step's failure past loading
    /// the user is not the user's and reverts the batch whatever the mode.
    pub restores: Option<&'a [&'a AccountInfo<'info>]>,
}

impl<'info> Batch<'_, 'info> {
    /// Runs `step` on every user in order; the caller publishes the codes it returns.
    pub fn run(
        &self,
        mut step: impl FnMut(&AccountLoader<'info, User>) -> Result<()>,
    ) -> Result<BatchResults> {
        let mut results = BatchResults::with_capacity(self.users.len());
        let mut snapshot = Snapshot::default();
        let mut touched: Vec<&AccountInfo<'info>> =
            Vec::with_capacity(1 + self.restores.map_or(0, <[_]>::len));
        for info in self.users.iter() {
            let user = match batch_user(info) {
                Ok(user) => user,
                Err(error) if self.try_mode => {
                    results.push(Err(error));
                    continue;
                }
                Err(error) => return Err(error),
            };
            let Some(shared) = self.restores.filter(|_| self.try_mode) else {
                step(&user)?;
                results.push(Ok(()));
                continue;
            };
            touched.clear();
            touched.push(info);
            touched.extend_from_slice(shared);
            snapshot.take(&touched)?;
            match step(&user) {
                Ok(()) => results.push(Ok(())),
                Err(error) => {
                    snapshot.restore(&touched)?;
                    results.push(Err(error));
                }
            }
        }
        Ok(results)
    }
}
