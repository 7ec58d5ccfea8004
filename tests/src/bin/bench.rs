//! Compute units of every instruction on the sBPF ELF, printed as a table with each ceiling.
use bal_tests::ceilings::ceiling;
use bal_tests::env::recorded_compute_units;
use bal_tests::{fixtures, Runtime, TestEnv};

#[tokio::main]
async fn main() {
    assert_eq!(
        Runtime::from_env(),
        Runtime::Elf,
        "compute units are only meaningful on the ELF: unset BAL_RUNTIME"
    );
    // The runtime logs every instruction at debug level; the table is what this prints.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut env = TestEnv::start().await;
    fixtures::initialize_state(&mut env).await;

    println!("| instruction | samples | min CU | max CU | ceiling | headroom |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, samples) in recorded_compute_units() {
        let min = samples.iter().min().copied().unwrap_or_default();
        let max = samples.iter().max().copied().unwrap_or_default();
        let limit = ceiling(label).unwrap_or_default();
        let headroom = 100.0 * (limit as f64 - max as f64) / limit.max(1) as f64;
        println!(
            "| {label} | {} | {min} | {max} | {limit} | {headroom:.0}% |",
            samples.len()
        );
    }
}
