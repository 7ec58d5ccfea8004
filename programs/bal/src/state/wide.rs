//! 128-bit integers for zero-copy accounts. A bare `u128`/`i128` field is 16-byte aligned, which
//! `bytemuck` rejects on 8-aligned account data; these store two little-endian words instead.
use anchor_lang::prelude::*;

#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct WideU128 {
    /// two 64-bit little-endian words, low first (two's complement when signed)
    words: [u64; 2],
}

impl WideU128 {
    pub const fn new(value: u128) -> Self {
        WideU128 {
            words: [value as u64, (value >> 64) as u64],
        }
    }

    pub const fn get(&self) -> u128 {
        (self.words[1] as u128) << 64 | self.words[0] as u128
    }

    pub fn set(&mut self, value: u128) {
        *self = WideU128::new(value);
    }
}

#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct WideI128 {
    /// two 64-bit little-endian words, low first (two's complement when signed)
    words: [u64; 2],
}

impl WideI128 {
    pub const fn new(value: i128) -> Self {
        let bits = value as u128;
        WideI128 {
            words: [bits as u64, (bits >> 64) as u64],
        }
    }

    pub const fn get(&self) -> i128 {
        ((self.words[1] as u128) << 64 | self.words[0] as u128) as i128
    }

    pub fn set(&mut self, value: i128) {
        *self = WideI128::new(value);
    }
}

/// A signed 256-bit value (two's complement, little-endian words), for the LP funding
/// accumulator `G`, which can outgrow 128 bits.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct WideI256 {
    /// four 64-bit little-endian words, low first (two's complement when signed)
    words: [u64; 4],
}

impl WideI256 {
    pub fn get(&self) -> crate::math::wide::U256 {
        crate::math::wide::U256(self.words)
    }

    pub fn set(&mut self, value: crate::math::wide::U256) {
        self.words = value.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_extremes() {
        for v in [0, 1, u64::MAX as u128, u64::MAX as u128 + 1, u128::MAX] {
            assert_eq!(WideU128::new(v).get(), v);
        }
        for v in [0, -1, 1, i64::MIN as i128, i128::MIN, i128::MAX] {
            assert_eq!(WideI128::new(v).get(), v);
        }
    }
}
