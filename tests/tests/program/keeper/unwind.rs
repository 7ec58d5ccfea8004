//! The keeper's unwind of what it took over: closed with a limit price (its
//! `unwind_max_slippage` from the oracle, at most the market's band), so a trade pushed in
//! ahead of it cannot sell it far from the oracle; and an unwind it cannot make is a failure
//! in its report and metrics, tried again next round.
use super::{round, DOLLAR};
use crate::bal::BASE;
use bal::error::BalError;
use bal::state::PerpMarket;
use bal::state::PositionDirection::{Long, Short};
use bal_client::{instructions, pda};
use bal_keeper::config::Settings;
use bal_keeper::executor::unwind_limit;
use bal_keeper::metrics::{Metrics, Outcome};
use bal_tests::errors::custom_code;
use bal_tests::fixtures::{
    compute_limit, leveraged_long, market, new_trader, next_second, order, set_oracle_price,
    setup_trading, trade, START_PRICE,
};
use bal_tests::inspect::{net_value, position_in};
use bal_tests::TestEnv;
use solana_signer::Signer;

#[tokio::test]
async fn after_a_gap_the_keeper_takes_over_nothing_it_cannot_close_until_fills_resume() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, _) = leveraged_long(&mut env).await;
    let keeper = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    // A 15% gap: the account is liquidatable at the fresh price, but a close that far from
    // the oracle's TWAP is refused, so the keeper takes over nothing yet and records the jump.
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let metrics = Metrics::default();
    let settings = Settings::default();
    let report = round(&mut env, &keeper, &[&trader], &settings, &metrics).await;
    assert_eq!((report.liquidations, report.unwinds), (0, 0), "{report:?}");
    assert_eq!(report.oracle_records, 1, "{report:?}");
    assert_eq!(report.failures, 0, "{report:?}");
    assert_eq!(metrics.backlog("liquidate"), 1, "due, and waiting");
    assert_eq!(
        position_in(&mut env, keeper.user, 0)
            .await
            .base_asset_amount,
        0
    );
    // A round every ten seconds, the oracle republished: the TWAP follows the recorded price
    // and, once a close is allowed again, the same round liquidates and unwinds.
    let mut waited = 0;
    let report = loop {
        env.advance(10, 25).await;
        waited += 10;
        set_oracle_price(&mut env, &exchange, 85_000_000).await;
        let report = round(&mut env, &keeper, &[&trader], &settings, &metrics).await;
        if report.liquidations > 0 || waited >= 300 {
            break report;
        }
    };
    assert!(waited < 300, "liquidated {waited} s after the gap");
    assert_eq!((report.liquidations, report.unwinds), (1, 1), "{report:?}");
    assert_eq!(
        position_in(&mut env, keeper.user, 0)
            .await
            .base_asset_amount,
        0
    );
    assert_eq!(metrics.count("unwind", Outcome::Failed), 0);
}

#[tokio::test]
async fn an_unwind_the_market_refuses_is_a_failure_the_round_reports_and_retries() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    // The keeper holds 9 base long (as a takeover leaves it) when a 15% gap makes a close that
    // far from the oracle's TWAP refused.
    let keeper = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &keeper, order(Long, 9 * BASE))
        .await
        .expect("what the keeper holds");
    next_second(&mut env, &exchange).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let metrics = Metrics::default();
    let report = round(&mut env, &keeper, &[], &Settings::default(), &metrics).await;
    assert_eq!(report.unwinds, 0, "{report:?}");
    assert!(report.failures >= 1, "{report:?}");
    assert!(metrics.count("unwind", Outcome::Failed) >= 1);
    assert_eq!(metrics.unwind_failure_streak(), 1);
    let held = position_in(&mut env, keeper.user, 0)
        .await
        .base_asset_amount;
    assert_eq!(held, 9 * BASE as i64, "the keeper still holds it");
    // The funding update an hour later (it reads a price however far from the TWAP) brings
    // the TWAP within reach, and the same round closes what the keeper holds.
    env.advance(3_600, 10).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let report = round(&mut env, &keeper, &[], &Settings::default(), &metrics).await;
    assert_eq!(report.funding_updates, 1, "{report:?}");
    assert_eq!(report.unwinds, 1, "{report:?}");
    assert_eq!(metrics.unwind_failure_streak(), 0);
    assert_eq!(
        position_in(&mut env, keeper.user, 0)
            .await
            .base_asset_amount,
        0
    );
}

#[tokio::test]
async fn the_keepers_unwind_averages_no_worse_than_its_limit_however_far_it_is_pushed() {
    let settings = Settings::default();
    for push in [1, 5, 10, 25, 50, 110] {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        // The keeper holds 9 base long (as a takeover leaves it); an attacker with $20,000
        // sells into the curve just before its unwind and buys back just after (as whoever
        // orders transactions could).
        let keeper = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
        trade(&mut env, &exchange, &keeper, order(Long, 9 * BASE))
            .await
            .expect("what the keeper holds");
        let attacker = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
        next_second(&mut env, &exchange).await;
        let market_account: PerpMarket = env.load(pda::perp_market(0)).await;
        let limit = unwind_limit(&market_account, START_PRICE as u64, true, &settings);
        assert_eq!(limit, 98_000_000, "2% under the oracle");
        let push_ix = |direction| {
            instructions::place_perp_order(
                attacker.wallet.pubkey(),
                attacker.user,
                &market(&exchange),
                &[],
                order(direction, push * BASE),
            )
        };
        let unwind = instructions::close_position(
            keeper.wallet.pubkey(),
            keeper.user,
            &market(&exchange),
            &[],
            Some(limit),
        );
        let before = position_in(&mut env, keeper.user, 0)
            .await
            .quote_asset_amount
            .get();
        let attacker_before = net_value(&mut env, attacker.user, &[0]).await;
        let outcome = env
            .send_unmetered(
                &[
                    compute_limit(1_400_000),
                    push_ix(Short),
                    unwind,
                    push_ix(Long),
                ],
                &[&attacker.wallet, &keeper.wallet],
            )
            .await;
        match outcome {
            Ok(_) => {
                let after = position_in(&mut env, keeper.user, 0)
                    .await
                    .quote_asset_amount
                    .get();
                let received = after - before;
                // 9 base at no less than the limit, a unit of rounding aside.
                assert!(received + 1 >= 9 * limit as i128, "{push}: {received}");
                // The attacker takes at most what the keeper gives up inside its limit.
                let gained = net_value(&mut env, attacker.user, &[0]).await - attacker_before;
                let bound = 9 * (START_PRICE as i128 - limit as i128);
                assert!(
                    gained <= bound,
                    "{push}: the attacker is up {gained}, bound {bound}"
                );
            }
            Err(failure) => {
                let refused = custom_code(&failure).expect("a program's refusal");
                let code = |e: BalError| anchor_lang::error::ERROR_CODE_OFFSET + e as u32;
                assert!(
                    refused == code(BalError::LimitPriceExceeded)
                        || refused == code(BalError::PriceBandExceeded),
                    "{push}: {refused}"
                );
            }
        }
    }
}
