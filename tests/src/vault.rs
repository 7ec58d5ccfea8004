//! Instructions of the example integrator (`programs/bal-vault`) over market 0 of an exchange
//! from `fixtures`, and the steps its tests and the benchmark take.
use crate::fixtures::{compute_limit, create_token_account, Exchange};
use crate::{TestEnv, TxFailure};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use bal_client::pda;
use bal_vault::state::{AUTHORITY_SEED, BAL_SUB_ACCOUNT, DEPOSITOR_SEED, TOKENS_SEED, VAULT_SEED};
use solana_keypair::Keypair;
use solana_signer::Signer;

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

/// A deposit of `amount` that buys at least `min_shares`.
pub fn deposit(
    vault: &VaultAddresses,
    exchange: &Exchange,
    depositor: &DepositorAccounts,
    amount: u64,
    min_shares: u64,
) -> Instruction {
    instruction(
        move_shares(vault, exchange, depositor),
        bal_vault::instruction::Deposit { amount, min_shares },
    )
}

pub fn withdraw(
    vault: &VaultAddresses,
    exchange: &Exchange,
    depositor: &DepositorAccounts,
    shares: u64,
    min_amount: u64,
) -> Instruction {
    instruction(
        move_shares(vault, exchange, depositor),
        bal_vault::instruction::Withdraw { shares, min_amount },
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

pub fn invest(vault: &VaultAddresses, exchange: &Exchange) -> Instruction {
    instruction(
        bal_vault::accounts::Invest {
            vault: vault.vault,
            authority: vault.authority,
            bal: vault.bal_accounts(exchange),
        },
        bal_vault::instruction::Invest {},
    )
}

/// A withdrawal plans, removes liquidity, trades, settles and withdraws in BAL: more than the
/// default 200,000.
const WITHDRAW_COMPUTE: u32 = 1_000_000;
/// 10 LP shares per vault share: $10,000 of deposits carry 100 base of BAL liquidity.
pub const LP_PER_SHARE: u64 = 10_000_000;

/// A wallet holding quote tokens, ready to buy vault shares.
pub struct Investor {
    pub wallet: Keypair,
    pub accounts: DepositorAccounts,
}

pub async fn depositor(env: &mut TestEnv, exchange: &Exchange, tokens: u64) -> Investor {
    let wallet = env.funded_wallet().await;
    let token_account = create_token_account(env, exchange, &wallet, tokens).await;
    Investor {
        accounts: DepositorAccounts {
            owner: wallet.pubkey(),
            token_account,
        },
        wallet,
    }
}

/// Creates vault `vault_id` of `manager` over market 0 with `LP_PER_SHARE`.
pub async fn create_vault(
    env: &mut TestEnv,
    exchange: &Exchange,
    manager: &Keypair,
    vault_id: u16,
) -> VaultAddresses {
    let addresses = VaultAddresses::new(manager.pubkey(), vault_id);
    env.send(
        "vault_initialize",
        &[initialize_vault(&addresses, exchange, LP_PER_SHARE)],
        &[manager],
    )
    .await
    .expect("initialize_vault");
    addresses
}

/// `who` buys vault shares for `amount` quote.
pub async fn buy_shares(
    env: &mut TestEnv,
    exchange: &Exchange,
    vault: &VaultAddresses,
    who: &Investor,
    amount: u64,
) -> Result<(), TxFailure> {
    env.send(
        "vault_deposit",
        &[deposit(vault, exchange, &who.accounts, amount, 0)],
        &[&who.wallet],
    )
    .await
    .map(drop)
}

/// `who` redeems `shares`, with the compute limit a withdrawal needs; returns the shares the
/// vault redeemed (fewer when the exit band would not take them all).
pub async fn redeem_shares(
    env: &mut TestEnv,
    exchange: &Exchange,
    vault: &VaultAddresses,
    who: &Investor,
    shares: u64,
) -> Result<u64, TxFailure> {
    let success = env
        .send(
            "vault_withdraw",
            &[
                compute_limit(WITHDRAW_COMPUTE),
                withdraw(vault, exchange, &who.accounts, shares, 0),
            ],
            &[&who.wallet],
        )
        .await?;
    let redeemed: [u8; 8] = success.return_data[..8]
        .try_into()
        .expect("withdraw returns the shares redeemed");
    Ok(u64::from_le_bytes(redeemed))
}

/// `payer` runs the vault's `invest` crank.
pub async fn run_invest(
    env: &mut TestEnv,
    exchange: &Exchange,
    vault: &VaultAddresses,
    payer: &Keypair,
) -> Result<(), TxFailure> {
    env.send("vault_invest", &[invest(vault, exchange)], &[payer])
        .await
        .map(drop)
}

/// Asserts the vault program refused `failure` with `expected` (not BAL through a CPI).
#[track_caller]
pub fn assert_vault_error(failure: &TxFailure, expected: bal_vault::error::VaultError) {
    assert_eq!(
        crate::errors::failing_program(failure),
        Some(bal_vault::ID.to_string()),
        "the vault refuses, not BAL"
    );
    let want = u32::from(expected);
    assert_eq!(
        crate::errors::custom_code(failure),
        Some(want),
        "{:?}",
        failure.logs
    );
}
