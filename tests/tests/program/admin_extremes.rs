//! Every admin parameter at and beyond its extremes: each value out of range is refused with
//! its own error and changes nothing; the edges of each range are accepted and stored.
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal::instructions::{UpdatePerpMarketParams, UpdateStateParams};
use bal::math::constants::{
    MARGIN_PRECISION, MAX_CONCENTRATION_COEF, MAX_FEE_RATE, MAX_LP_COOLDOWN_SECONDS,
    MAX_PRICE_BAND, MAX_SPREAD, MAX_SQRT_K, MIN_CONCENTRATION_COEF, MIN_SQRT_K,
    PERCENTAGE_PRECISION,
};
use bal::state::{
    FeeSchedule, FundingParams, InterestCurve, JitParams, MarginRatios, MarketStatus, OracleGuards,
    OrderSizes, PerpMarket, RiskParams, SpreadParams, State,
};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{custom_code, refused};
use bal_tests::fixtures::{
    default_interest_curve, default_oracle_guards, default_params, default_perp_market,
    setup_trading, Exchange,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

const PCT: u32 = PERCENTAGE_PRECISION;

/// Sends each of `cases` as the admin and expects its error with no account changed.
async fn all_refused(
    env: &mut TestEnv,
    exchange: &Exchange,
    cases: Vec<(&str, Instruction, BalError)>,
) {
    let watched = [
        pda::state(),
        pda::spot_market(0),
        pda::perp_market(0),
        pda::perp_market(1),
    ];
    for (what, ix, expected) in cases {
        let failure = refused(env, ix, &[&exchange.admin], &watched).await;
        assert_eq!(
            custom_code(&failure),
            Some(u32::from(expected)),
            "{what}: {:?}",
            failure.logs
        );
    }
}

async fn accepted(env: &mut TestEnv, exchange: &Exchange, label: &'static str, ix: Instruction) {
    env.send(label, &[ix], &[&exchange.admin])
        .await
        .unwrap_or_else(|f| panic!("{label} at an edge: {f:?}"));
}

fn market_update(params: UpdatePerpMarketParams, exchange: &Exchange) -> Instruction {
    instructions::update_perp_market(exchange.admin.pubkey(), 0, params)
}

#[tokio::test]
async fn market_parameters_beyond_their_ranges_are_refused_and_their_edges_accepted() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let update = |params: UpdatePerpMarketParams| market_update(params, &exchange);
    let ratios = |initial, maintenance| UpdatePerpMarketParams {
        margin_ratios: Some(MarginRatios {
            initial,
            maintenance,
        }),
        ..Default::default()
    };
    let sizes = |step_size, min_size| UpdatePerpMarketParams {
        order_sizes: Some(OrderSizes {
            step_size,
            min_size,
        }),
        ..Default::default()
    };
    let spreads = |base_spread, max_spread, price_band| UpdatePerpMarketParams {
        spreads: Some(SpreadParams {
            base_spread,
            max_spread,
            price_band,
        }),
        ..Default::default()
    };
    let guards = |change: fn(&mut OracleGuards)| {
        let mut guards = default_oracle_guards();
        change(&mut guards);
        UpdatePerpMarketParams {
            oracle_guards: Some(guards),
            ..Default::default()
        }
    };
    let funding = |period, max_rate| UpdatePerpMarketParams {
        funding: Some(FundingParams { period, max_rate }),
        ..Default::default()
    };
    let risk = |liquidation_fee, unrealized_pnl_asset_weight| UpdatePerpMarketParams {
        risk: Some(RiskParams {
            liquidation_fee,
            unrealized_pnl_asset_weight,
        }),
        ..Default::default()
    };
    let jit = |amm_intensity, lp_intensity| UpdatePerpMarketParams {
        jit: Some(JitParams {
            amm_intensity,
            lp_intensity,
            lp_target_base_per_share: 0,
        }),
        ..Default::default()
    };
    use BalError::*;
    let cases = vec![
        (
            "maintenance 0",
            update(ratios(1_000, 0)),
            InvalidMarginRatio,
        ),
        (
            "maintenance = initial",
            update(ratios(1_000, 1_000)),
            InvalidMarginRatio,
        ),
        (
            "below 1x",
            update(ratios(MARGIN_PRECISION + 1, 500)),
            InvalidMarginRatio,
        ),
        (
            "above 100x",
            update(ratios(MARGIN_PRECISION / 100 - 1, 50)),
            InvalidMarginRatio,
        ),
        (
            "ratios at u32::MAX",
            update(ratios(u32::MAX, u32::MAX - 1)),
            InvalidMarginRatio,
        ),
        ("step 0", update(sizes(0, 0)), InvalidOrderSize),
        (
            "min below step",
            update(sizes(1_000, 999)),
            InvalidOrderSize,
        ),
        (
            "min not a multiple",
            update(sizes(1_000, 1_500)),
            InvalidOrderSize,
        ),
        (
            "step u64::MAX",
            update(sizes(u64::MAX, 1)),
            InvalidOrderSize,
        ),
        (
            "base above max spread",
            update(spreads(2, 1, 100_000)),
            InvalidSpread,
        ),
        (
            "spread above cap",
            update(spreads(0, MAX_SPREAD + 1, MAX_PRICE_BAND)),
            InvalidSpread,
        ),
        (
            "price band inside the spread",
            update(spreads(0, 50_000, 50_000)),
            InvalidSpread,
        ),
        (
            "price band above cap",
            update(spreads(0, 50_000, MAX_PRICE_BAND + 1)),
            InvalidSpread,
        ),
        (
            "spreads at u32::MAX",
            update(spreads(u32::MAX, u32::MAX, u32::MAX)),
            InvalidSpread,
        ),
        (
            "no stale slots",
            update(guards(|g| g.max_stale_slots = 0)),
            InvalidOracleGuards,
        ),
        (
            "no stale seconds",
            update(guards(|g| g.max_stale_seconds = 0)),
            InvalidOracleGuards,
        ),
        (
            "no confidence",
            update(guards(|g| g.max_confidence = 0)),
            InvalidOracleGuards,
        ),
        (
            "confidence over 100%",
            update(guards(|g| g.max_confidence = PCT + 1)),
            InvalidOracleGuards,
        ),
        (
            "no divergence",
            update(guards(|g| g.max_twap_divergence = 0)),
            InvalidOracleGuards,
        ),
        (
            "divergence u32::MAX",
            update(guards(|g| g.max_twap_divergence = u32::MAX)),
            InvalidOracleGuards,
        ),
        (
            "funding period 59 s",
            update(funding(59, 1_000)),
            InvalidFundingParameters,
        ),
        (
            "funding period a week + 1 s",
            update(funding(7 * 86_400 + 1, 1_000)),
            InvalidFundingParameters,
        ),
        (
            "funding period i64::MIN",
            update(funding(i64::MIN, 1_000)),
            InvalidFundingParameters,
        ),
        (
            "funding period i64::MAX",
            update(funding(i64::MAX, 1_000)),
            InvalidFundingParameters,
        ),
        (
            "funding cap over 10%",
            update(funding(3_600, PCT / 10 + 1)),
            InvalidFundingParameters,
        ),
        (
            "liquidation fee at the 5% maintenance ratio",
            update(risk(PCT / 20, PCT)),
            InvalidRiskParameters,
        ),
        (
            "maintenance ratio at the 1% liquidation fee",
            update(ratios(1_000, 100)),
            InvalidRiskParameters,
        ),
        (
            "pnl weight over 100%",
            update(risk(0, PCT + 1)),
            InvalidRiskParameters,
        ),
        (
            "risk at u32::MAX",
            update(risk(u32::MAX, u32::MAX)),
            InvalidRiskParameters,
        ),
        (
            "AMM JIT over 50%",
            update(jit(PCT / 2 + 1, 0)),
            InvalidJitParameters,
        ),
        (
            "LP JIT u32::MAX",
            update(jit(0, u32::MAX)),
            InvalidJitParameters,
        ),
        (
            "LP fee share over 100%",
            update(UpdatePerpMarketParams {
                lp_fee_share: Some(PCT + 1),
                ..Default::default()
            }),
            InvalidRiskParameters,
        ),
        (
            "concentration at the minimum's edge",
            update(UpdatePerpMarketParams {
                concentration_coef: Some(MIN_CONCENTRATION_COEF - 1),
                ..Default::default()
            }),
            InvalidAmmParameters,
        ),
        (
            "concentration u32::MAX",
            update(UpdatePerpMarketParams {
                concentration_coef: Some(u32::MAX),
                ..Default::default()
            }),
            InvalidAmmParameters,
        ),
        (
            "back to initialized",
            update(UpdatePerpMarketParams {
                status: Some(MarketStatus::Initialized),
                ..Default::default()
            }),
            InvalidMarketStatusTransition,
        ),
        (
            "unknown pause bits",
            update(UpdatePerpMarketParams {
                paused_operations: Some(u32::MAX),
                ..Default::default()
            }),
            InvalidPauseBits,
        ),
        (
            "sqrt_k 0",
            instructions::update_amm_k(exchange.admin.pubkey(), 0, exchange.oracle, 0),
            InvalidAmmParameters,
        ),
        (
            "sqrt_k u128::MAX",
            instructions::update_amm_k(exchange.admin.pubkey(), 0, exchange.oracle, u128::MAX),
            InvalidAmmParameters,
        ),
    ];
    all_refused(&mut env, &exchange, cases).await;

    // The edges themselves are accepted and stored.
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(ratios(MARGIN_PRECISION, MARGIN_PRECISION - 1)),
    )
    .await;
    // The lowest maintenance ratio needs a liquidation fee below it.
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(risk(0, PCT)),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(ratios(MARGIN_PRECISION / 100, 1)),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(funding(7 * 86_400, PCT / 10)),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(risk(PCT / MARGIN_PRECISION - 1, PCT)),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(jit(PCT / 2, PCT / 2)),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_perp_market",
        update(spreads(MAX_SPREAD, MAX_SPREAD, MAX_PRICE_BAND)),
    )
    .await;
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(market.margin_ratio_initial, MARGIN_PRECISION / 100);
    assert_eq!(market.margin_ratio_maintenance, 1);
    assert_eq!(market.funding.funding_period, 7 * 86_400);
    assert_eq!(market.liquidation_fee, PCT / MARGIN_PRECISION - 1);
    assert_eq!(market.jit.amm_intensity, PCT / 2);
    assert_eq!(market.amm.max_spread, MAX_SPREAD);
    assert_eq!(market.amm.price_band, MAX_PRICE_BAND);
}

#[tokio::test]
async fn exchange_and_quote_parameters_beyond_their_ranges_are_refused_and_their_edges_accepted() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let admin = exchange.admin.pubkey();
    let fees = |change: fn(&mut FeeSchedule)| {
        let mut fees = default_params().fees;
        change(&mut fees);
        instructions::update_state(
            admin,
            UpdateStateParams {
                fees: Some(fees),
                ..Default::default()
            },
        )
    };
    let cooldown = |seconds| {
        instructions::update_state(
            admin,
            UpdateStateParams {
                lp_cooldown_seconds: Some(seconds),
                ..Default::default()
            },
        )
    };
    let curve = |change: fn(&mut InterestCurve)| {
        let mut curve = default_interest_curve();
        change(&mut curve);
        instructions::update_spot_market_interest(admin, curve)
    };
    let mut over_sqrt_k = default_perp_market();
    over_sqrt_k.sqrt_k = MAX_SQRT_K + 1;
    let mut under_sqrt_k = default_perp_market();
    under_sqrt_k.sqrt_k = MIN_SQRT_K - 1;
    let mut no_concentration = default_perp_market();
    no_concentration.concentration_coef = 0;
    use BalError::*;
    let cases = vec![
        (
            "taker fee above cap",
            fees(|f| f.taker_fee_rate = MAX_FEE_RATE + 1),
            InvalidFeeSchedule,
        ),
        (
            "rebate above taker fee",
            fees(|f| f.maker_rebate_rate = f.taker_fee_rate + 1),
            InvalidFeeSchedule,
        ),
        (
            "filler reward over 100%",
            fees(|f| f.filler_reward_rate = PCT + 1),
            InvalidFeeSchedule,
        ),
        (
            "liquidator share u32::MAX",
            fees(|f| f.liquidator_share_rate = u32::MAX),
            InvalidFeeSchedule,
        ),
        ("cooldown -1", cooldown(-1), InvalidLpCooldown),
        (
            "cooldown a week + 1 s",
            cooldown(MAX_LP_COOLDOWN_SECONDS + 1),
            InvalidLpCooldown,
        ),
        ("cooldown i64::MIN", cooldown(i64::MIN), InvalidLpCooldown),
        ("cooldown i64::MAX", cooldown(i64::MAX), InvalidLpCooldown),
        (
            "unknown pause bits",
            instructions::update_state(
                admin,
                UpdateStateParams {
                    paused_operations: Some(u32::MAX),
                    ..Default::default()
                },
            ),
            InvalidPauseBits,
        ),
        (
            "utilization 0",
            curve(|c| c.optimal_utilization = 0),
            InvalidInterestCurve,
        ),
        (
            "utilization 100%",
            curve(|c| c.optimal_utilization = PCT),
            InvalidInterestCurve,
        ),
        (
            "optimal above max rate",
            curve(|c| c.optimal_borrow_rate = c.max_borrow_rate + 1),
            InvalidInterestCurve,
        ),
        (
            "max rate over 1000%",
            curve(|c| c.max_borrow_rate = 10 * PCT + 1),
            InvalidInterestCurve,
        ),
        (
            "padding set",
            curve(|c| c.padding = 1),
            InvalidInterestCurve,
        ),
        (
            "sqrt_k above the maximum",
            instructions::initialize_perp_market(admin, exchange.oracle, 1, over_sqrt_k),
            InvalidAmmParameters,
        ),
        (
            "sqrt_k below the minimum",
            instructions::initialize_perp_market(admin, exchange.oracle, 1, under_sqrt_k),
            InvalidAmmParameters,
        ),
        (
            "no concentration",
            instructions::initialize_perp_market(admin, exchange.oracle, 1, no_concentration),
            InvalidAmmParameters,
        ),
    ];
    all_refused(&mut env, &exchange, cases).await;

    accepted(&mut env, &exchange, "update_state", cooldown(0)).await;
    accepted(
        &mut env,
        &exchange,
        "update_state",
        cooldown(MAX_LP_COOLDOWN_SECONDS),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_state",
        fees(|f| {
            f.taker_fee_rate = MAX_FEE_RATE;
            f.maker_rebate_rate = MAX_FEE_RATE;
            f.filler_reward_rate = PCT;
            f.liquidator_share_rate = PCT;
        }),
    )
    .await;
    accepted(
        &mut env,
        &exchange,
        "update_spot_market_interest",
        curve(|c| {
            c.optimal_utilization = PCT - 1;
            c.optimal_borrow_rate = 10 * PCT;
            c.max_borrow_rate = 10 * PCT;
        }),
    )
    .await;
    let state: State = env.account(pda::state()).await;
    assert_eq!(state.lp_cooldown_seconds, MAX_LP_COOLDOWN_SECONDS);
    assert_eq!(state.fees.taker_fee_rate, MAX_FEE_RATE);
    let mut edge = default_perp_market();
    edge.sqrt_k = MAX_SQRT_K;
    edge.concentration_coef = MAX_CONCENTRATION_COEF;
    accepted(
        &mut env,
        &exchange,
        "initialize_perp_market",
        instructions::initialize_perp_market(admin, exchange.oracle, 1, edge),
    )
    .await;
    let market: PerpMarket = env.load(pda::perp_market(1)).await;
    assert_eq!(market.amm.sqrt_k.get(), MAX_SQRT_K);
}
