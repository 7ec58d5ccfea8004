//! BAL: liquidation and de-risk of LPs, staggered entries, the large-k rounding example, the
//! performance history and client-side sizing.
use super::{
    after_cooldown, initial_margin, position, set_derisk_opt_out, set_max_leverage, with_lp, BASE,
};
use bal::error::BalError;
use bal::instructions::UpdatePerpMarketParams;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{User, PAUSE_TRADE};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, new_trader, next_second, order, set_oracle_price, settle_lp, setup_trading,
    trade, update_market,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

#[tokio::test]
async fn liquidation_burns_lp_shares_first() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 150_000_000, 0).await;
    let liquidator = new_trader(
        &mut env,
        &exchange,
        bal_tests::fixtures::LIQUIDATOR_DEPOSIT,
        0,
    )
    .await;
    add_liquidity(&mut env, &exchange, &lp, 10 * BASE)
        .await
        .expect("add");
    trade(&mut env, &exchange, &lp, order(Long, 9 * BASE))
        .await
        .expect("and a long");
    set_oracle_price(&mut env, &exchange, 90_500_000).await;
    bal_tests::fixtures::liquidate(&mut env, &exchange, &liquidator, lp.user)
        .await
        .expect("liquidate");
    let market = env.perp_market(0).await;
    assert_eq!(market.lp.user_lp_shares.get(), 0, "shares burned");
    assert_eq!(market.amm.sqrt_k.get(), 1_000 * BASE_PRECISION);
    assert_eq!(position(&mut env, &lp).await.lp.shares.get(), 0);
}

#[tokio::test]
async fn derisk_burns_the_fewest_shares_that_restore_initial_margin() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    add_liquidity(&mut env, &exchange, &lp, 200 * BASE)
        .await
        .expect("add");
    let derisk = instructions::derisk_lp(lp.user, &bal_tests::fixtures::market(&exchange), &[]);
    let watched = [lp.user, pda::perp_market(0), pda::spot_market(0)];
    // 5x max leverage doubles the requirement: the account is now short of initial margin.
    set_max_leverage(&mut env, &lp, 2_000).await;
    assert!(!initial_margin(&mut env, &lp).await.meets_requirement());
    // But inside the LP cooldown no de-risk burns shares: raising one's own ratio (or making a
    // loss of one's own) releases none early (just-in-time liquidity despite the cooldown).
    let failure = refused(&mut env, derisk.clone(), &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::LpCooldown);
    // Past the cooldown, at the market's own ratio, the account is healthy: nothing to do.
    after_cooldown(&mut env, &exchange).await;
    set_max_leverage(&mut env, &lp, 0).await;
    let failure = refused(&mut env, derisk, &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::NothingToDerisk);
    set_max_leverage(&mut env, &lp, 2_000).await;
    let added_at = env.load::<User>(lp.user).await.last_add_liquidity_ts;
    env.send(
        "derisk_lp",
        &[instructions::derisk_lp(
            lp.user,
            &bal_tests::fixtures::market(&exchange),
            &[],
        )],
        &[&keeper],
    )
    .await
    .expect("derisk");
    assert!(initial_margin(&mut env, &lp).await.meets_requirement());
    let left = position(&mut env, &lp).await.lp.shares.get();
    assert!(left > 0 && left < 200 * BASE_PRECISION, "{left}");
    assert_eq!(
        env.load::<User>(lp.user).await.last_add_liquidity_ts,
        added_at,
        "cooldown untouched"
    );

    // Minimal: one step more shares would not fit.
    let summary = initial_margin(&mut env, &lp).await;
    let market = env.perp_market(0).await;
    let bids = (market.amm.max_base_asset_reserve.get() - market.amm.base_asset_reserve.get())
        * 1_000_000
        / market.amm.sqrt_k.get();
    let per_step = bids * market.amm.last_oracle_price as u128 / BASE_PRECISION * 2_000 / 10_000;
    assert!(
        (summary.collateral - summary.requirement as i128) < per_step as i128 + 2,
        "more burned than needed"
    );
}

#[tokio::test]
async fn settle_pnl_derisks_first_unless_the_lp_opted_out() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    add_liquidity(&mut env, &exchange, &lp, 200 * BASE)
        .await
        .expect("add");
    set_max_leverage(&mut env, &lp, 2_000).await;
    set_derisk_opt_out(&mut env, &lp, true).await;
    after_cooldown(&mut env, &exchange).await;
    // Opted out: no de-risk by anyone, neither a settle nor `derisk_lp`.
    let derisk = instructions::derisk_lp(lp.user, &bal_tests::fixtures::market(&exchange), &[]);
    let watched = [lp.user, pda::perp_market(0), pda::spot_market(0)];
    let failure = refused(&mut env, derisk, &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::DeriskOptedOut);
    let settle = || instructions::settle_pnl(lp.user, &bal_tests::fixtures::market(&exchange), &[]);
    env.send("settle_pnl", &[settle()], &[&keeper])
        .await
        .expect("settle");
    assert_eq!(
        position(&mut env, &lp).await.lp.shares.get(),
        200 * BASE_PRECISION,
        "opted out"
    );

    set_derisk_opt_out(&mut env, &lp, false).await;
    env.send("settle_pnl_with_derisk", &[settle()], &[&keeper])
        .await
        .expect("settle");
    assert!(
        position(&mut env, &lp).await.lp.shares.get() < 200 * BASE_PRECISION,
        "de-risked"
    );
    assert!(initial_margin(&mut env, &lp).await.meets_requirement());
}

/// Only a de-risk's reduction trades against the AMM: while trading is paused a de-risk (by
/// `derisk_lp` or by a settle) still cancels and burns, but leaves the position as it is. An
/// LP with $1,000 behind 20 shares and a 50-base long at 5x: burning every share does not
/// restore its margin, so an unpaused de-risk goes on to reduce the long.
#[tokio::test]
async fn a_trading_pause_leaves_a_derisk_its_burns_but_not_its_reduction() {
    for (settle, paused) in [(false, true), (true, true), (false, false), (true, false)] {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
        let keeper = env.funded_wallet().await;
        add_liquidity(&mut env, &exchange, &lp, 20 * BASE)
            .await
            .expect("add");
        trade(&mut env, &exchange, &lp, order(Long, 50 * BASE))
            .await
            .expect("a long the account carries at 10x");
        set_max_leverage(&mut env, &lp, 2_000).await;
        after_cooldown(&mut env, &exchange).await;
        // Its shares' part of its own trade settled into the position first.
        settle_lp(&mut env, &lp).await;
        let long = position(&mut env, &lp).await.base_asset_amount;
        let bits = if paused { PAUSE_TRADE } else { 0 };
        let params = UpdatePerpMarketParams {
            paused_operations: Some(bits),
            ..Default::default()
        };
        update_market(&mut env, &exchange, params)
            .await
            .expect("the market's pause bits");
        let m = bal_tests::fixtures::market(&exchange);
        let derisk = if settle {
            instructions::settle_pnl(lp.user, &m, &[])
        } else {
            instructions::derisk_lp(lp.user, &m, &[])
        };
        env.send_unmetered(&[derisk], &[&keeper])
            .await
            .expect("a de-risk");
        let held = position(&mut env, &lp).await;
        assert_eq!(held.lp.shares.get(), 0, "every share burned");
        if paused {
            assert_eq!(held.base_asset_amount, long, "nothing traded while paused");
        } else {
            assert!(held.base_asset_amount < long, "reduced (settle: {settle})");
        }
    }
}

#[tokio::test]
async fn lps_entering_at_different_times_get_their_own_entitlements_in_any_settle_order() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let early = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let late = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &early, 500 * BASE)
        .await
        .expect("early adds");
    trade(&mut env, &exchange, &trader, order(Short, 12 * BASE))
        .await
        .expect("first sale");
    // Not in the second the sale moved the curve away from the oracle: an add there is refused.
    next_second(&mut env, &exchange).await;
    add_liquidity(&mut env, &exchange, &late, 500 * BASE)
        .await
        .expect("late adds");
    trade(&mut env, &exchange, &trader, order(Short, 8 * BASE))
        .await
        .expect("second sale");
    // The late LP settles first.
    settle_lp(&mut env, &late).await;
    settle_lp(&mut env, &early).await;
    // early: 12 × 500/1500 + 8 × 500/2000 = 6 base; late: 8 × 500/2000 = 2 base (each rounded
    // down by at most a unit).
    let early_base = position(&mut env, &early).await.base_asset_amount;
    let late_base = position(&mut env, &late).await.base_asset_amount;
    assert!(
        (6 * BASE as i64 - 1..=6 * BASE as i64).contains(&early_base),
        "{early_base}"
    );
    assert!(
        (2 * BASE as i64 - 1..=2 * BASE as i64).contains(&late_base),
        "{late_base}"
    );
    assert_eq!(
        early_base + late_base,
        env.perp_market(0).await.lp.settled_base
    );
}

#[tokio::test]
async fn the_large_k_round_trip_costs_the_lps_less_than_a_micro_dollar() {
    let mut env = TestEnv::start().await;
    let exchange = bal_tests::fixtures::setup_exchange(&mut env).await;
    set_oracle_price(&mut env, &exchange, 23_000_000).await;
    // sqrt_k ≈ 3.5e16 once the LP is in, 96.5% of it user-owned.
    let params = bal::instructions::InitializePerpMarketParams {
        sqrt_k: 1_225_000_000_000_000,
        ..bal_tests::fixtures::default_perp_market()
    };
    env.send(
        "initialize_perp_market",
        &[instructions::initialize_perp_market(
            exchange.admin.pubkey(),
            exchange.oracle,
            0,
            params,
        )],
        &[&exchange.admin],
    )
    .await
    .expect("market");
    let activate = bal::instructions::UpdatePerpMarketParams {
        status: Some(bal::state::MarketStatus::Active),
        ..Default::default()
    };
    update_market(&mut env, &exchange, activate)
        .await
        .expect("activate");
    let lp = new_trader(&mut env, &exchange, 40_000_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 33_775_000_000_000_000)
        .await
        .expect("add");
    let market = env.perp_market(0).await;
    assert_eq!(market.amm.sqrt_k.get(), 35_000_000_000_000_000);

    let trader = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, BASE / 10))
        .await
        .expect("buy 0.1");
    trade(&mut env, &exchange, &trader, order(Short, BASE / 10))
        .await
        .expect("sell 0.1");
    settle_lp(&mut env, &lp).await;

    // What the AMM took in all (the trader's spread and both fees' LP slices), and the LPs'
    // exact 96.5% of it, against what the LP's position holds.
    let trader_position = position(&mut env, &trader).await;
    let market = env.perp_market(0).await;
    let amm_gain = -trader_position.quote_asset_amount.get() as f64;
    let fee_slices = market.total_fees as f64 * 0.8 * 0.965;
    let exact = amm_gain * 0.965 + fee_slices;
    let lp_position = position(&mut env, &lp).await;
    let loss_quote = exact - lp_position.quote_asset_amount.get() as f64;
    let loss_base_dollars = -(lp_position.base_asset_amount as f64) * 23.0 / 1e9;
    let loss_dollars = loss_quote / 1e6 + loss_base_dollars;
    assert!(
        (-1e-12..0.000_001).contains(&loss_dollars),
        "LPs lost ${loss_dollars}"
    );
}

#[tokio::test]
async fn the_market_records_a_daily_sample_for_7_and_30_day_returns() {
    let mut env = TestEnv::start().await;
    let (exchange, lp) = with_lp(&mut env, 1_000 * BASE).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    for day in 0..9 {
        env.advance(86_400, 20).await;
        set_oracle_price(&mut env, &exchange, 100_000_000).await;
        let direction = if day % 2 == 0 { Long } else { Short };
        trade(&mut env, &exchange, &trader, order(direction, 3 * BASE))
            .await
            .expect("daily trade");
    }
    let market = env.perp_market(0).await;
    assert!(market.lp_history.count >= 9, "{}", market.lp_history.count);
    let days: Vec<i64> = market.lp_history.newest_first().map(|s| s.day).collect();
    assert!(
        days.windows(2).all(|w| w[0] == w[1] + 1),
        "one sample a day: {days:?}"
    );
    let week = bal_client::performance::lp_return(&market.lp_history, 7).expect("7-day return");
    // The LPs earned spreads and fees on a flat price: a positive week.
    assert!(week > 0, "{week}");
    assert_eq!(
        bal_client::performance::lp_return(&market.lp_history, 30),
        None
    );
    let _ = lp;
}

#[tokio::test]
async fn the_client_sizes_shares_from_margin_the_way_the_program_checks_it() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let market = env.perp_market(0).await;
    let price = market.amm.last_oracle_price;
    // All $1,000 less the $0.10 LP buffer and a cent of per-position margin.
    let fits =
        bal_client::lp::shares_for_margin(&market, 999_890_000, price, market.margin_ratio_initial);
    let too_many = fits + 10 * market.order_step_size;
    let failure = add_liquidity(&mut env, &exchange, &lp, too_many)
        .await
        .expect_err("a bit too much");
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    add_liquidity(&mut env, &exchange, &lp, fits)
        .await
        .expect("exactly what the margin carries");
    let same = bal_client::lp::shares_for_leverage(&market, 999_890_000, 100_000, price);
    assert_eq!(
        same, fits,
        "10x leverage at 10% initial margin is the same size"
    );
}
