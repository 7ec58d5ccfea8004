//! The parameters an admin sets on a perp market (oracle guards, JIT participation, spreads
//! and the price band, margin ratios, funding cadence, risk, order sizes), each with the
//! validation that refuses a value outside its range.
use crate::error::BalError;
use crate::math::constants::{
    MARGIN_PRECISION, MAX_FUNDING_RATE_PER_HOUR, MAX_PRICE_BAND, MAX_SPREAD, PERCENTAGE_PRECISION,
};
use crate::validate;
use anchor_lang::prelude::*;

/// When an oracle price is too old, too uncertain or too far from its TWAP to act on.
/// Plain `Pod` with borsh (not `#[zero_copy]`): it is an instruction argument too, and its
/// borsh and in-account layouts are the same (no padding).
#[derive(
    Default,
    Debug,
    PartialEq,
    Eq,
    Clone,
    Copy,
    AnchorSerialize,
    AnchorDeserialize,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct OracleGuards {
    /// Slots since publication after which the price is stale.
    /// count of slots
    pub max_stale_slots: u64,
    /// Seconds since publication after which the price is stale.
    pub max_stale_seconds: i64,
    /// Largest confidence / price accepted. precision: PERCENTAGE
    pub max_confidence: u32,
    /// Largest |price − 5-minute oracle TWAP| / TWAP accepted. precision: PERCENTAGE
    pub max_twap_divergence: u32,
}

impl OracleGuards {
    pub fn validate(&self) -> Result<()> {
        validate!(
            self.max_stale_slots > 0 && self.max_stale_seconds > 0,
            BalError::InvalidOracleGuards
        );
        validate!(
            self.max_confidence > 0 && self.max_confidence <= PERCENTAGE_PRECISION,
            BalError::InvalidOracleGuards
        );
        validate!(
            self.max_twap_divergence > 0 && self.max_twap_divergence <= PERCENTAGE_PRECISION,
            BalError::InvalidOracleGuards
        );
        Ok(())
    }
}

/// Just-in-time participation in maker fills. Plain `Pod` with borsh: it is also the
/// `update_perp_market` argument.
#[derive(
    Default,
    Debug,
    PartialEq,
    Eq,
    Clone,
    Copy,
    AnchorSerialize,
    AnchorDeserialize,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct JitParams {
    /// Share of a maker fill the AMM may take at the maker's price when that reduces the
    /// protocol's own inventory (protocol-owned: LPs get none of it). precision: PERCENTAGE
    pub amm_intensity: u32,
    /// Share of a maker fill the LPs as a group may take when that moves the inventory they
    /// still hold in the pool (unsettled base per share) toward `lp_target_base_per_share`
    /// without growing it; 0 turns LP JIT off. precision: PERCENTAGE
    pub lp_intensity: u32,
    /// The LPs' target inventory per share; LP JIT stops at it or at flat, whichever comes
    /// first. precision: BASE per 1.0 share
    pub lp_target_base_per_share: i64,
}

impl JitParams {
    /// Each side may take at most half a maker's fill, so a maker always keeps a quarter.
    pub fn validate(&self) -> Result<()> {
        validate!(
            self.amm_intensity <= PERCENTAGE_PRECISION / 2
                && self.lp_intensity <= PERCENTAGE_PRECISION / 2,
            BalError::InvalidJitParameters
        );
        Ok(())
    }
}

/// Parameters an admin sets on a market's AMM spreads and its price band. precision:
/// PERCENTAGE
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct SpreadParams {
    /// precision: PERCENTAGE
    pub base_spread: u32,
    /// precision: PERCENTAGE
    pub max_spread: u32,
    /// How far from the oracle a fill may average (`math::price_band`).
    /// precision: PERCENTAGE
    pub price_band: u32,
}

impl SpreadParams {
    /// `base ≤ max < price band ≤ MAX_PRICE_BAND`: the band is checked against the taker's
    /// average price, spread included, so a band inside the spread would refuse honest fills.
    pub fn validate(&self) -> Result<()> {
        validate!(
            self.base_spread <= self.max_spread
                && self.max_spread <= MAX_SPREAD
                && self.max_spread < self.price_band
                && self.price_band <= MAX_PRICE_BAND,
            BalError::InvalidSpread
        );
        Ok(())
    }
}

/// Margin ratios an admin sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct MarginRatios {
    /// precision: MARGIN
    pub initial: u32,
    /// precision: MARGIN
    pub maintenance: u32,
}

impl MarginRatios {
    pub fn validate(&self) -> Result<()> {
        // Maintenance below initial, and no more than 100x or less than 1x leverage.
        validate!(
            self.maintenance > 0
                && self.maintenance < self.initial
                && self.initial <= MARGIN_PRECISION
                && self.initial >= MARGIN_PRECISION / 100,
            BalError::InvalidMarginRatio
        );
        Ok(())
    }
}

/// Funding cadence and cap an admin sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct FundingParams {
    /// Seconds between funding updates: a minute to a week.
    pub period: i64,
    /// Cap on one period's rate as a share of the oracle TWAP. precision: PERCENTAGE
    pub max_rate: u32,
}

impl FundingParams {
    /// The cap may not exceed `MAX_FUNDING_RATE_PER_HOUR` for an hour's worth of periods, so
    /// the cumulative rate's bound (see `MAX_ORACLE_PRICE`) holds whatever the period.
    pub fn validate(&self) -> Result<()> {
        let hourly_cap = MAX_FUNDING_RATE_PER_HOUR as i128 * self.period as i128 / 3_600;
        validate!(
            (60..=7 * 24 * 3_600).contains(&self.period)
                && self.max_rate <= PERCENTAGE_PRECISION / 10
                && self.max_rate as i128 <= hourly_cap,
            BalError::InvalidFundingParameters
        );
        Ok(())
    }
}

/// Liquidation fee and the weight of unrealized gains an admin sets. precision: PERCENTAGE
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct RiskParams {
    /// precision: PERCENTAGE
    pub liquidation_fee: u32,
    /// precision: PERCENTAGE
    pub unrealized_pnl_asset_weight: u32,
}

impl RiskParams {
    /// The liquidation fee must stay below the maintenance ratio (`maintenance`, precision:
    /// MARGIN): a liquidation lowers the requirement by the maintenance ratio of what it takes
    /// and the collateral by the fee, so only then does each step bring the account closer to
    /// safety instead of charging it into bankruptcy.
    pub fn validate(&self, maintenance: u32) -> Result<()> {
        let maintenance_as_percentage =
            maintenance as u64 * (PERCENTAGE_PRECISION / MARGIN_PRECISION) as u64;
        validate!(
            (self.liquidation_fee as u64) < maintenance_as_percentage
                && self.unrealized_pnl_asset_weight <= PERCENTAGE_PRECISION,
            BalError::InvalidRiskParameters,
            "liquidation fee {} must be below the maintenance ratio {}",
            self.liquidation_fee,
            maintenance_as_percentage
        );
        Ok(())
    }
}

/// Order sizes an admin sets. precision: BASE
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct OrderSizes {
    /// precision: BASE
    pub step_size: u64,
    /// precision: BASE
    pub min_size: u64,
}

impl OrderSizes {
    pub fn validate(&self) -> Result<()> {
        validate!(
            self.step_size > 0
                && self.min_size >= self.step_size
                && self.min_size.is_multiple_of(self.step_size),
            BalError::InvalidOrderSize
        );
        Ok(())
    }
}
