//! The BAL keeper: one round reads the exchange (filtered account queries), decides what each
//! market needs (`duties`), and does it (`executor`): funding when due, LPs settled when their
//! unsettled entitlement matters, LPs below initial margin de-risked, P&L settled, crossing or
//! expired resting orders filled, accounts below maintenance margin liquidated. Every
//! transaction is simulated first, sized from the simulation, batched where the program takes
//! batches and split when a batch fails; errors that only mean "nothing to do any more" are
//! counted as skips. It reaches the cluster through `bal_transport::chain::Chain`: JSON-RPC in
//! the binary, the in-process runtime in tests.
pub mod budget;
pub mod config;
pub mod duties;
pub mod executor;
pub mod metrics;
pub mod pace;
pub mod snapshot;
pub mod takeover;
pub mod work;

use bal_transport::{chain, log};
use chain::Chain;
use config::Settings;
use metrics::Metrics;
use serde_json::json;

/// What one round did, per duty: transactions landed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Transactions that landed, every duty together.
    pub transactions: u64,
    pub funding_updates: u64,
    /// Oracle prices recorded into a market's TWAPs that had fallen behind a jump.
    pub oracle_records: u64,
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

/// One round over every configured market: every market's funding and liquidations first,
/// then the rest, every market's work sent together (`executor`). With several keepers sharing
/// the work (`Shard`), only this keeper's share (`duties`).
pub async fn run_round<C: Chain>(
    chain: &mut C,
    settings: &Settings,
    metrics: &Metrics,
) -> Result<RoundReport, chain::ChainError> {
    let started = std::time::Instant::now();
    let snapshot = snapshot::load(chain, &settings.markets).await?;
    let read = started.elapsed();
    metrics.set_users(snapshot.users.len() as u64);
    let mut report = RoundReport::default();
    let keeper = snapshot
        .keeper_user(chain.signer(), settings.keeper_sub_account)
        .map(|user| duties::KeeperAccount {
            authority: chain.signer(),
            user,
        });
    let keeper_user = keeper.map(|k| k.user);
    let plans: Vec<duties::Plan> = snapshot
        .markets
        .iter()
        .map(|market| duties::plan(&snapshot, market, settings, keeper))
        .collect();
    let mut run = executor::Executor {
        chain: &mut *chain,
        settings,
        metrics,
        report: &mut report,
        deadline: settings.round_deadline.map(|limit| started + limit),
        fee_accounts: snapshot.market_addresses(),
    };
    let markets: Vec<(&snapshot::MarketState, &duties::Plan)> =
        snapshot.markets.iter().zip(&plans).collect();
    run.carry_out_urgent(&snapshot, &markets, keeper_user).await;
    let urgent = started.elapsed();
    run.carry_out_rest(&snapshot, &markets, keeper_user).await;
    let rest = started.elapsed();
    record_backlog(metrics, &plans, &report);
    if let Ok(Some(payer)) = chain.account(chain.signer()).await {
        metrics.set_payer_lamports(payer.lamports);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let total = started.elapsed();
    metrics.round_finished(now, total.as_millis() as u64);
    // Where the round's time went: reading the exchange, the urgent waves, the rest.
    log::event(
        "info",
        "round",
        json!({
            "report": format!("{report:?}"),
            "read_ms": read.as_millis() as u64,
            "urgent_ms": (urgent - read).as_millis() as u64,
            "rest_ms": (rest - urgent).as_millis() as u64,
            "total_ms": total.as_millis() as u64,
        }),
    );
    Ok(report)
}

/// What was due this round and did not land, per duty (planned and not landed, or left for a
/// later round).
fn record_backlog(metrics: &Metrics, plans: &[duties::Plan], report: &RoundReport) {
    let planned =
        |count: fn(&duties::Plan) -> usize| -> u64 { plans.iter().map(|p| count(p) as u64).sum() };
    let rows = [
        (
            "funding",
            planned(|p| usize::from(p.update_funding)),
            report.funding_updates,
        ),
        (
            "liquidate",
            planned(|p| p.liquidate.len() + p.deferred_liquidations),
            report.liquidations,
        ),
        ("derisk", planned(|p| p.derisk.len()), report.derisks),
        ("fill", planned(|p| p.fills.len()), report.fills),
        (
            "settle_lp",
            planned(|p| p.settle_lps.len()),
            report.lp_settles,
        ),
        (
            "settle_pnl",
            planned(|p| p.settle_pnl.len() + p.deferred_settles),
            report.pnl_settles,
        ),
        ("bad_debt", planned(|p| p.bad_debt.len()), report.bad_debts),
    ];
    for (duty, planned, landed) in rows {
        metrics.set_backlog(duty, planned.saturating_sub(landed));
    }
}
