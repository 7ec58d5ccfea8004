//! A delegate may trade and rest orders for its principal, never withdraw: it may not push the
//! curve from its own account and fill its principal into the push in the same second, and a
//! resting order it places for its principal is priced within the maximum spread of the
//! oracle. What it can still move, by holding a push across a second, is bounded by the band.
use super::{code, measured, trade_of, BASE, DOLLAR, PUSHES};
use bal::error::BalError;
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions::{self, UserSetting};
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    market, new_trader, next_second, order, resting, setup_trading, trade, Exchange, Trader,
    START_PRICE,
};
use bal_tests::inspect::position_in;
use bal_tests::TestEnv;
use solana_signer::Signer;

/// A principal with $2,000 behind a long of `base`, and its delegate with $20,000 of its own,
/// in a second after the long.
async fn principal_and_delegate(
    env: &mut TestEnv,
    exchange: &Exchange,
    base: u64,
) -> (Trader, Trader) {
    let principal = new_trader(env, exchange, 2_000 * DOLLAR, 0).await;
    trade(env, exchange, &principal, order(Long, base))
        .await
        .expect("the principal's long");
    let delegate = new_trader(env, exchange, 20_000 * DOLLAR, 0).await;
    appoint(env, &principal, &delegate).await;
    next_second(env, exchange).await;
    (principal, delegate)
}

/// `principal` names `delegate` its delegate.
async fn appoint(env: &mut TestEnv, principal: &Trader, delegate: &Trader) {
    env.send_setup(
        &[instructions::update_user(
            principal.wallet.pubkey(),
            0,
            UserSetting::Delegate(delegate.wallet.pubkey()),
        )],
        &[&principal.wallet],
    )
    .await;
}

#[tokio::test]
async fn a_delegate_cannot_close_its_principal_into_a_push_of_its_own() {
    for push in PUSHES {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let (principal, delegate) = principal_and_delegate(&mut env, &exchange, 50 * BASE).await;
        let close = instructions::close_position(
            delegate.wallet.pubkey(),
            principal.user,
            &market(&exchange),
            &[],
            None,
        );
        let ixs = [
            trade_of(&delegate, &exchange, Short, push * BASE),
            close,
            trade_of(&delegate, &exchange, Long, push * BASE),
        ];
        let pushed = measured(&mut env, &ixs, &[&delegate.wallet], &[&delegate]).await;
        assert!(
            pushed.gain <= 0,
            "{push}: the delegate is up {}",
            pushed.gain
        );
        assert_eq!(
            pushed.refused,
            Some(code(BalError::CurveMovedThisSecond)),
            "{push}"
        );
    }
}

#[tokio::test]
async fn a_delegate_cannot_undo_a_favourable_move_to_close_its_principal_where_the_second_began() {
    // An honest buyer lifts the curve (a fill the delegate can trigger itself, as filler of an
    // honest taker's order); in the same second the delegate sells the lift back to where the
    // second began, closes its principal's long there and buys back below it: what the lift
    // would have paid the principal, and the principal's own slippage, would be the delegate's.
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let (principal, delegate) = principal_and_delegate(&mut env, &exchange, 20 * BASE).await;
    let buyer = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &buyer, order(Long, 10 * BASE))
        .await
        .expect("an honest buyer lifts the curve");
    let close = instructions::close_position(
        delegate.wallet.pubkey(),
        principal.user,
        &market(&exchange),
        &[],
        None,
    );
    let ixs = [
        trade_of(&delegate, &exchange, Short, 10 * BASE),
        close.clone(),
        trade_of(&delegate, &exchange, Long, 10 * BASE),
    ];
    let pushed = measured(&mut env, &ixs, &[&delegate.wallet], &[&delegate]).await;
    assert_eq!(pushed.refused, Some(code(BalError::CurveMovedThisSecond)));
    assert!(pushed.gain <= 0, "the delegate is up {}", pushed.gain);
    // Alone, the close takes the lift for the principal; the next second it goes either way.
    next_second(&mut env, &exchange).await;
    env.send("close_position", &[close], &[&delegate.wallet])
        .await
        .expect("the delegate's close, a second later");
    assert_eq!(
        position_in(&mut env, principal.user, 0)
            .await
            .base_asset_amount,
        0
    );
}

#[tokio::test]
async fn a_delegate_moves_its_principal_at_most_the_band_and_only_by_holding_a_push() {
    // Pushed in one second and held into the next, the push is the curve everyone trades on:
    // the principal's close then averages no worse than the band (10%) under the oracle.
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let (principal, delegate) = principal_and_delegate(&mut env, &exchange, 20 * BASE).await;
    trade(&mut env, &exchange, &delegate, order(Short, 60 * BASE))
        .await
        .expect("the push");
    next_second(&mut env, &exchange).await;
    let before = position_in(&mut env, principal.user, 0).await;
    env.send(
        "close_position",
        &[instructions::close_position(
            delegate.wallet.pubkey(),
            principal.user,
            &market(&exchange),
            &[],
            None,
        )],
        &[&delegate.wallet],
    )
    .await
    .expect("held across a second, the push is the market");
    let after = position_in(&mut env, principal.user, 0).await;
    let received = after.quote_asset_amount.get() - before.quote_asset_amount.get();
    let floor = 20 * (START_PRICE as i128) * 9 / 10;
    assert!(
        received + 1 >= floor,
        "sold 20 base for {received}, under the band's {floor}"
    );
}

#[tokio::test]
async fn a_delegates_resting_order_is_priced_within_the_maximum_spread_for_its_principal() {
    // A delegate could rest a bid far above the oracle for its principal and sell into it
    // from its own account; it may rest orders no worse for the principal than the maximum
    // spread (5%) from the oracle.
    let mut env = TestEnv::start().await;
    let exchange: Exchange = setup_trading(&mut env).await;
    let principal = new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
    let delegate = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
    appoint(&mut env, &principal, &delegate).await;
    let oracle = START_PRICE as u64;
    let place = |direction, price| {
        instructions::place_order(
            delegate.wallet.pubkey(),
            principal.user,
            &market(&exchange),
            &[],
            resting(direction, BASE, price, false),
        )
    };
    let watched = [principal.user];
    for (direction, price) in [
        (Long, oracle * 105 / 100 + 1),
        (Short, oracle * 95 / 100 - 1),
    ] {
        let failure = refused(
            &mut env,
            place(direction, price),
            &[&delegate.wallet],
            &watched,
        )
        .await;
        assert_bal_error(&failure, BalError::PriceBandExceeded);
    }
    for (direction, price) in [(Long, oracle * 105 / 100), (Short, oracle * 95 / 100)] {
        env.send(
            "place_order",
            &[place(direction, price)],
            &[&delegate.wallet],
        )
        .await
        .expect("at the edge");
    }
    // Its principal itself may rest any price the market allows.
    env.send(
        "place_order",
        &[instructions::place_order(
            principal.wallet.pubkey(),
            principal.user,
            &market(&exchange),
            &[],
            resting(Long, BASE, oracle * 108 / 100, false),
        )],
        &[&principal.wallet],
    )
    .await
    .expect("the principal's own order");
}
