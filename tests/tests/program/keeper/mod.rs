//! The keeper bot's rounds against the real program: each duty is done where a scenario needs
//! it and skipped where it does not; batches too large for a transaction are split; a duty
//! someone else did first is a skip, not a failure. Batches and waves: `batches`.
use crate::bal::{after_cooldown, set_max_leverage, BASE};
use bal::state::PositionDirection::{Long, Short};
use bal::state::User;
use bal_client::instructions;
use bal_keeper::config::Settings;
use bal_keeper::executor::Executor;
use bal_keeper::metrics::{Metrics, Outcome};
use bal_keeper::work::Duty;
use bal_keeper::{duties, run_round, snapshot, RoundReport};
use bal_tests::fixtures::{
    add_liquidity, leveraged_long, market, new_trader, order, place_order, resting,
    set_oracle_price, setup_trading, trade, Exchange, Trader, START_PRICE,
};
use bal_tests::inspect::{position_in, quote_balance};
use bal_tests::keeper_chain::InProcessChain;
use bal_tests::markets::{allow_divergence, close_underwater, walk_oracle};
use bal_tests::TestEnv;
use solana_signer::Signer;

mod batches;
mod unwind;

const DOLLAR: u64 = 1_000_000;

/// One keeper round signed by `keeper` (its subaccount 0 liquidates and fills), with the
/// default settings unless given.
async fn round(
    env: &mut TestEnv,
    keeper: &Trader,
    known: &[&Trader],
    settings: &Settings,
    metrics: &Metrics,
) -> RoundReport {
    let mut chain = InProcessChain::new(
        env,
        keeper.wallet.insecure_clone(),
        known.iter().map(|t| t.user).chain([keeper.user]).collect(),
    );
    run_round(&mut chain, settings, metrics)
        .await
        .expect("a round reads the exchange")
}

/// A round with the default settings, in which every transaction the keeper simulated was
/// needed: a duty nominated where it is not needed would show as a skip.
async fn default_round(env: &mut TestEnv, keeper: &Trader, known: &[&Trader]) -> RoundReport {
    let metrics = Metrics::default();
    let report = round(env, keeper, known, &Settings::default(), &metrics).await;
    for duty in Duty::ALL {
        for outcome in [Outcome::Skipped, Outcome::Failed] {
            assert_eq!(
                metrics.count(duty.name(), outcome),
                0,
                "{duty:?} {outcome:?}"
            );
        }
    }
    report
}

async fn keeper(env: &mut TestEnv, exchange: &Exchange) -> Trader {
    new_trader(env, exchange, 10_000 * DOLLAR, 0).await
}

async fn active_position(env: &mut TestEnv, who: &Trader) -> bal::state::PerpPosition {
    let user: User = env.load(who.user).await;
    user.perp_positions
        .iter()
        .find(|p| p.is_active())
        .copied()
        .unwrap_or_default()
}

#[tokio::test]
async fn funding_is_updated_when_due_and_not_before() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let before = env.perp_market(0).await.funding.last_funding_ts;
    let report = default_round(&mut env, &keeper, &[]).await;
    assert_eq!(report, RoundReport::default(), "nothing to do yet");
    assert_eq!(env.perp_market(0).await.funding.last_funding_ts, before);

    let period = env.perp_market(0).await.funding.funding_period;
    env.advance(period, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    let report = default_round(&mut env, &keeper, &[]).await;
    assert_eq!(report.funding_updates, 1);
    assert!(env.perp_market(0).await.funding.last_funding_ts > before);
}

#[tokio::test]
async fn lps_and_pnl_are_settled_once_it_matters() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let lp = new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 200 * BASE)
        .await
        .expect("add");
    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;

    // A trade too small to matter: the LP's share of it and the trader's P&L stay unsettled.
    trade(&mut env, &exchange, &trader, order(Long, BASE / 100))
        .await
        .expect("small trade");
    let report = default_round(&mut env, &keeper, &[&lp, &trader]).await;
    assert_eq!((report.lp_settles, report.pnl_settles), (0, 0));
    assert_eq!(active_position(&mut env, &lp).await.base_asset_amount, 0);

    // Ten base: the LP's part is well above 0.01 base and the trader's fees above $1.
    trade(&mut env, &exchange, &trader, order(Long, 10 * BASE))
        .await
        .expect("large trade");
    let quote_before = active_position(&mut env, &trader)
        .await
        .quote_asset_amount
        .get();
    let report = default_round(&mut env, &keeper, &[&lp, &trader]).await;
    assert_eq!(report.lp_settles, 1);
    assert!(report.pnl_settles >= 1, "{report:?}");
    assert_eq!(report.failures, 0);
    assert!(
        active_position(&mut env, &lp).await.base_asset_amount < 0,
        "the LP took the short"
    );
    assert_ne!(
        active_position(&mut env, &trader)
            .await
            .quote_asset_amount
            .get(),
        quote_before,
        "the trader's P&L moved into its balance"
    );
}

#[tokio::test]
async fn an_lp_below_initial_margin_is_derisked_and_a_healthy_one_is_not() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let lp = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 200 * BASE)
        .await
        .expect("add");
    let report = default_round(&mut env, &keeper, &[&lp]).await;
    assert_eq!(report.derisks, 0, "healthy");

    // 5x max leverage doubles its requirement: below initial margin, a de-risk burns shares.
    set_max_leverage(&mut env, &lp, 2_000).await;
    after_cooldown(&mut env, &exchange).await;
    let shares = active_position(&mut env, &lp).await.lp.shares.get();
    let report = default_round(&mut env, &keeper, &[&lp]).await;
    assert_eq!(report.derisks, 1, "{report:?}");
    assert!(active_position(&mut env, &lp).await.lp.shares.get() < shares);
    let report = default_round(&mut env, &keeper, &[&lp]).await;
    assert_eq!(report.derisks, 0, "restored: nothing more to burn");
}

#[tokio::test]
async fn only_accounts_below_maintenance_are_liquidated_and_what_the_keeper_took_is_closed() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    let report = default_round(&mut env, &liquidator, &[&trader]).await;
    assert_eq!(
        report.liquidations, 0,
        "a 9x long is above maintenance at $100"
    );

    set_oracle_price(&mut env, &exchange, 90_500_000).await;
    let report = default_round(&mut env, &liquidator, &[&trader]).await;
    assert_eq!((report.liquidations, report.unwinds), (1, 1), "{report:?}");
    let left = active_position(&mut env, &trader).await.base_asset_amount;
    assert!(left < 9 * BASE as i64, "the long was cut: {left}");
    let held = position_in(&mut env, liquidator.user, 0).await;
    assert_eq!(
        held.base_asset_amount, 0,
        "the keeper closed what it took over"
    );
}

#[tokio::test]
async fn a_keeper_takes_over_only_what_its_collateral_carries() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    let trader = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    // $30 carries about 3.5 base at $85 and 10%, far less than the account needs moved.
    let keeper = new_trader(&mut env, &exchange, 30 * DOLLAR, 0).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let report = default_round(&mut env, &keeper, &[&trader]).await;
    assert_eq!(report.liquidations, 1, "{report:?}");
    let left = active_position(&mut env, &trader).await.base_asset_amount;
    let moved = 9 * BASE as i64 - left;
    assert!(
        moved > 3 * BASE as i64 && moved <= 3_530_000_000,
        "took over {moved}"
    );
}

#[tokio::test]
async fn dust_accounts_wait_behind_a_large_liquidation_not_the_other_way_round() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    let trader = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    // Ten accounts holding the minimum order each, on $0.15: below maintenance at $85 too.
    let mut dust = Vec::new();
    for _ in 0..10 {
        let account = new_trader(&mut env, &exchange, 150_000, 0).await;
        trade(&mut env, &exchange, &account, order(Long, BASE / 100))
            .await
            .expect("a minimum long");
        dust.push(account);
    }
    let keeper = new_trader(&mut env, &exchange, 30 * DOLLAR, 0).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let known: Vec<&Trader> = std::iter::once(&trader).chain(dust.iter()).collect();
    let metrics = Metrics::default();
    let report = round(&mut env, &keeper, &known, &Settings::default(), &metrics).await;
    assert!(report.liquidations >= 1, "{report:?}");
    // The largest shortfall is served first, with all the room it needs: as much as when it
    // is the only account due (`a_keeper_takes_over_only_what_its_collateral_carries`).
    let left = active_position(&mut env, &trader).await.base_asset_amount;
    let moved = 9 * BASE as i64 - left;
    assert!(
        moved > 3 * BASE as i64 && moved <= 3_530_000_000,
        "took over {moved}"
    );
    assert_eq!(
        metrics.backlog("liquidate") as usize + report.liquidations as usize,
        11,
        "the rest wait for a later round"
    );
}

#[tokio::test]
async fn bad_debt_left_after_a_close_is_written_off_by_a_round() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    let keeper = keeper(&mut env, &exchange).await;
    let trader = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    let reader = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    close_underwater(&mut env, &exchange, &trader, &reader).await;
    let report = default_round(&mut env, &keeper, &[&trader]).await;
    assert_eq!((report.pnl_settles, report.bad_debts), (1, 1), "{report:?}");
    assert_eq!(quote_balance(&mut env, trader.user).await, 0);
    let report = default_round(&mut env, &keeper, &[&trader]).await;
    assert_eq!(report.bad_debts, 0, "nothing left to write off");
}

#[tokio::test]
async fn crossing_orders_are_filled_and_others_left_resting() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let taker = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    let maker = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    let far = place_order(
        &mut env,
        &exchange,
        &taker,
        resting(Long, BASE, 90 * DOLLAR, false),
    )
    .await
    .expect("a bid far below the market");
    let report = default_round(&mut env, &keeper, &[&taker, &maker]).await;
    assert_eq!(report.fills, 0, "nothing crosses $90");

    place_order(
        &mut env,
        &exchange,
        &maker,
        resting(Short, BASE, 100_200_000, true),
    )
    .await
    .expect("a maker ask");
    let near = place_order(
        &mut env,
        &exchange,
        &taker,
        resting(Long, BASE, 100_500_000, false),
    )
    .await
    .expect("a bid crossing the ask");
    let report = default_round(&mut env, &keeper, &[&taker, &maker]).await;
    assert_eq!(report.fills, 1, "{report:?}");
    let orders = env.load::<User>(taker.user).await.orders;
    assert!(
        orders.iter().all(|o| !(o.is_open() && o.order_id == near)),
        "filled"
    );
    assert!(
        orders.iter().any(|o| o.is_open() && o.order_id == far),
        "left resting"
    );
    assert!(active_position(&mut env, &taker).await.base_asset_amount > 0);
}

/// The simulation before each send turns a duty someone else did meanwhile into a skip.
#[tokio::test]
async fn a_duty_done_by_someone_else_first_is_skipped() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let period = env.perp_market(0).await.funding.funding_period;
    env.advance(period, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    let settings = Settings::default();
    let metrics = Metrics::default();
    let mut report = RoundReport::default();
    let mut chain =
        InProcessChain::new(&mut env, keeper.wallet.insecure_clone(), vec![keeper.user]);
    let snapshot = snapshot::load(&mut chain, &[]).await.expect("snapshot");
    let state = &snapshot.markets[0];
    let plan = duties::plan(&snapshot, state, &settings, None);
    assert!(plan.update_funding, "due when the snapshot was taken");

    let rival = chain.env.funded_wallet().await;
    chain
        .env
        .send(
            "update_funding_rate",
            &[instructions::update_funding_rate(&market(&exchange))],
            &[&rival],
        )
        .await
        .expect("a rival keeper updates first");
    Executor {
        chain: &mut chain,
        settings: &settings,
        metrics: &metrics,
        report: &mut report,
        deadline: None,
        fee_accounts: snapshot.market_addresses(),
    }
    .carry_out_urgent(&snapshot, &[(state, &plan)], None)
    .await;
    assert_eq!(report.funding_updates, 0);
    assert_eq!(report.failures, 0);
    assert_eq!(metrics.count("funding", Outcome::Skipped), 1);
    assert_eq!(metrics.count("funding", Outcome::Failed), 0);
}

#[tokio::test]
async fn a_settling_market_is_closed_paid_out_and_its_bad_debt_written_off_in_rounds() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = keeper(&mut env, &exchange).await;
    let winner = new_trader(&mut env, &exchange, 3_000 * DOLLAR, 0).await;
    let levered = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &levered, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    trade(&mut env, &exchange, &winner, order(Short, 20 * BASE))
        .await
        .expect("a short");
    walk_oracle(&mut env, &exchange, winner.user, &[95_000_000, 88_000_000]).await;
    env.send(
        "begin_settlement",
        &[instructions::begin_settlement(
            exchange.admin.pubkey(),
            &market(&exchange),
            88_000_000,
        )],
        &[&exchange.admin],
    )
    .await
    .expect("settle at $88");
    let known = [&winner, &levered];
    let report = default_round(&mut env, &keeper, &known).await;
    assert_eq!(report.settlements, 2, "{report:?}");
    assert_eq!(env.perp_market(0).await.positions_with_base, 0);
    assert!(
        quote_balance(&mut env, levered.user).await < 0,
        "underwater"
    );
    assert!(
        active_position(&mut env, &winner)
            .await
            .quote_asset_amount
            .get()
            > 0,
        "a claim"
    );

    // The next round sees the debt with nothing behind it; payouts wait for the claim window.
    let report = default_round(&mut env, &keeper, &known).await;
    assert_eq!((report.settlements, report.bad_debts), (0, 1), "{report:?}");
    assert_eq!(
        quote_balance(&mut env, levered.user).await,
        0,
        "written off"
    );
    env.advance(24 * 3_600, 10).await;
    let report = default_round(&mut env, &keeper, &known).await;
    // The payouts fixed, and the claim paid.
    assert_eq!(report.settlements, 2, "{report:?}");
    assert_eq!(env.perp_market(0).await.settlement.claims, 0);
    assert!(!active_position(&mut env, &winner).await.is_active());
}
