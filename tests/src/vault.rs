//! Instructions of the example integrator (`programs/bal-vault`) over market 0 of an exchange
//! from `fixtures`.
use crate::fixtures::Exchange;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use bal_client::pda;
use bal_vault::state::{AUTHORITY_SEED, BAL_SUB_ACCOUNT, DEPOSITOR_SEED, TOKENS_SEED, VAULT_SEED};

/// A vault's addresses, all derived from its manager and id.
#[derive(Clone, Copy, Debug)]
pub struct VaultAddresses {
    pub manager: Pubkey,
    pub vault_id: u16,
    pub vault: Pubkey,
    /// The PDA that signs for the vault in BAL.
    pub authority: Pubkey,
    pub tokens: Pubkey,
    /// The vault's BAL subaccount.
    pub bal_user: Pubkey,
}

fn find(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &bal_vault::ID).0
}

impl VaultAddresses {
    pub fn new(manager: Pubkey, vault_id: u16) -> Self {
        let vault = find(&[VAULT_SEED, manager.as_ref(), &vault_id.to_le_bytes()]);
        let authority = find(&[AUTHORITY_SEED, vault.as_ref()]);
        VaultAddresses {
            manager,
            vault_id,
            vault,
            authority,
            tokens: find(&[TOKENS_SEED, vault.as_ref()]),
            bal_user: pda::user(&authority, BAL_SUB_ACCOUNT),
        }
    }

    pub fn depositor(&self, owner: &Pubkey) -> Pubkey {
        find(&[DEPOSITOR_SEED, self.vault.as_ref(), owner.as_ref()])
    }

    fn bal_accounts(&self, exchange: &Exchange) -> bal_vault::accounts::BalAccounts {
        bal_vault::accounts::BalAccounts {
            bal_program: bal::ID,
            state: pda::state(),
            user: self.bal_user,
            spot_market: pda::spot_market(0),
            perp_market: pda::perp_market(0),
            oracle: exchange.oracle,
            event_authority: pda::event_authority(),
        }
    }
}

fn instruction(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: bal_vault::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn initialize_vault(
    vault: &VaultAddresses,
    exchange: &Exchange,
    lp_per_share: u64,
) -> Instruction {
    instruction(
        bal_vault::accounts::InitializeVault {
            manager: vault.manager,
            vault: vault.vault,
            authority: vault.authority,
            vault_tokens: vault.tokens,
            spot_market: pda::spot_market(0),
            perp_market: pda::perp_market(0),
            mint: exchange.quote.mint,
            bal_user: vault.bal_user,
            bal_program: bal::ID,
            token_program: exchange.quote.token_program,
            system_program: system_program::ID,
        },
        bal_vault::instruction::InitializeVault {
            vault_id: vault.vault_id,
            lp_per_share,
        },
    )
}

/// Who buys or redeems vault shares, through which token account of the quote mint.
#[derive(Clone, Copy, Debug)]
pub struct DepositorAccounts {
    pub owner: Pubkey,
    pub token_account: Pubkey,
}

fn move_shares(
    vault: &VaultAddresses,
    exchange: &Exchange,
    depositor: &DepositorAccounts,
) -> bal_vault::accounts::MoveShares {
    bal_vault::accounts::MoveShares {
        owner: depositor.owner,
        vault: vault.vault,
        depositor: vault.depositor(&depositor.owner),
        authority: vault.authority,
        vault_tokens: vault.tokens,
        owner_tokens: depositor.token_account,
        bal: vault.bal_accounts(exchange),
        tokens: bal_vault::accounts::BalTokens {
            bal_token_vault: pda::spot_vault(0),
            mint: exchange.quote.mint,
            token_program: exchange.quote.token_program,
        },
        system_program: system_program::ID,
    }
}

pub fn deposit(
    vault: &VaultAddresses,
    exchange: &Exchange,
    depositor: &DepositorAccounts,
    amount: u64,
) -> Instruction {
    instruction(
        move_shares(vault, exchange, depositor),
        bal_vault::instruction::Deposit { amount },
    )
}

pub fn withdraw(
    vault: &VaultAddresses,
    exchange: &Exchange,
    depositor: &DepositorAccounts,
    shares: u64,
) -> Instruction {
    instruction(
        move_shares(vault, exchange, depositor),
        bal_vault::instruction::Withdraw { shares },
    )
}

pub fn settle(vault: &VaultAddresses, exchange: &Exchange) -> Instruction {
    instruction(
        bal_vault::accounts::Settle {
            vault: vault.vault,
            authority: vault.authority,
            bal: vault.bal_accounts(exchange),
        },
        bal_vault::instruction::Settle {},
    )
}
