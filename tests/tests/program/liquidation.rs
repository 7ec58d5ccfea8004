//! Liquidation: positions move to the liquidator at the oracle price, only as far as needed,
//! after orders and LP shares; nothing the liquidator trades first changes what it earns.
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal::events::LiquidationRecord;
use bal::instructions::UpdatePerpMarketParams;
use bal::math::constants::BASE_PRECISION;
use bal::read::margin::MarginType;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{MarginRatios, PerpMarket, RiskParams, SpotMarket};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, leveraged_long, liquidate, market, new_trader, order, set_oracle_price,
    settle_lp, setup_trading, trade, update_market, Exchange, Trader, LIQUIDATOR_DEPOSIT,
};
use bal_tests::inspect::{margin, net_value, position_in, quote_balance};
use bal_tests::markets::{allow_divergence, second_market, set_price, widest_price_band};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

fn liquidate_ix(
    liquidator: &Trader,
    user: &Trader,
    exchange: &Exchange,
    max_base: u64,
) -> Instruction {
    instructions::liquidate_perp(
        liquidator.wallet.pubkey(),
        liquidator.user,
        user.user,
        &market(exchange),
        &[],
        max_base,
    )
}

#[tokio::test]
async fn a_position_below_maintenance_moves_to_the_liquidator_at_the_oracle_price() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    set_oracle_price(&mut env, &exchange, 95_000_000).await;
    let failure = liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect_err("healthy at $95");
    assert_bal_error(&failure, BalError::NotLiquidatable);

    set_oracle_price(&mut env, &exchange, 93_000_000).await;
    let amm_before = env.load::<PerpMarket>(pda::perp_market(0)).await.amm;
    let fund_before = env.load::<SpotMarket>(pda::spot_market(0)).await.insurance;
    let fee_pool_before = env.load::<PerpMarket>(pda::perp_market(0)).await.fee_pool;
    let success = env
        .send_capturing_events(
            "liquidate_perp",
            &[liquidate_ix(&liquidator, &trader, &exchange, u64::MAX)],
            &[&liquidator.wallet],
        )
        .await
        .expect("liquidate");
    let record = &success.events::<LiquidationRecord>()[0];
    let moved = record.base_transferred;
    // Only part of the 9 base, a whole number of steps.
    assert!(moved > 0 && moved < 6 * BASE, "{moved}");
    assert_eq!(moved % (BASE / 1_000), 0);
    assert_eq!(record.oracle_price, 93_000_000);
    assert_eq!(record.quote_transferred, moved * 93 / 1_000);
    let fee = record.fee_to_liquidator + record.fee_to_insurance;
    assert_eq!(
        fee,
        record.quote_transferred.div_ceil(100),
        "1% of the notional"
    );
    assert_eq!(record.fee_to_liquidator, fee / 2);

    let taken = position_in(&mut env, liquidator.user, 0).await;
    assert_eq!(taken.base_asset_amount, moved as i64);
    assert_eq!(
        taken.quote_asset_amount.get(),
        -(record.quote_transferred as i128)
    );
    let left = position_in(&mut env, trader.user, 0).await;
    assert_eq!(left.base_asset_amount, (9 * BASE - moved) as i64);
    // The AMM took no part: its curve and the users' net position are as they were.
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(market.amm.curve(), amm_before.curve());
    assert_eq!(market.amm.base_asset_amount_with_amm, 9 * BASE as i64);
    let fund = env.load::<SpotMarket>(pda::spot_market(0)).await.insurance;
    assert_eq!(
        fund.balance - fund_before.balance,
        record.fee_to_insurance,
        "the account's fee beyond the liquidator's part goes to the insurance fund"
    );
    assert_eq!(market.fee_pool, fee_pool_before, "not to the fee pool");
    assert_eq!(
        quote_balance(&mut env, liquidator.user).await,
        (LIQUIDATOR_DEPOSIT + record.fee_to_liquidator) as i128
    );
    // The account stops at its liquidation margin, maintenance plus the buffer, less than one
    // step's worth ($0.00465 at $93) above it: only what was needed moved.
    let after = margin(&mut env, trader.user, &[0], MarginType::Liquidation).await;
    let excess = after.collateral - after.requirement as i128;
    assert!((0..4_650).contains(&excess), "{after:?}");
    let failure = liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect_err("safe again");
    assert_bal_error(&failure, BalError::NotLiquidatable);
}

/// What one liquidation scenario left: the liquidator's gain in net value, and the victim's
/// position, balance and the deposit index.
#[derive(Debug, PartialEq)]
struct Aftermath {
    victim_base: i64,
    victim_quote: i128,
    victim_balance: i128,
    deposit_index: u128,
}

/// A 9x long at $93 liquidated by a liquidator with $1,000; with `sandwich`, the liquidator
/// sells 20 base into the AMM before the liquidation and buys it back after, all in one
/// transaction (in a market whose band lets the buy back through: the curve sits 9% above the
/// oracle after the gap).
async fn liquidation_at_93(sandwich: bool) -> (i128, Aftermath) {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    widest_price_band(&mut env, &exchange, 0).await;
    new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    set_oracle_price(&mut env, &exchange, 93_000_000).await;
    let before = net_value(&mut env, liquidator.user, &[0]).await;
    let trade_ix = |direction| {
        instructions::place_perp_order(
            liquidator.wallet.pubkey(),
            liquidator.user,
            &market(&exchange),
            &[],
            order(direction, 20 * BASE),
        )
    };
    let mut ixs = vec![liquidate_ix(&liquidator, &trader, &exchange, u64::MAX)];
    if sandwich {
        ixs = vec![trade_ix(Short), ixs.remove(0), trade_ix(Long)];
    }
    env.send_unmetered(&ixs, &[&liquidator.wallet])
        .await
        .expect("liquidation");
    let gain = net_value(&mut env, liquidator.user, &[0]).await - before;
    let victim = position_in(&mut env, trader.user, 0).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let aftermath = Aftermath {
        victim_base: victim.base_asset_amount,
        victim_quote: victim.quote_asset_amount.get(),
        victim_balance: quote_balance(&mut env, trader.user).await,
        deposit_index: spot.cumulative_deposit_interest.get(),
    };
    (gain, aftermath)
}

#[tokio::test]
async fn a_liquidator_sandwiching_the_liquidation_earns_no_more_than_a_plain_one() {
    let (plain_gain, plain) = liquidation_at_93(false).await;
    let (sandwich_gain, sandwiched) = liquidation_at_93(true).await;
    assert!(plain_gain > 0, "a liquidator earns its fee: {plain_gain}");
    assert!(
        sandwich_gain <= plain_gain,
        "sandwich {sandwich_gain} > plain {plain_gain}"
    );
    // The victim ends exactly where a plain liquidation leaves it, and no debt was socialized.
    assert_eq!(sandwiched, plain);
    assert_eq!(plain.deposit_index, 10_000_000_000);
    assert!(plain.victim_balance > 0);
}

#[tokio::test]
async fn liquidation_stops_once_burning_the_lp_shares_restored_the_account() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    // $4,200: enough for the shares' open orders at $100; at $130 the short's loss leaves it
    // below maintenance with them and far above it without.
    let lp = new_trader(&mut env, &exchange, 4_200_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let liquidator = new_trader(&mut env, &exchange, LIQUIDATOR_DEPOSIT, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 1_000 * BASE)
        .await
        .expect("add 1,000 shares: half of sqrt_k");
    // A fill 11% above the oracle on average: beyond the fixtures' band.
    widest_price_band(&mut env, &exchange, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 200 * BASE))
        .await
        .expect("traders buy 200: the LP is short 100");
    settle_lp(&mut env, &lp).await;
    set_oracle_price(&mut env, &exchange, 130_000_000).await;
    let below = margin(&mut env, lp.user, &[0], MarginType::Maintenance).await;
    assert!(!below.meets_requirement(), "{below:?}");

    let success = env
        .send_capturing_events(
            "liquidate_perp",
            &[liquidate_ix(&liquidator, &lp, &exchange, u64::MAX)],
            &[&liquidator.wallet],
        )
        .await
        .expect("liquidate");
    let record = &success.events::<LiquidationRecord>()[0];
    assert_eq!(record.shares_burned, 1_000 * BASE as u128);
    assert_eq!(record.base_transferred, 0, "the burn was enough");
    assert_eq!(record.fee_to_liquidator + record.fee_to_insurance, 0);
    let short = position_in(&mut env, lp.user, 0).await.base_asset_amount;
    assert!(
        (-100 * BASE as i64 - 1..=-100 * BASE as i64).contains(&short),
        "{short}"
    );
    assert_eq!(
        position_in(&mut env, liquidator.user, 0)
            .await
            .base_asset_amount,
        0
    );
    assert_eq!(
        quote_balance(&mut env, liquidator.user).await,
        LIQUIDATOR_DEPOSIT as i128
    );
    let failure = liquidate(&mut env, &exchange, &liquidator, lp.user)
        .await
        .expect_err("healthy once the shares are gone");
    assert_bal_error(&failure, BalError::NotLiquidatable);
}

#[tokio::test]
async fn a_liquidation_is_refused_to_the_same_wallet_to_dust_and_to_a_liquidator_that_cannot_carry_it(
) {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    set_oracle_price(&mut env, &exchange, 93_000_000).await;
    let watched = [
        trader.user,
        liquidator.user,
        pda::perp_market(0),
        pda::spot_market(0),
    ];

    // The trader's own second subaccount, however funded, may not take it over.
    env.send_setup(
        &[instructions::initialize_user(
            trader.wallet.pubkey(),
            1,
            [0; 32],
        )],
        &[&trader.wallet],
    )
    .await;
    let own = Trader {
        wallet: trader.wallet.insecure_clone(),
        user: pda::user(&trader.wallet.pubkey(), 1),
        token_account: trader.token_account,
    };
    let ix = liquidate_ix(&own, &trader, &exchange, u64::MAX);
    let failure = refused(&mut env, ix, &[&trader.wallet], &watched).await;
    assert_bal_error(&failure, BalError::SelfAction);

    // One base unit at a time would charge the victim a rounded-up fee per call.
    let ix = liquidate_ix(&liquidator, &trader, &exchange, 1);
    let failure = refused(&mut env, ix, &[&liquidator.wallet], &watched).await;
    assert_bal_error(&failure, BalError::OrderSizeInvalid);

    // A liquidator with $10 cannot carry three base at $93.
    let thin = new_trader(&mut env, &exchange, 10_000_000, 0).await;
    let ix = liquidate_ix(&thin, &trader, &exchange, u64::MAX);
    let watched = [
        trader.user,
        thin.user,
        pda::perp_market(0),
        pda::spot_market(0),
    ];
    let failure = refused(&mut env, ix, &[&thin.wallet], &watched).await;
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect("a funded liquidator may");
}

#[tokio::test]
async fn a_crash_is_liquidated_without_waiting_for_the_twap_and_idle_markets_do_not_block_it() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    let eth = second_market(&mut env, &exchange).await;
    // The liquidator holds a position in market 1, whose oracle then moves 30% while nothing
    // reads it: its five-minute TWAP stays behind.
    env.send(
        "place_perp_order",
        &[instructions::place_perp_order(
            liquidator.wallet.pubkey(),
            liquidator.user,
            &eth,
            &[],
            order(Long, BASE),
        )],
        &[&liquidator.wallet],
    )
    .await
    .expect("a long in market 1");
    set_price(&mut env, &exchange, &eth, 130_000_000).await;
    // A 15% crash in market 0: beyond the 10% a fill may diverge from the TWAP.
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let without_eth = liquidate_ix(&liquidator, &trader, &exchange, u64::MAX);
    let watched = [trader.user, liquidator.user];
    let failure = refused(&mut env, without_eth, &[&liquidator.wallet], &watched).await;
    assert_bal_error(&failure, BalError::MarginAccountMissing);
    let with_eth = instructions::liquidate_perp(
        liquidator.wallet.pubkey(),
        liquidator.user,
        trader.user,
        &market(&exchange),
        &[eth],
        u64::MAX,
    );
    env.send("liquidate_perp", &[with_eth], &[&liquidator.wallet])
        .await
        .expect("liquidated at once, market 1's stale TWAP notwithstanding");
    assert!(
        position_in(&mut env, liquidator.user, 0)
            .await
            .base_asset_amount
            > 0
    );
}

#[tokio::test]
async fn the_liquidation_fee_stays_below_the_maintenance_ratio() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let risk = |liquidation_fee| UpdatePerpMarketParams {
        risk: Some(RiskParams {
            liquidation_fee,
            unrealized_pnl_asset_weight: 900_000,
        }),
        ..Default::default()
    };
    let watched = [pda::perp_market(0)];
    // The default maintenance ratio is 5%: a 5% fee would bankrupt every liquidation.
    let ix = instructions::update_perp_market(exchange.admin.pubkey(), 0, risk(50_000));
    let failure = refused(&mut env, ix, &[&exchange.admin], &watched).await;
    assert_bal_error(&failure, BalError::InvalidRiskParameters);
    // Nor may the maintenance ratio fall to the 1% fee.
    let ratios = UpdatePerpMarketParams {
        margin_ratios: Some(MarginRatios {
            initial: 1_000,
            maintenance: 100,
        }),
        ..Default::default()
    };
    let ix = instructions::update_perp_market(exchange.admin.pubkey(), 0, ratios);
    let failure = refused(&mut env, ix, &[&exchange.admin], &watched).await;
    assert_bal_error(&failure, BalError::InvalidRiskParameters);
    update_market(&mut env, &exchange, risk(49_999))
        .await
        .expect("just below the maintenance ratio");
}
