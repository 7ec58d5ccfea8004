//! A running bank with the BAL program loaded, and the one way to send to it.
use crate::bank::{Bank, Processed};
use crate::ceilings::ceiling;
use crate::runtime;
use anchor_lang::prelude::{Clock, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;
use std::cell::Cell;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// The deployable sBPF v0 ELF in solana-program-test's bank: real compute units.
    Elf,
    /// The same ELF in LiteSVM: the same compute units, several times faster.
    LiteSvm,
    /// The program compiled for the host: debuggable, compute units meaningless.
    Native,
}

impl Runtime {
    /// `BAL_RUNTIME=native` selects the native build, `litesvm` the ELF in LiteSVM; anything
    /// else runs the ELF in program-test.
    pub fn from_env() -> Self {
        match std::env::var("BAL_RUNTIME").as_deref() {
            Ok("native") => Runtime::Native,
            Ok("litesvm") => Runtime::LiteSvm,
            _ => Runtime::Elf,
        }
    }

    /// The fuzzers' runtime: the ELF in LiteSVM, unless `BAL_RUNTIME` names another.
    pub fn for_fuzzing() -> Self {
        match std::env::var("BAL_RUNTIME").as_deref() {
            Ok("native") => Runtime::Native,
            Ok("elf") => Runtime::Elf,
            _ => Runtime::LiteSvm,
        }
    }

    /// Whether compute units are the deployable program's (and so held to their ceilings).
    pub fn runs_the_elf(self) -> bool {
        self != Runtime::Native
    }
}

thread_local! {
    /// Transactions sent and BAL instructions among them, by the environments of this thread
    /// (each test runs on a thread of its own, so a fuzzer counts only its own).
    static SENT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// (transactions, BAL instructions) sent so far by the environments of this thread.
pub fn sent_so_far() -> (u64, u64) {
    SENT.get()
}

/// Compute units of every successful transaction, by label, across the whole test binary.
static CU_LOG: Mutex<BTreeMap<&'static str, Vec<u64>>> = Mutex::new(BTreeMap::new());

/// Every recorded sample so far: label → compute units of each successful send.
pub fn recorded_compute_units() -> BTreeMap<&'static str, Vec<u64>> {
    CU_LOG.lock().expect("CU log poisoned").clone()
}

#[derive(Debug)]
pub struct TxFailure {
    pub error: TransactionError,
    pub logs: Vec<String>,
}

#[derive(Debug)]
pub struct TxSuccess {
    pub compute_units: u64,
    pub logs: Vec<String>,
    /// What the program set with `set_return_data`, if anything.
    pub return_data: Vec<u8>,
    /// Data of every inner instruction, in order (the program's `emit_cpi!` records among
    /// them); only from `send_capturing_events`.
    pub inner_data: Vec<Vec<u8>>,
}

impl TxSuccess {
    /// The records of type `T` the transaction emitted through `emit_cpi!`, in order.
    pub fn events<T: anchor_lang::AnchorDeserialize + anchor_lang::Discriminator>(&self) -> Vec<T> {
        let tag = anchor_lang::event::EVENT_IX_TAG_LE;
        self.inner_data
            .iter()
            .filter_map(|data| data.strip_prefix(tag))
            .filter_map(|data| data.strip_prefix(T::DISCRIMINATOR))
            .map(|mut body| T::deserialize(&mut body).expect("a well-formed record"))
            .collect()
    }
}

pub struct TestEnv {
    bank: Bank,
    pub runtime: Runtime,
    /// The program's upgrade authority, hence the only key allowed to initialize it.
    pub upgrade_authority: Keypair,
    sent: HashSet<solana_transaction::Signature>,
    wallets_created: u64,
}

/// Lamports every new test wallet starts with.
const WALLET_LAMPORTS: u64 = 100_000_000_000;

impl TestEnv {
    /// An environment on the runtime `BAL_RUNTIME` selects (the ELF in program-test by default).
    pub async fn start() -> Self {
        Self::start_on(Runtime::from_env()).await
    }

    pub async fn start_on(runtime: Runtime) -> Self {
        let upgrade_authority = Keypair::new();
        let authority = upgrade_authority.pubkey();
        let mut bank = match runtime {
            Runtime::Elf => Bank::program_test(runtime::elf(), &authority).await,
            Runtime::Native => Bank::program_test(runtime::native(), &authority).await,
            Runtime::LiteSvm => Bank::lite_svm(&authority),
        };
        bank.set_account(authority, wallet_account());
        TestEnv {
            bank,
            runtime,
            upgrade_authority,
            sent: HashSet::new(),
            wallets_created: 0,
        }
    }

    /// A new keypair holding `WALLET_LAMPORTS`. Wallets come from a counter rather than the
    /// OS's randomness, so the PDA bump searches of a test, and so its compute units, repeat
    /// exactly from run to run.
    pub async fn funded_wallet(&mut self) -> Keypair {
        self.wallets_created += 1;
        let mut secret = [0x5a; 32];
        secret[..8].copy_from_slice(&self.wallets_created.to_le_bytes());
        let wallet = Keypair::new_from_array(secret);
        self.bank.set_account(wallet.pubkey(), wallet_account());
        wallet
    }

    /// Sends `instructions` in one transaction paid by the first signer. On success the compute
    /// units are recorded under `label` and, on the ELF, checked against the label's ceiling.
    pub async fn send(
        &mut self,
        label: &'static str,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxSuccess, TxFailure> {
        self.submit(Some(label), instructions, signers, false).await
    }

    /// `send`, with the transaction simulated first to capture its inner instructions (so its
    /// `emit_cpi!` records can be read with `TxSuccess::events`).
    pub async fn send_capturing_events(
        &mut self,
        label: &'static str,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxSuccess, TxFailure> {
        self.submit(Some(label), instructions, signers, true).await
    }

    /// Sends a transaction whose compute units are not recorded (a fuzzer's mix of
    /// instructions has no single ceiling).
    pub async fn send_unmetered(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxSuccess, TxFailure> {
        self.submit(None, instructions, signers, false).await
    }

    /// `send_unmetered`, keeping the transaction's `emit_cpi!` records (LiteSVM reports them
    /// anyway; program-test simulates the transaction first).
    pub async fn send_unmetered_capturing_events(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<TxSuccess, TxFailure> {
        self.submit(None, instructions, signers, true).await
    }

    /// Sends a transaction that only prepares a scenario (other programs, funding): its compute
    /// units are not the program's and are not recorded.
    pub async fn send_setup(&mut self, instructions: &[Instruction], signers: &[&Keypair]) {
        self.submit(None, instructions, signers, false)
            .await
            .unwrap_or_else(|failure| panic!("setup transaction failed: {failure:?}"));
    }

    /// Simulates `instructions` without committing anything: the compute units used, and the
    /// failure if the transaction would fail.
    pub async fn simulate(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> (u64, Result<(), TxFailure>) {
        let tx = self.bank.sign(instructions, signers, false).await;
        let Processed { result, executed } = self.bank.simulate(tx).await;
        let (units, logs) = executed
            .map(|e| (e.compute_units, e.logs))
            .unwrap_or_default();
        (units, result.map_err(|error| TxFailure { error, logs }))
    }

    async fn submit(
        &mut self,
        label: Option<&'static str>,
        instructions: &[Instruction],
        signers: &[&Keypair],
        capture: bool,
    ) -> Result<TxSuccess, TxFailure> {
        let mut tx = self.bank.sign(instructions, signers, false).await;
        // An identical transaction would be dropped as already processed: take a new blockhash.
        while self.sent.contains(&tx.signature()) {
            tx = self.bank.sign(instructions, signers, true).await;
        }
        self.sent.insert(tx.signature());
        let ours = instructions
            .iter()
            .filter(|ix| ix.program_id == bal::ID)
            .count() as u64;
        SENT.set((SENT.get().0 + 1, SENT.get().1 + ours));
        let Processed { result, executed } = self.bank.process(tx, capture).await;
        let Some(executed) = executed else {
            // Refused before execution: fee payer, blockhash, sanitization.
            return Err(TxFailure {
                error: result.expect_err("a transaction that did not execute failed"),
                logs: Vec::new(),
            });
        };
        match result {
            Ok(()) => {
                let cu = executed.compute_units;
                if let Some(label) = label {
                    self.record_compute_units(label, cu);
                }
                Ok(TxSuccess {
                    compute_units: cu,
                    logs: executed.logs,
                    return_data: executed.return_data,
                    inner_data: if capture {
                        executed.inner_data
                    } else {
                        Vec::new()
                    },
                })
            }
            Err(error) => Err(TxFailure {
                error,
                logs: executed.logs,
            }),
        }
    }

    fn record_compute_units(&self, label: &'static str, cu: u64) {
        CU_LOG
            .lock()
            .expect("CU log poisoned")
            .entry(label)
            .or_default()
            .push(cu);
        // `BAL_CU_LOG=<file>`: every measurement appended as `label cu`, to set ceilings from
        // the largest a whole test run sees.
        if let Ok(path) = std::env::var("BAL_CU_LOG") {
            use std::io::Write;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .expect("BAL_CU_LOG file");
            writeln!(file, "{label} {cu}").expect("BAL_CU_LOG write");
        }
        if self.runtime.runs_the_elf() {
            let limit = ceiling(label)
                .unwrap_or_else(|| panic!("no CU ceiling for `{label}` in ceilings.rs"));
            assert!(
                cu <= limit,
                "`{label}` used {cu} CU, above its ceiling of {limit}"
            );
        }
    }

    pub async fn raw_account(&mut self, address: Pubkey) -> Option<Account> {
        self.bank.account(address).await
    }

    /// Writes `account` at `address` directly (an account another program would own).
    pub fn set_account(&mut self, address: Pubkey, account: Account) {
        self.bank.set_account(address, account);
    }

    /// Perp market `market_index` as it stands.
    pub async fn perp_market(&mut self, market_index: u16) -> bal::state::PerpMarket {
        self.load(bal_client::pda::perp_market(market_index)).await
    }

    /// Decodes a zero-copy account (discriminator checked), panicking when it does not exist.
    pub async fn load<T: bytemuck::Pod + anchor_lang::Discriminator>(
        &mut self,
        address: Pubkey,
    ) -> T {
        let account = self
            .raw_account(address)
            .await
            .unwrap_or_else(|| panic!("account {address} does not exist"));
        let discriminator = T::DISCRIMINATOR;
        assert_eq!(
            &account.data[..discriminator.len()],
            discriminator,
            "not this account type"
        );
        let start = discriminator.len();
        bytemuck::pod_read_unaligned(&account.data[start..start + std::mem::size_of::<T>()])
    }

    /// Token amount held by an SPL Token or Token-2022 account (the amount field sits at byte
    /// 64 in both).
    pub async fn token_balance(&mut self, address: Pubkey) -> u64 {
        let account = self.raw_account(address).await.expect("token account");
        u64::from_le_bytes(account.data[64..72].try_into().expect("amount"))
    }

    pub async fn rent_exempt(&mut self, space: usize) -> u64 {
        self.bank.rent_exempt(space).await
    }

    pub async fn clock(&mut self) -> Clock {
        self.bank.clock().await
    }

    /// Moves the clock `seconds` forward and the slot by `slots`.
    pub async fn advance(&mut self, seconds: i64, slots: u64) {
        self.bank.advance(seconds, slots).await;
    }

    /// Sets the clock to `unix_timestamp` at `slot` (slot must not go back).
    pub async fn set_clock(&mut self, unix_timestamp: i64, slot: u64) {
        self.bank.set_clock(unix_timestamp, slot).await;
    }

    /// Decodes an Anchor account (discriminator checked), panicking when it does not exist.
    pub async fn account<T: AccountDeserialize>(&mut self, address: Pubkey) -> T {
        let account = self
            .raw_account(address)
            .await
            .unwrap_or_else(|| panic!("account {address} does not exist"));
        T::try_deserialize(&mut account.data.as_slice()).expect("decode account")
    }
}

/// With `BAL_CU_REPORT` set, each environment prints the compute units it recorded when it is
/// dropped (`label max_cu` per line), for sizing the ceilings from the whole test suite.
impl Drop for TestEnv {
    fn drop(&mut self) {
        if std::env::var_os("BAL_CU_REPORT").is_none() {
            return;
        }
        for (label, samples) in recorded_compute_units() {
            eprintln!(
                "CU {label} {}",
                samples.iter().max().copied().unwrap_or_default()
            );
        }
    }
}

fn wallet_account() -> Account {
    Account {
        lamports: WALLET_LAMPORTS,
        ..Account::default()
    }
}
