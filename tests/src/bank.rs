//! The runtime a `TestEnv` sends to: solana-program-test's bank (the ELF or the native build),
//! or LiteSVM running the same ELF in process, with the same compute-unit metering, at several
//! times the speed (no banks client, no slot machinery): what the fuzzers' long runs need.
use crate::runtime;
use anchor_lang::prelude::{Clock, Pubkey};
use anchor_lang::solana_program::bpf_loader_upgradeable;
use anchor_lang::solana_program::instruction::Instruction;
use litesvm::LiteSVM;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_program_test::{ProgramTest, ProgramTestContext};
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;
use std::path::Path;

/// Where a fresh LiteSVM's clock starts (program-test starts at the wall clock; a fixed start
/// keeps runs repeatable).
const LITE_GENESIS_UNIX_TIMESTAMP: i64 = 1_800_000_000;

pub enum Bank {
    Test(Box<ProgramTestContext>),
    Lite(Box<LiteSVM>),
}

/// A signed transaction in the form its bank takes.
pub enum Signed {
    Test(solana_transaction::Transaction),
    Lite(litesvm_transaction::Transaction),
}

impl Signed {
    pub fn signature(&self) -> Signature {
        match self {
            Signed::Test(tx) => tx.signatures[0],
            Signed::Lite(tx) => tx.signatures[0],
        }
    }
}

/// What the runtime reported for a transaction it executed.
pub struct Executed {
    pub compute_units: u64,
    pub logs: Vec<String>,
    pub return_data: Vec<u8>,
    /// Data of every inner instruction, in order, when the bank reports them.
    pub inner_data: Vec<Vec<u8>>,
}

/// One processed transaction: its result, and what execution reported (`None` when it was
/// refused before executing: fee payer, blockhash, sanitization).
pub struct Processed {
    pub result: Result<(), TransactionError>,
    pub executed: Option<Executed>,
}

impl Bank {
    /// `test` started, with the upgradeable loader's program data naming `authority`.
    pub async fn program_test(mut test: ProgramTest, authority: &Pubkey) -> Self {
        test.add_account(
            bal_client::pda::program_data(),
            program_data_account(authority, &[]),
        );
        Bank::Test(Box::new(test.start_with_context().await))
    }

    /// A LiteSVM holding the deployed ELFs, with the program data naming `authority`. The
    /// ELFs are loaded (verified and compiled) once per thread and the loaded machine cloned.
    pub fn lite_svm(authority: &Pubkey) -> Self {
        thread_local! {
            static LOADED: LiteSVM = loaded_lite_svm();
        }
        let svm = LOADED.with(LiteSVM::clone);
        // The loader wrote the program data with no authority; the program checks it.
        let address = bal_client::pda::program_data();
        let elf = svm.get_account(&address).expect("program data").data;
        let mut bank = Bank::Lite(Box::new(svm));
        bank.set_account(address, program_data_account(authority, &elf[HEADER..]));
        bank
    }

    /// `instructions` signed by `signers` (the first pays) over the newest blockhash, or over a
    /// new one when `fresh` (an identical transaction would be dropped as already processed).
    pub async fn sign(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        fresh: bool,
    ) -> Signed {
        let payer = signers
            .first()
            .expect("a transaction needs a fee payer")
            .pubkey();
        match self {
            Bank::Test(ctx) => {
                let blockhash = if fresh {
                    ctx.get_new_latest_blockhash().await.expect("new blockhash")
                } else {
                    ctx.banks_client
                        .get_latest_blockhash()
                        .await
                        .expect("latest blockhash")
                };
                ctx.last_blockhash = blockhash;
                Signed::Test(solana_transaction::Transaction::new_signed_with_payer(
                    instructions,
                    Some(&payer),
                    signers,
                    blockhash,
                ))
            }
            Bank::Lite(svm) => {
                if fresh {
                    svm.expire_blockhash();
                }
                Signed::Lite(litesvm_transaction::Transaction::new_signed_with_payer(
                    instructions,
                    Some(&payer),
                    signers,
                    svm.latest_blockhash(),
                ))
            }
        }
    }

    /// Executes `tx` and commits it if it succeeds. With `capture`, program-test simulates it
    /// first to report its inner instructions (LiteSVM always reports them).
    pub async fn process(&mut self, tx: Signed, capture: bool) -> Processed {
        match (self, tx) {
            (Bank::Test(ctx), Signed::Test(tx)) => {
                let inner_data = if capture {
                    ctx.banks_client
                        .simulate_transaction(tx.clone())
                        .await
                        .expect("banks client transport")
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
                let outcome = ctx
                    .banks_client
                    .process_transaction_with_metadata(tx)
                    .await
                    .expect("banks client transport");
                Processed {
                    result: outcome.result,
                    executed: outcome.metadata.map(|metadata| Executed {
                        compute_units: metadata.compute_units_consumed,
                        logs: metadata.log_messages,
                        return_data: metadata.return_data.map(|r| r.data).unwrap_or_default(),
                        inner_data,
                    }),
                }
            }
            (Bank::Lite(svm), Signed::Lite(tx)) => match svm.send_transaction(tx) {
                Ok(meta) => Processed {
                    result: Ok(()),
                    executed: Some(lite_executed(meta)),
                },
                Err(failed) => Processed {
                    result: Err(failed.err),
                    executed: Some(lite_executed(failed.meta)),
                },
            },
            _ => unreachable!("a transaction signed for another bank"),
        }
    }

    /// Executes `tx` without committing: compute units, logs and the result.
    pub async fn simulate(&mut self, tx: Signed) -> Processed {
        match (self, tx) {
            (Bank::Test(ctx), Signed::Test(tx)) => {
                let simulated = ctx
                    .banks_client
                    .simulate_transaction(tx)
                    .await
                    .expect("banks client transport");
                let (compute_units, logs) = simulated
                    .simulation_details
                    .map(|d| (d.units_consumed, d.logs))
                    .unwrap_or_default();
                Processed {
                    result: simulated.result.unwrap_or(Ok(())),
                    executed: Some(Executed {
                        compute_units,
                        logs,
                        return_data: Vec::new(),
                        inner_data: Vec::new(),
                    }),
                }
            }
            (Bank::Lite(svm), Signed::Lite(tx)) => match svm.simulate_transaction(tx) {
                Ok(info) => Processed {
                    result: Ok(()),
                    executed: Some(lite_executed(info.meta)),
                },
                Err(failed) => Processed {
                    result: Err(failed.err),
                    executed: Some(lite_executed(failed.meta)),
                },
            },
            _ => unreachable!("a transaction signed for another bank"),
        }
    }

    pub async fn account(&mut self, address: Pubkey) -> Option<Account> {
        match self {
            Bank::Test(ctx) => ctx
                .banks_client
                .get_account(address)
                .await
                .expect("banks client transport"),
            Bank::Lite(svm) => svm.get_account(&address).map(|account| Account {
                lamports: account.lamports,
                data: account.data,
                owner: account.owner,
                executable: account.executable,
                rent_epoch: account.rent_epoch,
            }),
        }
    }

    pub fn set_account(&mut self, address: Pubkey, account: Account) {
        match self {
            Bank::Test(ctx) => ctx.set_account(&address, &account.into()),
            Bank::Lite(svm) => svm
                .set_account(
                    address,
                    litesvm_account::Account {
                        lamports: account.lamports,
                        data: account.data,
                        owner: account.owner,
                        executable: account.executable,
                        rent_epoch: account.rent_epoch,
                    },
                )
                .expect("a valid account"),
        }
    }

    pub async fn rent_exempt(&mut self, space: usize) -> u64 {
        match self {
            Bank::Test(ctx) => ctx
                .banks_client
                .get_rent()
                .await
                .expect("rent sysvar")
                .minimum_balance(space),
            Bank::Lite(svm) => svm.minimum_balance_for_rent_exemption(space),
        }
    }

    pub async fn clock(&mut self) -> Clock {
        match self {
            Bank::Test(ctx) => ctx
                .banks_client
                .get_sysvar::<Clock>()
                .await
                .expect("clock sysvar"),
            Bank::Lite(svm) => svm.get_sysvar(),
        }
    }

    /// Moves the clock `seconds` forward and the slot by `slots`.
    pub async fn advance(&mut self, seconds: i64, slots: u64) {
        match self {
            Bank::Test(ctx) => {
                if slots > 0 {
                    let slot = ctx
                        .banks_client
                        .get_sysvar::<Clock>()
                        .await
                        .expect("clock sysvar")
                        .slot;
                    ctx.warp_to_slot(slot + slots).expect("warp to slot");
                }
                // The warp moves the clock's time too; the seconds count from there.
                let mut clock = ctx
                    .banks_client
                    .get_sysvar::<Clock>()
                    .await
                    .expect("clock sysvar");
                clock.unix_timestamp += seconds;
                ctx.set_sysvar(&clock);
            }
            Bank::Lite(svm) => {
                let clock: Clock = svm.get_sysvar();
                set_lite_clock(svm, clock.unix_timestamp + seconds, clock.slot + slots);
            }
        }
    }

    /// Sets the clock to `unix_timestamp` at `slot` (never back).
    pub async fn set_clock(&mut self, unix_timestamp: i64, slot: u64) {
        match self {
            Bank::Test(ctx) => {
                let current = ctx
                    .banks_client
                    .get_sysvar::<Clock>()
                    .await
                    .expect("clock sysvar");
                if slot > current.slot {
                    ctx.warp_to_slot(slot).expect("warp to slot");
                }
                let mut clock = ctx
                    .banks_client
                    .get_sysvar::<Clock>()
                    .await
                    .expect("clock sysvar");
                clock.unix_timestamp = unix_timestamp;
                ctx.set_sysvar(&clock);
            }
            Bank::Lite(svm) => set_lite_clock(svm, unix_timestamp, slot),
        }
    }
}

/// A LiteSVM with the ELFs loaded. Signatures are not verified: the transactions are the
/// harness's own, and verifying them would cost more than executing them.
fn loaded_lite_svm() -> LiteSVM {
    let deploy = runtime::deploy_dir();
    let mut svm = LiteSVM::new().with_sigverify(false);
    for (id, elf) in [(bal::ID, "bal.so"), (bal_vault::ID, "bal_vault.so")] {
        svm.add_program_from_file(id, deploy.join(elf))
            .unwrap_or_else(|e| panic!("load {}: {e}", Path::new(elf).display()));
    }
    set_lite_clock(&mut svm, LITE_GENESIS_UNIX_TIMESTAMP, 1);
    svm
}

/// Sets LiteSVM's clock to `unix_timestamp` at `slot` (never back); a new slot brings a new
/// blockhash, as it does on a validator.
fn set_lite_clock(svm: &mut LiteSVM, unix_timestamp: i64, slot: u64) {
    let current: Clock = svm.get_sysvar();
    let clock = Clock {
        slot: slot.max(current.slot),
        unix_timestamp,
        ..current
    };
    svm.set_sysvar(&clock);
    if clock.slot > current.slot {
        svm.expire_blockhash();
    }
}

fn lite_executed(meta: litesvm::types::TransactionMetadata) -> Executed {
    Executed {
        compute_units: meta.compute_units_consumed,
        logs: meta.logs,
        return_data: meta.return_data.data,
        inner_data: meta
            .inner_instructions
            .into_iter()
            .flatten()
            .map(|inner| inner.instruction.data)
            .collect(),
    }
}

/// Length of the upgradeable loader's `ProgramData` header.
const HEADER: usize = 45;

/// The upgradeable loader's `ProgramData` naming `authority` as upgrade authority, followed by
/// `elf`: bincode of `UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address }`.
fn program_data_account(authority: &Pubkey, elf: &[u8]) -> Account {
    let mut data = Vec::with_capacity(HEADER + elf.len());
    data.extend_from_slice(&3u32.to_le_bytes());
    data.extend_from_slice(&0u64.to_le_bytes());
    data.push(1);
    data.extend_from_slice(authority.as_ref());
    data.extend_from_slice(elf);
    Account {
        lamports: 1_000_000_000,
        data,
        owner: bpf_loader_upgradeable::ID,
        executable: false,
        rent_epoch: 0,
    }
}
