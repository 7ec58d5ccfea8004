//! Funding rates and payments. One rate for longs and shorts: positive, longs pay shorts.
use crate::math::constants::{
    FUNDING_PAYMENT_DIVISOR, FUNDING_PERIODS_PER_PREMIUM, PERCENTAGE_PRECISION,
    PRICE_TO_FUNDING_RATE,
};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use anchor_lang::prelude::*;

/// Inputs of one period's rate. Neither depends on what anyone holds at the moment of the
/// update: a rate that did (a cap by the fee pool over the AMM's inventory, say) could be moved
/// by a trade placed just before the update in the same transaction and undone just after.
pub struct FundingInputs {
    /// precision: PRICE
    pub mark_twap: u64,
    /// precision: PRICE
    pub oracle_twap: u64,
    /// precision: PERCENTAGE of the oracle TWAP
    pub max_funding_rate: u32,
}

/// The period's rate (FUNDING_RATE, quote per base): the premium over a day of periods,
/// clamped to the market's cap. Rounded toward zero.
pub fn funding_rate(inputs: &FundingInputs) -> Result<i64> {
    let premium = (inputs.mark_twap as i128).safe_sub(inputs.oracle_twap as i128)?;
    let rate = premium
        .safe_mul(PRICE_TO_FUNDING_RATE)?
        .safe_div(FUNDING_PERIODS_PER_PREMIUM)?;
    let cap = (inputs.oracle_twap as i128)
        .safe_mul(inputs.max_funding_rate as i128)?
        .safe_mul(PRICE_TO_FUNDING_RATE)?
        .safe_div(PERCENTAGE_PRECISION as i128)?;
    (rate.clamp(-cap, cap)).cast::<i64>()
}

/// A price that stands until the next observation replaces it: each observation first adds
/// the standing price times the seconds it stood to the period's sum (`price_seconds`), then
/// the new price starts standing. A price weighs exactly the time it stood: one replaced in the
/// same second weighs nothing, so a trade and its unwind in one transaction (or slot) leave the
/// sum, and so the period's average and the funding rate, exactly as they were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceClock {
    /// precision: PRICE
    pub standing: u64,
    /// Since when `standing` has stood.
    pub since: i64,
    /// Σ price × seconds stood in the period so far. precision: PRICE × seconds
    pub price_seconds: u128,
}

impl PriceClock {
    /// The clock at `now` with `price` standing from then on. Time never runs backwards here:
    /// an observation at or before `since` adds nothing.
    pub fn observe(&self, price: u64, now: i64) -> Result<PriceClock> {
        let elapsed = now.saturating_sub(self.since).max(0) as u128;
        Ok(PriceClock {
            standing: price,
            since: now.max(self.since),
            price_seconds: self
                .price_seconds
                .safe_add((self.standing as u128).safe_mul(elapsed)?)?,
        })
    }
}

/// The average of a period `[start, now]` from its price-seconds sum, rounded down (an average,
/// not an amount owed); `fallback` for an empty period. precision: PRICE
pub fn period_average(price_seconds: u128, start: i64, now: i64, fallback: u64) -> Result<u64> {
    let seconds = now.saturating_sub(start);
    if seconds <= 0 {
        return Ok(fallback);
    }
    (price_seconds / seconds as u128).cast::<u64>()
}

/// A mark observation clamped to `band` (the market's maximum spread, precision: PERCENTAGE)
/// around the oracle price the instruction read: however far a fill pushes the curve, the
/// mark counts it at most that far from the oracle. precision: PRICE
pub fn clamp_mark(price: u64, oracle_price: u64, band: u32) -> Result<u64> {
    let offset = mul_div_floor(
        oracle_price as u128,
        band as u128,
        PERCENTAGE_PRECISION as u128,
    )?
    .cast::<u64>()?;
    Ok(price.clamp(
        oracle_price.saturating_sub(offset),
        oracle_price.saturating_add(offset),
    ))
}

/// Funding a position of `base` owes for a move of the cumulative rate by `rate_delta`, as a
/// quote change to the position: negative when it pays. A payment rounds up, a receipt down.
pub fn funding_payment(base: i64, rate_delta: i64) -> Result<i128> {
    let owed = (base as i128).safe_mul(rate_delta as i128)?;
    // −owed / divisor, rounded toward −∞ (the position's side of the protocol's favour).
    Ok((-owed).div_euclid(FUNDING_PAYMENT_DIVISOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(mark: u64) -> FundingInputs {
        FundingInputs {
            mark_twap: mark,
            oracle_twap: 100_000_000,
            max_funding_rate: 1_000,
        }
    }

    #[test]
    fn premium_over_a_day_clamped_to_the_cap() {
        // Mark $0.24 above the oracle: 1 cent per base for the period.
        assert_eq!(funding_rate(&inputs(100_240_000)).unwrap(), 10_000_000);
        // Far above: capped at 0.1% of $100 = 10 cents.
        assert_eq!(funding_rate(&inputs(150_000_000)).unwrap(), 100_000_000);
        assert_eq!(funding_rate(&inputs(50_000_000)).unwrap(), -100_000_000);
    }

    #[test]
    fn a_price_weighs_exactly_the_time_it_stood() {
        let clock = PriceClock {
            standing: 100_000_000,
            since: 0,
            price_seconds: 0,
        };
        // A push and its unwind in the same second: the pushed price stood zero seconds.
        let pushed = clock.observe(150_000_000, 600).unwrap();
        let unwound = pushed.observe(100_000_000, 600).unwrap();
        assert_eq!(unwound.price_seconds, 100_000_000 * 600);
        assert_eq!(
            unwound.observe(100_000_000, 3_600).unwrap().price_seconds,
            100_000_000 * 3_600
        );
        // Split or not, the same prices over the same seconds sum the same.
        let split = clock
            .observe(100_000_000, 1_000)
            .unwrap()
            .observe(120_000_000, 1_000);
        let whole = clock.observe(120_000_000, 1_000);
        assert_eq!(split.unwrap(), whole.unwrap());
        // A price that stood 900 of 3,600 seconds moves the average by a quarter of its gap.
        let held = clock
            .observe(120_000_000, 0)
            .unwrap()
            .observe(100_000_000, 900)
            .unwrap();
        let sum = held.observe(100_000_000, 3_600).unwrap().price_seconds;
        assert_eq!(period_average(sum, 0, 3_600, 0).unwrap(), 105_000_000);
        assert_eq!(period_average(sum, 3_600, 3_600, 7).unwrap(), 7);
    }

    #[test]
    fn a_mark_counts_at_most_the_band_from_the_oracle() {
        assert_eq!(clamp_mark(0, 100_000_000, 50_000).unwrap(), 95_000_000);
        assert_eq!(
            clamp_mark(u64::MAX, 100_000_000, 50_000).unwrap(),
            105_000_000
        );
        assert_eq!(
            clamp_mark(101_000_000, 100_000_000, 50_000).unwrap(),
            101_000_000
        );
    }

    #[test]
    fn payments_round_against_the_position() {
        assert_eq!(funding_payment(1_000_000_000, 10_000_000).unwrap(), -10_000);
        assert_eq!(funding_payment(-1_000_000_000, 10_000_000).unwrap(), 10_000);
        assert_eq!(funding_payment(1, 1).unwrap(), -1);
        assert_eq!(funding_payment(-1, 1).unwrap(), 0);
    }
}
