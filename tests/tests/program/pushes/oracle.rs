//! The oracle's TWAPs and the peg: a push before a funding update cannot keep the peg from
//! following (the repeg waits for the next second's first read, which no push can precede),
//! `record_oracle` lets the TWAPs follow a jump beyond the divergence guard, and a curve
//! standing idle counts in the mark no further from a moved oracle than the band.
use super::{BASE, DOLLAR};
use bal::error::BalError;
use bal::events::FundingRecord;
use bal::instructions::UpdatePerpMarketParams;
use bal::state::PositionDirection::{Long, Short};
use bal::state::PAUSE_FUNDING;
use bal_client::{instructions, pda};
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    compute_limit, market, new_trader, next_second, order, set_oracle_price, setup_trading, trade,
    update_market, Exchange,
};
use bal_tests::markets::walk_oracle;
use bal_tests::TestEnv;
use solana_signer::Signer;

async fn record(env: &mut TestEnv, exchange: &Exchange) -> Result<(), bal_tests::TxFailure> {
    let keeper = env.funded_wallet().await;
    env.send(
        "record_oracle",
        &[instructions::record_oracle(&market(exchange))],
        &[&keeper],
    )
    .await
    .map(drop)
}

#[tokio::test]
async fn a_push_before_the_funding_update_cannot_keep_the_peg_from_following() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    // Users short 10: raising the peg toward a 4% higher oracle is a gain for the AMM, so a
    // funding update repegs (1% at most per update).
    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Short, 10 * BASE))
        .await
        .expect("a short");
    walk_oracle(&mut env, &exchange, trader.user, &[104_000_000]).await;
    let due = env.perp_market(0).await.funding;
    let wait = due.last_funding_ts + due.funding_period - env.clock().await.unix_timestamp;
    env.advance(wait.max(0), 10).await;
    set_oracle_price(&mut env, &exchange, 104_000_000).await;
    let peg = env.perp_market(0).await.amm.peg_multiplier;
    // The attacker's dust trade first, in the update's transaction: the curve moved this
    // second, so the update does not repeg it where the push left it...
    let attacker = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
    let landed = env
        .send_unmetered_capturing_events(
            &[
                compute_limit(400_000),
                instructions::place_perp_order(
                    attacker.wallet.pubkey(),
                    attacker.user,
                    &market(&exchange),
                    &[],
                    order(Long, BASE / 100),
                ),
                instructions::update_funding_rate(&market(&exchange)),
            ],
            &[&attacker.wallet],
        )
        .await
        .expect("the dust trade and the update");
    let update = &landed.events::<FundingRecord>()[0];
    assert_eq!((update.peg_multiplier, update.repeg_cost), (peg, 0));
    assert_eq!(env.perp_market(0).await.repeg_pending, 1, "put off");
    // ...and the next second's first read makes the repeg, whatever comes after it.
    next_second(&mut env, &exchange).await;
    set_oracle_price(&mut env, &exchange, 104_000_000).await;
    record(&mut env, &exchange).await.expect("a read");
    let after = env.perp_market(0).await;
    assert_eq!(after.repeg_pending, 0);
    assert!(
        after.amm.peg_multiplier > peg && after.amm.peg_multiplier <= peg + peg / 100 + 1,
        "{peg} -> {}",
        after.amm.peg_multiplier
    );
}

#[tokio::test]
async fn record_oracle_lets_the_twap_follow_a_jump_beyond_the_guard() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, BASE))
        .await
        .expect("a position to settle");
    let keeper = env.funded_wallet().await;
    let settle = instructions::settle_pnl(trader.user, &market(&exchange), &[]);
    // 15% up: a settle refuses a price that far from its TWAP.
    set_oracle_price(&mut env, &exchange, 115_000_000).await;
    let watched = [trader.user, pda::perp_market(0)];
    let failure = refused(&mut env, settle.clone(), &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::OracleTooDivergent);
    // Read as soon as it is published and again five minutes later: the price stood, and the
    // TWAP (each observation clamped to 10% from it) follows it within reach.
    record(&mut env, &exchange)
        .await
        .expect("a read of the jump");
    env.advance(300, 10).await;
    set_oracle_price(&mut env, &exchange, 115_000_000).await;
    record(&mut env, &exchange).await.expect("five minutes on");
    env.send("settle_pnl", &[settle], &[&keeper])
        .await
        .expect("the TWAP followed");

    // Paused with funding, or in a settling market, it refuses.
    let paused = UpdatePerpMarketParams {
        paused_operations: Some(PAUSE_FUNDING),
        ..Default::default()
    };
    update_market(&mut env, &exchange, paused)
        .await
        .expect("pause");
    let failure = record(&mut env, &exchange).await.expect_err("paused");
    assert_bal_error(&failure, BalError::OperationPaused);
}

#[tokio::test]
async fn an_idle_curve_counts_in_the_mark_no_further_from_a_moved_oracle_than_the_band() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    next_second(&mut env, &exchange).await;
    // The oracle moves 8% up while nothing trades: the curve stands at $100, which the mark
    // counts as 5% (the maximum spread) under the oracle it reads.
    set_oracle_price(&mut env, &exchange, 108_000_000).await;
    record(&mut env, &exchange).await.expect("a read");
    assert_eq!(env.perp_market(0).await.funding.mark_price, 102_600_000);
}
