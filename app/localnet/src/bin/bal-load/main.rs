//! `bal-load`: a load-and-fault run against a local exchange brought up quiet
//! (`bal-localnet --market quiet`; `scripts/load.sh` does both). It publishes the oracles on
//! their price paths itself, opens users in bulk, opens positions, starts the keeper, then:
//!
//! 1. steps the trade rate (open loop); in each step it opens fresh longs left just above initial margin, drops every
//!    price 7% and times how long the keeper takes to liquidate them, and it watches the
//!    funding updates (the markets' period set to a minute) and the keeper's round durations;
//! 2. kills the keeper (SIGKILL) and restarts it, timing its first completed round;
//! 3. runs one keeper, then two sharing the work by users, then two taking turns, then one
//!    again (how much a setup's count varies by window), each for the same time at the same
//!    rate, and counts the transactions each setup landed and the accounts they acted on;
//! 4. optionally soaks: five-minute steps at one rate, without shocks, each a row of the
//!    soak's table (the node's memory at its end among them);
//! 5. shocks every oracle 15% down at once, beyond its 10% guard against its TWAP (`gap`),
//!    and times fresh longs' liquidation and the keeper's unwind of what it took over;
//! 6. reads every account and checks the books (`bal_client::books`).
//!
//! It prints a table (and writes it to `<state>/load-report.md`), and fails when the books do
//! not balance or the gap leaves a victim unliquidated or the keeper holding a position past
//! `gap::GAP_LIMIT`. Loopback only; bounded in time (every phase has a fixed length) and in count.
//!
//! Options: `--rpc URL`, `--migrations FILE`, `--state DIR` (where bal-localnet wrote the
//! keeper's config and keypair), `--keeper BIN`, `--node-pid PID` (to read the node's memory),
//! `--users N` (3000), `--positions N` (500), `--rates A,B,..` (5,15,30), `--step-seconds N`
//! (90: a step sees a funding update come due), `--share-seconds N` (40), `--share-rate N` (15), `--soak-minutes N` (0: none) and
//! `--soak-rate N` (30).
mod args;
mod crowd;
mod exchange;
mod gap;
mod keepers;
mod sharing;
mod watch;

use args::parse_args;
use bal_client::{books, pda};
use bal_keeper::snapshot;
use bal_localnet::setup::{participant, DOLLAR};
use bal_transport::chain::Chain;
use bal_transport::keypair::{read_keypair, write_new_keypair};
use bal_transport::rpc::RpcChain;
use exchange::Exchange;
use gap::Gap;
use keepers::{write_config, Keeper, KeeperConfig};
use sharing::Sharing;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let state =
        std::fs::canonicalize(&args.state).map_err(|e| format!("{}: {e}", args.state.display()))?;
    let mut exchange = Exchange::connect(args).await?;
    exchange.minute_funding().await?;
    exchange.funding.observe(&mut exchange.chain).await;
    let mut report = watch::Report::default();

    let opened = Instant::now();
    let users = exchange.args.users;
    let wallets = crowd::open_users(
        &exchange.chain,
        &exchange.admin,
        &exchange.quote,
        users,
        1_000 * DOLLAR,
    )
    .await?;
    let positions = exchange
        .open_positions(&wallets, exchange.args.positions)
        .await?;
    report.setup = format!(
        "{users} users opened and {positions} positions taken in {:.0} s",
        opened.elapsed().as_secs_f64()
    );
    let wallets = Arc::new(wallets);

    let binary = std::fs::canonicalize(&exchange.args.keeper)
        .map_err(|e| format!("{}: {e}", exchange.args.keeper.display()))?;
    let rpc = exchange.args.rpc.clone();
    let main_keypair = state.join("keeper.json");
    let main_config = state.join("keeper-load.toml");
    write_config(
        &main_config,
        &KeeperConfig {
            rpc: &rpc,
            keypair: &main_keypair,
            metrics: "127.0.0.1:9464",
            shard: (1, 0, "users"),
        },
    )?;
    let start_main = || {
        Keeper::start(
            &binary,
            &main_config,
            "127.0.0.1:9464",
            state.join("keeper-load.log"),
        )
    };
    let keeper = start_main()?;
    keeper.first_round(Duration::from_secs(120)).await?;

    for rate in exchange.args.rates.clone() {
        report
            .steps
            .push(exchange.step(&wallets, &keeper, rate, true).await?);
    }

    // A kill and a restart.
    keeper.kill();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let keeper = start_main()?;
    report.recovery = Some(keeper.first_round(Duration::from_secs(120)).await?);
    keeper.kill();

    let second = participant(&mut exchange.chain, &exchange.quote, 5_000 * DOLLAR).await?;
    let second_keypair = state.join("keeper-b.json");
    let _ = std::fs::remove_file(&second_keypair);
    write_new_keypair(&second_keypair, &second.wallet)?;
    let sharing = Sharing {
        binary: &binary,
        state: &state,
        rpc: &rpc,
        keypairs: [&main_keypair, &second_keypair],
    };
    let (rate, seconds) = (exchange.args.share_rate, exchange.args.share_seconds);
    report.share = (rate, seconds);
    for (setup, shards) in [
        ("one keeper", &[(1, 0, "users")][..]),
        (
            "two keepers, by users",
            &[(2, 0, "users"), (2, 1, "users")][..],
        ),
        (
            "two keepers, taking turns",
            &[(2, 0, "turns"), (2, 1, "turns")][..],
        ),
        // The same again: how much one setup's count varies from window to window.
        ("one keeper, again", &[(1, 0, "users")][..]),
    ] {
        let landed = sharing.measure(&exchange, &wallets, shards).await?;
        report.sharing.push((setup.to_string(), landed));
    }

    if exchange.args.soak_minutes > 0 {
        let keeper = start_main()?;
        keeper.first_round(Duration::from_secs(120)).await?;
        exchange.args.step_seconds = 300;
        for _ in 0..exchange.args.soak_minutes.div_ceil(5) {
            let rate = exchange.args.soak_rate;
            report
                .soak
                .push(exchange.step(&wallets, &keeper, rate, false).await?);
        }
        keeper.kill();
    }

    // The gap shock, last: the oracles stay where it leaves them.
    let keeper = start_main()?;
    keeper.first_round(Duration::from_secs(120)).await?;
    let keeper_user = pda::user(&read_keypair(&main_keypair)?.pubkey(), 0);
    let rate = exchange.args.share_rate;
    report.gap = Some(exchange.gap(&wallets, &keeper, keeper_user, rate).await?);
    keeper.kill();

    // The books, every account read back.
    let mut reader = RpcChain::new(rpc.clone(), Keypair::new());
    let snapshot = snapshot::load(&mut reader, &[])
        .await
        .map_err(|e| e.to_string())?;
    let vault = reader
        .account(pda::spot_vault(0))
        .await
        .map_err(|e| e.to_string())?
        .and_then(|a| a.data.get(64..72).and_then(|b| b.try_into().ok()))
        .map(u64::from_le_bytes)
        .ok_or("no quote vault")?;
    let markets: Vec<_> = snapshot.all_markets.iter().map(|m| m.market).collect();
    let users: Vec<_> = snapshot.users.iter().map(|(_, u)| *u).collect();
    report.books = Some(books::check(&snapshot.spot, &markets, &users, vault));
    let table = report.render();
    println!("{table}");
    std::fs::write(state.join("load-report.md"), &table).map_err(|e| e.to_string())?;
    let gap_passed = report.gap.as_ref().is_some_and(Gap::passed);
    Ok(matches!(report.books, Some(Ok(_))) && gap_passed)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("bal-load: {error}");
            ExitCode::FAILURE
        }
    }
}
