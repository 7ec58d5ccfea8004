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

/// The most of the funding period one mark-price observation may carry: one twelfth (five
/// minutes of an hour). Later observations in the same second carry none, so whatever one
/// transaction trades, it moves the mark TWAP by at most a twelfth of the way to a price inside
/// the band.
pub const MARK_OBSERVATION_MAX_SHARE: i64 = 12;

/// One observation of the mark price, for `updated_mark_twap`.
pub struct MarkObservation {
    /// precision: PRICE
    pub twap: u64,
    pub last_ts: i64,
    /// The fill's average price (or the reserve price, at a funding update). precision: PRICE
    pub price: u64,
    pub now: i64,
    /// The funding period. seconds
    pub window: i64,
    /// precision: PRICE
    pub oracle_price: u64,
    /// How far from the oracle an observation counts: the market's maximum spread.
    /// precision: PERCENTAGE
    pub band: u32,
}

/// The mark TWAP after `observation`: the price clamped to `band` around the oracle, weighted by
/// the seconds since the last observation but at most `window / MARK_OBSERVATION_MAX_SHARE`.
/// One transaction therefore moves the TWAP by at most
/// `(|twap − oracle| + band × oracle) / MARK_OBSERVATION_MAX_SHARE`, and the next funding rate
/// by that over `FUNDING_PERIODS_PER_PREMIUM`. Rounded down (an average, not an amount owed).
pub fn updated_mark_twap(observation: &MarkObservation) -> Result<u64> {
    let oracle = observation.oracle_price;
    let band = mul_div_floor(
        oracle as u128,
        observation.band as u128,
        PERCENTAGE_PRECISION as u128,
    )?
    .cast::<u64>()?;
    let observed = observation
        .price
        .clamp(oracle.saturating_sub(band), oracle.saturating_add(band));
    if observation.twap == 0 {
        return Ok(observed);
    }
    let window = observation.window.max(1);
    let max_weight = (window / MARK_OBSERVATION_MAX_SHARE).max(1);
    let elapsed = observation
        .now
        .saturating_sub(observation.last_ts)
        .clamp(0, max_weight) as u128;
    let window = window as u128;
    let weighted = (observation.twap as u128)
        .safe_mul(window - elapsed)?
        .safe_add((observed as u128).safe_mul(elapsed)?)?;
    (weighted / window).cast::<u64>()
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

    fn observation(price: u64, elapsed: i64) -> MarkObservation {
        MarkObservation {
            twap: 100_000_000,
            last_ts: 0,
            price,
            now: elapsed,
            window: 3_600,
            oracle_price: 100_000_000,
            band: 50_000,
        }
    }

    #[test]
    fn one_observation_moves_the_mark_a_twelfth_of_the_way_at_most() {
        // A zero-price dust print after half an hour: clamped to 5% under the oracle, weighed
        // as five minutes.
        assert_eq!(
            updated_mark_twap(&observation(0, 1_800)).unwrap(),
            99_583_333
        );
        // Within the band and the weight, it counts as it is.
        assert_eq!(
            updated_mark_twap(&observation(102_000_000, 36)).unwrap(),
            100_020_000
        );
        // In the same second as the last observation it carries nothing.
        assert_eq!(updated_mark_twap(&observation(0, 0)).unwrap(), 100_000_000);
    }

    #[test]
    fn payments_round_against_the_position() {
        assert_eq!(funding_payment(1_000_000_000, 10_000_000).unwrap(), -10_000);
        assert_eq!(funding_payment(-1_000_000_000, 10_000_000).unwrap(), 10_000);
        assert_eq!(funding_payment(1, 1).unwrap(), -1);
        assert_eq!(funding_payment(-1, 1).unwrap(), 0);
    }
}
