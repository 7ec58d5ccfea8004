//! Program-derived addresses, from the seeds the program declares.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::bpf_loader_upgradeable;
use bal::state::STATE_SEED;

pub fn state() -> Pubkey {
    Pubkey::find_program_address(&[STATE_SEED], &bal::ID).0
}

/// The upgradeable loader's data account for the program; it names the upgrade authority.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(&[bal::ID.as_ref()], &bpf_loader_upgradeable::ID).0
}
