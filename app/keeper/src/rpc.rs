//! `Chain` over a Solana JSON-RPC node: a local one or a public cluster alike.
use crate::chain::{AccountData, Chain, ChainClock, ChainError, Filter, Simulated};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::Error as ClientError;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
    RpcSimulateTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub struct RpcChain {
    client: RpcClient,
    keypair: Keypair,
}

impl RpcChain {
    pub fn new(url: String, keypair: Keypair) -> Self {
        RpcChain {
            client: RpcClient::new_with_commitment(url, CommitmentConfig::confirmed()),
            keypair,
        }
    }

    async fn transaction(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Transaction, ChainError> {
        let blockhash = self
            .client
            .get_latest_blockhash()
            .await
            .map_err(from_client)?;
        Ok(self.sign(instructions, signers, blockhash))
    }

    fn sign(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        blockhash: Hash,
    ) -> Transaction {
        let mut all = vec![&self.keypair];
        all.extend_from_slice(signers);
        Transaction::new_signed_with_payer(
            instructions,
            Some(&self.keypair.pubkey()),
            &all,
            blockhash,
        )
    }
}

/// Transactions `send_all` signs with one blockhash before it asks for a newer one.
const BLOCKHASH_REFRESH: usize = 50;
/// Rounds of sending what has not confirmed before `send_all` gives up.
const SEND_ALL_ATTEMPTS: usize = 5;
/// How long `send_all` waits for a round's transactions to confirm.
const CONFIRM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl RpcChain {
    /// Waits until each of `sent` is confirmed or `CONFIRM_TIMEOUT` passes; returns the indices
    /// still unconfirmed. A transaction that failed on chain is an error.
    async fn unconfirmed(&self, sent: &[(usize, Signature)]) -> Result<Vec<usize>, ChainError> {
        let started = std::time::Instant::now();
        let mut waiting: Vec<(usize, Signature)> = sent.to_vec();
        while !waiting.is_empty() && started.elapsed() < CONFIRM_TIMEOUT {
            let mut still = Vec::new();
            // getSignatureStatuses takes at most 256 signatures.
            for chunk in waiting.chunks(256) {
                let signatures: Vec<Signature> = chunk.iter().map(|(_, s)| *s).collect();
                let statuses = self
                    .client
                    .get_signature_statuses(&signatures)
                    .await
                    .map_err(from_client)?
                    .value;
                for (entry, status) in chunk.iter().zip(statuses) {
                    match status {
                        Some(status) if status.satisfies_commitment(self.client.commitment()) => {
                            if let Some(error) = status.err {
                                return Err(from_transaction(error));
                            }
                        }
                        _ => still.push(*entry),
                    }
                }
            }
            waiting = still;
            if !waiting.is_empty() {
                tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            }
        }
        Ok(waiting.into_iter().map(|(i, _)| i).collect())
    }
}

fn from_transaction(error: TransactionError) -> ChainError {
    ChainError::refused(&error)
}

/// A refused transaction as such; anything else (no connection, a timeout, an RPC error) as a
/// transport failure, with the client's own description.
fn from_client(error: ClientError) -> ChainError {
    match error.get_transaction_error() {
        Some(transaction) => from_transaction(transaction),
        None => ChainError::other(format!("rpc: {}", error.kind())),
    }
}

impl Chain for RpcChain {
    fn signer(&self) -> Pubkey {
        self.keypair.pubkey()
    }

    async fn program_accounts(
        &mut self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, AccountData)>, ChainError> {
        let filters = filters
            .iter()
            .map(|f| match f {
                Filter::Prefix(bytes) => {
                    RpcFilterType::Memcmp(Memcmp::new_raw_bytes(0, bytes.to_vec()))
                }
                Filter::DataSize(size) => RpcFilterType::DataSize(*size),
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(&bal::ID, config)
            .await
            .map_err(from_client)?;
        accounts
            .into_iter()
            .map(|(key, account)| {
                let data = account.data.decode();
                let owner = account.owner.parse::<Pubkey>().ok();
                match (data, owner) {
                    (Some(data), Some(owner)) => Ok((
                        key,
                        AccountData {
                            owner,
                            lamports: account.lamports,
                            data,
                        },
                    )),
                    _ => Err(ChainError::other(format!("undecodable account {key}"))),
                }
            })
            .collect()
    }

    async fn account(&mut self, address: Pubkey) -> Result<Option<AccountData>, ChainError> {
        let response = self
            .client
            .get_account_with_commitment(&address, self.client.commitment())
            .await
            .map_err(from_client)?;
        Ok(response.value.map(|account| AccountData {
            owner: account.owner,
            lamports: account.lamports,
            data: account.data,
        }))
    }

    async fn clock(&mut self) -> Result<ChainClock, ChainError> {
        let account = self
            .account(solana_sdk_ids::sysvar::clock::ID)
            .await?
            .ok_or_else(|| ChainError::other("no clock sysvar"))?;
        // The Clock sysvar: slot, epoch_start_timestamp, epoch, leader_schedule_epoch,
        // unix_timestamp, each 8 bytes little-endian.
        let field = |i: usize| {
            account
                .data
                .get(i * 8..i * 8 + 8)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| ChainError::other("short clock sysvar"))
        };
        Ok(ChainClock {
            slot: u64::from_le_bytes(field(0)?),
            unix_timestamp: i64::from_le_bytes(field(4)?),
        })
    }

    async fn priority_fee(&mut self, writable: &[Pubkey]) -> Result<u64, ChainError> {
        let mut fees: Vec<u64> = self
            .client
            .get_recent_prioritization_fees(writable)
            .await
            .map_err(from_client)?
            .into_iter()
            .map(|f| f.prioritization_fee)
            .collect();
        fees.sort_unstable();
        Ok(fees.get(fees.len() / 2).copied().unwrap_or(0))
    }

    async fn simulate(&mut self, instructions: &[Instruction]) -> Result<Simulated, ChainError> {
        let transaction = self.transaction(instructions, &[]).await?;
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            ..RpcSimulateTransactionConfig::default()
        };
        let result = self
            .client
            .simulate_transaction_with_config(&transaction, config)
            .await
            .map_err(from_client)?
            .value;
        Ok(Simulated {
            units: result.units_consumed.unwrap_or(0),
            error: result.err.map(|e| from_transaction(e.into())),
        })
    }

    async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), ChainError> {
        let transaction = self.transaction(instructions, signers).await?;
        self.client
            .send_and_confirm_transaction(&transaction)
            .await
            .map(drop)
            .map_err(from_client)
    }

    async fn send_all(
        &mut self,
        transactions: &[Vec<Instruction>],
        signers: &[&Keypair],
    ) -> Result<(), ChainError> {
        let mut pending: Vec<usize> = (0..transactions.len()).collect();
        for _attempt in 0..SEND_ALL_ATTEMPTS {
            let mut blockhash = Hash::default();
            let mut sent = Vec::with_capacity(pending.len());
            for (n, &i) in pending.iter().enumerate() {
                // Sending thousands takes longer than a blockhash lives: take a fresh one often.
                if n % BLOCKHASH_REFRESH == 0 {
                    blockhash = self
                        .client
                        .get_latest_blockhash()
                        .await
                        .map_err(from_client)?;
                }
                let transaction = self.sign(&transactions[i], signers, blockhash);
                let config = RpcSendTransactionConfig {
                    skip_preflight: true,
                    ..RpcSendTransactionConfig::default()
                };
                let signature = self
                    .client
                    .send_transaction_with_config(&transaction, config)
                    .await
                    .map_err(from_client)?;
                sent.push((i, signature));
            }
            pending = self.unconfirmed(&sent).await?;
            if pending.is_empty() {
                return Ok(());
            }
        }
        Err(ChainError::other(format!(
            "{} transactions did not confirm",
            pending.len()
        )))
    }
}
