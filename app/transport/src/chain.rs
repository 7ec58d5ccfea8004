//! What the keeper (and the migrations) need from a Solana node, as one trait: the binaries
//! implement it over JSON-RPC (`rpc::RpcChain`), the tests over the in-process runtime.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_transaction_error::TransactionError;

/// A server-side filter of `getProgramAccounts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    /// The account data starts with these bytes (an Anchor discriminator).
    Prefix(&'static [u8]),
    /// The account data is exactly this long.
    DataSize(u64),
}

impl Filter {
    /// Whether `data` passes, as the node would judge it.
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            Filter::Prefix(prefix) => data.starts_with(prefix),
            Filter::DataSize(size) => data.len() as u64 == *size,
        }
    }
}

/// An account as the node returns it.
#[derive(Clone, Debug)]
pub struct AccountData {
    pub owner: Pubkey,
    pub lamports: u64,
    pub data: Vec<u8>,
}

/// Where a failure came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// An instruction refused (a program error, compute or heap exhausted): something about
    /// what the transaction carried, which a smaller batch may not have.
    Instruction,
    /// The transaction as a whole (the fee payer's funds, the blockhash): no batch passes.
    Transaction,
    /// The request never got an answer (a refused connection, a timeout, a bad response).
    Transport,
}

impl FailureKind {
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::Instruction => "instruction",
            FailureKind::Transaction => "transaction",
            FailureKind::Transport => "transport",
        }
    }
}

/// Why a request or a transaction failed: the program's custom error code when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainError {
    pub custom_code: Option<u32>,
    pub kind: FailureKind,
    pub message: String,
}

impl ChainError {
    /// A request that got no usable answer.
    pub fn other(message: impl Into<String>) -> Self {
        ChainError {
            custom_code: None,
            kind: FailureKind::Transport,
            message: message.into(),
        }
    }

    /// A transaction the runtime refused: an instruction's refusal (with the program's code
    /// when it is custom) or the transaction's own.
    pub fn refused(error: &TransactionError) -> Self {
        let (custom_code, kind) = match error {
            TransactionError::InstructionError(_, InstructionError::Custom(code)) => {
                (Some(*code), FailureKind::Instruction)
            }
            TransactionError::InstructionError(..) => (None, FailureKind::Instruction),
            _ => (None, FailureKind::Transaction),
        };
        ChainError {
            custom_code,
            kind,
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.custom_code {
            Some(code) => write!(f, "custom error {code}: {}", self.message),
            None => write!(f, "{} failure: {}", self.kind.name(), self.message),
        }
    }
}

/// A simulation's verdict: the compute units it used, and its error if it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Simulated {
    pub units: u64,
    pub error: Option<ChainError>,
}

/// The node's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainClock {
    pub slot: u64,
    pub unix_timestamp: i64,
}

/// The largest transaction the network accepts, in bytes.
pub const MAX_TRANSACTION_SIZE: usize = 1_232;

/// Size of a legacy transaction carrying `instructions`, paid and signed by `payer` alone.
pub fn transaction_size(instructions: &[Instruction], payer: &Pubkey) -> usize {
    let message = Message::new(instructions, Some(payer));
    // A compact-u16 signature count (one byte below 128) and one 64-byte signature per signer.
    let signatures = usize::from(message.header.num_required_signatures);
    1 + 64 * signatures + message.serialize().len()
}

/// A wave's simulations, one per transaction in order, and a recent priority fee for each
/// account asked about, in order, asked together.
pub struct Preflights {
    pub simulated: Vec<Result<Simulated, ChainError>>,
    pub fees: Vec<Result<u64, ChainError>>,
}

// The keeper runs one round at a time on one task, so the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// The keeper's key: it pays for and signs every transaction.
    fn signer(&self) -> Pubkey;
    /// Every account of the BAL program passing `filters`.
    async fn program_accounts(
        &mut self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, AccountData)>, ChainError>;
    async fn account(&mut self, address: Pubkey) -> Result<Option<AccountData>, ChainError>;
    async fn clock(&mut self) -> Result<ChainClock, ChainError>;
    /// A recent priority fee for transactions writing `writable`, in micro-lamports per CU.
    async fn priority_fee(&mut self, writable: &[Pubkey]) -> Result<u64, ChainError>;
    async fn simulate(&mut self, instructions: &[Instruction]) -> Result<Simulated, ChainError>;
    /// `simulate` for each of a wave's `transactions`, in order, and `priority_fee` for each
    /// of `contended` alone: one after the other here, all at once where the chain can (a node
    /// answers requests in parallel).
    async fn preflight(
        &mut self,
        transactions: &[Vec<Instruction>],
        contended: &[Pubkey],
    ) -> Preflights {
        let mut simulated = Vec::with_capacity(transactions.len());
        for instructions in transactions {
            simulated.push(self.simulate(instructions).await);
        }
        let mut fees = Vec::with_capacity(contended.len());
        for account in contended {
            fees.push(self.priority_fee(&[*account]).await);
        }
        Preflights { simulated, fees }
    }
    /// Signs (the keeper's key and `signers`), sends and confirms; the error carries the
    /// program's code when it refused.
    async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), ChainError>;
    /// Sends every transaction, signed by the keeper alone, without waiting for each, then
    /// waits for all of them: each one's outcome, in order. One not confirmed in time is a
    /// transport failure.
    async fn send_pipelined(
        &mut self,
        transactions: &[Vec<Instruction>],
    ) -> Vec<Result<(), ChainError>>;
    /// Sends every transaction without waiting for each, then waits until all are confirmed,
    /// sending again what did not confirm (what a program deployment's thousands of buffer
    /// writes need).
    async fn send_all(
        &mut self,
        transactions: &[Vec<Instruction>],
        signers: &[&Keypair],
    ) -> Result<(), ChainError>;
}
