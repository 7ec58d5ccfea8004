//! Program-derived addresses, from the seeds the program declares.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::bpf_loader_upgradeable;
use bal::state::{
    INSURANCE_STAKE_SEED, PERP_MARKET_SEED, PROGRAM_ORACLE_SEED, SPOT_MARKET_SEED, SPOT_VAULT_SEED,
    STATE_SEED, USER_SEED,
};

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &bal::ID).0
}

pub fn state() -> Pubkey {
    find(&[STATE_SEED])
}

pub fn user(authority: &Pubkey, sub_account_id: u16) -> Pubkey {
    find(&[USER_SEED, authority.as_ref(), &sub_account_id.to_le_bytes()])
}

pub fn spot_market(market_index: u16) -> Pubkey {
    find(&[SPOT_MARKET_SEED, &market_index.to_le_bytes()])
}

pub fn spot_vault(market_index: u16) -> Pubkey {
    find(&[SPOT_VAULT_SEED, &market_index.to_le_bytes()])
}

pub fn insurance_stake(authority: &Pubkey, market_index: u16) -> Pubkey {
    find(&[
        INSURANCE_STAKE_SEED,
        authority.as_ref(),
        &market_index.to_le_bytes(),
    ])
}

pub fn perp_market(market_index: u16) -> Pubkey {
    find(&[PERP_MARKET_SEED, &market_index.to_le_bytes()])
}

pub fn program_oracle(oracle_id: u16) -> Pubkey {
    find(&[PROGRAM_ORACLE_SEED, &oracle_id.to_le_bytes()])
}

/// The upgradeable loader's data account for the program; it names the upgrade authority.
pub fn program_data() -> Pubkey {
    Pubkey::find_program_address(&[bal::ID.as_ref()], &bpf_loader_upgradeable::ID).0
}

/// The PDA that signs the program's self-CPI event records (`emit_cpi!`).
pub fn event_authority() -> Pubkey {
    find(&[b"__event_authority"])
}
