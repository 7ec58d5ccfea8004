//! Pyth pull oracle: the `PriceUpdateV2` account Pyth's Solana receiver program writes, parsed
//! from its documented layout (Anchor discriminator, write authority, a borsh
//! `VerificationLevel`, the `PriceFeedMessage`, the posted slot).
use crate::error::BalError;
use crate::math::constants::PRICE_PRECISION;
use crate::math::safe_math::Cast;
use crate::state::oracle::OraclePrice;
use crate::validate;
use anchor_lang::prelude::*;

/// Pyth's Solana receiver program: the only valid owner of a `PriceUpdateV2` account.
pub const PYTH_RECEIVER_PROGRAM_ID: Pubkey = pubkey!("rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ");
/// `sha256("account:PriceUpdateV2")[..8]`.
pub const PRICE_UPDATE_V2_DISCRIMINATOR: [u8; 8] = [34, 241, 35, 99, 157, 126, 244, 205];

/// The fields of a `PriceUpdateV2` this program uses, in Pyth's own units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceUpdate {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub confidence: u64,
    pub exponent: i32,
    pub publish_time: i64,
    pub posted_slot: u64,
}

/// Verification tags of the borsh `VerificationLevel` enum.
const PARTIAL: u8 = 0;
const FULL: u8 = 1;

/// Parses a fully verified `PriceUpdateV2`. A partially verified update (fewer guardian
/// signatures than Pyth requires) is refused, as Pyth's own SDK refuses it.
pub fn parse_price_update(data: &[u8]) -> Result<PriceUpdate> {
    validate!(
        data.len() >= 133 && data[..8] == PRICE_UPDATE_V2_DISCRIMINATOR,
        BalError::InvalidOracle
    );
    validate!(data[40] != PARTIAL, BalError::OracleNotVerified);
    validate!(data[40] == FULL, BalError::InvalidOracle);
    let message = &data[41..];
    let word = |at: usize| -> [u8; 8] {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&message[at..at + 8]);
        bytes
    };
    let mut feed_id = [0u8; 32];
    feed_id.copy_from_slice(&message[..32]);
    let mut exponent = [0u8; 4];
    exponent.copy_from_slice(&message[48..52]);
    Ok(PriceUpdate {
        feed_id,
        price: i64::from_le_bytes(word(32)),
        confidence: u64::from_le_bytes(word(40)),
        exponent: i32::from_le_bytes(exponent),
        publish_time: i64::from_le_bytes(word(52)),
        posted_slot: u64::from_le_bytes(word(84)),
    })
}

/// Converts a Pyth value with `exponent` to PRICE precision (1e6), rounding toward zero.
fn to_price_precision(value: u64, exponent: i32) -> Result<u64> {
    let shift = exponent.checked_add(6).ok_or(BalError::MathError)?;
    let factor = 10u64
        .checked_pow(shift.unsigned_abs())
        .ok_or(BalError::InvalidOracle)?;
    Ok(if shift >= 0 {
        value.checked_mul(factor).ok_or(BalError::MathError)?
    } else {
        value / factor
    })
}

impl PriceUpdate {
    /// The price in this program's units. A non-positive Pyth price stays non-positive so that
    /// validation refuses it with its own error.
    pub fn to_oracle_price(&self) -> Result<OraclePrice> {
        let magnitude = to_price_precision(self.price.unsigned_abs(), self.exponent)?;
        let magnitude = magnitude.cast::<i64>()?;
        Ok(OraclePrice {
            price: if self.price < 0 {
                -magnitude
            } else {
                magnitude
            },
            confidence: to_price_precision(self.confidence, self.exponent)?,
            publish_time: self.publish_time,
            publish_slot: self.posted_slot,
        })
    }
}

const _: () = assert!(PRICE_PRECISION == 1_000_000);

#[cfg(test)]
mod tests;
