//! Bad debt: written off only once nothing is left, net of the claims the account still holds,
//! down the waterfall to depositors; and always resolvable by anyone.
use bal::error::BalError;
use bal::events::{BankruptcyRecord, LiquidationRecord};
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::Long;
use bal::state::{PerpMarket, SpotMarket};
use bal_client::instructions::{self, MarketAccounts};
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::trade_in;
use bal_tests::fixtures::{
    leveraged_long, market, new_trader, order, set_oracle_price, setup_trading, trade, Exchange,
    Trader, LIQUIDATOR_DEPOSIT,
};
use bal_tests::inspect::{position_in, quote_balance};
use bal_tests::markets::{allow_divergence, close_underwater, second_market};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

async fn settle_in(env: &mut TestEnv, user: &Trader, traded: &MarketAccounts) {
    let keeper = env.funded_wallet().await;
    env.send(
        "settle_pnl_many",
        &[instructions::settle_pnl_many(&[user.user], traded, false).expect("a batch of users")],
        &[&keeper],
    )
    .await
    .expect("settle");
}

async fn deposit_index(env: &mut TestEnv) -> u128 {
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    spot.cumulative_deposit_interest.get()
}

/// What market 0's fee pool holds above what it keeps for repegs. precision: QUOTE
async fn spare_fees(env: &mut TestEnv) -> u64 {
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    let reserve = bal::read::repeg::repeg_reserve(&market);
    market.fee_pool.saturating_sub(reserve)
}

/// A depositor's $10,000, the liquidity everyone else's borrows come from.
async fn depositor(env: &mut TestEnv, exchange: &Exchange) -> Trader {
    new_trader(env, exchange, 10_000_000_000, 0).await
}

#[tokio::test]
async fn debt_is_written_off_only_net_of_the_claims_the_account_still_holds() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let eth = second_market(&mut env, &exchange).await;
    let sol = market(&exchange);
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    allow_divergence(&mut env, &exchange, 1, 500_000).await;
    let saver = depositor(&mut env, &exchange).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    let liquidator = new_trader(&mut env, &exchange, LIQUIDATOR_DEPOSIT, 0).await;

    // A gain realized in market 1, whose P&L pool holds nothing to pay it: a claim. A second
    // trader's large buy lifts the curve, the trader sells into it, and the buyer's loss at the
    // oracle is not settled yet.
    let pusher = depositor(&mut env, &exchange).await;
    trade_in(&mut env, &trader, &eth, &[], order(Long, BASE))
        .await
        .expect("trade");
    trade_in(&mut env, &pusher, &eth, &[], order(Long, 80 * BASE))
        .await
        .expect("trade");
    env.send(
        "close_position",
        &[instructions::close_position(
            trader.wallet.pubkey(),
            trader.user,
            &eth,
            &[],
            None,
        )],
        &[&trader.wallet],
    )
    .await
    .expect("close in market 1");
    settle_in(&mut env, &trader, &eth).await;
    let claim = position_in(&mut env, trader.user, 1)
        .await
        .quote_asset_amount
        .get();
    assert!(claim > 15_000_000, "an unpaid gain: {claim}");
    assert_eq!(
        env.load::<PerpMarket>(pda::perp_market(1)).await.pnl_pool,
        0
    );

    // A 9x long in market 0, then a 15% gap: the loss exceeds the deposit.
    trade_in(&mut env, &trader, &sol, &[eth], order(Long, 9 * BASE))
        .await
        .expect("trade");
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let index_before = deposit_index(&mut env).await;
    let saver_before = quote_balance(&mut env, saver.user).await;
    let success = env
        .send_capturing_events(
            "liquidate_perp",
            &[instructions::liquidate_perp(
                liquidator.wallet.pubkey(),
                liquidator.user,
                trader.user,
                &sol,
                &[eth],
                u64::MAX,
            )],
            &[&liquidator.wallet],
        )
        .await
        .expect("liquidate");
    let record = &success.events::<BankruptcyRecord>()[0];
    assert!(
        record.debt as i128 > claim,
        "debt {} claim {claim}",
        record.debt
    );
    assert_eq!(
        record.claims_netted as i128, claim,
        "the claim backs its part"
    );
    let written_off = record.covered_by_insurance_fund as u128
        + record.covered_by_fee_pool as u128
        + record.socialized;
    assert_eq!(written_off + record.claims_netted, record.debt);
    // The account keeps its claim and exactly the debt the claim backs.
    assert_eq!(quote_balance(&mut env, trader.user).await, -(claim as i128));
    let lost = saver_before - quote_balance(&mut env, saver.user).await;
    assert!(
        lost <= record.socialized as i128 + 1 && deposit_index(&mut env).await < index_before,
        "depositors bore only the unbacked part: {lost}"
    );

    // The buyer's loss fills market 1's pool; settling the claim repays the debt, and nothing
    // is left to withdraw.
    settle_in(&mut env, &pusher, &eth).await;
    settle_in(&mut env, &trader, &eth).await;
    let left = quote_balance(&mut env, trader.user).await;
    assert!((0..=1).contains(&left), "{left}");
    let withdraw = instructions::withdraw(&trader.collateral(&exchange), 1, false, &[]);
    let failure = refused(&mut env, withdraw, &[&trader.wallet], &[trader.user]).await;
    assert_bal_error(&failure, BalError::BorrowNotAllowed);
}

#[tokio::test]
async fn a_negative_balance_with_nothing_behind_it_is_resolved_by_anyone() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    let saver = depositor(&mut env, &exchange).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    let stranger = env.funded_wallet().await;
    trade(&mut env, &exchange, &trader, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let resolve = instructions::resolve_bad_debt(trader.user, 0);
    let watched = [trader.user, pda::spot_market(0), pda::perp_market(0)];
    let failure = refused(&mut env, resolve.clone(), &[&stranger], &watched).await;
    assert_bal_error(&failure, BalError::AccountNotEmptied);

    // Closed where the curve pays the oracle (no worse for its debt), the loss settled into a
    // borrow with nothing behind it.
    close_underwater(&mut env, &exchange, &trader, &saver).await;
    settle_in(&mut env, &trader, &market(&exchange)).await;
    let debt = -quote_balance(&mut env, trader.user).await;
    assert!(debt > 0, "{debt}");
    let spare = spare_fees(&mut env).await;
    let saver_before = quote_balance(&mut env, saver.user).await;
    let success = env
        .send_capturing_events(
            "resolve_bad_debt",
            std::slice::from_ref(&resolve),
            &[&stranger],
        )
        .await
        .expect("anyone may resolve it");
    let record = &success.events::<BankruptcyRecord>()[0];
    assert_eq!(record.debt as i128, debt);
    assert_eq!(record.claims_netted, 0);
    assert_eq!(record.covered_by_insurance_fund, 0, "no stakers");
    assert_eq!(
        record.covered_by_fee_pool, spare,
        "the fee pool above its repeg reserve"
    );
    assert_eq!(record.socialized as i128, debt - spare as i128);
    assert_eq!(quote_balance(&mut env, trader.user).await, 0);
    let lost = saver_before - quote_balance(&mut env, saver.user).await;
    assert!(
        (record.socialized as i128 - 1..=record.socialized as i128 + 1).contains(&lost),
        "{lost} vs {}",
        record.socialized
    );
    // A year later nothing has accrued on it, and there is nothing left to resolve.
    env.advance(365 * 24 * 3_600, 10).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let failure = refused(&mut env, resolve, &[&stranger], &watched).await;
    assert_bal_error(&failure, BalError::NoBadDebt);
    assert_eq!(quote_balance(&mut env, trader.user).await, 0);
}

#[tokio::test]
async fn a_bankrupt_liquidation_is_covered_by_insurance_then_socialized() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    let saver = depositor(&mut env, &exchange).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let saver_before = quote_balance(&mut env, saver.user).await;
    let spare = spare_fees(&mut env).await;
    let success = env
        .send_capturing_events(
            "liquidate_perp",
            &[instructions::liquidate_perp(
                liquidator.wallet.pubkey(),
                liquidator.user,
                trader.user,
                &market(&exchange),
                &[],
                u64::MAX,
            )],
            &[&liquidator.wallet],
        )
        .await
        .expect("liquidate");
    let record = &success.events::<BankruptcyRecord>()[0];
    assert_eq!(quote_balance(&mut env, trader.user).await, 0, "written off");
    assert_eq!(
        position_in(&mut env, trader.user, 0)
            .await
            .base_asset_amount,
        0
    );
    // The whole 9 base went to the liquidator at $85, with no fee: the account had nothing.
    let taken = position_in(&mut env, liquidator.user, 0).await;
    assert_eq!(taken.base_asset_amount, 9 * BASE as i64);
    assert_eq!(taken.quote_asset_amount.get(), -765_000_000);
    let liquidation = &success.events::<LiquidationRecord>()[0];
    assert_eq!(
        liquidation.fee_to_liquidator + liquidation.fee_to_insurance,
        0
    );
    // The liquidator is a depositor too: it bears its share of the write-off and earned nothing.
    assert!(quote_balance(&mut env, liquidator.user).await < LIQUIDATOR_DEPOSIT as i128);
    assert_eq!(record.covered_by_insurance_fund, 0, "no stakers");
    assert_eq!(
        record.covered_by_fee_pool, spare,
        "the fee pool paid what it held above its repeg reserve"
    );
    assert!(record.socialized > 0);
    let lost = saver_before - quote_balance(&mut env, saver.user).await;
    assert!(lost > 0 && lost <= record.socialized as i128 + 1, "{lost}");
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    bal::read::balances::validate_vault_covers(&spot, env.token_balance(pda::spot_vault(0)).await)
        .expect("the vault still covers every claim");
}
