//! The program-owned oracle: the admin creates it and names its updater; the updater writes
//! prices. For tests and pre-launch markets; production markets read Pyth.
use crate::controller::account_creation::{create_zero_copy_pda, NewPda};
use crate::error::BalError;
use crate::math::constants::ACCOUNT_VERSION;
use crate::state::{ProgramOracle, State, PROGRAM_ORACLE_SEED, STATE_SEED};
use crate::validate;
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(oracle_id: u16)]
pub struct InitializeProgramOracle<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    /// CHECK: created by the handler (`create_zero_copy_pda` refuses an existing account).
    #[account(mut, seeds = [PROGRAM_ORACLE_SEED, &oracle_id.to_le_bytes()], bump)]
    pub oracle: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn initialize(
    ctx: Context<InitializeProgramOracle>,
    oracle_id: u16,
    updater: Pubkey,
) -> Result<()> {
    let accounts = &ctx.accounts;
    let bump = ctx.bumps.oracle;
    let id = oracle_id.to_le_bytes();
    let info = accounts.oracle.to_account_info();
    let new = NewPda {
        payer: &accounts.admin.to_account_info(),
        account: &info,
        system_program: &accounts.system_program.to_account_info(),
        space: ProgramOracle::SPACE,
        signer_seeds: &[PROGRAM_ORACLE_SEED, &id, &[bump]],
    };
    create_zero_copy_pda(&new, |oracle: &mut ProgramOracle| {
        oracle.updater = updater;
        oracle.oracle_id = oracle_id;
        oracle.version = ACCOUNT_VERSION;
        oracle.bump = bump;
        oracle.invariant()
    })
}

#[derive(Accounts)]
pub struct UpdateProgramOracle<'info> {
    pub updater: Signer<'info>,
    #[account(mut, has_one = updater @ BalError::NotOracleUpdater)]
    pub oracle: AccountLoader<'info, ProgramOracle>,
}

/// Publishes `price` ± `confidence` (precision: PRICE) at the current slot and time. Any value
/// is recorded, a non-positive one included: markets refuse it when they read it.
pub fn update(ctx: Context<UpdateProgramOracle>, price: i64, confidence: u64) -> Result<()> {
    let clock = Clock::get()?;
    let mut oracle = ctx.accounts.oracle.load_mut()?;
    validate!(
        clock.slot >= oracle.publish_slot,
        BalError::InvariantViolated
    );
    oracle.price = price;
    oracle.confidence = confidence;
    oracle.publish_time = clock.unix_timestamp;
    oracle.publish_slot = clock.slot;
    oracle.invariant()
}
