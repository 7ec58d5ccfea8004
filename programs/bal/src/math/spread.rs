//! Bid and ask spreads: half the base spread each side, widened on the side that would grow the
//! AMM's inventory, and on both sides by how far the oracle has moved from its short TWAP.
use crate::math::constants::{INVENTORY_SPREAD_SCALE, PERCENTAGE_PRECISION};
use crate::math::wide::mul_div_floor;
use anchor_lang::prelude::*;

/// What the spreads depend on.
pub struct SpreadInputs {
    /// precision: PERCENTAGE
    pub base_spread: u32,
    /// precision: PERCENTAGE
    pub max_spread: u32,
    /// Users' net base against the AMM. precision: BASE
    pub base_asset_amount_with_amm: i64,
    /// precision: BASE
    pub sqrt_k: u128,
    /// precision: PRICE
    pub oracle_price: u64,
    /// precision: PRICE
    pub oracle_twap_5min: u64,
}

/// `(long_spread, short_spread)`: what a buyer pays above and a seller receives below the
/// reserve price. precision: PERCENTAGE
pub fn spreads(inputs: &SpreadInputs) -> Result<(u32, u32)> {
    let one = PERCENTAGE_PRECISION as u128;
    let half = inputs.base_spread as u128 / 2;
    let inventory = mul_div_floor(
        inputs.base_asset_amount_with_amm.unsigned_abs() as u128,
        one,
        inputs.sqrt_k.max(1),
    )?
    .min(one);
    let skew = mul_div_floor(half, inventory * INVENTORY_SPREAD_SCALE, one)?;
    let volatility = if inputs.oracle_twap_5min == 0 {
        0
    } else {
        mul_div_floor(
            inputs.oracle_price.abs_diff(inputs.oracle_twap_5min) as u128,
            one,
            inputs.oracle_twap_5min as u128,
        )?
    };
    let cap = inputs.max_spread as u128;
    let (mut long, mut short) = (half + volatility, half + volatility);
    // Users net long: the AMM is short, and more buying would grow that.
    if inputs.base_asset_amount_with_amm > 0 {
        long += skew;
    } else {
        short += skew;
    }
    Ok((long.min(cap) as u32, short.min(cap) as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(net: i64) -> SpreadInputs {
        SpreadInputs {
            base_spread: 1_000,
            max_spread: 50_000,
            base_asset_amount_with_amm: net,
            sqrt_k: 1_000_000_000_000,
            oracle_price: 100_000_000,
            oracle_twap_5min: 100_000_000,
        }
    }

    #[test]
    fn inventory_widens_the_side_that_would_grow_it() {
        assert_eq!(spreads(&inputs(0)).unwrap(), (500, 500));
        // Users 10% long: the buyers' half spread doubles.
        assert_eq!(spreads(&inputs(100_000_000_000)).unwrap(), (1_000, 500));
        assert_eq!(spreads(&inputs(-100_000_000_000)).unwrap(), (500, 1_000));
    }

    #[test]
    fn volatility_widens_both_sides_up_to_the_cap() {
        let moved = SpreadInputs {
            oracle_price: 101_000_000,
            ..inputs(0)
        };
        assert_eq!(spreads(&moved).unwrap(), (10_500, 10_500));
        let wild = SpreadInputs {
            oracle_price: 200_000_000,
            ..inputs(0)
        };
        assert_eq!(spreads(&wild).unwrap(), (50_000, 50_000));
    }
}
