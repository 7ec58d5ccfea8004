//! The keeper's `Chain` over the in-process runtime, so its decisions and its executor run
//! against the real program. The bank cannot list accounts, so `program_accounts` filters a
//! known universe (every perp market plus the users a scenario names) the way a node
//! filters all of the program's accounts.
use crate::{TestEnv, TxFailure};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal_client::pda;
use bal_transport::chain::{AccountData, Chain, ChainClock, ChainError, Filter, Simulated};
use solana_keypair::Keypair;
use solana_signer::Signer;

pub struct InProcessChain<'a> {
    pub env: &'a mut TestEnv,
    pub keeper: Keypair,
    /// Users (and any other accounts) the scenario created; markets are found by address.
    pub known: Vec<Pubkey>,
    /// How many transactions each `send_pipelined` carried, in order.
    pub waves: Vec<usize>,
    /// The accounts each priority-fee estimate was asked for, in order.
    pub fee_requests: Vec<Vec<Pubkey>>,
    /// The recent priority fee of an account (0 for any other); an estimate for several is
    /// the highest of theirs.
    pub fees: Vec<(Pubkey, u64)>,
    /// Every transaction `send_pipelined` carried, in order.
    pub sent: Vec<Vec<Instruction>>,
}

impl<'a> InProcessChain<'a> {
    pub fn new(env: &'a mut TestEnv, keeper: Keypair, known: Vec<Pubkey>) -> Self {
        InProcessChain {
            env,
            keeper,
            known,
            waves: Vec::new(),
            fee_requests: Vec::new(),
            fees: Vec::new(),
            sent: Vec::new(),
        }
    }
}

fn chain_error(failure: TxFailure) -> ChainError {
    ChainError::refused(&failure.error)
}

impl Chain for InProcessChain<'_> {
    fn signer(&self) -> Pubkey {
        self.keeper.pubkey()
    }

    async fn program_accounts(
        &mut self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, AccountData)>, ChainError> {
        // Markets are created with consecutive indices: the first missing one ends them.
        let mut universe = Vec::new();
        for index in 0.. {
            let address = pda::perp_market(index);
            if self.env.raw_account(address).await.is_none() {
                break;
            }
            universe.push(address);
        }
        universe.extend(self.known.iter().copied());
        let mut found = Vec::new();
        for address in universe {
            let Some(account) = self.account(address).await? else {
                continue;
            };
            if account.owner == bal::ID && filters.iter().all(|f| f.matches(&account.data)) {
                found.push((address, account));
            }
        }
        Ok(found)
    }

    async fn account(&mut self, address: Pubkey) -> Result<Option<AccountData>, ChainError> {
        Ok(self.env.raw_account(address).await.map(|a| AccountData {
            owner: a.owner,
            lamports: a.lamports,
            data: a.data,
        }))
    }

    async fn clock(&mut self) -> Result<ChainClock, ChainError> {
        let clock = self.env.clock().await;
        Ok(ChainClock {
            slot: clock.slot,
            unix_timestamp: clock.unix_timestamp,
        })
    }

    async fn priority_fee(&mut self, writable: &[Pubkey]) -> Result<u64, ChainError> {
        self.fee_requests.push(writable.to_vec());
        let fees = self
            .fees
            .iter()
            .filter(|(account, _)| writable.contains(account));
        Ok(fees.map(|(_, fee)| *fee).max().unwrap_or(0))
    }

    async fn simulate(&mut self, instructions: &[Instruction]) -> Result<Simulated, ChainError> {
        let keeper = self.keeper.insecure_clone();
        let (units, result) = self.env.simulate(instructions, &[&keeper]).await;
        Ok(Simulated {
            units,
            error: result.err().map(chain_error),
        })
    }

    async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), ChainError> {
        let keeper = self.keeper.insecure_clone();
        let mut all = vec![&keeper];
        all.extend_from_slice(signers);
        self.env
            .send_unmetered(instructions, &all)
            .await
            .map(drop)
            .map_err(chain_error)
    }

    /// The runtime confirms as it processes: one after the other is all there is.
    async fn send_pipelined(
        &mut self,
        transactions: &[Vec<Instruction>],
    ) -> Vec<Result<(), ChainError>> {
        self.waves.push(transactions.len());
        self.sent.extend_from_slice(transactions);
        let mut outcomes = Vec::with_capacity(transactions.len());
        for instructions in transactions {
            outcomes.push(self.send(instructions, &[]).await);
        }
        outcomes
    }

    /// The runtime confirms as it processes: one after the other is all there is.
    async fn send_all(
        &mut self,
        transactions: &[Vec<Instruction>],
        signers: &[&Keypair],
    ) -> Result<(), ChainError> {
        for instructions in transactions {
            self.send(instructions, signers).await?;
        }
        Ok(())
    }
}
