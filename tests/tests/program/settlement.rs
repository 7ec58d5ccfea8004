//! A market's whole life to its end: settled at the admin's price with LPs, traders, a maker, an
//! underwater account and a P&L pool that cannot pay every winner; every account withdrawn and
//! the market delisted, the vault left holding exactly what the remaining depositor and the
//! insurance fund are owed.
use bal::error::BalError;
use bal::events::{ExpiredPositionsRecord, SettlementRecord};
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{MarketStatus, SpotMarket, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, market, new_trader, order, place_order, resting, setup_trading, trade, Exchange,
    Trader,
};
use bal_tests::inspect::{position_in, quote_balance};
use bal_tests::markets::walk_oracle;
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

/// Withdraws everything `who` holds (nothing when its balance is not positive).
async fn withdraw_all(env: &mut TestEnv, exchange: &Exchange, who: &Trader) {
    let balance = quote_balance(env, who.user).await;
    if balance <= 0 {
        return;
    }
    env.send(
        "withdraw",
        &[instructions::withdraw(
            &who.collateral(exchange),
            balance as u64,
            false,
            &[],
        )],
        &[&who.wallet],
    )
    .await
    .expect("withdraw everything");
}

#[tokio::test]
async fn a_market_settles_pays_its_winners_pro_rata_and_is_delisted() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let saver = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let long = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let short = new_trader(&mut env, &exchange, 3_000_000_000, 0).await;
    let maker = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let levered = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 50 * BASE)
        .await
        .expect("an LP");
    trade(&mut env, &exchange, &levered, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    trade(&mut env, &exchange, &long, order(Long, 5 * BASE))
        .await
        .expect("a long");
    trade(&mut env, &exchange, &short, order(Short, 30 * BASE))
        .await
        .expect("a large short: the AMM ends long");
    place_order(
        &mut env,
        &exchange,
        &maker,
        resting(Long, BASE, 80_000_000, true),
    )
    .await
    .expect("a resting bid");
    // The price falls to $88: the short wins, both longs lose, the 9x long more than it has,
    // and the AMM (long the difference) loses too.
    walk_oracle(
        &mut env,
        &exchange,
        short.user,
        &[95_000_000, 90_000_000, 88_000_000],
    )
    .await;

    let admin = exchange.admin.insecure_clone();
    let begin = |price| instructions::begin_settlement(admin.pubkey(), &market(&exchange), price);
    let watched = [pda::perp_market(0)];
    let failure = refused(&mut env, begin(80_000_000), &[&admin], &watched).await;
    assert_bal_error(&failure, BalError::SettlementPriceOutOfBand);
    // The status moves only with a price.
    let to_settlement = instructions::update_perp_market(
        admin.pubkey(),
        0,
        bal::instructions::UpdatePerpMarketParams {
            status: Some(MarketStatus::Settlement),
            ..Default::default()
        },
    );
    let failure = refused(&mut env, to_settlement, &[&admin], &watched).await;
    assert_bal_error(&failure, BalError::InvalidMarketStatusTransition);
    env.send("begin_settlement", &[begin(88_000_000)], &[&admin])
        .await
        .expect("settle at $88");

    // Nothing trades, settles at the oracle or leaves the curve any more.
    let failure = trade(&mut env, &exchange, &long, order(Short, BASE))
        .await
        .expect_err("no trading");
    assert_bal_error(&failure, BalError::MarketNotActive);
    let settle = instructions::settle_pnl(long.user, &market(&exchange), &[]);
    let failure = refused(&mut env, settle, &[&keeper], &[long.user]).await;
    assert_bal_error(&failure, BalError::MarketSettling);
    let remove = instructions::remove_liquidity(lp.wallet.pubkey(), lp.user, 0, None);
    let failure = refused(&mut env, remove, &[&lp.wallet], &[lp.user]).await;
    assert_bal_error(&failure, BalError::MarketSettling);

    // Every position closes at $88, permissionlessly, in one batch.
    let everyone = [&saver, &lp, &long, &short, &maker, &levered];
    let users: Vec<_> = everyone.iter().map(|t| t.user).collect();
    let closing = env
        .send_capturing_events(
            "settle_expired_positions",
            &[instructions::settle_expired_positions(&users, 0, true)],
            &[&keeper],
        )
        .await
        .expect("close everyone");
    let records = closing.events::<ExpiredPositionsRecord>();
    assert_eq!(records.len(), 1, "one record for the batch");
    let closed = &records[0].closed;
    assert_eq!(closed.len(), 5, "everyone but the saver had a position");
    let market_state = env.perp_market(0).await;
    assert_eq!(market_state.positions_with_base, 0);
    assert_eq!(market_state.lp.user_lp_shares.get(), 0);
    assert_eq!(
        market_state.amm.base_asset_amount_with_amm + market_state.lp.settled_base,
        0
    );
    assert!(env
        .load::<User>(maker.user)
        .await
        .orders
        .iter()
        .all(|o| !o.is_open()));
    let claims = market_state.settlement.claims;
    assert!(claims > 0, "the short's gain is registered");

    // Payouts wait for the claim window.
    let finalize = instructions::finalize_settlement(0);
    let failure = refused(&mut env, finalize.clone(), &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::SettlementNotReady);
    env.advance(24 * 3_600, 10).await;
    let fixed = env
        .send_capturing_events("finalize_settlement", &[finalize], &[&keeper])
        .await
        .expect("fix the payouts");
    let record = &fixed.events::<SettlementRecord>()[0];
    assert_eq!(record.claims, claims);
    assert!(
        record.shortfall > 0,
        "the pool cannot pay every winner: {}",
        record.pool
    );
    assert_eq!(record.pool + record.shortfall, claims);

    let short_claim = position_in(&mut env, short.user, 0)
        .await
        .quote_asset_amount
        .get() as u64;
    let before = quote_balance(&mut env, short.user).await;
    env.send(
        "settle_expired_positions",
        &[instructions::settle_expired_positions(&users, 0, true)],
        &[&keeper],
    )
    .await
    .expect("pay the claims");
    let paid = (quote_balance(&mut env, short.user).await - before) as u64;
    let pro_rata = (short_claim as u128 * record.pool as u128 / claims as u128) as u64;
    assert!(
        paid <= pro_rata && paid + 1 >= pro_rata,
        "paid {paid} of {pro_rata}"
    );
    assert_eq!(env.perp_market(0).await.settlement.claims, 0);

    // The 9x long's debt is written off; everyone else withdraws what they hold.
    assert!(quote_balance(&mut env, levered.user).await < 0);
    env.send(
        "resolve_bad_debt",
        &[instructions::resolve_bad_debt(levered.user, 0)],
        &[&keeper],
    )
    .await
    .expect("write off the bad debt");
    for who in [&lp, &long, &short, &maker, &levered] {
        withdraw_all(&mut env, &exchange, who).await;
        let user: User = env.load(who.user).await;
        assert!(user.perp_positions.iter().all(|p| !p.is_active()));
        assert!(quote_balance(&mut env, who.user).await <= 0);
    }

    env.send(
        "delist_market",
        &[instructions::delist_market(admin.pubkey(), 0)],
        &[&admin],
    )
    .await
    .expect("delist");
    let market_state = env.perp_market(0).await;
    assert_eq!(market_state.status, MarketStatus::Delisted as u8);
    assert_eq!((market_state.fee_pool, market_state.pnl_pool), (0, 0));
    // The vault holds what the saver is owed and the insurance fund, which received the
    // leftover pools, give or take the rounding every index leaves.
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let owed = quote_balance(&mut env, saver.user).await + spot.insurance.balance as i128;
    let vault = env.token_balance(pda::spot_vault(0)).await as i128;
    assert_eq!(spot.perp_pools_balance, 0);
    assert!(
        (0..=10).contains(&(vault - owed)),
        "vault {vault} owed {owed}"
    );
    withdraw_all(&mut env, &exchange, &saver).await;
}
