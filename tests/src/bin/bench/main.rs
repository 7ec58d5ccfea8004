//! Compute units of every instruction on the sBPF ELF, printed as a table with each ceiling.
use bal::instructions::{UpdatePerpMarketParams, UpdateStateParams};
use bal::math::constants::BASE_PRECISION;
use bal::read::amm_quote::amm_best_price;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{MarketStatus, PerpMarket, SpotMarket, User};
use bal_client::instructions::{self, UserSetting};
use bal_client::pda;
use bal_tests::ceilings::{ceiling, CU_CEILINGS};
use bal_tests::env::recorded_compute_units;
use bal_tests::fixtures::{
    add_liquidity, default_interest_curve, fill_order, market, new_trader, next_second, order,
    place_order, resting, set_oracle_price, setup_exchange_with_market, setup_trading, trade,
    Exchange, Trader,
};
use bal_tests::markets::{allow_divergence, close_underwater, walk_oracle};
use bal_tests::{Runtime, TestEnv};
use solana_signer::Signer;

/// Sends every instruction at least once, on a fresh exchange.
async fn exercise_every_instruction(env: &mut TestEnv) {
    let exchange = setup_exchange_with_market(env).await;
    let admin = exchange.admin.insecure_clone();
    let trader = new_trader(env, &exchange, 10_000_000, 0).await;
    let wallet = trader.wallet.insecure_clone();
    let delegate = env.funded_wallet().await;
    let settings = [
        ("update_user_name", UserSetting::Name([b'x'; 32])),
        (
            "update_user_delegate",
            UserSetting::Delegate(delegate.pubkey()),
        ),
        (
            "update_user_custom_margin_ratio",
            UserSetting::CustomMarginRatio(2_000),
        ),
        (
            "update_user_derisk_opt_out",
            UserSetting::DeriskOptOut(true),
        ),
    ];
    for (label, setting) in settings {
        env.send(
            label,
            &[instructions::update_user(wallet.pubkey(), 0, setting)],
            &[&wallet],
        )
        .await
        .expect(label);
    }
    let cooldown = UpdateStateParams {
        lp_cooldown_seconds: Some(600),
        ..Default::default()
    };
    env.send(
        "update_state",
        &[instructions::update_state(admin.pubkey(), cooldown)],
        &[&admin],
    )
    .await
    .expect("update_state");
    env.send(
        "update_spot_market_interest",
        &[instructions::update_spot_market_interest(
            admin.pubkey(),
            default_interest_curve(),
        )],
        &[&admin],
    )
    .await
    .expect("update_spot_market_interest");
    let activate = UpdatePerpMarketParams {
        status: Some(MarketStatus::Active),
        ..Default::default()
    };
    env.send(
        "update_perp_market",
        &[instructions::update_perp_market(
            admin.pubkey(),
            0,
            activate,
        )],
        &[&admin],
    )
    .await
    .expect("update_perp_market");
    set_oracle_price(env, &exchange, 101_000_000).await;
    env.send(
        "repeg_amm",
        &[instructions::repeg_amm(admin.pubkey(), 0, exchange.oracle)],
        &[&admin],
    )
    .await
    .expect("repeg_amm");
    // The repeg moved the curve: a change of k waits for the next second.
    next_second(env, &exchange).await;
    env.send(
        "update_amm_k",
        &[instructions::update_amm_k(
            admin.pubkey(),
            0,
            exchange.oracle,
            2_000 * BASE_PRECISION,
        )],
        &[&admin],
    )
    .await
    .expect("update_amm_k");

    trade_settle_and_fund(env, &exchange).await;
    lp_round_trip(env, &exchange).await;
    order_round_trip(env, &exchange).await;
    bad_debt_round_trip(env, &exchange).await;

    let user: User = env.load(trader.user).await;
    let market: SpotMarket = env.load(pda::spot_market(0)).await;
    let all = bal::math::spot_balance::deposit_tokens(
        user.quote_balance.scaled_balance.get(),
        market.cumulative_deposit_interest.get(),
    )
    .expect("balance") as u64;
    env.send(
        "withdraw",
        &[instructions::withdraw(
            &trader.collateral(&exchange),
            all,
            false,
            &[],
        )],
        &[&wallet],
    )
    .await
    .expect("withdraw");
    env.send(
        "delete_user",
        &[instructions::delete_user(wallet.pubkey(), 0)],
        &[&wallet],
    )
    .await
    .expect("delete_user");
}

/// Two traders on opposite sides, a funding period, and both ways of settling.
async fn trade_settle_and_fund(env: &mut TestEnv, exchange: &Exchange) {
    let long = new_trader(env, exchange, 1_000_000_000, 0).await;
    let short = new_trader(env, exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    trade(env, exchange, &long, order(Long, 3 * BASE))
        .await
        .expect("place_perp_order");
    trade(env, exchange, &short, order(Short, BASE))
        .await
        .expect("place_perp_order");
    env.advance(3_600, 10).await;
    set_oracle_price(env, exchange, 101_000_000).await;
    env.send(
        "update_funding_rate",
        &[instructions::update_funding_rate(&market(exchange))],
        &[&keeper],
    )
    .await
    .expect("update_funding_rate");
    env.send(
        "record_oracle",
        &[instructions::record_oracle(&market(exchange))],
        &[&keeper],
    )
    .await
    .expect("record_oracle");
    env.send(
        "settle_pnl",
        &[instructions::settle_pnl(short.user, &market(exchange), &[])],
        &[&keeper],
    )
    .await
    .expect("settle_pnl");
    env.send(
        "settle_pnl_many",
        &[
            instructions::settle_pnl_many(&[long.user, short.user], &market(exchange), true)
                .expect("a batch of users"),
        ],
        &[&keeper],
    )
    .await
    .expect("settle_pnl_many");
    env.send(
        "close_position",
        &[instructions::close_position(
            long.wallet.pubkey(),
            long.user,
            &market(exchange),
            &[],
            None,
        )],
        &[&long.wallet],
    )
    .await
    .expect("close_position");

    // A 9x long caught by a 7% drop.
    let levered = new_trader(env, exchange, 100_000_000, 0).await;
    trade(env, exchange, &levered, order(Long, 9 * BASE))
        .await
        .expect("place_perp_order");
    set_oracle_price(env, exchange, 94_000_000).await;
    let liquidate = instructions::liquidate_perp(
        short.wallet.pubkey(),
        short.user,
        levered.user,
        &market(exchange),
        &[],
        u64::MAX,
    );
    env.send("liquidate_perp", &[liquidate], &[&short.wallet])
        .await
        .expect("liquidate_perp");
}

const BASE: u64 = BASE_PRECISION as u64;

/// A 9x long a 15% gap leaves underwater: liquidated whole (bankrupt, written off), and another
/// that closes at the oracle once the curve is repegged there, its debt then written off by
/// `resolve_bad_debt`.
async fn bad_debt_round_trip(env: &mut TestEnv, exchange: &Exchange) {
    allow_divergence(env, exchange, 0, 500_000).await;
    oracle_at_the_curve(env, exchange).await;
    let liquidator = new_trader(env, exchange, 10_000_000_000, 0).await;
    let bankrupt = new_trader(env, exchange, 110_000_000, 0).await;
    let closer = new_trader(env, exchange, 110_000_000, 0).await;
    for levered in [&bankrupt, &closer] {
        trade(env, exchange, levered, order(Long, 9 * BASE))
            .await
            .expect("place_perp_order");
    }
    set_oracle_price(env, exchange, 85_000_000).await;
    let liquidate = instructions::liquidate_perp(
        liquidator.wallet.pubkey(),
        liquidator.user,
        bankrupt.user,
        &market(exchange),
        &[],
        u64::MAX,
    );
    env.send("liquidate_perp", &[liquidate], &[&liquidator.wallet])
        .await
        .expect("liquidate_perp (bankrupt)");
    close_underwater(env, exchange, &closer, &liquidator).await;
    env.send(
        "settle_pnl",
        &[instructions::settle_pnl(
            closer.user,
            &market(exchange),
            &[],
        )],
        &[&liquidator.wallet],
    )
    .await
    .expect("settle_pnl");
    env.send(
        "resolve_bad_debt",
        &[instructions::resolve_bad_debt(closer.user, 0)],
        &[&liquidator.wallet],
    )
    .await
    .expect("resolve_bad_debt");
}

/// The oracle moved to where the curve stands, read there, in a second of its own: what the
/// flow that follows starts from.
async fn oracle_at_the_curve(env: &mut TestEnv, exchange: &Exchange) {
    let perp: PerpMarket = env.load(pda::perp_market(0)).await;
    let price = bal::math::amm::reserve_price(&perp.amm.curve(), perp.amm.peg_multiplier)
        .expect("the curve's price");
    let reader = new_trader(env, exchange, 1_000_000_000, 0).await;
    trade(env, exchange, &reader, order(Short, BASE / 100))
        .await
        .expect("a position to settle");
    walk_oracle(env, exchange, reader.user, &[price as i64]).await;
    next_second(env, exchange).await;
}

/// An LP adds, a trader trades against it, a keeper settles it twice ways, and it leaves.
async fn lp_round_trip(env: &mut TestEnv, exchange: &Exchange) {
    let lp = new_trader(env, exchange, 10_000_000_000, 0).await;
    let trader = new_trader(env, exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    oracle_at_the_curve(env, exchange).await;
    add_liquidity(env, exchange, &lp, 500 * BASE)
        .await
        .expect("add_liquidity");
    trade(env, exchange, &trader, order(Long, 2 * BASE))
        .await
        .expect("place_perp_order");
    env.send(
        "settle_lp",
        &[instructions::settle_lp(keeper.pubkey(), lp.user, 0)],
        &[&keeper],
    )
    .await
    .expect("settle_lp");
    env.send(
        "settle_lp_many",
        &[
            instructions::settle_lp_many(keeper.pubkey(), &[lp.user], 0, true)
                .expect("a batch of users"),
        ],
        &[&keeper],
    )
    .await
    .expect("settle_lp_many");
    // Once its cooldown is over (inside it, a de-risk judges the LP by the ratio it added
    // with), a 70%, 80%, then 90% initial margin ratio on the subaccount (1.4x, 1.25x, 1.1x
    // leverage) puts it below initial margin each time: a keeper de-risks it, then a settle,
    // then a batch.
    env.advance(600, 10).await;
    set_oracle_price(env, exchange, 101_000_000).await;
    let steps = [
        (7_000, "derisk_lp"),
        (8_000, "settle_pnl_with_derisk"),
        (9_000, "settle_pnl_many_with_derisk"),
    ];
    for (ratio, label) in steps {
        let setting = UserSetting::CustomMarginRatio(ratio);
        env.send(
            "update_user_custom_margin_ratio",
            &[instructions::update_user(lp.wallet.pubkey(), 0, setting)],
            &[&lp.wallet],
        )
        .await
        .expect("update_user_custom_margin_ratio");
        let ix = match label {
            "derisk_lp" => instructions::derisk_lp(lp.user, &market(exchange), &[]),
            "settle_pnl_with_derisk" => instructions::settle_pnl(lp.user, &market(exchange), &[]),
            _ => instructions::settle_pnl_many(&[lp.user], &market(exchange), false)
                .expect("a batch of users"),
        };
        let shares = lp_shares(env, &lp).await;
        env.send(label, &[ix], &[&keeper]).await.expect(label);
        assert!(
            lp_shares(env, &lp).await < shares,
            "{label} burned no shares"
        );
    }
    env.advance(3_600, 10).await;
    set_oracle_price(env, exchange, 101_000_000).await;
    env.send(
        "remove_liquidity",
        &[instructions::remove_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            0,
            None,
        )],
        &[&lp.wallet],
    )
    .await
    .expect("remove_liquidity");
}

/// Resting orders: a maker's ask and a taker's bid filled by a keeper, then orders cancelled
/// one at a time and all at once.
async fn order_round_trip(env: &mut TestEnv, exchange: &Exchange) {
    let maker = new_trader(env, exchange, 10_000_000_000, 0).await;
    let taker = new_trader(env, exchange, 10_000_000_000, 0).await;
    let filler = new_trader(env, exchange, 0, 0).await;
    // The maker asks a cent inside the AMM's best ask: the maker fills, the AMM does not.
    let perp: PerpMarket = env.load(pda::perp_market(0)).await;
    let oracle = perp.amm.last_oracle_price;
    let ask_price = amm_best_price(&perp, Long, oracle).expect("AMM ask") - 10_000;
    let ask = place_order(env, exchange, &maker, resting(Short, BASE, ask_price, true))
        .await
        .expect("place_order");
    let bid = place_order(
        env,
        exchange,
        &taker,
        resting(Long, 2 * BASE, ask_price, false),
    )
    .await
    .expect("place_order");
    fill_order(env, exchange, &filler, (&taker, bid), &[(&maker, ask)])
        .await
        .expect("fill_order");
    let first = place_order(
        env,
        exchange,
        &maker,
        resting(Short, BASE, 130_000_000, true),
    )
    .await
    .expect("place_order");
    place_order(
        env,
        exchange,
        &maker,
        resting(Short, BASE, 131_000_000, true),
    )
    .await
    .expect("place_order");
    env.send(
        "cancel_order",
        &[instructions::cancel_order(
            maker.wallet.pubkey(),
            maker.user,
            first,
        )],
        &[&maker.wallet],
    )
    .await
    .expect("cancel_order");
    env.send(
        "cancel_orders",
        &[instructions::cancel_orders(
            maker.wallet.pubkey(),
            maker.user,
            None,
        )],
        &[&maker.wallet],
    )
    .await
    .expect("cancel_orders");
}

/// CU of one `fill_order` whose taker fills against `makers` makers (1.0 base each, at rising
/// prices inside the AMM's spread).
async fn fill_cu_with_makers(makers: u64) -> u64 {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let mut resting_makers = Vec::new();
    for i in 0..makers {
        let maker = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
        let price = 100_010_000 + 5_000 * i;
        let id = place_order(
            &mut env,
            &exchange,
            &maker,
            resting(Short, BASE, price, true),
        )
        .await
        .expect("place_order");
        resting_makers.push((maker, id));
    }
    let taker = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let filler = new_trader(&mut env, &exchange, 0, 0).await;
    let bid = place_order(
        &mut env,
        &exchange,
        &taker,
        resting(Long, makers * BASE, 100_100_000, false),
    )
    .await
    .expect("place_order");
    let refs: Vec<(&Trader, u32)> = resting_makers.iter().map(|(m, id)| (m, *id)).collect();
    let success = fill_order(&mut env, &exchange, &filler, (&taker, bid), &refs)
        .await
        .expect("fill_order");
    let user: User = env.load(taker.user).await;
    let filled: i64 = user
        .perp_positions
        .iter()
        .map(|p| p.base_asset_amount)
        .sum();
    assert_eq!(filled, (makers * BASE) as i64, "every maker filled");
    success.compute_units
}

async fn lp_shares(env: &mut TestEnv, lp: &Trader) -> u128 {
    let user: User = env.load(lp.user).await;
    user.perp_positions.iter().map(|p| p.lp.shares.get()).sum()
}

/// CU of one taker fill on a market whose users' shares (1,000 base in all) are spread over
/// `lps` LPs: the split is O(1), so the count must not matter.
async fn fill_cu_with_lps(lps: u64) -> u64 {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let each = 1_000 * BASE / lps;
    for _ in 0..lps {
        let lp = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
        add_liquidity(&mut env, &exchange, &lp, each)
            .await
            .expect("add_liquidity");
    }
    let trader = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Short, BASE))
        .await
        .expect("place_perp_order")
        .compute_units
}

mod costliest;
mod docs_table;
mod insurance;
mod scaling;
mod settlement;
mod vault;

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
    exercise_every_instruction(&mut env).await;
    vault::vault_round_trip().await;
    settlement::settlement_round_trip().await;
    insurance::insurance_round_trip().await;
    costliest::derisk_through_the_amm().await;
    costliest::liquidation_across_markets().await;
    costliest::largest_batches().await;
    let by_positions = scaling::margin_by_positions().await;
    let capacity = scaling::settles_per_transaction(scaling::Holders::Traders).await;
    let lp_capacity = scaling::settles_per_transaction(scaling::Holders::Lps).await;

    let recorded = recorded_compute_units();
    let missing: Vec<_> = CU_CEILINGS
        .iter()
        .filter(|(name, _)| !recorded.contains_key(name))
        .map(|(name, _)| *name)
        .collect();
    assert!(
        missing.is_empty(),
        "not exercised by the benchmark: {missing:?}"
    );

    let mut sizes_env = TestEnv::start().await;
    let sizes_exchange = setup_trading(&mut sizes_env).await;
    scaling::account_sizes(&mut sizes_env, &sizes_exchange).await;
    let one = fill_cu_with_lps(1).await;
    let thousand = fill_cu_with_lps(1_000).await;
    let mut by_makers = Vec::new();
    for makers in [1, 4, 8] {
        by_makers.push((makers, fill_cu_with_makers(makers).await));
    }

    println!("| instruction | samples | min CU | max CU | ceiling | headroom |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut measured = std::collections::BTreeMap::new();
    for (label, samples) in recorded {
        let min = samples.iter().min().copied().unwrap_or_default();
        let max = samples.iter().max().copied().unwrap_or_default();
        let limit = ceiling(label).unwrap_or_default();
        measured.insert(label, (min, max, limit));
        let headroom = 100.0 * (limit as f64 - max as f64) / limit.max(1) as f64;
        println!(
            "| {label} | {} | {min} | {max} | {limit} | {headroom:.0}% |",
            samples.len()
        );
    }
    println!();
    println!("| LPs in the market | taker fill CU |");
    println!("|---:|---:|");
    println!("| 1 | {one} |");
    println!("| 1,000 | {thousand} |");
    assert_eq!(
        one, thousand,
        "a fill's cost must not depend on the number of LPs"
    );
    println!();
    println!("| positions in the subaccount | withdraw CU (margin over all) |");
    println!("|---:|---:|");
    for (held, cu) in &by_positions {
        println!("| {held} | {cu} |");
    }
    let (first, last) = (by_positions[0], by_positions[by_positions.len() - 1]);
    println!(
        "\nEach further position adds about {} CU to a margin check.",
        (last.1 - first.1) / (last.0 - first.0) as u64
    );
    println!();
    for (holders, capacity) in [("trader", &capacity), ("LP", &lp_capacity)] {
        println!(
            "settle_pnl_many: {} CU per {holders}; {holders}s per transaction: {} by compute, {} by size, {} by account locks.",
            capacity.per_user_cu, capacity.by_compute, capacity.by_size, capacity.by_locks
        );
    }
    println!();
    println!("| makers in one fill_order | CU |");
    println!("|---:|---:|");
    for (makers, cu) in by_makers {
        println!("| {makers} | {cu} |");
        assert!(
            cu <= ceiling("fill_order").unwrap_or_default(),
            "fill_order with {makers} makers above its ceiling"
        );
    }
    // The instruction rows of the page the README links, against this run.
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/compute-units.md");
    let mode = if std::env::args().any(|arg| arg == "--write-docs") {
        docs_table::Mode::Write
    } else {
        docs_table::Mode::Check
    };
    let changed = docs_table::update(&page, &measured, mode).expect("docs/compute-units.md");
    for (committed, run) in &changed {
        println!("committed: {committed}\nthis run:  {run}");
    }
    match mode {
        docs_table::Mode::Write => {
            println!(
                "\ndocs/compute-units.md: {} instruction rows rewritten",
                changed.len()
            )
        }
        docs_table::Mode::Check if changed.is_empty() => {
            println!("\ndocs/compute-units.md is up to date")
        }
        docs_table::Mode::Check => {
            eprintln!(
                "docs/compute-units.md is stale in {} rows: run \
                 `cargo run -p bal-tests --bin bench -- --write-docs` and commit it",
                changed.len()
            );
            std::process::exit(1);
        }
    }
}
