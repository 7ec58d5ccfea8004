//! The main job's market simulation, short: it runs, the market is active, and the books close.
use bal_tests::simulation::{simulate, SimulationConfig};

#[tokio::test]
async fn a_few_simulated_days_keep_the_books_whole() {
    let report = simulate(SimulationConfig {
        days: 3,
        lps: 2,
        traders: 4,
    })
    .await;
    assert_eq!(report.conservation_error, 0);
    assert!(report.vault_covers);
    assert!(report.fees > 0, "traders traded");
    assert!(
        report.lp_positions[0].0 != 0,
        "the LP took positions from traders: {report:?}"
    );
}
