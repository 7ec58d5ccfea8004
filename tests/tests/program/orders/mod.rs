//! Resting orders and `fill_order`: makers, the AMM as backstop, the AMM's and the LPs' JIT
//! splits, and every refusal.
use bal::error::BalError;
use bal::events::{FillLiquidity, OrderFillRecord};
use bal::instructions::UpdatePerpMarketParams;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{self, Long, Short};
use bal::state::RestingOrderParams;
use bal::state::{JitParams, SpotMarket, SpreadParams, State, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::env::TxSuccess;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{
    fill_order, new_trader, next_second, order, place_order, resting, setup_trading, trade,
    update_market, Exchange, Trader,
};
use bal_tests::{TestEnv, TxFailure};
use solana_signer::Signer;

pub(crate) const BASE: u64 = BASE_PRECISION as u64;
const PRICE: u64 = 1_000_000;

pub(crate) async fn base_of(env: &mut TestEnv, trader: &Trader) -> i64 {
    let user: User = env.load(trader.user).await;
    user.perp_positions
        .iter()
        .find(|p| p.is_active() && p.market_index == 0)
        .map_or(0, |p| p.base_asset_amount)
}

/// The trader's quote balance in token units (deposits positive).
async fn balance(env: &mut TestEnv, trader: &Trader) -> i128 {
    let user: User = env.load(trader.user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    bal::read::balances::signed_token_amount(&user.quote_balance, &spot).unwrap()
}

/// A market whose AMM quotes 4% either side of the oracle, so makers inside that spread fill
/// first; and `jit` for its JIT splits.
async fn wide_market(env: &mut TestEnv, jit: JitParams) -> Exchange {
    let exchange = setup_trading(env).await;
    update_market(
        env,
        &exchange,
        UpdatePerpMarketParams {
            spreads: Some(SpreadParams {
                base_spread: 40_000,
                max_spread: 50_000,
                price_band: 100_000,
            }),
            jit: Some(jit),
            ..Default::default()
        },
    )
    .await
    .expect("wide spreads");
    exchange
}

pub(crate) struct Book {
    exchange: Exchange,
    maker: Trader,
    taker: Trader,
    filler: Trader,
}

impl Book {
    /// Rests `params` for `who` (the book's maker or taker); returns the order id.
    pub(crate) async fn rest(
        &self,
        env: &mut TestEnv,
        who: &Trader,
        params: RestingOrderParams,
    ) -> u32 {
        place_order(env, &self.exchange, who, params)
            .await
            .expect("the order rests")
    }

    /// A maker order and a taker order for `base` at the same `price`, the taker on `side`;
    /// returns (taker order, maker order).
    pub(crate) async fn cross(
        &self,
        env: &mut TestEnv,
        side: PositionDirection,
        base: u64,
        price: u64,
    ) -> (u32, u32) {
        let maker = self
            .rest(
                env,
                &self.maker,
                resting(side.opposite(), base, price, true),
            )
            .await;
        let taker = self
            .rest(env, &self.taker, resting(side, base, price, false))
            .await;
        (taker, maker)
    }

    /// The filler fills the taker's order `taker_order` against the maker's `maker_order`.
    pub(crate) async fn fill(
        &self,
        env: &mut TestEnv,
        taker_order: u32,
        maker_order: u32,
    ) -> Result<TxSuccess, TxFailure> {
        fill_order(
            env,
            &self.exchange,
            &self.filler,
            (&self.taker, taker_order),
            &[(&self.maker, maker_order)],
        )
        .await
    }
}

pub(crate) async fn book(env: &mut TestEnv, jit: JitParams) -> Book {
    let exchange = wide_market(env, jit).await;
    let maker = new_trader(env, &exchange, 10_000_000_000, 0).await;
    let taker = new_trader(env, &exchange, 10_000_000_000, 0).await;
    let filler = new_trader(env, &exchange, 0, 0).await;
    Book {
        exchange,
        maker,
        taker,
        filler,
    }
}

#[tokio::test]
async fn a_taker_order_fills_against_a_maker_alone_at_the_makers_price() {
    let mut env = TestEnv::start().await;
    let b = book(&mut env, JitParams::default()).await;
    let ask = b
        .rest(
            &mut env,
            &b.maker,
            resting(Short, 2 * BASE, 100_500_000, true),
        )
        .await;
    let bid = b
        .rest(
            &mut env,
            &b.taker,
            resting(Long, 2 * BASE, 101 * PRICE, false),
        )
        .await;
    let amm_before = env.perp_market(0).await.amm;
    let fees_before = env.perp_market(0).await.total_fees;
    let taker_balance = balance(&mut env, &b.taker).await;
    b.fill(&mut env, bid, ask).await.expect("fill");
    assert_eq!(base_of(&mut env, &b.taker).await, 2 * BASE as i64);
    assert_eq!(base_of(&mut env, &b.maker).await, -2 * BASE as i64);
    let amm_after = env.perp_market(0).await.amm;
    assert_eq!(
        amm_after.base_asset_amount_with_amm,
        amm_before.base_asset_amount_with_amm
    );
    assert_eq!(
        amm_after.base_asset_reserve, amm_before.base_asset_reserve,
        "the AMM took no part"
    );
    // $201 of notional at the maker's price; the taker pays the 0.1% fee ($0.201).
    let user: User = env.load(b.taker.user).await;
    let position = user.perp_positions.iter().find(|p| p.is_active()).unwrap();
    assert_eq!(position.quote_entry_amount.get(), -201_000_000);
    assert_eq!(taker_balance - balance(&mut env, &b.taker).await, 201_000);
    // The market's fee total is what it kept: the taker's fee less the maker's rebate (rounded
    // down), as for an AMM fill, where no rebate is paid.
    let state: State = env.account(pda::state()).await;
    let rebate = 201_000_000 * u64::from(state.fees.maker_rebate_rate) / 1_000_000;
    assert!(rebate > 0, "the fixtures pay makers a rebate");
    assert_eq!(
        env.perp_market(0).await.total_fees - fees_before,
        201_000 - rebate
    );
    assert!(
        balance(&mut env, &b.filler).await > 0,
        "the filler is rewarded"
    );
    // Both orders filled in full: their slots are free again.
    let maker: User = env.load(b.maker.user).await;
    assert!(maker.orders.iter().all(|o| !o.is_open()));
    assert!(user.orders.iter().all(|o| !o.is_open()));
}

#[tokio::test]
async fn the_amm_backstops_once_makers_run_out_up_to_the_takers_limit() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let maker = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let taker = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let filler = new_trader(&mut env, &exchange, 0, 0).await;
    // The AMM asks about $100.1; the maker asks $100.05 for 1.0 base.
    let ask = place_order(
        &mut env,
        &exchange,
        &maker,
        resting(Short, BASE, 100_050_000, true),
    )
    .await
    .expect("maker ask");
    let bid = place_order(
        &mut env,
        &exchange,
        &taker,
        resting(Long, 5 * BASE, 101 * PRICE, false),
    )
    .await
    .expect("taker bid");
    let fill = fill_order(
        &mut env,
        &exchange,
        &filler,
        (&taker, bid),
        &[(&maker, ask)],
    )
    .await
    .expect("fill");
    // One record per piece, with its split: the maker's part, then the AMM's curve.
    let records: Vec<(FillLiquidity, u64)> = fill
        .events::<OrderFillRecord>()
        .iter()
        .map(|r| (r.liquidity, r.base))
        .collect();
    assert_eq!(
        records,
        vec![(FillLiquidity::Maker, BASE), (FillLiquidity::Amm, 4 * BASE)]
    );
    assert_eq!(base_of(&mut env, &maker).await, -(BASE as i64));
    assert_eq!(base_of(&mut env, &taker).await, 5 * BASE as i64);
    assert_eq!(
        env.perp_market(0).await.amm.base_asset_amount_with_amm,
        4 * BASE as i64,
        "the AMM filled the rest"
    );

    // A limit the AMM cannot reach fills nothing more and is refused (in a later second: in
    // this one the fill above moved the curve against a buyer).
    next_second(&mut env, &exchange).await;
    let far = place_order(
        &mut env,
        &exchange,
        &taker,
        resting(Long, BASE, 90 * PRICE, false),
    )
    .await
    .expect("low bid");
    let failure = fill_order(&mut env, &exchange, &filler, (&taker, far), &[])
        .await
        .expect_err("nothing within the limit");
    assert_bal_error(&failure, BalError::NothingToFill);
}

#[tokio::test]
async fn self_trades_expired_and_cancelled_orders_are_refused() {
    let mut env = TestEnv::start().await;
    let b = book(&mut env, JitParams::default()).await;
    let bid = b
        .rest(&mut env, &b.taker, resting(Long, BASE, 101 * PRICE, false))
        .await;
    let own_ask = b
        .rest(&mut env, &b.taker, resting(Short, BASE, 100_500_000, true))
        .await;
    let failure = fill_order(
        &mut env,
        &b.exchange,
        &b.filler,
        (&b.taker, bid),
        &[(&b.taker, own_ask)],
    )
    .await
    .expect_err("self trade");
    assert_bal_error(&failure, BalError::SelfTrade);

    let now = env.clock().await.unix_timestamp;
    let mut expiring = resting(Short, BASE, 100_500_000, true);
    expiring.expiry_ts = now + 60;
    let ask = b.rest(&mut env, &b.maker, expiring).await;
    env.advance(61, 2).await;
    bal_tests::fixtures::set_oracle_price(&mut env, &b.exchange, 100_000_000).await;
    let failure = b.fill(&mut env, bid, ask).await.expect_err("expired");
    assert_bal_error(&failure, BalError::OrderExpired);

    let ask = b
        .rest(&mut env, &b.maker, resting(Short, BASE, 100_500_000, true))
        .await;
    env.send(
        "cancel_order",
        &[instructions::cancel_order(
            b.maker.wallet.pubkey(),
            b.maker.user,
            ask,
        )],
        &[&b.maker.wallet],
    )
    .await
    .expect("cancel");
    let failure = b.fill(&mut env, bid, ask).await.expect_err("cancelled");
    assert_bal_error(&failure, BalError::OrderNotFound);
    assert_eq!(base_of(&mut env, &b.taker).await, 0);
}

#[tokio::test]
async fn orders_are_validated_counted_in_margin_and_cancelled() {
    let mut env = TestEnv::start().await;
    let b = book(&mut env, JitParams::default()).await;
    let small = new_trader(&mut env, &b.exchange, 100_000_000, 0).await;
    // $100 at 10x carries $1,000: 20 base at $100 is too much once resting.
    let failure = place_order(
        &mut env,
        &b.exchange,
        &small,
        resting(Long, 20 * BASE, 90 * PRICE, true),
    )
    .await
    .expect_err("margin");
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    // A maker bid above the AMM's ask would take: refused as post-only.
    let failure = place_order(
        &mut env,
        &b.exchange,
        &b.maker,
        resting(Long, BASE, 110 * PRICE, true),
    )
    .await
    .expect_err("crosses");
    assert_bal_error(&failure, BalError::PostOnlyWouldCross);
    let failure = place_order(
        &mut env,
        &b.exchange,
        &b.maker,
        resting(Long, BASE + 1, 90 * PRICE, true),
    )
    .await
    .expect_err("step");
    assert_bal_error(&failure, BalError::OrderSizeInvalid);
    let failure = place_order(
        &mut env,
        &b.exchange,
        &b.maker,
        resting(Long, BASE, 0, true),
    )
    .await
    .expect_err("price");
    assert_bal_error(&failure, BalError::InvalidOrderPrice);

    for _ in 0..8 {
        b.rest(&mut env, &b.maker, resting(Long, BASE, 90 * PRICE, true))
            .await;
    }
    let failure = place_order(
        &mut env,
        &b.exchange,
        &b.maker,
        resting(Long, BASE, 90 * PRICE, true),
    )
    .await
    .expect_err("slots");
    assert_bal_error(&failure, BalError::MaxOpenOrdersReached);
    let user: User = env.load(b.maker.user).await;
    let position = user.perp_positions.iter().find(|p| p.is_active()).unwrap();
    assert_eq!((position.open_orders, position.open_bids), (8, 8 * BASE));

    // Only the authority (or delegate) cancels.
    let failure = env
        .send(
            "cancel_orders",
            &[instructions::cancel_orders(
                b.taker.wallet.pubkey(),
                b.maker.user,
                None,
            )],
            &[&b.taker.wallet],
        )
        .await
        .expect_err("not the maker's");
    assert_bal_error(&failure, BalError::NotUserAuthority);
    env.send(
        "cancel_orders",
        &[instructions::cancel_orders(
            b.maker.wallet.pubkey(),
            b.maker.user,
            Some(0),
        )],
        &[&b.maker.wallet],
    )
    .await
    .expect("cancel all");
    let user: User = env.load(b.maker.user).await;
    assert!(user.orders.iter().all(|o| !o.is_open()));
    assert!(
        user.perp_positions.iter().all(|p| !p.is_active()),
        "the position slot is free"
    );
    let failure = env
        .send(
            "cancel_orders",
            &[instructions::cancel_orders(
                b.maker.wallet.pubkey(),
                b.maker.user,
                None,
            )],
            &[&b.maker.wallet],
        )
        .await
        .expect_err("nothing to cancel");
    assert_bal_error(&failure, BalError::OrderNotFound);
}

#[tokio::test]
async fn liquidation_cancels_resting_orders_first() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 120_000_000, 0).await;
    let liquidator = new_trader(
        &mut env,
        &exchange,
        bal_tests::fixtures::LIQUIDATOR_DEPOSIT,
        0,
    )
    .await;
    trade(&mut env, &exchange, &trader, order(Long, 9 * BASE))
        .await
        .expect("a long");
    place_order(
        &mut env,
        &exchange,
        &trader,
        resting(Long, BASE, 90 * PRICE, true),
    )
    .await
    .expect("a resting bid");
    // At $91 the account is below maintenance with or without its bid.
    bal_tests::fixtures::set_oracle_price(&mut env, &exchange, 91_000_000).await;
    bal_tests::fixtures::liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect("liquidate");
    let user: User = env.load(trader.user).await;
    assert!(user.orders.iter().all(|o| !o.is_open()), "orders cancelled");
    assert!(
        base_of(&mut env, &trader).await < 9 * BASE as i64,
        "then the position closed"
    );
}

#[tokio::test]
async fn a_maker_priced_beyond_the_band_around_the_oracle_is_refused() {
    let mut env = TestEnv::start().await;
    let b = book(&mut env, JitParams::default()).await;
    // 11% above the $100 oracle: more than the market's 10% initial margin ratio.
    let ask = b
        .rest(&mut env, &b.maker, resting(Short, BASE, 111 * PRICE, true))
        .await;
    let bid = b
        .rest(&mut env, &b.taker, resting(Long, BASE, 112 * PRICE, false))
        .await;
    let failure = b
        .fill(&mut env, bid, ask)
        .await
        .expect_err("outside the band");
    assert_bal_error(&failure, BalError::MakerPriceOutsideBand);
    assert_eq!(base_of(&mut env, &b.maker).await, 0);
}

/// The taker goes short 1.0 base and rests a reduce-only bid to close it; returns its id.
async fn reduce_only_bid(env: &mut TestEnv, b: &Book) -> u32 {
    trade(env, &b.exchange, &b.taker, order(Short, BASE))
        .await
        .expect("a short");
    let mut reduce = resting(Long, BASE, 101 * PRICE, false);
    reduce.reduce_only = true;
    b.rest(env, &b.taker, reduce).await
}

#[tokio::test]
async fn a_stale_taker_order_is_removed_instead_of_filled() {
    let mut env = TestEnv::start().await;
    let b = book(&mut env, JitParams::default()).await;
    // Reduce-only with nothing left to reduce: the short it was for has been closed.
    let stale = reduce_only_bid(&mut env, &b).await;
    env.send(
        "close_position",
        &[instructions::close_position(
            b.taker.wallet.pubkey(),
            b.taker.user,
            &bal_tests::fixtures::market(&b.exchange),
            &[],
            None,
        )],
        &[&b.taker.wallet],
    )
    .await
    .expect("close");
    // And one that expired.
    let now = env.clock().await.unix_timestamp;
    let mut expiring = resting(Long, BASE, 101 * PRICE, false);
    expiring.expiry_ts = now + 30;
    let expired = b.rest(&mut env, &b.taker, expiring).await;
    env.advance(31, 2).await;
    bal_tests::fixtures::set_oracle_price(&mut env, &b.exchange, 100_000_000).await;
    for id in [stale, expired] {
        fill_order(&mut env, &b.exchange, &b.filler, (&b.taker, id), &[])
            .await
            .expect("a stale order is cleared");
    }
    let user: User = env.load(b.taker.user).await;
    assert!(user.orders.iter().all(|o| !o.is_open()));
    assert_eq!(base_of(&mut env, &b.taker).await, 0, "nothing traded");
}

#[tokio::test]
async fn a_maker_cannot_add_risk_in_a_reduce_only_market() {
    let mut env = TestEnv::start().await;
    let b = book(&mut env, JitParams::default()).await;
    let bid = reduce_only_bid(&mut env, &b).await;
    let ask = b
        .rest(&mut env, &b.maker, resting(Short, BASE, 100_500_000, true))
        .await;
    update_market(
        &mut env,
        &b.exchange,
        UpdatePerpMarketParams {
            status: Some(bal::state::MarketStatus::ReduceOnly),
            ..Default::default()
        },
    )
    .await
    .expect("reduce-only");
    let failure = b
        .fill(&mut env, bid, ask)
        .await
        .expect_err("the maker would open a short");
    assert_bal_error(&failure, BalError::MarketNotActive);
}

mod jit;
