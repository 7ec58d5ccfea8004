//! The insurance fund's instructions: a wallet's stake opened, added to, asked back, the
//! request withdrawn, and paid.
use super::{instruction, QuoteMint};
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_program;

pub fn initialize_insurance_stake(authority: Pubkey) -> Instruction {
    instruction(
        bal::accounts::InitializeInsuranceStake {
            authority,
            spot_market: pda::spot_market(0),
            stake: pda::insurance_stake(&authority, 0),
            system_program: system_program::ID,
        },
        bal::instruction::InitializeInsuranceStake {},
    )
}

/// Who stakes, through which token account of the quote mint it owns.
#[derive(Clone, Copy, Debug)]
pub struct StakeAccounts {
    pub authority: Pubkey,
    pub token_account: Pubkey,
    pub quote: QuoteMint,
}

fn move_stake(accounts: &StakeAccounts) -> bal::accounts::MoveInsuranceStake {
    bal::accounts::MoveInsuranceStake {
        authority: accounts.authority,
        state: pda::state(),
        spot_market: pda::spot_market(0),
        stake: pda::insurance_stake(&accounts.authority, 0),
        vault: pda::spot_vault(0),
        authority_token_account: accounts.token_account,
        mint: accounts.quote.mint,
        token_program: accounts.quote.token_program,
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

pub fn add_insurance_stake(accounts: &StakeAccounts, amount: u64) -> Instruction {
    instruction(
        move_stake(accounts),
        bal::instruction::AddInsuranceStake { amount },
    )
}

pub fn remove_insurance_stake(accounts: &StakeAccounts) -> Instruction {
    instruction(
        move_stake(accounts),
        bal::instruction::RemoveInsuranceStake {},
    )
}

fn update_stake(authority: Pubkey) -> bal::accounts::UpdateInsuranceStake {
    bal::accounts::UpdateInsuranceStake {
        authority,
        spot_market: pda::spot_market(0),
        stake: pda::insurance_stake(&authority, 0),
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

pub fn request_insurance_unstake(authority: Pubkey, shares: u128) -> Instruction {
    instruction(
        update_stake(authority),
        bal::instruction::RequestInsuranceUnstake { shares },
    )
}

pub fn cancel_insurance_unstake(authority: Pubkey) -> Instruction {
    instruction(
        update_stake(authority),
        bal::instruction::CancelInsuranceUnstake {},
    )
}
