//! `Chain` over a Solana JSON-RPC node: a local one or a public cluster alike.
use crate::chain::{AccountData, Chain, ChainClock, ChainError, Filter, Preflights, Simulated};
use crate::wire::{AccountDecoder, MAX_ACCOUNT_DATA};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use futures::stream::{self, StreamExt};
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

/// Simulations `preflight` asks for at once.
const CONCURRENT_PREFLIGHTS: usize = 8;

/// How long `send_pipelined` waits for its transactions to confirm.
const PIPELINE_CONFIRM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

impl RpcChain {
    /// Waits until each of `sent` is confirmed or `timeout` passes; returns the confirmed ones
    /// with their errors (a transaction that failed on chain), and the indices still
    /// unconfirmed, whose fate is unknown (they may land later).
    async fn confirm(
        &self,
        sent: &[(usize, Signature)],
        timeout: std::time::Duration,
    ) -> (Vec<(usize, Option<TransactionError>)>, Vec<usize>) {
        let started = std::time::Instant::now();
        let mut waiting: Vec<(usize, Signature)> = sent.to_vec();
        let mut confirmed = Vec::with_capacity(sent.len());
        while !waiting.is_empty() && started.elapsed() < timeout {
            let mut still = Vec::new();
            // getSignatureStatuses takes at most 256 signatures.
            for chunk in waiting.chunks(256) {
                let signatures: Vec<Signature> = chunk.iter().map(|(_, s)| *s).collect();
                // A poll that fails says nothing about the transactions: they stay waiting,
                // and the next poll (until the timeout) asks again.
                let Ok(statuses) = self.client.get_signature_statuses(&signatures).await else {
                    still.extend_from_slice(chunk);
                    continue;
                };
                for (entry, status) in chunk.iter().zip(statuses.value) {
                    match status {
                        Some(status) if status.satisfies_commitment(self.client.commitment()) => {
                            confirmed.push((entry.0, status.err));
                        }
                        _ => still.push(*entry),
                    }
                }
            }
            waiting = still;
            if !waiting.is_empty() {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        (confirmed, waiting.into_iter().map(|(i, _)| i).collect())
    }

    /// Sends every one of `transactions` (signed already) without waiting for each, then waits
    /// for all of them: each one's outcome, in order. One not confirmed within
    /// `PIPELINE_CONFIRM_TIMEOUT` (it may still land) is a transport failure.
    pub async fn submit(&self, transactions: &[Transaction]) -> Vec<Result<(), ChainError>> {
        let mut outcomes: Vec<Option<Result<(), ChainError>>> = vec![None; transactions.len()];
        let mut sent = Vec::with_capacity(transactions.len());
        for (i, transaction) in transactions.iter().enumerate() {
            match self.send_signed(transaction).await {
                Ok(signature) => sent.push((i, signature)),
                Err(error) => outcomes[i] = Some(Err(error)),
            }
        }
        let (confirmed, _) = self.confirm(&sent, PIPELINE_CONFIRM_TIMEOUT).await;
        for (i, error) in confirmed {
            outcomes[i] = Some(error.map_or(Ok(()), |e| Err(from_transaction(e))));
        }
        outcomes
            .into_iter()
            .map(|outcome| {
                outcome.unwrap_or_else(|| {
                    Err(ChainError::other(format!(
                        "not confirmed within {} s",
                        PIPELINE_CONFIRM_TIMEOUT.as_secs()
                    )))
                })
            })
            .collect()
    }

    /// Simulates without signatures; the node replaces the blockhash, so none is asked for.
    async fn simulate_one(&self, instructions: &[Instruction]) -> Result<Simulated, ChainError> {
        let transaction = self.sign(instructions, &[], Hash::default());
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

    /// The median of the node's recent priority fees for transactions writing `writable`.
    async fn read_priority_fee(&self, writable: &[Pubkey]) -> Result<u64, ChainError> {
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

    /// The node's latest blockhash, for transactions signed elsewhere.
    pub async fn latest_blockhash(&self) -> Result<Hash, ChainError> {
        self.client
            .get_latest_blockhash()
            .await
            .map_err(from_client)
    }

    /// Sends `transaction` without preflight (the keeper simulated it, and a deployment's
    /// writes need none) and without waiting for it.
    async fn send_signed(&self, transaction: &Transaction) -> Result<Signature, ChainError> {
        let config = RpcSendTransactionConfig {
            skip_preflight: true,
            ..RpcSendTransactionConfig::default()
        };
        self.client
            .send_transaction_with_config(transaction, config)
            .await
            .map_err(from_client)
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
        // An account is no longer than the size asked for, or than any account can be.
        let limit = filters
            .iter()
            .find_map(|f| match f {
                Filter::DataSize(size) => usize::try_from(*size).ok(),
                Filter::Prefix(_) => None,
            })
            .unwrap_or(MAX_ACCOUNT_DATA)
            .min(MAX_ACCOUNT_DATA);
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
            // Compressed (`wire`): an account is mostly empty slots.
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64Zstd),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(&bal::ID, config)
            .await
            .map_err(from_client)?;
        let mut decoder = AccountDecoder::new()
            .ok_or_else(|| ChainError::other("no memory for a zstd decompression context"))?;
        accounts
            .into_iter()
            .map(|(key, account)| {
                let data = decoder.decode(&account.data, limit);
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
        self.read_priority_fee(writable).await
    }

    async fn simulate(&mut self, instructions: &[Instruction]) -> Result<Simulated, ChainError> {
        self.simulate_one(instructions).await
    }

    async fn preflight(
        &mut self,
        transactions: &[Vec<Instruction>],
        contended: &[Pubkey],
    ) -> Preflights {
        let this = &*self;
        let simulations = stream::iter(transactions)
            .map(|instructions| this.simulate_one(instructions))
            .buffered(CONCURRENT_PREFLIGHTS)
            .collect();
        let fees = futures::future::join_all(
            contended
                .iter()
                .map(|account| this.read_priority_fee(std::slice::from_ref(account))),
        );
        let (simulated, fees) = futures::join!(simulations, fees);
        Preflights { simulated, fees }
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

    async fn send_pipelined(
        &mut self,
        transactions: &[Vec<Instruction>],
    ) -> Vec<Result<(), ChainError>> {
        if transactions.is_empty() {
            return Vec::new();
        }
        let blockhash = match self.latest_blockhash().await {
            Ok(blockhash) => blockhash,
            Err(error) => return vec![Err(error); transactions.len()],
        };
        let signed: Vec<Transaction> = transactions
            .iter()
            .map(|instructions| self.sign(instructions, &[], blockhash))
            .collect();
        self.submit(&signed).await
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
                let signature = self.send_signed(&transaction).await?;
                sent.push((i, signature));
            }
            let (confirmed, unconfirmed) = self.confirm(&sent, CONFIRM_TIMEOUT).await;
            if let Some(error) = confirmed.into_iter().find_map(|(_, error)| error) {
                return Err(from_transaction(error));
            }
            pending = unconfirmed;
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
