//! The keeper's batches and waves against the real program: a batch too large for a
//! transaction is split, keepers sharing the users send the batches one keeper would, settles
//! wait beyond the round's budget and its deadline, a keeper that cannot pay splits nothing,
//! markets share their waves, and a batch's compute limit survives state that moved after its
//! simulation.
use super::{keeper, round, DOLLAR};
use crate::bal::BASE;
use bal::state::PositionDirection::Long;
use bal_client::instructions::{self, MarketAccounts};
use bal_client::pda;
use bal_keeper::budget::{compute_limit, with_budget, writes, MAX_COMPUTE_UNITS};
use bal_keeper::config::{Settings, Shard, ShardBy};
use bal_keeper::executor::Executor;
use bal_keeper::metrics::{Metrics, Outcome, FAILURE_STREAK_LIMIT};
use bal_keeper::{duties, run_round, snapshot, RoundReport};
use bal_tests::fixtures::{
    add_liquidity, market, new_trader, order, set_oracle_price, setup_trading, trade, trade_in,
    Exchange, Trader, START_PRICE,
};
use bal_tests::inspect::{position_in, quote_balance};
use bal_tests::keeper_chain::InProcessChain;
use bal_tests::markets::{second_market, set_price};
use bal_tests::TestEnv;
use bal_transport::chain::Chain;
use solana_signer::Signer;
use std::time::Duration;

/// A batch too large for one transaction is split, and the wave's other work (a second
/// market's batch that fits, sent with it) is simulated and sent as it is.
#[tokio::test]
async fn a_batch_too_large_for_one_transaction_is_split() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let eth = second_market(&mut env, &exchange).await;
    let keeper = keeper(&mut env, &exchange).await;
    let mut traders = traders_in(&mut env, &exchange, &market(&exchange), 30).await;
    traders.extend(traders_in(&mut env, &exchange, &eth, 1).await);
    let known: Vec<&Trader> = traders.iter().collect();
    let metrics = Metrics::default();
    // Every position's P&L (fees at least) is worth settling; 30 users do not fit one batch.
    let report = round(&mut env, &keeper, &known, &settle_everyone(64), &metrics).await;
    assert_eq!(report.pnl_settles, 31, "{report:?}");
    assert_eq!(report.failures, 0);
    assert!(
        metrics.count("settle_pnl", Outcome::Sent) >= 3,
        "split in two or more, and the second market's batch"
    );
}

/// `count` traders, each holding a one-base long in `traded` whose P&L (its fees at least) is
/// worth settling.
async fn traders_in(
    env: &mut TestEnv,
    exchange: &Exchange,
    traded: &MarketAccounts,
    count: usize,
) -> Vec<Trader> {
    let mut traders = Vec::new();
    for _ in 0..count {
        let trader = new_trader(env, exchange, 1_000 * DOLLAR, 0).await;
        trade_in(env, &trader, traded, &[], order(Long, BASE))
            .await
            .expect("trade");
        traders.push(trader);
    }
    traders
}

/// Settings that settle every position with any P&L, in batches of `batch_size`.
fn settle_everyone(batch_size: usize) -> Settings {
    let mut settings = Settings {
        batch_size,
        ..Settings::default()
    };
    settings.thresholds.pnl_settle_quote = 1;
    settings
}

/// Two keepers splitting the users read the exchange at the same moment and each sends only its
/// share of the settle batches both cut alike: between them every user is settled once (no
/// skips) in the transactions one keeper would send, four full batches for twenty users, and a
/// lone batch of three sent once rather than a part-filled batch by each.
#[tokio::test]
async fn two_sharded_keepers_send_the_batches_one_keeper_would() {
    for (users, batches) in [(20, 4), (3, 1)] {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let traders = traders_in(&mut env, &exchange, &market(&exchange), users).await;
        let mut keepers = Vec::new();
        for index in 0..2 {
            let wallet = keeper(&mut env, &exchange).await.wallet;
            let mut settings = settle_everyone(5);
            settings.shard = Shard {
                count: 2,
                index,
                by: ShardBy::Users,
            };
            let known = traders.iter().map(|t| t.user).collect();
            let mut chain = InProcessChain::new(&mut env, wallet.insecure_clone(), known);
            let snapshot = snapshot::load(&mut chain, &[]).await.expect("snapshot");
            let plan = duties::plan(&snapshot, &snapshot.markets[0], &settings, None);
            keepers.push((wallet, settings, snapshot, plan));
        }
        let (mut sent, mut settled) = (0, 0);
        for (wallet, settings, snapshot, plan) in &keepers {
            let metrics = Metrics::default();
            let mut report = RoundReport::default();
            let mut chain = InProcessChain::new(&mut env, wallet.insecure_clone(), Vec::new());
            Executor {
                chain: &mut chain,
                settings,
                metrics: &metrics,
                report: &mut report,
                deadline: None,
                fee_accounts: snapshot.market_addresses(),
            }
            .carry_out_rest(snapshot, &[(&snapshot.markets[0], plan)], None)
            .await;
            assert_eq!(metrics.count("settle_pnl", Outcome::Skipped), 0, "repeated");
            assert_eq!(report.failures, 0);
            assert!(
                users < 5 || report.pnl_settles > 0,
                "each keeper has batches"
            );
            sent += metrics.count("settle_pnl", Outcome::Sent);
            settled += report.pnl_settles;
        }
        assert_eq!(settled, users as u64, "every user settled once");
        assert_eq!(sent, batches, "{users} users");
    }
}

/// A round settles at most `max_settles` positions; those left over count in the backlog
/// metric until a later round takes them.
#[tokio::test]
async fn settles_beyond_a_rounds_budget_wait_in_the_backlog() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let traders = traders_in(&mut env, &exchange, &market(&exchange), 10).await;
    let known: Vec<&Trader> = traders.iter().collect();
    let keeper = keeper(&mut env, &exchange).await;
    let mut settings = settle_everyone(5);
    settings.thresholds.max_settles = 4;
    for (settled, left) in [(4, 6), (4, 2), (2, 0)] {
        let metrics = Metrics::default();
        let report = round(&mut env, &keeper, &known, &settings, &metrics).await;
        assert_eq!(report.pnl_settles, settled, "{report:?}");
        let backlog = format!("bal_keeper_backlog{{duty=\"settle_pnl\"}} {left}\n");
        assert!(metrics.render().contains(&backlog), "{}", metrics.render());
    }
}

/// A keeper whose wallet cannot pay: the first batch fails as a transaction failure, no batch
/// is split down to single users, and after a streak of such rounds `/health` turns unhealthy.
#[tokio::test]
async fn an_unfunded_keeper_splits_nothing_and_reports_itself_unhealthy() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let traders = traders_in(&mut env, &exchange, &market(&exchange), 10).await;
    let broke = solana_keypair::Keypair::new();
    let metrics = Metrics::default();
    let settings = settle_everyone(5);
    for _ in 0..FAILURE_STREAK_LIMIT {
        let mut chain = InProcessChain::new(
            &mut env,
            broke.insecure_clone(),
            traders.iter().map(|t| t.user).collect(),
        );
        let report = run_round(&mut chain, &settings, &metrics)
            .await
            .expect("a round reads the exchange");
        assert_eq!(report.pnl_settles, 0);
        assert_eq!(report.failures, 1, "one attempt, no splitting: {report:?}");
    }
    let body = metrics.render();
    assert!(
        body.contains(&format!(
            "bal_keeper_failures{{duty=\"settle_pnl\",reason=\"transaction\"}} {FAILURE_STREAK_LIMIT}"
        )),
        "{body}"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        !metrics.healthy(now, 60),
        "rounds complete but nothing lands"
    );
}

/// Every market's work goes out together: both markets' funding updates in one pipelined send,
/// then both markets' settles in one, so a round costs a confirmation per wave, not per
/// transaction or per market; and a priority-fee estimate per market a wave writes (not per
/// user: a user could bid up its own account's fees to make the keeper overpay), each
/// transaction paying its own market's.
#[tokio::test]
async fn both_markets_funding_and_settles_go_out_in_one_wave_each() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let eth = second_market(&mut env, &exchange).await;
    let keeper = keeper(&mut env, &exchange).await;
    let mut traders = Vec::new();
    for traded in [market(&exchange), eth] {
        traders.extend(traders_in(&mut env, &exchange, &traded, 3).await);
    }
    let period = env.perp_market(0).await.funding.funding_period;
    env.advance(period, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    set_price(&mut env, &exchange, &eth, START_PRICE).await;

    let metrics = Metrics::default();
    let mut chain = InProcessChain::new(
        &mut env,
        keeper.wallet.insecure_clone(),
        traders
            .iter()
            .map(|t| t.user)
            .chain([keeper.user])
            .collect(),
    );
    let mut markets = [market(&exchange), eth].map(|m| pda::perp_market(m.market_index));
    markets.sort();
    chain.fees = vec![(markets[0], 7), (markets[1], 11)];
    let report = run_round(&mut chain, &settle_everyone(64), &metrics)
        .await
        .expect("a round reads the exchange");
    assert_eq!(
        (report.funding_updates, report.pnl_settles, report.failures),
        (2, 6, 0),
        "{report:?}"
    );
    assert_eq!(chain.waves, vec![2, 2], "{report:?}");
    let each = markets.map(|m| vec![m]);
    assert_eq!(chain.fee_requests, [each.clone(), each].concat());
    assert_eq!(chain.sent.len(), 4);
    for transaction in &chain.sent {
        let (market, fee) = chain
            .fees
            .iter()
            .find(|(m, _)| writes(&transaction[2], m))
            .expect("every keeper transaction writes its market");
        let priced = with_budget(&transaction[2], 0, *fee);
        assert_eq!(transaction[1], priced[1], "{market} priced at {fee}");
    }
}

/// Settles that do not fit before the round's deadline, at the pace the keeper's waves
/// measured, wait for a later round; what a round does send is shared among the markets.
/// Here ten positions in each of two markets (two batches each), 40 s a settle transaction and
/// 100 s to the deadline: two batches go, one a market, and the rest waits. The settle wave
/// itself is measured: the pace falls, and the next round sends the rest.
#[tokio::test]
async fn settles_that_do_not_fit_before_the_deadline_wait_and_the_markets_share_the_room() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let eth = second_market(&mut env, &exchange).await;
    let keeper = keeper(&mut env, &exchange).await;
    let by_market = [
        traders_in(&mut env, &exchange, &market(&exchange), 10).await,
        traders_in(&mut env, &exchange, &eth, 10).await,
    ];
    let known: Vec<&Trader> = by_market.iter().flatten().collect();
    let mut balances = Vec::new();
    for trader in &known {
        balances.push(quote_balance(&mut env, trader.user).await);
    }
    let mut settings = settle_everyone(5);
    settings.round_deadline = Some(Duration::from_secs(100));
    let metrics = Metrics::default();
    metrics.record_wave(Duration::ZERO);
    metrics.record_settle_wave(Duration::from_secs(40), 1, Duration::MAX);
    let report = round(&mut env, &keeper, &known, &settings, &metrics).await;
    assert_eq!((report.pnl_settles, report.failures), (10, 0), "{report:?}");
    let mut settled = [0, 0];
    for (i, trader) in known.iter().enumerate() {
        if quote_balance(&mut env, trader.user).await != balances[i] {
            settled[i / 10] += 1;
        }
    }
    assert_eq!(settled, [5, 5], "one batch a market");
    let body = metrics.render();
    assert!(
        body.contains("bal_keeper_backlog{duty=\"settle_pnl\"} 10\n"),
        "{body}"
    );

    // The pace the wave measured (about half the 40 s, averaged with it) leaves room for the
    // rest in the next round.
    let report = round(&mut env, &keeper, &known, &settings, &metrics).await;
    assert_eq!(report.pnl_settles, 10, "{report:?}");
    assert!(metrics
        .render()
        .contains("bal_keeper_backlog{duty=\"settle_pnl\"} 0\n"));
}

/// State moves between a batch's simulation and its execution: here two LPs with nothing to
/// settle when the keeper simulates `settle_lp_many`, then a trade gives both a share to
/// settle before it lands. The compute limit the keeper asks for from that simulation still
/// covers the batch.
#[tokio::test]
async fn a_batch_whose_users_gained_work_after_its_simulation_still_fits_its_limit() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let mut lps = Vec::new();
    for _ in 0..2 {
        let lp = new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
        add_liquidity(&mut env, &exchange, &lp, 200 * BASE)
            .await
            .expect("add");
        lps.push(lp.user);
    }
    let index = market(&exchange).market_index;
    let batch = instructions::settle_lp_many(keeper.wallet.pubkey(), &lps, index, true)
        .expect("a batch of users");
    let mut chain = InProcessChain::new(&mut env, keeper.wallet.insecure_clone(), Vec::new());
    let probe = with_budget(&batch, MAX_COMPUTE_UNITS, 0);
    let simulated = chain.simulate(&probe).await.expect("simulated");
    assert_eq!(simulated.error, None);

    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 10 * BASE))
        .await
        .expect("trade");
    let limit = compute_limit(simulated.units, lps.len());
    let landed = env
        .send_unmetered(&with_budget(&batch, limit, 0), &[&keeper.wallet])
        .await
        .expect("the batch fits the limit asked for");
    assert!(
        landed.compute_units > simulated.units + simulated.units / 10,
        "the batch did more than it simulated: {} after {}",
        landed.compute_units,
        simulated.units
    );
    for lp in &lps {
        assert_ne!(position_in(&mut env, *lp, index).await.base_asset_amount, 0);
    }
}
