//! A running test validator bank with the BAL program loaded, and the one way to send to it.
use crate::ceilings::ceiling;
use crate::runtime;
use anchor_lang::prelude::{Clock, Pubkey};
use anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::AccountDeserialize;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_program_test::ProgramTestContext;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// The deployable sBPF v0 ELF: real compute units.
    Elf,
    /// The program compiled for the host: debuggable, compute units meaningless.
    Native,
}

impl Runtime {
    /// `BAL_RUNTIME=native` selects the native build; anything else runs the ELF.
    pub fn from_env() -> Self {
        match std::env::var("BAL_RUNTIME").as_deref() {
            Ok("native") => Runtime::Native,
            _ => Runtime::Elf,
        }
    }
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
    pub ctx: ProgramTestContext,
    pub runtime: Runtime,
    /// The program's upgrade authority, hence the only key allowed to initialize it.
    pub upgrade_authority: Keypair,
    sent: HashSet<solana_transaction::Signature>,
    wallets_created: u64,
}

/// Lamports every new test wallet starts with.
const WALLET_LAMPORTS: u64 = 100_000_000_000;

impl TestEnv {
    pub async fn start() -> Self {
        let runtime = Runtime::from_env();
        let mut test = match runtime {
            Runtime::Elf => runtime::elf(),
            Runtime::Native => runtime::native(),
        };
        let upgrade_authority = Keypair::new();
        test.add_account(upgrade_authority.pubkey(), wallet_account());
        test.add_account(
            bal_client::pda::program_data(),
            program_data_account(&upgrade_authority.pubkey()),
        );
        let ctx = test.start_with_context().await;
        TestEnv {
            ctx,
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
        self.ctx
            .set_account(&wallet.pubkey(), &wallet_account().into());
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
        let payer = signers
            .first()
            .expect("a transaction needs a fee payer")
            .pubkey();
        let blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("latest blockhash");
        let tx = Transaction::new_signed_with_payer(instructions, Some(&payer), signers, blockhash);
        let simulated = self
            .ctx
            .banks_client
            .simulate_transaction(tx)
            .await
            .expect("banks client transport");
        let (units, logs) = simulated
            .simulation_details
            .map(|d| (d.units_consumed, d.logs))
            .unwrap_or_default();
        let result = match simulated.result {
            Some(Err(error)) => Err(TxFailure { error, logs }),
            _ => Ok(()),
        };
        (units, result)
    }

    async fn submit(
        &mut self,
        label: Option<&'static str>,
        instructions: &[Instruction],
        signers: &[&Keypair],
        capture: bool,
    ) -> Result<TxSuccess, TxFailure> {
        let payer = signers
            .first()
            .expect("a transaction needs a fee payer")
            .pubkey();
        // The bank's newest blockhash: a long scenario outlives any single one.
        let mut blockhash = self
            .ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("latest blockhash");
        let mut tx =
            Transaction::new_signed_with_payer(instructions, Some(&payer), signers, blockhash);
        // An identical transaction would be dropped as already processed: take a new blockhash.
        while self.sent.contains(&tx.signatures[0]) {
            blockhash = self
                .ctx
                .get_new_latest_blockhash()
                .await
                .expect("new blockhash");
            tx = Transaction::new_signed_with_payer(instructions, Some(&payer), signers, blockhash);
        }
        self.ctx.last_blockhash = blockhash;
        self.sent.insert(tx.signatures[0]);
        let inner_data = if capture {
            let simulated = self
                .ctx
                .banks_client
                .simulate_transaction(tx.clone())
                .await
                .expect("banks client transport");
            simulated
                .simulation_details
                .and_then(|details| details.inner_instructions)
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .map(|inner| inner.instruction.data)
                .collect()
        } else {
            Vec::new()
        };

        let outcome = self
            .ctx
            .banks_client
            .process_transaction_with_metadata(tx)
            .await
            .expect("banks client transport");
        let Some(metadata) = outcome.metadata else {
            // Refused before execution (no metadata): fee payer, blockhash, sanitization.
            return Err(TxFailure {
                error: outcome
                    .result
                    .expect_err("a transaction without metadata failed"),
                logs: Vec::new(),
            });
        };
        match outcome.result {
            Ok(()) => {
                let cu = metadata.compute_units_consumed;
                if let Some(label) = label {
                    self.record_compute_units(label, cu);
                }
                Ok(TxSuccess {
                    compute_units: cu,
                    logs: metadata.log_messages,
                    return_data: metadata.return_data.map(|r| r.data).unwrap_or_default(),
                    inner_data,
                })
            }
            Err(error) => Err(TxFailure {
                error,
                logs: metadata.log_messages,
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
        if self.runtime == Runtime::Elf {
            let limit = ceiling(label)
                .unwrap_or_else(|| panic!("no CU ceiling for `{label}` in ceilings.rs"));
            assert!(
                cu <= limit,
                "`{label}` used {cu} CU, above its ceiling of {limit}"
            );
        }
    }

    pub async fn raw_account(&mut self, address: Pubkey) -> Option<Account> {
        self.ctx
            .banks_client
            .get_account(address)
            .await
            .expect("banks client transport")
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
        let rent = self.ctx.banks_client.get_rent().await.expect("rent sysvar");
        rent.minimum_balance(space)
    }

    pub async fn clock(&mut self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock sysvar")
    }

    /// Moves the clock `seconds` forward and the slot by `slots`.
    pub async fn advance(&mut self, seconds: i64, slots: u64) {
        let mut clock = self.clock().await;
        if slots > 0 {
            self.ctx
                .warp_to_slot(clock.slot + slots)
                .expect("warp to slot");
            clock = self.clock().await;
        }
        clock.unix_timestamp += seconds;
        self.ctx.set_sysvar(&clock);
    }

    /// Sets the clock to `unix_timestamp` at `slot` (slot must not go back).
    pub async fn set_clock(&mut self, unix_timestamp: i64, slot: u64) {
        let current = self.clock().await;
        if slot > current.slot {
            self.ctx.warp_to_slot(slot).expect("warp to slot");
        }
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
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

/// The upgradeable loader's `ProgramData` header naming `authority` as upgrade authority:
/// bincode of `UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address }`.
fn program_data_account(authority: &Pubkey) -> Account {
    let mut data = Vec::with_capacity(45);
    data.extend_from_slice(&3u32.to_le_bytes());
    data.extend_from_slice(&0u64.to_le_bytes());
    data.push(1);
    data.extend_from_slice(authority.as_ref());
    Account {
        lamports: 1_000_000_000,
        data,
        owner: bpf_loader_upgradeable::ID,
        executable: false,
        rent_epoch: 0,
    }
}
