use bal::controller::amm_fill::PositionDirection::Long;
use bal::error::BalError;
use bal::instructions::UpdatePerpMarketParams;
use bal::state::{OracleGuards, PerpMarket, SpotMarket, User};
use bal_client::pda;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{
    default_oracle_guards, leveraged_long, liquidate, new_trader, order, repeg, set_oracle_price,
    setup_trading, trade, update_market,
};
use bal_tests::TestEnv;

async fn balance(env: &mut TestEnv, user: anchor_lang::prelude::Pubkey) -> i128 {
    let user: User = env.load(user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    bal::controller::spot_balance::signed_token_amount(&user.quote_balance, &spot).unwrap()
}

#[tokio::test]
async fn a_position_below_maintenance_is_closed_with_a_fee_split() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;

    // Down 5%: still above maintenance.
    set_oracle_price(&mut env, &exchange, 95_000_000).await;
    let failure = liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect_err("healthy");
    assert_bal_error(&failure, BalError::NotLiquidatable);
    let failure = liquidate(&mut env, &exchange, &trader, trader.user)
        .await
        .expect_err("self");
    assert!(
        bal_tests::errors::custom_code(&failure).is_some(),
        "{failure:?}"
    );

    set_oracle_price(&mut env, &exchange, 93_000_000).await;
    let fee_pool_before = env.load::<PerpMarket>(pda::perp_market(0)).await.fee_pool;
    liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect("liquidate");
    let user: User = env.load(trader.user).await;
    assert!(user.perp_positions.iter().all(|p| p.base_asset_amount == 0));
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(market.amm.base_asset_amount_with_amm, 0);
    // 1% of the ~$860 closed (against the AMM, which sits near $100 until repegged), half to
    // the liquidator, half to insurance.
    let earned = balance(&mut env, liquidator.user).await;
    assert!((4_000_000..=4_500_000).contains(&earned), "{earned}");
    let to_insurance = market.fee_pool as i128 - fee_pool_before as i128;
    assert!(
        (earned..=earned + 1).contains(&to_insurance),
        "{to_insurance}"
    );
    // The loss was settled into the P&L pool; the trader keeps what is left.
    // Every token the trader deposited is accounted for: what it keeps, the loss it paid into
    // the P&L pool, the fees in the fee pool and the liquidator's share.
    let left = balance(&mut env, trader.user).await;
    assert!(left > 0 && market.pnl_pool > 0, "{left}");
    assert_eq!(
        left + market.pnl_pool as i128 + market.fee_pool as i128 + earned,
        100_000_000
    );
}

#[tokio::test]
async fn a_bankrupt_balance_is_covered_by_insurance_then_socialized() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let depositor = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    let liquidator = new_trader(&mut env, &exchange, 0, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 8_500_000_000))
        .await
        .expect("8.5x long");
    // A gap of 15% (beyond the usual 10% guard, which the admin widens for this market).
    let wider = UpdatePerpMarketParams {
        oracle_guards: Some(OracleGuards {
            max_twap_divergence: 200_000,
            ..default_oracle_guards()
        }),
        ..Default::default()
    };
    update_market(&mut env, &exchange, wider)
        .await
        .expect("widen guards");
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    // The AMM follows the oracle down, so the position closes near $85.
    repeg(&mut env, &exchange).await.expect("repeg");

    let deposit_before = balance(&mut env, depositor.user).await;
    liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect("liquidate");
    assert_eq!(
        balance(&mut env, trader.user).await,
        0,
        "the debt was written off"
    );
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(market.fee_pool, 0, "insurance paid what it held");
    let lost = deposit_before - balance(&mut env, depositor.user).await;
    assert!(lost > 0, "depositors bore the rest: {lost}");
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    bal::controller::spot_balance::validate_vault_covers(
        &spot,
        env.token_balance(pda::spot_vault(0)).await,
    )
    .expect("the vault still covers every claim");
}
