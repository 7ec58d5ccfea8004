//! BAL accounting: the split of each AMM fill between user-owned and protocol-owned shares,
//! per-share accumulators, an LP's entitlement, and exact lazy funding on unsettled inventory.
//! Every division rounds toward −∞ (against the LPs): the remainder stays with the protocol.
use crate::error::BalError;
use crate::math::constants::{FUNDING_PAYMENT_DIVISOR, LP_ACC_PRECISION, LP_AGG_PRECISION};
use crate::math::safe_math::Cast;
use crate::math::wide::U256;
use anchor_lang::prelude::*;

/// Signed 256-bit values as two's complement in a `U256`, for the funding accumulator `G`.
pub mod i256 {
    use super::U256;

    pub fn from_i128(value: i128) -> U256 {
        if value >= 0 {
            U256::from(value as u128)
        } else {
            !U256::from(value.unsigned_abs()) + U256::one()
        }
    }

    pub fn is_negative(value: U256) -> bool {
        value.bit(255)
    }

    /// Sign and magnitude.
    pub fn split(value: U256) -> (bool, U256) {
        if is_negative(value) {
            (true, !value + U256::one())
        } else {
            (false, value)
        }
    }

    pub fn add(a: U256, b: U256) -> U256 {
        a.overflowing_add(b).0
    }

    /// The exact product of an i128 and an i64 (at most 191 bits), in two's complement.
    pub fn mul(a: i128, b: i64) -> U256 {
        let magnitude = U256::from(a.unsigned_abs()) * U256::from(b.unsigned_abs());
        if (a < 0) != (b < 0) && !magnitude.is_zero() {
            !magnitude + U256::one()
        } else {
            magnitude
        }
    }

    pub fn sub(a: U256, b: U256) -> U256 {
        a.overflowing_sub(b).0
    }

    /// `value / divisor`, rounded toward −∞.
    pub fn div_floor(value: U256, divisor: U256) -> U256 {
        let (negative, magnitude) = split(value);
        let (quotient, remainder) = magnitude.div_mod(divisor);
        if !negative {
            return quotient;
        }
        let rounded = if remainder.is_zero() {
            quotient
        } else {
            quotient + U256::one()
        };
        !rounded + U256::one()
    }

    /// The value as an i64, saturating at either end.
    pub fn saturating_i64(value: U256) -> i64 {
        let (negative, magnitude) = split(value);
        let limit = U256::from(i64::MAX as u64);
        match (negative, magnitude > limit) {
            (false, true) => i64::MAX,
            (true, true) => i64::MIN,
            (false, false) => magnitude.low_u64() as i64,
            (true, false) => -(magnitude.low_u64() as i64),
        }
    }
}

/// `value × mul / div`, rounded toward −∞, for a signed value and unsigned factors. Always
/// inlined: as a call it would take seven argument registers, the v0 VM passes five.
#[inline(always)]
pub fn signed_mul_div_floor(value: i128, mul: u128, div: u128) -> Result<i128> {
    if div == 0 {
        return err!(BalError::MathError);
    }
    let product = U256::from(value.unsigned_abs()) * U256::from(mul);
    let (quotient, remainder) = product.div_mod(U256::from(div));
    let magnitude = quotient.cast::<i128>()?;
    Ok(if value >= 0 {
        magnitude
    } else if remainder.is_zero() {
        -magnitude
    } else {
        -magnitude - 1
    })
}

/// Shares of a market: the users' part of `sqrt_k`. precision: BASE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shares {
    pub user: u128,
    pub total: u128,
}

/// The LPs' part of an AMM delta: `(aggregate, per_share)`, the aggregate in
/// `LP_AGG_PRECISION` sub-units and the per-share increment in `LP_ACC_PRECISION`.
pub fn lp_part(delta: i128, shares: &Shares) -> Result<(i128, i128)> {
    if shares.user == 0 || delta == 0 {
        return Ok((0, 0));
    }
    let scaled = delta
        .checked_mul(LP_AGG_PRECISION as i128)
        .ok_or(BalError::MathError)?;
    let aggregate = signed_mul_div_floor(scaled, shares.user, shares.total)?;
    let per_share =
        signed_mul_div_floor(aggregate, LP_ACC_PRECISION / LP_AGG_PRECISION, shares.user)?;
    Ok((aggregate, per_share))
}

/// What `shares` are owed for an accumulator that moved by `delta` (per share), rounded
/// toward −∞. precision: the accumulator's unit (BASE or QUOTE)
pub fn entitlement(delta: i128, shares: u128) -> Result<i128> {
    signed_mul_div_floor(delta, shares, LP_ACC_PRECISION)
}

/// Inputs of `unsettled_funding`, passed by reference (five registers at most).
pub struct LpFunding {
    pub shares: u128,
    /// `G − G₀` in two's complement.
    pub g_delta: U256,
    /// The base accumulator at the LP's last settle (B₀). precision: LP_ACC
    pub base_snapshot: i128,
    /// `F − F₀`. precision: FUNDING_RATE
    pub rate_delta: i64,
}

/// Funding on the inventory an LP held unsettled: `s · ((G − G₀) − B₀ · (F − F₀))`, as a quote
/// change to its position (negative when it pays), rounded toward −∞. precision: QUOTE
pub fn unsettled_funding(funding: &LpFunding) -> Result<i128> {
    // B₀ × (F − F₀) in 256 bits: an LP left unsettled for years at the largest rates would
    // outgrow 128.
    let held = i256::sub(
        funding.g_delta,
        i256::mul(funding.base_snapshot, funding.rate_delta),
    );
    // `held` is Σ rate × (per-share inventory) in LP_ACC × FUNDING_RATE units; the position
    // pays it, so its quote changes by −held × shares / (LP_ACC × divisor).
    let (negative, magnitude) = i256::split(held);
    let divisor = U256::from(LP_ACC_PRECISION) * U256::from(FUNDING_PAYMENT_DIVISOR as u128);
    let (quotient, remainder) = (magnitude * U256::from(funding.shares)).div_mod(divisor);
    let quotient = quotient.cast::<i128>()?;
    // Paying (held > 0) rounds up in size; receiving rounds down.
    Ok(if negative {
        quotient
    } else if remainder.is_zero() {
        -quotient
    } else {
        -quotient - 1
    })
}

#[cfg(test)]
mod tests;
