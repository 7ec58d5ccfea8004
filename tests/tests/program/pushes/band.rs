//! The price band itself: a fill that would average further from the oracle than the market's
//! band on the trader's side is refused and changes nothing, and one that brings the curve back
//! toward the oracle never is, however far the curve stands from it.
use super::{BASE, DOLLAR};
use bal::error::BalError;
use bal::state::PerpMarket;
use bal::state::PositionDirection::{Long, Short};
use bal_client::pda;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{new_trader, next_second, order, setup_trading, trade};
use bal_tests::TestEnv;

async fn base_reserve(env: &mut TestEnv) -> u128 {
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    market.amm.base_asset_reserve.get()
}

#[tokio::test]
async fn a_fill_past_the_band_is_refused_and_one_back_toward_the_oracle_is_not() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
    // On the fixtures' curve a sale of about 110 base averages 10% under the oracle: 160 base
    // would average further, so it is refused whole.
    let untouched = base_reserve(&mut env).await;
    let failure = trade(&mut env, &exchange, &trader, order(Short, 160 * BASE))
        .await
        .expect_err("a sale past the band");
    assert_bal_error(&failure, BalError::PriceBandExceeded);
    assert_eq!(base_reserve(&mut env).await, untouched, "nothing moved");
    // 80 base averages inside it; the curve's own price is then further off than the band.
    trade(&mut env, &exchange, &trader, order(Short, 80 * BASE))
        .await
        .expect("a sale inside the band");
    next_second(&mut env, &exchange).await;
    // Selling on from there would average past the band.
    let failure = trade(&mut env, &exchange, &trader, order(Short, 40 * BASE))
        .await
        .expect_err("a further sale away from the oracle");
    assert_bal_error(&failure, BalError::PriceBandExceeded);
    // Buying back toward the oracle averages under it: never refused by the band.
    trade(&mut env, &exchange, &trader, order(Long, 80 * BASE))
        .await
        .expect("a purchase back toward the oracle");
}
