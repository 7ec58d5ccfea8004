use crate::controller::account_creation::{create_pda, NewPda};
use crate::error::BalError;
use crate::math::constants::ACCOUNT_VERSION;
use crate::state::{validate_lp_cooldown, validate_pause_bits, FeeSchedule, State, STATE_SEED};
use crate::validate;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::bpf_loader_upgradeable;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct InitializeParams {
    /// seconds
    pub lp_cooldown_seconds: i64,
    pub fees: FeeSchedule,
    /// Operations paused from the start (bits of `pause::*`), e.g. everything until launch.
    pub paused_operations: u32,
}

#[derive(Accounts)]
pub struct Initialize<'info> {
    /// Becomes the admin. Must be the upgrade authority so nobody can front-run the deployment.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// CHECK: created by the handler (`create_pda` refuses an existing account).
    #[account(mut, seeds = [STATE_SEED], bump)]
    pub state: UncheckedAccount<'info>,
    /// CHECK: the address comes from the seeds; owner and layout are checked by
    /// `upgrade_authority` (parsed by hand: bincode would pull float formatting into the ELF).
    #[account(seeds = [crate::ID.as_ref()], bump, seeds::program = bpf_loader_upgradeable::ID)]
    pub program_data: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<Initialize>, params: InitializeParams) -> Result<()> {
    validate!(
        upgrade_authority(&ctx.accounts.program_data)? == Some(ctx.accounts.admin.key()),
        BalError::NotUpgradeAuthority
    );
    validate_lp_cooldown(params.lp_cooldown_seconds)?;
    validate_pause_bits(params.paused_operations)?;
    params.fees.validate()?;

    let accounts = &ctx.accounts;
    let bump = ctx.bumps.state;
    create_pda(&NewPda {
        payer: &accounts.admin.to_account_info(),
        account: &accounts.state.to_account_info(),
        system_program: &accounts.system_program.to_account_info(),
        space: 8 + State::INIT_SPACE,
        signer_seeds: &[STATE_SEED, &[bump]],
    })?;

    let state = State {
        version: ACCOUNT_VERSION,
        bump,
        admin: ctx.accounts.admin.key(),
        paused_operations: params.paused_operations,
        lp_cooldown_seconds: params.lp_cooldown_seconds,
        fees: params.fees,
        number_of_perp_markets: 0,
        number_of_spot_markets: 0,
        reserved: [0; 64],
    };
    state.invariant()?;
    let mut data = accounts.state.try_borrow_mut_data()?;
    state.try_serialize(&mut &mut data[..])
}

/// The upgrade authority named by the loader's `ProgramData` account: a `u32` tag (3), the
/// deployment slot (`u64`), then `Option<Pubkey>` as one tag byte and 32 bytes.
fn upgrade_authority(program_data: &AccountInfo) -> Result<Option<Pubkey>> {
    const PROGRAM_DATA_TAG: [u8; 4] = 3u32.to_le_bytes();
    const HEADER_LEN: usize = 4 + 8 + 1 + 32;
    validate!(
        *program_data.owner == bpf_loader_upgradeable::ID,
        BalError::NotUpgradeAuthority
    );
    let data = program_data.try_borrow_data()?;
    validate!(
        data.len() >= HEADER_LEN && data[..4] == PROGRAM_DATA_TAG,
        BalError::NotUpgradeAuthority
    );
    Ok(match data[12] {
        1 => Some(Pubkey::try_from(&data[13..HEADER_LEN]).map_err(|_| BalError::CastError)?),
        _ => None,
    })
}
