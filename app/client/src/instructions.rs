//! One builder per program instruction, with its accounts in the order the program expects.
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_program;
use anchor_lang::{InstructionData, ToAccountMetas};
use bal::instructions::InitializeParams;

fn instruction(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: bal::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn initialize(admin: Pubkey, params: InitializeParams) -> Instruction {
    instruction(
        bal::accounts::Initialize {
            admin,
            state: pda::state(),
            program_data: pda::program_data(),
            system_program: system_program::ID,
        },
        bal::instruction::Initialize { params },
    )
}
