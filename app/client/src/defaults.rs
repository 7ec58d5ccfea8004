//! The parameters a new exchange starts from: the fixtures of the tests, the migrations'
//! defaults (each overridable in their config) and the local exchange's markets.
use bal::instructions::{InitializeParams, InitializePerpMarketParams};
use bal::math::constants::BASE_PRECISION;
use bal::state::{
    FeeSchedule, FundingParams, InterestCurve, MarginRatios, OracleGuards, OracleSource,
    OrderSizes, RiskParams, SpreadParams,
};

/// 10 bps taker fee, 2 bps maker rebate, a 10% filler reward, half the liquidation fee to the
/// liquidator, a one-hour LP cooldown.
pub fn default_params() -> InitializeParams {
    InitializeParams {
        lp_cooldown_seconds: 3_600,
        fees: FeeSchedule {
            taker_fee_rate: 1_000,
            maker_rebate_rate: 200,
            filler_reward_rate: 100_000,
            liquidator_share_rate: 500_000,
        },
        paused_operations: 0,
    }
}

/// 10% a year at 80% utilization, up to 100% a year when fully borrowed.
pub fn default_interest_curve() -> InterestCurve {
    InterestCurve {
        optimal_utilization: 800_000,
        optimal_borrow_rate: 100_000,
        max_borrow_rate: 1_000_000,
        padding: 0,
    }
}

pub fn default_oracle_guards() -> OracleGuards {
    OracleGuards {
        max_stale_slots: 50,
        max_stale_seconds: 60,
        max_confidence: 20_000,
        max_twap_divergence: 100_000,
    }
}

/// A SOL-like market: $100, 1,000 base of liquidity, 10x initial / 20x maintenance leverage,
/// fills within 10% of the oracle.
pub fn default_perp_market() -> InitializePerpMarketParams {
    let mut name = [0u8; 32];
    name[..8].copy_from_slice(b"SOL-PERP");
    InitializePerpMarketParams {
        name,
        oracle_source: OracleSource::Program,
        pyth_feed_id: [0; 32],
        sqrt_k: 1_000 * BASE_PRECISION,
        concentration_coef: 1_414_214,
        spreads: SpreadParams {
            base_spread: 1_000,
            max_spread: 50_000,
            price_band: 100_000,
        },
        margin_ratios: MarginRatios {
            initial: 1_000,
            maintenance: 500,
        },
        order_sizes: OrderSizes {
            step_size: BASE_PRECISION as u64 / 1_000,
            min_size: BASE_PRECISION as u64 / 100,
        },
        oracle_guards: default_oracle_guards(),
        funding: FundingParams {
            period: 3_600,
            max_rate: 1_000,
        },
        risk: RiskParams {
            liquidation_fee: 10_000,
            unrealized_pnl_asset_weight: 900_000,
        },
    }
}
