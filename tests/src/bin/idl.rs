//! Generates the programs' IDLs through Anchor's `idl-build` route: BAL's into `idl/bal.json`,
//! the example vault's into `idl/bal_vault.json`. `--check` regenerates them and fails when a
//! committed file differs (a stale IDL).
//!
//! One addition to what Anchor 1.2 writes: the two accounts `#[event_cpi]` appends to an
//! instruction carry no address in its IDL, so a generated client could not fill them in. They
//! get what `#[event_cpi]` itself checks: `event_authority` the PDA `["__event_authority"]` of
//! the program, `program` the program's address (`event_accounts_resolve`, in `tests/`, checks
//! both against the program's own derivation).
use anchor_lang_idl::types::{
    Idl, IdlInstructionAccount, IdlInstructionAccountItem, IdlPda, IdlSeed, IdlSeedConst,
};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Anchor's IDL builder would try to `rustup toolchain install` whatever this names; the
    // repository's rust-toolchain.toml already selects the toolchain.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let check = std::env::args().any(|arg| arg == "--check");
    let mut fresh = true;
    for (program, file) in [("bal", "bal.json"), ("bal-vault", "bal_vault.json")] {
        let mut idl = anchor_lang_idl::build::IdlBuilder::new()
            .program_path(root.join("programs").join(program))
            .build()
            .expect("IDL build");
        address_event_accounts(&mut idl);
        let generated = serde_json::to_string_pretty(&idl).expect("IDL to JSON") + "\n";
        fresh &= write_or_check(&root.join("idl").join(file), &generated, check);
    }
    if fresh {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes `generated` to `committed`, or with `check` compares them; false when stale.
fn write_or_check(committed: &Path, generated: &str, check: bool) -> bool {
    if check {
        let current = std::fs::read_to_string(committed).unwrap_or_default();
        if current != generated {
            eprintln!(
                "{} is stale: run `cargo run -p bal-tests --bin idl` and commit it",
                committed.display()
            );
            return false;
        }
        println!("{} is up to date", committed.display());
    } else {
        std::fs::create_dir_all(committed.parent().expect("idl dir")).expect("create idl/");
        std::fs::write(committed, generated).expect("write IDL");
        println!("wrote {}", committed.display());
    }
    true
}

/// The seed `#[event_cpi]` derives its event authority from.
const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// Gives every instruction's `#[event_cpi]` accounts the address they must have.
fn address_event_accounts(idl: &mut Idl) {
    let program = idl.address.clone();
    let accounts = idl
        .instructions
        .iter_mut()
        .flat_map(|instruction| instruction.accounts.iter_mut());
    for item in accounts {
        let IdlInstructionAccountItem::Single(account) = item else {
            continue;
        };
        if account.pda.is_some() || account.address.is_some() {
            continue;
        }
        match account.name.as_str() {
            "event_authority" => {
                account.pda = Some(IdlPda {
                    seeds: vec![IdlSeed::Const(IdlSeedConst {
                        value: EVENT_AUTHORITY_SEED.to_vec(),
                    })],
                    program: None,
                });
                document(
                    account,
                    "The program's event authority, which signs its records.",
                );
            }
            "program" => {
                account.address = Some(program.clone());
                document(
                    account,
                    "This program, which its records are emitted through.",
                );
            }
            _ => {}
        }
    }
}

fn document(account: &mut IdlInstructionAccount, doc: &str) {
    if account.docs.is_empty() {
        account.docs = vec![doc.to_string()];
    }
}
