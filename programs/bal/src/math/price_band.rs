//! The one price rule for everything that trades against the AMM: a fill may not average
//! further from the oracle than the market's price band *in the direction the fill moves the
//! curve*. A buy is refused only above `oracle × (1 + band)`, a sale only below
//! `oracle × (1 − band)`: a fill that brings the curve back toward the oracle (the arbitrage
//! after a gap, a favourable unwind) is never refused by it, however far off the curve sits.
//! The band is checked against the taker's average price, spread included, so it must be
//! wider than the market's maximum spread (`SpreadParams::validate`), and on the fill's quote
//! amount, so that a dust fill, whose average is mostly the unit its quote rounds by, is judged
//! by what it costs rather than by its average (`no_worse_than`). Anchored on the oracle
//! alone: a crash that separates the oracle from its TWAP refuses nothing here (the TWAP is
//! the oracle validity matrix's divergence guard).
use crate::error::BalError;
use crate::math::constants::{BASE_PRECISION, PERCENTAGE_PRECISION};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::order::PositionDirection;
use crate::validate;
use anchor_lang::prelude::*;

/// A band around an oracle price: `oracle × (1 ± band)`, the offset rounded down so the band
/// is never wider than its ratio says. precision: PRICE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceBand {
    pub low: u64,
    pub oracle: u64,
    pub high: u64,
}

impl PriceBand {
    /// `band` precision: PERCENTAGE.
    pub fn around(oracle: u64, band: u32) -> Result<Self> {
        let offset = mul_div_floor(oracle as u128, band as u128, PERCENTAGE_PRECISION as u128)?
            .cast::<u64>()?;
        Ok(PriceBand {
            low: oracle.saturating_sub(offset),
            oracle,
            high: oracle.safe_add(offset)?,
        })
    }

    /// The worst average price a fill in `direction` may take: the band's edge on the side
    /// the fill moves the curve toward.
    pub fn worst_for(&self, direction: PositionDirection) -> u64 {
        match direction {
            PositionDirection::Long => self.high,
            PositionDirection::Short => self.low,
        }
    }

    /// Whether `price` lies inside the band, edges included.
    pub fn contains(&self, price: u64) -> bool {
        (self.low..=self.high).contains(&price)
    }
}

/// Whether a fill of `base` for `quote` in `direction` is no worse for the taker than `limit`
/// (precision: PRICE) on average, but for the one quote unit its rounding may cost: a buyer
/// pays at most `base × limit` (rounded up) plus one, a seller receives at least
/// `base × limit` (rounded down) less one.
pub fn no_worse_than(direction: PositionDirection, fill: &QuoteFill, limit: u64) -> Result<bool> {
    let (base, limit) = (fill.base as u128, limit as u128);
    let quote = fill.quote as u128;
    Ok(match direction {
        PositionDirection::Long => {
            quote <= mul_div_ceil(base, limit, BASE_PRECISION)?.safe_add(1)?
        }
        PositionDirection::Short => {
            quote.safe_add(1)? >= mul_div_floor(base, limit, BASE_PRECISION)?
        }
    })
}

/// A fill's base and quote, passed by reference. precision: BASE, QUOTE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteFill {
    pub base: u64,
    pub quote: u64,
}

/// Refuses (`PriceBandExceeded`, naming the average price and the band) a fill in `direction`
/// that averages beyond the band's edge on the side it moves the curve toward
/// (`no_worse_than`).
pub fn validate_fill_in_band(
    direction: PositionDirection,
    fill: &QuoteFill,
    band: &PriceBand,
) -> Result<()> {
    validate!(
        no_worse_than(direction, fill, band.worst_for(direction))?,
        BalError::PriceBandExceeded,
        "fill of {} base for {} quote outside the band {}..{} around the oracle {}",
        fill.base,
        fill.quote,
        band.low,
        band.high,
        band.oracle
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band() -> PriceBand {
        PriceBand::around(100_000_000, 100_000).unwrap()
    }

    #[test]
    fn the_band_is_the_ratio_around_the_oracle() {
        assert_eq!(
            band(),
            PriceBand {
                low: 90_000_000,
                oracle: 100_000_000,
                high: 110_000_000
            }
        );
        // The offset rounds down: never wider than the ratio.
        let odd = PriceBand::around(7, 100_000).unwrap();
        assert_eq!((odd.low, odd.high), (7, 7));
    }

    fn fill(base: u64, quote: u64) -> QuoteFill {
        QuoteFill { base, quote }
    }

    #[test]
    fn only_a_move_away_from_the_oracle_past_the_edge_is_refused() {
        let band = band();
        use PositionDirection::*;
        let one = BASE_PRECISION as u64;
        // One base at $110 (+ the unit of rounding) for a buyer, $90 (- it) for a seller.
        assert!(validate_fill_in_band(Long, &fill(one, 110_000_001), &band).is_ok());
        assert_eq!(
            validate_fill_in_band(Long, &fill(one, 110_000_002), &band).unwrap_err(),
            BalError::PriceBandExceeded.into()
        );
        assert!(validate_fill_in_band(Short, &fill(one, 89_999_999), &band).is_ok());
        assert!(validate_fill_in_band(Short, &fill(one, 89_999_998), &band).is_err());
        // Toward the oracle from far off: never refused by the band.
        assert!(validate_fill_in_band(Long, &fill(one, 1), &band).is_ok());
        assert!(validate_fill_in_band(Short, &fill(one, u64::MAX), &band).is_ok());
    }

    #[test]
    fn a_dust_fill_is_judged_by_what_it_costs_not_by_its_average() {
        // 19 base units sold for nothing: an "average" of $0, a unit of rounding.
        let band = band();
        assert!(validate_fill_in_band(PositionDirection::Short, &fill(19, 0), &band).is_ok());
        // Bought at $110 the 19 units cost 2.09 units, rounded up to 3, and one for rounding.
        assert!(validate_fill_in_band(PositionDirection::Long, &fill(19, 4), &band).is_ok());
        assert!(validate_fill_in_band(PositionDirection::Long, &fill(19, 5), &band).is_err());
    }
}
