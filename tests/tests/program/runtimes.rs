//! LiteSVM, where the fuzzers run, is the same program as solana-program-test's bank: the
//! same transactions land with the same compute units and the same accounts.
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::User;
use bal_tests::fixtures::{
    add_liquidity, fill_order, liquidate, new_trader, next_second, order, place_order, resting,
    set_oracle_price, setup_trading, trade, START_PRICE,
};
use bal_tests::{Runtime, TestEnv};

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;

/// An LP joins, a trader goes long with leverage, a maker's order is filled by a third party,
/// the price falls and the long is liquidated: the compute units of each, and the accounts
/// left behind.
async fn a_session(runtime: Runtime) -> (Vec<u64>, Vec<User>) {
    let mut env = TestEnv::start_on(runtime).await;
    // The same clock on both, so no elapsed-time path differs.
    env.set_clock(1_800_000_000, 100).await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    let long = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    let maker = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
    let liquidator = new_trader(&mut env, &exchange, 5_000 * DOLLAR, 0).await;
    let mut units = vec![
        add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
            .await
            .expect("an LP")
            .compute_units,
        trade(&mut env, &exchange, &long, order(Long, 9 * BASE))
            .await
            .expect("a 9x long")
            .compute_units,
    ];
    next_second(&mut env, &exchange).await;
    let price = START_PRICE as u64;
    let maker_order = place_order(
        &mut env,
        &exchange,
        &maker,
        resting(Short, BASE, price + price / 20, true),
    )
    .await
    .expect("a resting short");
    let taker_order = place_order(
        &mut env,
        &exchange,
        &long,
        resting(Long, BASE / 10, price + price * 6 / 100, false),
    )
    .await
    .expect("a resting long");
    units.push(
        fill_order(
            &mut env,
            &exchange,
            &liquidator,
            (&long, taker_order),
            &[(&maker, maker_order)],
        )
        .await
        .expect("a fill")
        .compute_units,
    );
    set_oracle_price(&mut env, &exchange, START_PRICE * 93 / 100).await;
    units.push(
        liquidate(&mut env, &exchange, &liquidator, long.user)
            .await
            .expect("a liquidation")
            .compute_units,
    );
    let mut users = Vec::new();
    for trader in [&lp, &long, &maker, &liquidator] {
        users.push(env.load::<User>(trader.user).await);
    }
    (units, users)
}

#[tokio::test]
async fn litesvm_runs_the_elf_with_the_compute_units_and_results_of_program_test() {
    let (bank_units, bank_users) = a_session(Runtime::Elf).await;
    let (lite_units, lite_users) = a_session(Runtime::LiteSvm).await;
    assert_eq!(lite_units, bank_units);
    for (lite, bank) in lite_users.iter().zip(&bank_users) {
        assert!(
            bytemuck::bytes_of(lite) == bytemuck::bytes_of(bank),
            "the same account after the same transactions"
        );
    }
}
