//! The market, spot market and users the controller-level property tests start from.
// Each test binary uses its own part of these.
#![allow(dead_code)]
use bal::controller::spot_balance::update_quote_balance;
use bal::math::books::refresh_derived_reserves;
use bal::math::constants::{ACCOUNT_VERSION, BASE_PRECISION, SPOT_CUMULATIVE_INTEREST_PRECISION};
use bal::state::{
    FundingParams, InterestCurve, MarginRatios, MarketStatus, OracleGuards, PerpMarket, RiskParams,
    SpotMarket, User,
};
use bytemuck::Zeroable;

pub const SQRT_K: u128 = 1_000 * BASE_PRECISION;
pub const DEPOSIT: u64 = 10_000_000_000;

pub fn new_market() -> Box<PerpMarket> {
    let mut market: Box<PerpMarket> = Box::new(Zeroable::zeroed());
    market.version = ACCOUNT_VERSION;
    market.status = MarketStatus::Active as u8;
    let ratios = MarginRatios {
        initial: 1_000,
        maintenance: 500,
    };
    market.margin_ratio_initial = ratios.initial;
    market.margin_ratio_maintenance = ratios.maintenance;
    market.order_step_size = 1_000_000;
    market.lp.fee_share = 800_000;
    market.min_order_size = 10_000_000;
    market.oracle_guards = OracleGuards {
        max_stale_slots: 50,
        max_stale_seconds: 60,
        max_confidence: 20_000,
        max_twap_divergence: 100_000,
    };
    market.set_funding_params(&FundingParams {
        period: 3_600,
        max_rate: 1_000,
    });
    market.set_risk_params(&RiskParams {
        liquidation_fee: 10_000,
        unrealized_pnl_asset_weight: 900_000,
    });
    let amm = &mut market.amm;
    amm.base_asset_reserve.set(SQRT_K);
    amm.quote_asset_reserve.set(SQRT_K);
    amm.sqrt_k.set(SQRT_K);
    amm.peg_multiplier = 100_000_000;
    amm.base_spread = 1_000;
    amm.max_spread = 50_000;
    amm.price_band = 100_000;
    amm.concentration_coef = 1_414_214;
    amm.oracle_twap_5min = 100_000_000;
    refresh_derived_reserves(&mut market).unwrap();
    market.invariant().unwrap();
    market
}

pub fn new_spot() -> SpotMarket {
    let mut spot: SpotMarket = Zeroable::zeroed();
    spot.version = ACCOUNT_VERSION;
    spot.cumulative_deposit_interest
        .set(SPOT_CUMULATIVE_INTEREST_PRECISION);
    spot.cumulative_borrow_interest
        .set(SPOT_CUMULATIVE_INTEREST_PRECISION);
    spot.interest_curve = InterestCurve {
        optimal_utilization: 800_000,
        optimal_borrow_rate: 100_000,
        max_borrow_rate: 1_000_000,
        padding: 0,
    };
    spot
}

/// `count` users, each holding a deposit of `DEPOSIT`, and the vault balance that backs them.
pub fn funded_users(spot: &mut SpotMarket, count: usize) -> (Vec<User>, u64) {
    let mut users = Vec::new();
    for _ in 0..count {
        let mut user: User = Zeroable::zeroed();
        user.version = ACCOUNT_VERSION;
        update_quote_balance(&mut user.quote_balance, spot, DEPOSIT as i128).unwrap();
        users.push(user);
    }
    (users, DEPOSIT * count as u64)
}
