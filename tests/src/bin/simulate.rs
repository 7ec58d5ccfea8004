//! The main job: a local BAL market on the deployable ELF in an in-process Solana runtime, with
//! LPs, traders and a keeper over simulated days (`BAL_SIM_DAYS`, default 35), printing what the
//! LPs earned and what the keeper did. Fails if base was not conserved or the vault fell short.
use bal_tests::simulation::{print_report, simulate, SimulationConfig};

#[tokio::main]
async fn main() {
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    // The keeper logs every transaction; the report says what it did.
    if std::env::var_os("BAL_KEEPER_LOG").is_none() {
        std::env::set_var("BAL_KEEPER_LOG", "warn");
    }
    let days = std::env::var("BAL_SIM_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(35);
    let config = SimulationConfig {
        days,
        lps: 3,
        traders: 4,
    };
    let report = simulate(config).await;
    print_report(&config, &report);
    assert_eq!(report.conservation_error, 0, "base must be conserved");
    assert!(report.vault_covers, "the vault must cover every claim");
}
