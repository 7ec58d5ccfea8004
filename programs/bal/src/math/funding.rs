//! Funding rates and payments. One rate for longs and shorts: positive, longs pay shorts.
use crate::math::constants::{
    FUNDING_PAYMENT_DIVISOR, FUNDING_PERIODS_PER_PREMIUM, PERCENTAGE_PRECISION,
    PRICE_TO_FUNDING_RATE,
};
use crate::math::safe_math::SafeMath;
use anchor_lang::prelude::*;

/// Inputs of one period's rate.
pub struct FundingInputs {
    /// precision: PRICE
    pub mark_twap: u64,
    /// precision: PRICE
    pub oracle_twap: u64,
    /// precision: PERCENTAGE of the oracle TWAP
    pub max_funding_rate: u32,
    /// Users' net base against the AMM; the AMM holds the opposite. precision: BASE
    pub base_asset_amount_with_amm: i64,
    /// What the fee pool can pay for the AMM's side. precision: QUOTE
    pub fee_pool: u64,
}

/// The period's rate (FUNDING_RATE, quote per base): the premium over a day of periods,
/// clamped to the market's cap, and capped again so the fee pool can pay the AMM's side when
/// the AMM pays. Rounded toward zero.
pub fn funding_rate(inputs: &FundingInputs) -> Result<i64> {
    let premium = (inputs.mark_twap as i128).safe_sub(inputs.oracle_twap as i128)?;
    let mut rate = premium
        .safe_mul(PRICE_TO_FUNDING_RATE)?
        .safe_div(FUNDING_PERIODS_PER_PREMIUM)?;
    let cap = (inputs.oracle_twap as i128)
        .safe_mul(inputs.max_funding_rate as i128)?
        .safe_mul(PRICE_TO_FUNDING_RATE)?
        .safe_div(PERCENTAGE_PRECISION as i128)?;
    rate = rate.clamp(-cap, cap);
    // Users pay `net × rate`; the AMM holds −net and pays when that is negative.
    let net = inputs.base_asset_amount_with_amm as i128;
    let users_pay = net.safe_mul(rate)?;
    if users_pay < 0 {
        let affordable = (inputs.fee_pool as i128)
            .safe_mul(FUNDING_PAYMENT_DIVISOR)?
            .safe_div(net.abs())?;
        rate = rate.clamp(-affordable, affordable);
    }
    i64::try_from(rate).map_err(|_| error!(crate::error::BalError::MathError))
}

/// Funding a position of `base` owes for a move of the cumulative rate by `rate_delta`, as a
/// quote change to the position: negative when it pays. A payment rounds up, a receipt down.
pub fn funding_payment(base: i64, rate_delta: i64) -> Result<i64> {
    let owed = (base as i128).safe_mul(rate_delta as i128)?;
    let divisor = FUNDING_PAYMENT_DIVISOR;
    // −owed / divisor, rounded toward −∞ (the position's side of the protocol's favour).
    let change = (-owed).div_euclid(divisor);
    i64::try_from(change).map_err(|_| error!(crate::error::BalError::MathError))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(mark: u64) -> FundingInputs {
        FundingInputs {
            mark_twap: mark,
            oracle_twap: 100_000_000,
            max_funding_rate: 1_000,
            base_asset_amount_with_amm: 10_000_000_000,
            fee_pool: 1_000_000_000,
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
    fn the_amm_pays_only_what_the_fee_pool_holds() {
        // Users long 10 base, shorts paid (rate negative): the AMM (short) pays. With $0.05 in
        // the fee pool, the rate is capped at half a cent per base.
        let poor = FundingInputs {
            fee_pool: 50_000,
            ..inputs(50_000_000)
        };
        assert_eq!(funding_rate(&poor).unwrap(), -5_000_000);
    }

    #[test]
    fn payments_round_against_the_position() {
        assert_eq!(funding_payment(1_000_000_000, 10_000_000).unwrap(), -10_000);
        assert_eq!(funding_payment(-1_000_000_000, 10_000_000).unwrap(), 10_000);
        assert_eq!(funding_payment(1, 1).unwrap(), -1);
        assert_eq!(funding_payment(-1, 1).unwrap(), 0);
    }
}
