//! A market wound down, for the settlement instructions' compute units: settled at the
//! oracle, every position closed in one batch (an LP, a long, a short), payouts fixed, the
//! claims paid, the market delisted.
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions;
use bal_tests::fixtures::{
    add_liquidity, market, new_trader, order, setup_trading, trade, START_PRICE,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

pub async fn settlement_round_trip() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let lp = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let long = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let short = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
        .await
        .expect("add_liquidity");
    trade(&mut env, &exchange, &long, order(Long, 3 * BASE))
        .await
        .expect("long");
    trade(&mut env, &exchange, &short, order(Short, 2 * BASE))
        .await
        .expect("short");
    let admin = exchange.admin.insecure_clone();
    env.send(
        "begin_settlement",
        &[instructions::begin_settlement(
            admin.pubkey(),
            &market(&exchange),
            START_PRICE as u64,
        )],
        &[&admin],
    )
    .await
    .expect("begin_settlement");
    let users = [lp.user, long.user, short.user];
    let settle = instructions::settle_expired_positions(&users, 0, true);
    env.send(
        "settle_expired_positions",
        std::slice::from_ref(&settle),
        &[&keeper],
    )
    .await
    .expect("settle_expired_positions");
    env.advance(24 * 3_600, 10).await;
    env.send(
        "finalize_settlement",
        &[instructions::finalize_settlement(0)],
        &[&keeper],
    )
    .await
    .expect("finalize_settlement");
    env.send("settle_expired_positions", &[settle], &[&keeper])
        .await
        .expect("settle_expired_positions (payouts)");
    env.send(
        "delist_market",
        &[instructions::delist_market(admin.pubkey(), 0)],
        &[&admin],
    )
    .await
    .expect("delist_market");
}
