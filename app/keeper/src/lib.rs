//! The BAL keeper: one round reads the exchange (filtered account queries), decides what each
//! market needs (`duties`), and does it (`executor`): funding when due, LPs settled when their
//! unsettled entitlement matters, LPs below initial margin de-risked, P&L settled, crossing or
//! expired resting orders filled, accounts below maintenance margin liquidated. Every
//! transaction is simulated first, sized from the simulation, batched where the program takes
//! batches and split when a batch fails; errors that only mean "nothing to do any more" are
//! counted as skips. `Chain` is the one seam: JSON-RPC in the binary (`rpc`), the in-process
//! runtime in tests.
pub mod chain;
pub mod config;
pub mod duties;
pub mod executor;
pub mod keypair;
pub mod log;
pub mod metrics;
pub mod rpc;
pub mod snapshot;

use chain::Chain;
use config::Settings;
use metrics::Metrics;

/// What one round did, per duty: transactions landed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Transactions that landed, every duty together.
    pub transactions: u64,
    pub funding_updates: u64,
    pub lp_settles: u64,
    pub derisks: u64,
    pub pnl_settles: u64,
    pub fills: u64,
    pub liquidations: u64,
    /// Positions taken over in liquidations and closed again.
    pub unwinds: u64,
    /// Bad debts written off.
    pub bad_debts: u64,
    /// Positions closed in settling markets, and payouts fixed.
    pub settlements: u64,
    /// Transactions the simulation or the chain refused for a reason other than a benign one.
    pub failures: u64,
}

/// One round over every configured market.
pub async fn run_round<C: Chain>(
    chain: &mut C,
    settings: &Settings,
    metrics: &Metrics,
) -> Result<RoundReport, chain::ChainError> {
    let snapshot = snapshot::load(chain, &settings.markets).await?;
    metrics.set_users(snapshot.users.len() as u64);
    let mut report = RoundReport::default();
    let keeper = snapshot
        .keeper_user(chain.signer(), settings.keeper_sub_account)
        .map(|user| duties::KeeperAccount {
            authority: chain.signer(),
            user,
        });
    let keeper_user = keeper.map(|k| k.user);
    for market in &snapshot.markets {
        let plan = duties::plan(&snapshot, market, &settings.thresholds, keeper);
        let mut run = executor::Executor {
            chain: &mut *chain,
            settings,
            metrics,
            report: &mut report,
        };
        run.carry_out(&snapshot, market, &plan, keeper_user).await;
    }
    metrics.round_finished(snapshot.now);
    Ok(report)
}
