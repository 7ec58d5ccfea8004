//! Builds the `ProgramTest` for either runtime. Kept apart from Anchor's prelude: its `Result`
//! would shadow the one `processor!` expands to.
use solana_program_test::{processor, ProgramTest};
use std::path::PathBuf;

/// Native entry: Anchor's `entry` ties every argument to one `'info` lifetime, stricter than the
/// runtime's signature; the runtime keeps all of them alive for the whole call.
fn native_entry(
    program_id: &anchor_lang::prelude::Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: only lifetimes change; every borrowed value outlives this call.
    let accounts: &[anchor_lang::prelude::AccountInfo] = unsafe { std::mem::transmute(accounts) };
    bal::entry(program_id, accounts, data)
}

/// The example integrator's native entry, for the same reason.
fn native_vault_entry(
    program_id: &anchor_lang::prelude::Pubkey,
    accounts: &[anchor_lang::prelude::AccountInfo],
    data: &[u8],
) -> anchor_lang::solana_program::entrypoint::ProgramResult {
    // SAFETY: only lifetimes change; every borrowed value outlives this call.
    let accounts: &[anchor_lang::prelude::AccountInfo] = unsafe { std::mem::transmute(accounts) };
    bal_vault::entry(program_id, accounts, data)
}

pub fn native() -> ProgramTest {
    let mut test = ProgramTest::new("bal", bal::ID, processor!(native_entry));
    test.add_program("bal_vault", bal_vault::ID, processor!(native_vault_entry));
    test.prefer_bpf(false);
    test
}

/// The folder holding the ELFs: `target/deploy`, or `BAL_DEPLOY_DIR` when it is set (another
/// build of the program, such as one with a known hole put back, run against the same scenarios).
pub fn deploy_dir() -> PathBuf {
    let deploy = std::env::var_os("BAL_DEPLOY_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy"),
        PathBuf::from,
    );
    for elf in ["bal.so", "bal_vault.so"] {
        assert!(
            deploy.join(elf).exists(),
            "{}/{elf} is missing: run scripts/build-sbf.sh (or set BAL_RUNTIME=native)",
            deploy.display()
        );
    }
    deploy
}

/// The ELFs from `deploy_dir` in program-test's bank.
pub fn elf() -> ProgramTest {
    std::env::set_var("SBF_OUT_DIR", deploy_dir());
    let mut test = ProgramTest::new("bal", bal::ID, None);
    test.add_program("bal_vault", bal_vault::ID, None);
    test.prefer_bpf(true);
    test
}
