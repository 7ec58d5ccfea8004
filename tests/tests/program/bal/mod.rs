use bal::error::BalError;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{PerpMarket, PerpPosition, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, new_trader, order, set_oracle_price, settle_lp, setup_trading, trade,
    update_market, Exchange, Trader,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

pub(crate) const BASE: u64 = BASE_PRECISION as u64;

pub(crate) async fn position(env: &mut TestEnv, trader: &Trader) -> PerpPosition {
    let user: User = env.load(trader.user).await;
    user.perp_positions
        .iter()
        .find(|p| p.is_active())
        .copied()
        .unwrap_or_default()
}

fn price(market: &PerpMarket) -> u64 {
    bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier).unwrap()
}

/// The market's 1,000 base of protocol liquidity plus `shares` from a well-funded LP.
pub(crate) async fn with_lp(env: &mut TestEnv, shares: u64) -> (Exchange, Trader) {
    let exchange = setup_trading(env).await;
    let lp = new_trader(env, &exchange, 100_000_000_000, 0).await;
    add_liquidity(env, &exchange, &lp, shares)
        .await
        .expect("add_liquidity");
    (exchange, lp)
}

/// Initial margin of `trader` at the market's last oracle price, computed by the program's own
/// margin engine on the accounts as stored.
pub(crate) async fn initial_margin(
    env: &mut TestEnv,
    trader: &Trader,
) -> bal::read::margin::MarginSummary {
    use bal::read::margin::{margin_summary, MarginType, MarketView, MarketViews};
    let user: User = env.load(trader.user).await;
    let spot: bal::state::SpotMarket = env.load(pda::spot_market(0)).await;
    let market = env.perp_market(0).await;
    let views = MarketViews(vec![MarketView::current(
        &market,
        market.amm.last_oracle_price,
    )
    .unwrap()]);
    margin_summary(&user, &spot, &views, MarginType::Initial).unwrap()
}

pub(crate) async fn set_derisk_opt_out(env: &mut TestEnv, lp: &Trader, opt_out: bool) {
    env.send(
        "update_user_derisk_opt_out",
        &[instructions::update_user(
            lp.wallet.pubkey(),
            0,
            instructions::UserSetting::DeriskOptOut(opt_out),
        )],
        &[&lp.wallet],
    )
    .await
    .expect("derisk opt-out");
}

/// The one-hour LP cooldown passes; the oracle republishes the start price.
pub(crate) async fn after_cooldown(env: &mut TestEnv, exchange: &Exchange) {
    env.advance(3_600, 10).await;
    set_oracle_price(env, exchange, bal_tests::fixtures::START_PRICE).await;
}

pub(crate) async fn set_max_leverage(env: &mut TestEnv, lp: &Trader, margin_ratio: u32) {
    env.send(
        "update_user_custom_margin_ratio",
        &[instructions::update_user(
            lp.wallet.pubkey(),
            0,
            instructions::UserSetting::CustomMarginRatio(margin_ratio),
        )],
        &[&lp.wallet],
    )
    .await
    .expect("max leverage");
}

#[tokio::test]
async fn adding_liquidity_deepens_the_curve_without_moving_the_price() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let before = env.perp_market(0).await;
    let lp = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    // 1,000.0005 base asked: rounded down to the step (0.001 base).
    add_liquidity(&mut env, &exchange, &lp, 1_000 * BASE + 500_000)
        .await
        .expect("add");
    let after = env.perp_market(0).await;
    assert_eq!(after.amm.sqrt_k.get(), 2_000 * BASE_PRECISION);
    assert_eq!(after.lp.user_lp_shares.get(), 1_000 * BASE_PRECISION);
    assert!(price(&before).abs_diff(price(&after)) <= 1);
    assert_eq!(
        position(&mut env, &lp).await.lp.shares.get(),
        1_000 * BASE_PRECISION
    );
}

#[tokio::test]
async fn traders_selling_make_the_lp_long_by_exactly_its_fraction_with_its_fee_slice() {
    let mut env = TestEnv::start().await;
    let (exchange, lp) = with_lp(&mut env, 1_000 * BASE).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let fee_pool_before = env.perp_market(0).await.fee_pool;
    trade(&mut env, &exchange, &trader, order(Short, 10 * BASE))
        .await
        .expect("trader sells 10");
    settle_lp(&mut env, &lp).await;

    let lp_position = position(&mut env, &lp).await;
    let trader_position = position(&mut env, &trader).await;
    // Half the shares are the LP's: half of the AMM's +10 base, at the trader's price.
    assert_eq!(lp_position.base_asset_amount, 5 * BASE as i64);
    let market = env.perp_market(0).await;
    // The LP paid half of what the trader received, and earned 80% of half the taker fee.
    let fee = market.total_fees as i128;
    let expected = -trader_position.quote_asset_amount.get() / 2 + fee * 4 / 10;
    assert!(
        (lp_position.quote_asset_amount.get() - expected).abs() <= 2,
        "lp quote {} vs expected {}",
        lp_position.quote_asset_amount.get(),
        expected
    );
    // The fee splits between the fee pool and the P&L pool, which backs the LPs' slice
    // (40% of it here, rounded up to a whole unit).
    assert_eq!(
        market.fee_pool - fee_pool_before + market.pnl_pool,
        fee as u64
    );
    assert!((fee * 4 / 10..=fee * 4 / 10 + 1).contains(&(market.pnl_pool as i128)));
    // Conservation: positions hold the traders' base plus what LPs settled.
    assert_eq!(
        lp_position.base_asset_amount + trader_position.base_asset_amount,
        market.amm.base_asset_amount_with_amm + market.lp.settled_base
    );

    // Settling again moves nothing.
    settle_lp(&mut env, &lp).await;
    assert_eq!(position(&mut env, &lp).await, lp_position);
}

#[tokio::test]
async fn traders_buying_make_the_lp_short() {
    let mut env = TestEnv::start().await;
    let (exchange, lp) = with_lp(&mut env, 3_000 * BASE).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 8 * BASE))
        .await
        .expect("trader buys 8");
    settle_lp(&mut env, &lp).await;
    // 75% of the shares: −6 base, rounded against the LP by at most one unit.
    let base = position(&mut env, &lp).await.base_asset_amount;
    assert!(
        (-6 * BASE as i64 - 1..=-6 * BASE as i64).contains(&base),
        "{base}"
    );
}

#[tokio::test]
async fn add_then_remove_with_no_fills_leaves_equity_unchanged_after_the_cooldown() {
    let mut env = TestEnv::start().await;
    let (exchange, lp) = with_lp(&mut env, 500 * BASE).await;
    let user_before: User = env.load(lp.user).await;
    let failure = env
        .send(
            "remove_liquidity",
            &[instructions::remove_liquidity(
                lp.wallet.pubkey(),
                lp.user,
                0,
                None,
            )],
            &[&lp.wallet],
        )
        .await
        .expect_err("cooldown");
    assert_bal_error(&failure, BalError::LpCooldown);

    env.advance(3_600, 10).await;
    env.send(
        "remove_liquidity",
        &[instructions::remove_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            0,
            None,
        )],
        &[&lp.wallet],
    )
    .await
    .expect("remove all");
    let user: User = env.load(lp.user).await;
    assert!(
        user.perp_positions.iter().all(|p| !p.is_active()),
        "nothing left"
    );
    assert_eq!(user.quote_balance, user_before.quote_balance);
    let market = env.perp_market(0).await;
    assert_eq!(market.amm.sqrt_k.get(), 1_000 * BASE_PRECISION);
    assert_eq!(market.lp.user_lp_shares.get(), 0);
    let _ = exchange;
}

#[tokio::test]
async fn an_lp_must_carry_its_open_orders_in_margin() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    // $100 of collateral cannot back the orders of 10,000 base of liquidity.
    let failure = add_liquidity(&mut env, &exchange, &lp, 10_000 * BASE)
        .await
        .expect_err("too big");
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    assert_eq!(
        env.perp_market(0).await.amm.sqrt_k.get(),
        1_000 * BASE_PRECISION
    );
    add_liquidity(&mut env, &exchange, &lp, 10 * BASE)
        .await
        .expect("a small add fits");
}

#[tokio::test]
async fn funding_is_the_same_whether_an_lp_settles_every_period_or_never() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let eager = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let lazy = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    for lp in [&eager, &lazy] {
        add_liquidity(&mut env, &exchange, lp, 500 * BASE)
            .await
            .expect("add");
    }
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 20 * BASE))
        .await
        .expect("trader buys");
    for _ in 0..3 {
        env.advance(3_600, 10).await;
        set_oracle_price(&mut env, &exchange, 100_000_000).await;
        env.send(
            "update_funding_rate",
            &[instructions::update_funding_rate(
                &bal_tests::fixtures::market(&exchange),
            )],
            &[&keeper],
        )
        .await
        .expect("funding");
        settle_lp(&mut env, &eager).await;
    }
    settle_lp(&mut env, &lazy).await;
    let eager_position = position(&mut env, &eager).await;
    let lazy_position = position(&mut env, &lazy).await;
    assert_eq!(
        eager_position.base_asset_amount,
        lazy_position.base_asset_amount
    );
    let gap =
        (eager_position.quote_asset_amount.get() - lazy_position.quote_asset_amount.get()).abs();
    // Each settle may round one unit against the LP.
    assert!(
        gap <= 3,
        "eager {} lazy {}",
        eager_position.quote_asset_amount.get(),
        lazy_position.quote_asset_amount.get()
    );
    assert_ne!(env.perp_market(0).await.funding.cumulative_funding_rate, 0);
}

#[tokio::test]
async fn in_a_reduce_only_market_an_lp_leaves_at_once_and_no_other_lp_removes_it() {
    let mut env = TestEnv::start().await;
    let (exchange, lp) = with_lp(&mut env, 500 * BASE).await;
    // Another LP, which would hold a larger part of the wind-down with the first one gone.
    let other = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &other, 100 * BASE)
        .await
        .expect("add");
    let strip = instructions::remove_liquidity(other.wallet.pubkey(), lp.user, 0, None);
    let watched = [lp.user, pda::perp_market(0)];
    let failure = refused(&mut env, strip.clone(), &[&other.wallet], &watched).await;
    assert_bal_error(&failure, BalError::NotUserAuthority);
    let reduce_only = bal::instructions::UpdatePerpMarketParams {
        status: Some(bal::state::MarketStatus::ReduceOnly),
        ..Default::default()
    };
    update_market(&mut env, &exchange, reduce_only)
        .await
        .expect("reduce-only");
    let failure = refused(&mut env, strip, &[&other.wallet], &watched).await;
    assert_bal_error(&failure, BalError::NotUserAuthority);
    // Its owner leaves inside its cooldown: the market is winding down.
    env.send(
        "remove_liquidity",
        &[instructions::remove_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            0,
            None,
        )],
        &[&lp.wallet],
    )
    .await
    .expect("the owner's removal, cooldown or not");
    assert_eq!(
        env.perp_market(0).await.lp.user_lp_shares.get(),
        100 * BASE as u128
    );
}

#[tokio::test]
async fn a_keeper_settles_many_lps_in_one_transaction() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let mut lps = Vec::new();
    for _ in 0..3 {
        let lp = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
        add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
            .await
            .expect("add");
        lps.push(lp);
    }
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Short, 13 * BASE))
        .await
        .expect("trade");
    let keeper = env.funded_wallet().await;
    let users: Vec<_> = lps.iter().map(|lp| lp.user).chain([pda::state()]).collect();
    let success = env
        .send(
            "settle_lp_many",
            &[
                instructions::settle_lp_many(keeper.pubkey(), &users, 0, true)
                    .expect("a batch of users"),
            ],
            &[&keeper],
        )
        .await
        .expect("batch");
    assert_eq!(&success.return_data[..12], &[0u8; 12]);
    assert_ne!(
        &success.return_data[12..],
        &[0u8; 4],
        "the state account is not a user"
    );
    let mut settled = 0;
    for lp in &lps {
        let base = position(&mut env, lp).await.base_asset_amount;
        assert_eq!(
            base,
            position(&mut env, &lps[0]).await.base_asset_amount,
            "equal shares, equal base"
        );
        settled += base;
    }
    assert_eq!(settled, env.perp_market(0).await.lp.settled_base);
    assert!(settled > 0);
}

mod derisk_and_history;
mod settle_batch;
