//! A market whose oracle stops (stale past its guard) freezes nothing elsewhere: margin reads
//! value it at the last price it read. Liquidations, closes and de-risks in other markets go on
//! with it valued as it last stood, never made liquidatable by it; withdrawals and new risk
//! count no gain there and need its whole notional.
use bal::error::BalError;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::Long;
use bal_client::instructions::{self, margin_accounts, MarketAccounts};
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    market, new_trader, order, set_oracle_price, setup_trading, trade_in, Exchange, Trader,
    LIQUIDATOR_DEPOSIT,
};
use bal_tests::inspect::position_in;
use bal_tests::markets::{allow_divergence, second_market, set_price};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

/// Market 0 and market 1, and an account holding `sol` base long in market 0 and one base long
/// in market 1 on `deposit`.
struct TwoMarkets {
    exchange: Exchange,
    sol: MarketAccounts,
    eth: MarketAccounts,
}

async fn two_markets(env: &mut TestEnv) -> TwoMarkets {
    let exchange = setup_trading(env).await;
    let eth = second_market(env, &exchange).await;
    allow_divergence(env, &exchange, 0, 500_000).await;
    TwoMarkets {
        sol: market(&exchange),
        exchange,
        eth,
    }
}

async fn holder(env: &mut TestEnv, world: &TwoMarkets, deposit: u64, sol: u64) -> Trader {
    let trader = new_trader(env, &world.exchange, deposit, 0).await;
    trade_in(env, &trader, &world.eth, &[], order(Long, BASE))
        .await
        .expect("a long in market 1");
    trade_in(env, &trader, &world.sol, &[world.eth], order(Long, sol))
        .await
        .expect("a long in market 0");
    trader
}

/// Two minutes pass: market 1's oracle, past its 60-second guard, is stale; market 0's is
/// published at `price`.
async fn market_one_goes_stale(env: &mut TestEnv, world: &TwoMarkets, price: i64) {
    env.advance(120, 300).await;
    set_oracle_price(env, &world.exchange, price).await;
}

#[tokio::test]
async fn a_stale_market_blocks_no_liquidation_or_close_elsewhere_and_makes_none_liquidatable() {
    let mut env = TestEnv::start().await;
    let world = two_markets(&mut env).await;
    let levered = holder(&mut env, &world, 200_000_000, 15 * BASE).await;
    let healthy = holder(&mut env, &world, 1_000_000_000, 2 * BASE).await;
    let closer = holder(&mut env, &world, 1_000_000_000, 2 * BASE).await;
    let liquidator = new_trader(&mut env, &world.exchange, LIQUIDATOR_DEPOSIT, 0).await;
    market_one_goes_stale(&mut env, &world, 90_000_000).await;

    // A healthy account is not liquidatable for holding a stale market: valued as it last stood.
    let liquidate = |user| {
        instructions::liquidate_perp(
            liquidator.wallet.pubkey(),
            liquidator.user,
            user,
            &world.sol,
            &[world.eth],
            u64::MAX,
        )
    };
    let watched = [healthy.user, liquidator.user];
    let failure = refused(
        &mut env,
        liquidate(healthy.user),
        &[&liquidator.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::NotLiquidatable);
    // The levered one, below maintenance in market 0, is liquidated there.
    env.send(
        "liquidate_perp",
        &[liquidate(levered.user)],
        &[&liquidator.wallet],
    )
    .await
    .expect("liquidated though market 1's oracle is stale");
    assert!(
        position_in(&mut env, liquidator.user, 0)
            .await
            .base_asset_amount
            > 0
    );
    // A close in market 0 goes on too.
    env.send(
        "close_position",
        &[instructions::close_position(
            closer.wallet.pubkey(),
            closer.user,
            &world.sol,
            &[world.eth],
            None,
        )],
        &[&closer.wallet],
    )
    .await
    .expect("closed though market 1's oracle is stale");
    assert_eq!(
        position_in(&mut env, closer.user, 0)
            .await
            .base_asset_amount,
        0
    );
}

#[tokio::test]
async fn a_withdrawal_counts_no_gain_in_a_stale_market_and_needs_its_whole_notional() {
    let mut env = TestEnv::start().await;
    let world = two_markets(&mut env).await;
    let trader = holder(&mut env, &world, 1_000_000_000, BASE).await;
    // Market 1 gains $10 for the long, then its oracle stops.
    set_price(&mut env, &world.exchange, &world.eth, 110_000_000).await;
    market_one_goes_stale(&mut env, &world, 100_000_000).await;
    let withdraw = |amount| {
        let mut ix =
            instructions::withdraw(&trader.collateral(&world.exchange), amount, false, &[]);
        ix.accounts.extend(margin_accounts(&[world.sol, world.eth]));
        ix
    };
    // With market 1 fresh, $950 out would leave about $60 against about $21 required; stale,
    // its $10 gain counts nothing and its $110 of notional is required in full.
    let failure = refused(
        &mut env,
        withdraw(950_000_000),
        &[&trader.wallet],
        &[trader.user],
    )
    .await;
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    env.send("withdraw", &[withdraw(800_000_000)], &[&trader.wallet])
        .await
        .expect("what stays covers the stale market's whole notional");
    // Fresh again, the rest of the rule applies as usual.
    set_price(&mut env, &world.exchange, &world.eth, 110_000_000).await;
    env.send("withdraw", &[withdraw(100_000_000)], &[&trader.wallet])
        .await
        .expect("a fresh market counts its gain");
}
