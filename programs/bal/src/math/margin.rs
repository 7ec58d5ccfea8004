//! A position's value, P&L and margin requirement, in quote, rounded against the account.
use crate::math::constants::{
    BASE_TIMES_PRICE_TO_QUOTE, LP_AGG_PRECISION, MARGIN_PER_POSITION, MARGIN_PRECISION,
    PERCENTAGE_PRECISION,
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

/// What all of a market's positions hold together (passed by reference: two 128-bit values
/// would take four of the v0 VM's five argument registers).
pub struct UsersHoldings {
    /// precision: BASE
    pub base: i128,
    /// precision: LP_AGG (sub-units of QUOTE)
    pub quote: i128,
}

/// What a market's winners cannot be paid, were every position closed at `price`: the
/// users' unsettled P&L as a whole (`users_base` at the price, rounded up, plus `users_quote`,
/// precision LP_AGG, rounded up) beyond what the P&L pool holds. Losses are always collected
/// into the pool in full (a balance may go negative for it), so the pool will hold its own
/// balance plus every loss L, and winners' gains G can all be paid exactly when G − L (the net)
/// does not exceed the pool. precision: QUOTE
pub fn gain_shortfall(users: &UsersHoldings, price: u64, pnl_pool: u64) -> Result<u128> {
    let value = users.base.safe_mul(price as i128)?;
    let value = -(-value).div_euclid(BASE_TIMES_PRICE_TO_QUOTE);
    let quote = -(-users.quote).div_euclid(LP_AGG_PRECISION as i128);
    let net = value.safe_add(quote)?;
    Ok(net.safe_sub(pnl_pool as i128)?.max(0) as u128)
}

/// Unrealized P&L counted as collateral: a loss in full; a gain less the market's
/// `shortfall` (never below zero), then at `asset_weight` (PERCENTAGE), rounded down. Charging
/// each winner the whole shortfall keeps the sum of what all winners count within what the
/// pool will pay: Σ max(0, gᵢ − S) ≤ max(0, G − S) = pool + L when S = G − L − pool > 0, and
/// ≤ G ≤ pool + L when S = 0. Always inlined: as a call its two 128-bit values and the
/// returned `Result` would take six of the v0 VM's five argument registers.
#[inline(always)]
pub fn payable_pnl(pnl: i128, shortfall: u128, asset_weight: u32) -> Result<i128> {
    if pnl <= 0 {
        return Ok(pnl);
    }
    let payable = pnl
        .saturating_sub(shortfall.min(i128::MAX as u128) as i128)
        .max(0);
    weighted_pnl(payable, asset_weight)
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

    #[test]
    fn winners_count_only_what_the_pool_will_pay() {
        // Users hold 10 base long bought for $1,000 (quote −1,000 in sub-units); at $110 they
        // are up $100 net and the pool holds $40: $60 cannot be paid.
        let users = UsersHoldings {
            base: 10_000_000_000,
            quote: -1_000_000_000 * LP_AGG_PRECISION as i128,
        };
        let shortfall = gain_shortfall(&users, 110_000_000, 40_000_000).unwrap();
        assert_eq!(shortfall, 60_000_000);
        assert_eq!(
            payable_pnl(100_000_000, shortfall, 1_000_000).unwrap(),
            40_000_000
        );
        assert_eq!(payable_pnl(50_000_000, shortfall, 1_000_000).unwrap(), 0);
        assert_eq!(payable_pnl(-5, shortfall, 1_000_000).unwrap(), -5);
        // A pool that covers the net leaves every gain whole.
        assert_eq!(gain_shortfall(&users, 110_000_000, 100_000_000).unwrap(), 0);
    }
}
