//! Whether an oracle price may be used for an action. Each failed check has its own error.
//!
//! | check | fill | margin | settle P&L | add LP | remove LP | liquidate | funding | repeg |
//! |---|---|---|---|---|---|---|---|---|
//! | non-positive | ✗ | ✗ | ✗ | ✗ | ✗ | ✗ | ✗ | ✗ |
//! | stale | ✗ | ✗ | ✗ | ✗ | · | ✗ | ✗ | ✗ |
//! | too uncertain | ✗ | ✗ | ✗ | ✗ | · | ✗ | ✗ | ✗ |
//! | diverges from TWAP | ✗ | · | ✗ | ✗ | · | · | · | ✗ |
//!
//! "Margin" is every market an instruction reads only to value the account (the remaining
//! accounts): judged by staleness and confidence, never by its TWAP, so an idle market whose
//! TWAP nobody refreshed cannot block an action elsewhere. Removing liquidity only reduces
//! risk, so it never waits on the oracle. A liquidation acts on a fresh, certain price without
//! waiting for the TWAP to catch up with a crash. Funding updates skip the divergence check so
//! the TWAP (which they move, clamped) cannot stay stuck behind a jump.
use crate::error::BalError;
use crate::math::constants::{MAX_ORACLE_PRICE, PERCENTAGE_PRECISION};
use crate::math::safe_math::Cast;
use crate::math::wide::mul_div_floor;
use crate::state::{OracleGuards, OraclePrice};
use crate::validate;
use anchor_lang::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OracleAction {
    Fill,
    Margin,
    SettlePnl,
    AddLiquidity,
    RemoveLiquidity,
    Liquidation,
    FundingUpdate,
    Repeg,
}

impl OracleAction {
    fn checks_staleness(self) -> bool {
        self != OracleAction::RemoveLiquidity
    }

    fn checks_confidence(self) -> bool {
        self != OracleAction::RemoveLiquidity
    }

    fn checks_divergence(self) -> bool {
        matches!(
            self,
            OracleAction::Fill
                | OracleAction::SettlePnl
                | OracleAction::AddLiquidity
                | OracleAction::Repeg
        )
    }
}

/// Everything a validity check looks at, passed by reference.
pub struct OracleCheck<'a> {
    pub price: &'a OraclePrice,
    pub guards: &'a OracleGuards,
    /// The market's five-minute oracle TWAP (0 before the first observation). precision: PRICE
    pub twap_5min: u64,
    pub now: i64,
    pub slot: u64,
}

/// The price as a positive u64 if `action` may use it. precision: PRICE
pub fn validate_oracle_price(check: &OracleCheck, action: OracleAction) -> Result<u64> {
    let price = check.price;
    validate!(price.price > 0, BalError::OracleNonPositive);
    let value = price.price as u64;
    validate!(value <= MAX_ORACLE_PRICE, BalError::OraclePriceTooLarge);
    if action.checks_staleness() {
        let slots = check.slot.saturating_sub(price.publish_slot);
        let seconds = check.now.saturating_sub(price.publish_time);
        validate!(
            slots <= check.guards.max_stale_slots && seconds <= check.guards.max_stale_seconds,
            BalError::OracleStale,
            "oracle published {} slots / {} s ago",
            slots,
            seconds
        );
    }
    let one = PERCENTAGE_PRECISION as u128;
    if action.checks_confidence() {
        let ratio = mul_div_floor(price.confidence as u128, one, value as u128)?;
        validate!(
            ratio <= check.guards.max_confidence as u128,
            BalError::OracleTooUncertain
        );
    }
    if action.checks_divergence() && check.twap_5min > 0 {
        let gap = value.abs_diff(check.twap_5min) as u128;
        let ratio = mul_div_floor(gap, one, check.twap_5min as u128)?;
        validate!(
            ratio <= check.guards.max_twap_divergence as u128,
            BalError::OracleTooDivergent
        );
    }
    Ok(value)
}

/// Inputs of `updated_twap`.
pub struct TwapUpdate {
    pub twap: u64,
    pub last_ts: i64,
    /// The price that stood since `last_ts` (0 before the first observation). precision: PRICE
    pub standing: u64,
    /// The price observed now; it starts standing and weighs nothing yet. precision: PRICE
    pub price: u64,
    pub now: i64,
    pub window: i64,
    /// Largest move of the observed price from the TWAP that counts. precision: PERCENTAGE
    pub max_divergence: u32,
}

/// Time-weighted average over `window`: the price that stood since the last observation weighs
/// the time it stood (at most the whole window), clamped to the divergence band so one outlier
/// moves it little; the new price weighs nothing until it has stood. The first observation
/// starts the average. Rounded down (a price average, not an amount owed).
pub fn updated_twap(update: &TwapUpdate) -> Result<u64> {
    if update.twap == 0 || update.standing == 0 {
        return Ok(update.price);
    }
    let band = mul_div_floor(
        update.twap as u128,
        update.max_divergence as u128,
        PERCENTAGE_PRECISION as u128,
    )?
    .cast::<u64>()?;
    let observed = update.standing.clamp(
        update.twap.saturating_sub(band),
        update.twap.saturating_add(band),
    );
    let elapsed = update
        .now
        .saturating_sub(update.last_ts)
        .clamp(0, update.window) as u128;
    let window = update.window as u128;
    let weighted = (update.twap as u128) * (window - elapsed) + (observed as u128) * elapsed;
    (weighted / window).cast::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guards() -> OracleGuards {
        OracleGuards {
            max_stale_slots: 25,
            max_stale_seconds: 60,
            max_confidence: 20_000,
            max_twap_divergence: 100_000,
        }
    }

    fn check<'a>(price: &'a OraclePrice, guards: &'a OracleGuards) -> OracleCheck<'a> {
        OracleCheck {
            price,
            guards,
            twap_5min: 100_000_000,
            now: 1_000,
            slot: 500,
        }
    }

    fn price(value: i64) -> OraclePrice {
        OraclePrice {
            price: value,
            confidence: 100_000,
            publish_time: 1_000,
            publish_slot: 500,
        }
    }

    #[test]
    fn each_failed_check_has_its_own_error() {
        let g = guards();
        let ok = price(100_000_000);
        assert_eq!(
            validate_oracle_price(&check(&ok, &g), OracleAction::Fill).unwrap(),
            100_000_000
        );

        let negative = price(-1);
        assert_eq!(
            validate_oracle_price(&check(&negative, &g), OracleAction::RemoveLiquidity)
                .unwrap_err(),
            BalError::OracleNonPositive.into()
        );
        let stale = OraclePrice {
            publish_slot: 400,
            ..ok
        };
        assert_eq!(
            validate_oracle_price(&check(&stale, &g), OracleAction::Margin).unwrap_err(),
            BalError::OracleStale.into()
        );
        let uncertain = OraclePrice {
            confidence: 5_000_000,
            ..ok
        };
        assert_eq!(
            validate_oracle_price(&check(&uncertain, &g), OracleAction::Fill).unwrap_err(),
            BalError::OracleTooUncertain.into()
        );
        let jumped = price(150_000_000);
        assert_eq!(
            validate_oracle_price(&check(&jumped, &g), OracleAction::Fill).unwrap_err(),
            BalError::OracleTooDivergent.into()
        );
    }

    #[test]
    fn the_matrix_exempts_what_it_says() {
        let g = guards();
        let stale = OraclePrice {
            publish_slot: 400,
            ..price(100_000_000)
        };
        assert!(validate_oracle_price(&check(&stale, &g), OracleAction::RemoveLiquidity).is_ok());
        let uncertain = OraclePrice {
            confidence: 5_000_000,
            ..price(100_000_000)
        };
        assert!(
            validate_oracle_price(&check(&uncertain, &g), OracleAction::RemoveLiquidity).is_ok()
        );
        assert_eq!(
            validate_oracle_price(&check(&uncertain, &g), OracleAction::Margin).unwrap_err(),
            BalError::OracleTooUncertain.into()
        );
        let jumped = price(150_000_000);
        assert!(validate_oracle_price(&check(&jumped, &g), OracleAction::FundingUpdate).is_ok());
        assert!(validate_oracle_price(&check(&jumped, &g), OracleAction::Margin).is_ok());
        assert!(validate_oracle_price(&check(&jumped, &g), OracleAction::Liquidation).is_ok());
        assert_eq!(
            validate_oracle_price(&check(&jumped, &g), OracleAction::SettlePnl).unwrap_err(),
            BalError::OracleTooDivergent.into()
        );
    }

    #[test]
    fn twap_weighs_the_standing_price_by_the_time_it_stood_and_clamps_outliers() {
        let update = TwapUpdate {
            twap: 100_000_000,
            last_ts: 0,
            standing: 110_000_000,
            price: 1,
            now: 150,
            window: 300,
            max_divergence: 1_000_000,
        };
        assert_eq!(updated_twap(&update).unwrap(), 105_000_000);
        // The new price, whatever it is, weighs nothing yet.
        assert_eq!(
            updated_twap(&TwapUpdate {
                price: 1_000_000_000,
                ..update
            })
            .unwrap(),
            105_000_000
        );
        let outlier = TwapUpdate {
            standing: 1_000_000_000,
            max_divergence: 100_000,
            ..update
        };
        assert_eq!(updated_twap(&outlier).unwrap(), 105_000_000);
        let first = TwapUpdate { twap: 0, ..update };
        assert_eq!(updated_twap(&first).unwrap(), 1);
    }
}
