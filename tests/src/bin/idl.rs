//! Generates the program's IDL through Anchor's `idl-build` route into `idl/bal.json`.
//! `--check` regenerates it and fails when the committed file differs (a stale IDL).
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Anchor's IDL builder would try to `rustup toolchain install` whatever this names; the
    // repository's rust-toolchain.toml already selects the toolchain.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf();
    let committed = root.join("idl/bal.json");

    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(root.join("programs/bal"))
        .build()
        .expect("IDL build");
    let generated = serde_json::to_string_pretty(&idl).expect("IDL to JSON") + "\n";

    if std::env::args().any(|arg| arg == "--check") {
        let current = std::fs::read_to_string(&committed).unwrap_or_default();
        if current != generated {
            eprintln!(
                "{} is stale: run `cargo run -p bal-tests --bin idl` and commit it",
                committed.display()
            );
            return ExitCode::FAILURE;
        }
        println!("{} is up to date", committed.display());
    } else {
        std::fs::create_dir_all(committed.parent().expect("idl dir")).expect("create idl/");
        std::fs::write(&committed, generated).expect("write IDL");
        println!("wrote {}", committed.display());
    }
    ExitCode::SUCCESS
}
