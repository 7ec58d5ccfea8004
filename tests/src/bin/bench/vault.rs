//! The example integrator's instructions, each a chain of CPIs into BAL, on their own exchange:
//! a vault created, bought into, invested, settled after a trade, and redeemed after the LP
//! cooldown (a burn, a reduce-only trade and a settle).
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::Long;
use bal_tests::fixtures::{new_trader, order, set_oracle_price, setup_trading, trade, START_PRICE};
use bal_tests::vault::{buy_shares, create_vault, depositor, redeem_shares, run_invest, settle};
use bal_tests::TestEnv;

const DOLLAR: u64 = 1_000_000;

pub async fn vault_round_trip() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let investor = depositor(&mut env, &exchange, 10_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &vault, &investor, 5_000 * DOLLAR)
        .await
        .expect("vault deposit");
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("vault invest");
    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(
        &mut env,
        &exchange,
        &trader,
        order(Long, 5 * BASE_PRECISION as u64),
    )
    .await
    .expect("trade");
    env.send("vault_settle", &[settle(&vault, &exchange)], &[&manager])
        .await
        .expect("vault settle");
    env.advance(3_600, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    redeem_shares(&mut env, &exchange, &vault, &investor, 1_000 * DOLLAR)
        .await
        .expect("vault withdraw");
}
