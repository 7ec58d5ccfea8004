use bal::error::BalError;
use bal::instructions::{InitializePerpMarketParams, UpdatePerpMarketParams};
use bal::math::constants::BASE_PRECISION;
use bal::state::{
    MarginRatios, MarketStatus, OracleGuards, OrderSizes, PerpMarket, SpreadParams, PAUSE_TRADE,
};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{
    default_perp_market, repeg, set_oracle_price, setup_exchange, setup_exchange_with_market,
    update_market,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

fn reserve_price(market: &PerpMarket) -> u64 {
    bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier).unwrap()
}

#[tokio::test]
async fn a_new_market_is_pegged_to_the_oracle() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange_with_market(&mut env).await;
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(market.amm.peg_multiplier, 100_000_000);
    assert_eq!(reserve_price(&market), 100_000_000);
    assert_eq!(market.amm.sqrt_k.get(), 1_000 * BASE_PRECISION);
    assert_eq!(market.status().unwrap(), MarketStatus::Initialized);
    // Bounds: sqrt_k / 1.414214 .. sqrt_k × 1.414214.
    assert_eq!(market.amm.max_base_asset_reserve.get(), 1_414_214_000_000);
    let state: bal::state::State = env.account(pda::state()).await;
    assert_eq!(state.number_of_perp_markets, 1);
    let _ = exchange;
}

#[tokio::test]
async fn listing_refuses_bad_parameters_with_their_own_errors() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    // Markets are listed in order: index 3 is not the next one.
    let failure = env
        .send(
            "initialize_perp_market",
            &[instructions::initialize_perp_market(
                exchange.admin.pubkey(),
                exchange.oracle,
                3,
                default_perp_market(),
            )],
            &[&exchange.admin],
        )
        .await
        .expect_err("not the next index");
    assert_bal_error(&failure, BalError::InvalidMarketIndex);
    let cases: [(InitializePerpMarketParams, BalError); 6] = [
        (
            InitializePerpMarketParams {
                sqrt_k: 1,
                ..default_perp_market()
            },
            BalError::InvalidAmmParameters,
        ),
        (
            InitializePerpMarketParams {
                concentration_coef: 1_000_000,
                ..default_perp_market()
            },
            BalError::InvalidAmmParameters,
        ),
        (
            InitializePerpMarketParams {
                spreads: SpreadParams {
                    base_spread: 10,
                    max_spread: 5,
                    price_band: 100_000,
                },
                ..default_perp_market()
            },
            BalError::InvalidSpread,
        ),
        (
            InitializePerpMarketParams {
                margin_ratios: MarginRatios {
                    initial: 500,
                    maintenance: 1_000,
                },
                ..default_perp_market()
            },
            BalError::InvalidMarginRatio,
        ),
        (
            InitializePerpMarketParams {
                order_sizes: OrderSizes {
                    step_size: 0,
                    min_size: 0,
                },
                ..default_perp_market()
            },
            BalError::InvalidOrderSize,
        ),
        (
            InitializePerpMarketParams {
                oracle_guards: OracleGuards {
                    max_stale_slots: 0,
                    ..default_perp_market().oracle_guards
                },
                ..default_perp_market()
            },
            BalError::InvalidOracleGuards,
        ),
    ];
    for (params, expected) in cases {
        let failure = env
            .send(
                "initialize_perp_market",
                &[instructions::initialize_perp_market(
                    exchange.admin.pubkey(),
                    exchange.oracle,
                    0,
                    params,
                )],
                &[&exchange.admin],
            )
            .await
            .expect_err("bad parameter");
        assert_bal_error(&failure, expected);
    }
    let stranger = env.funded_wallet().await;
    let failure = env
        .send(
            "initialize_perp_market",
            &[instructions::initialize_perp_market(
                stranger.pubkey(),
                exchange.oracle,
                0,
                default_perp_market(),
            )],
            &[&stranger],
        )
        .await
        .expect_err("not admin");
    assert_bal_error(&failure, BalError::NotAdmin);
    assert!(env.raw_account(pda::perp_market(0)).await.is_none());
}

#[tokio::test]
async fn updates_apply_and_each_bad_value_is_refused() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange_with_market(&mut env).await;
    update_market(
        &mut env,
        &exchange,
        UpdatePerpMarketParams {
            margin_ratios: Some(MarginRatios {
                initial: 2_000,
                maintenance: 1_000,
            }),
            spreads: Some(SpreadParams {
                base_spread: 500,
                max_spread: 20_000,
                price_band: 60_000,
            }),
            status: Some(MarketStatus::Active),
            paused_operations: Some(PAUSE_TRADE),
            ..Default::default()
        },
    )
    .await
    .expect("update");
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(market.margin_ratio_initial, 2_000);
    assert_eq!(market.amm.base_spread, 500);
    assert_eq!(market.amm.price_band, 60_000);
    assert_eq!(market.status().unwrap(), MarketStatus::Active);
    assert_ne!(market.paused_operations & PAUSE_TRADE, 0);

    let before = env.raw_account(pda::perp_market(0)).await;
    let cases: [(UpdatePerpMarketParams, BalError); 6] = [
        (
            UpdatePerpMarketParams {
                margin_ratios: Some(MarginRatios {
                    initial: 20_000,
                    maintenance: 1,
                }),
                ..Default::default()
            },
            BalError::InvalidMarginRatio,
        ),
        (
            UpdatePerpMarketParams {
                order_sizes: Some(OrderSizes {
                    step_size: 3,
                    min_size: 4,
                }),
                ..Default::default()
            },
            BalError::InvalidOrderSize,
        ),
        (
            UpdatePerpMarketParams {
                spreads: Some(SpreadParams {
                    base_spread: 0,
                    max_spread: 200_000,
                    price_band: 220_000,
                }),
                ..Default::default()
            },
            BalError::InvalidSpread,
        ),
        (
            UpdatePerpMarketParams {
                concentration_coef: Some(20_000_000),
                ..Default::default()
            },
            BalError::InvalidAmmParameters,
        ),
        (
            UpdatePerpMarketParams {
                status: Some(MarketStatus::Initialized),
                ..Default::default()
            },
            BalError::InvalidMarketStatusTransition,
        ),
        (
            UpdatePerpMarketParams {
                paused_operations: Some(1 << 20),
                ..Default::default()
            },
            BalError::InvalidPauseBits,
        ),
    ];
    for (params, expected) in cases {
        let failure = update_market(&mut env, &exchange, params)
            .await
            .expect_err("bad update");
        assert_bal_error(&failure, expected);
    }
    assert_eq!(env.raw_account(pda::perp_market(0)).await, before);
}

#[tokio::test]
async fn repeg_follows_the_oracle_and_update_k_keeps_the_price() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange_with_market(&mut env).await;
    set_oracle_price(&mut env, &exchange, 104_000_000).await;
    repeg(&mut env, &exchange).await.expect("repeg");
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(reserve_price(&market), 104_000_000);
    // No user holds a position, so moving the peg costs nothing.
    assert_eq!(market.fee_pool, 0);

    // The repeg moved the curve this second: a change of k waits for the next.
    bal_tests::fixtures::next_second(&mut env, &exchange).await;
    let new_sqrt_k = 2_500 * BASE_PRECISION;
    env.send(
        "update_amm_k",
        &[instructions::update_amm_k(
            exchange.admin.pubkey(),
            0,
            exchange.oracle,
            new_sqrt_k,
        )],
        &[&exchange.admin],
    )
    .await
    .expect("update_k");
    let deeper: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(deeper.amm.sqrt_k.get(), new_sqrt_k);
    assert!(reserve_price(&deeper).abs_diff(104_000_000) <= 1);
    assert_eq!(deeper.amm.max_base_asset_reserve.get(), 3_535_535_000_000);

    let stranger = env.funded_wallet().await;
    let failure = env
        .send(
            "update_amm_k",
            &[instructions::update_amm_k(
                stranger.pubkey(),
                0,
                exchange.oracle,
                new_sqrt_k * 2,
            )],
            &[&stranger],
        )
        .await
        .expect_err("not admin");
    assert_bal_error(&failure, BalError::NotAdmin);
    let failure = env
        .send(
            "update_amm_k",
            &[instructions::update_amm_k(
                exchange.admin.pubkey(),
                0,
                exchange.oracle,
                10,
            )],
            &[&exchange.admin],
        )
        .await
        .expect_err("sqrt_k too small");
    assert_bal_error(&failure, BalError::InvalidAmmParameters);
}

#[tokio::test]
async fn every_admin_instruction_refuses_anyone_else() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange_with_market(&mut env).await;
    let stranger = env.funded_wallet().await;
    let me = stranger.pubkey();
    let attempts = [
        (
            "update_state",
            instructions::update_state(me, bal::instructions::UpdateStateParams::default()),
        ),
        (
            "update_spot_market_interest",
            instructions::update_spot_market_interest(
                me,
                bal_tests::fixtures::default_interest_curve(),
            ),
        ),
        (
            "update_perp_market",
            instructions::update_perp_market(me, 0, UpdatePerpMarketParams::default()),
        ),
        ("repeg_amm", instructions::repeg_amm(me, 0, exchange.oracle)),
        (
            "initialize_program_oracle",
            instructions::initialize_program_oracle(me, 7, me),
        ),
    ];
    for (label, ix) in attempts {
        let failure = env.send(label, &[ix], &[&stranger]).await.expect_err(label);
        assert_bal_error(&failure, BalError::NotAdmin);
    }
}

#[tokio::test]
async fn a_repeg_that_costs_more_than_the_fee_pool_is_refused() {
    let mut env = TestEnv::start().await;
    let exchange = bal_tests::fixtures::setup_trading(&mut env).await;
    let trader = bal_tests::fixtures::new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let base = 20 * BASE_PRECISION as u64;
    bal_tests::fixtures::trade(
        &mut env,
        &exchange,
        &trader,
        bal_tests::fixtures::order(bal::state::PositionDirection::Long, base),
    )
    .await
    .expect("users go long 20");
    bal_tests::fixtures::next_second(&mut env, &exchange).await;
    let fee_pool = env.load::<PerpMarket>(pda::perp_market(0)).await.fee_pool;

    // Users are long 20 and the mark is near $104: raising it to $108 owes them about $80,
    // more than the ~$2 of fees in the pool.
    set_oracle_price(&mut env, &exchange, 108_000_000).await;
    let before = env.raw_account(pda::perp_market(0)).await;
    let failure = repeg(&mut env, &exchange).await.expect_err("unaffordable");
    assert_bal_error(&failure, BalError::FeePoolInsufficient);
    assert_eq!(env.raw_account(pda::perp_market(0)).await, before);

    // Lowering the peg is a gain: it is booked only as far as the P&L pool holds it (nothing
    // yet), and the peg moves.
    set_oracle_price(&mut env, &exchange, 101_000_000).await;
    repeg(&mut env, &exchange)
        .await
        .expect("a repeg the pool can afford");
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(reserve_price(&market), 101_000_000);
    assert!(market.fee_pool >= fee_pool);
}
