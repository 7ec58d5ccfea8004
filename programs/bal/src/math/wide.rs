//! 256-bit intermediates for products of two 128-bit values (k = sqrt_k² reaches 1e42).
//!
//! The helpers are `#[inline(always)]`: as calls they would take six or seven argument
//! registers, and the sBPF v0 VM passes only five.
use crate::error::BalError;
use crate::math::safe_math::Cast;
use anchor_lang::prelude::*;

#[allow(clippy::all, clippy::pedantic)]
mod u256 {
    uint::construct_uint! {
        /// Unsigned 256-bit integer for intermediate products.
        pub struct U256(4);
    }
}

pub use u256::U256;

#[inline(always)]
fn to_u128(value: U256) -> Result<u128> {
    value.cast::<u128>()
}

/// `a × b / d`, rounded down. A product that fits 128 bits divides there (a fraction of the
/// compute of a 256-bit division).
#[inline(always)]
pub fn mul_div_floor(a: u128, b: u128, d: u128) -> Result<u128> {
    if d == 0 {
        return err!(BalError::MathError);
    }
    if let Some(product) = a.checked_mul(b) {
        return Ok(product / d);
    }
    to_u128(U256::from(a) * U256::from(b) / U256::from(d))
}

/// `a × b / d`, rounded up; in 128 bits when the product fits.
#[inline(always)]
pub fn mul_div_ceil(a: u128, b: u128, d: u128) -> Result<u128> {
    if d == 0 {
        return err!(BalError::MathError);
    }
    if let Some(product) = a.checked_mul(b) {
        return Ok(product.div_ceil(d));
    }
    let (quotient, remainder) = (U256::from(a) * U256::from(b)).div_mod(U256::from(d));
    let rounded = if remainder.is_zero() {
        quotient
    } else {
        quotient + U256::one()
    };
    to_u128(rounded)
}

/// `n² / d`, rounded up: a reserve from `k = n²` and the other reserve.
#[inline(always)]
pub fn square_div_ceil(n: u128, d: u128) -> Result<u128> {
    mul_div_ceil(n, n, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_in_the_stated_direction() {
        assert_eq!(mul_div_floor(7, 3, 2).unwrap(), 10);
        assert_eq!(mul_div_ceil(7, 3, 2).unwrap(), 11);
        assert_eq!(mul_div_ceil(6, 3, 2).unwrap(), 9);
        let big = 10u128.pow(21);
        assert_eq!(square_div_ceil(big, big).unwrap(), big);
        assert!(mul_div_floor(u128::MAX, u128::MAX, 1).is_err());
        assert!(mul_div_floor(1, 1, 0).is_err());
    }
}
