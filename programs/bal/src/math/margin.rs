//! A position's value, P&L and margin requirement, in quote, rounded against the account.
use crate::math::constants::{
    BASE_TIMES_PRICE_TO_QUOTE, MARGIN_PER_POSITION, MARGIN_PRECISION, PERCENTAGE_PRECISION,
};
use crate::math::safe_math::SafeMath;
use crate::math::wide::mul_div_ceil;
use anchor_lang::prelude::*;

/// Signed value of `base` at `price`: a long rounds down, a short (negative) rounds more
/// negative. precision: QUOTE
pub fn base_value(base: i64, price: u64) -> Result<i128> {
    let product = (base as i128).safe_mul(price as i128)?;
    Ok(product.div_euclid(BASE_TIMES_PRICE_TO_QUOTE))
}

/// Unrealized P&L counted as collateral: losses in full, gains at `asset_weight` (PERCENTAGE),
/// rounded down.
pub fn weighted_pnl(pnl: i128, asset_weight: u32) -> Result<i128> {
    if pnl <= 0 {
        return Ok(pnl);
    }
    pnl.safe_mul(asset_weight as i128)?
        .safe_div(PERCENTAGE_PRECISION as i128)
}

/// Margin `base` at `price` needs at `margin_ratio` (MARGIN precision), rounded up, plus the
/// per-position minimum when there is any base. precision: QUOTE
pub fn margin_requirement(base: i64, price: u64, margin_ratio: u32) -> Result<u128> {
    if base == 0 {
        return Ok(0);
    }
    let notional = mul_div_ceil(
        base.unsigned_abs() as u128,
        price as u128,
        BASE_TIMES_PRICE_TO_QUOTE as u128,
    )?;
    mul_div_ceil(notional, margin_ratio as u128, MARGIN_PRECISION as u128)?
        .safe_add(MARGIN_PER_POSITION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_requirements_round_against_the_account() {
        assert_eq!(base_value(1_000_000_000, 100_000_000).unwrap(), 100_000_000);
        assert_eq!(base_value(-1, 1).unwrap(), -1);
        assert_eq!(base_value(1, 1).unwrap(), 0);
        // 2 base at $100 and 10%: $20 plus the per-position minimum.
        assert_eq!(
            margin_requirement(-2_000_000_000, 100_000_000, 1_000).unwrap(),
            20_000_000 + MARGIN_PER_POSITION
        );
        assert_eq!(margin_requirement(0, 100_000_000, 1_000).unwrap(), 0);
        assert_eq!(weighted_pnl(1_000, 900_000).unwrap(), 900);
        assert_eq!(weighted_pnl(-1_000, 900_000).unwrap(), -1_000);
    }
}
