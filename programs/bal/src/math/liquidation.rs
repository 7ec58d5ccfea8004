//! How much of a position a liquidation takes over: enough to bring the account to its
//! liquidation margin, rounded up to the step, within what the liquidator asked for.
use crate::error::BalError;
use crate::math::constants::{BASE_PRECISION, MARGIN_PRECISION, PERCENTAGE_PRECISION};
use crate::math::position::floor_to_step;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_ceil;
use crate::validate;
use anchor_lang::prelude::*;

/// Base whose transfer at `price` covers `shortage` (QUOTE) of margin at `ratio` (MARGIN):
/// each unit moved lowers the requirement by `price × ratio` and the collateral by the fee,
/// `price × fee_rate` (PERCENTAGE), so it takes `shortage / (price × (ratio − fee_rate))`,
/// rounded up. The fee is below every ratio a market allows. precision: BASE
/// Always inlined: as a call it would take six argument registers (the `Result` is one), the v0
/// VM passes five.
#[inline(always)]
pub fn base_to_cover(shortage: u128, price: u64, ratio: u32, fee_rate: u32) -> Result<u128> {
    let ratio = ratio as u128 * (PERCENTAGE_PRECISION / MARGIN_PRECISION) as u128;
    let net = ratio.saturating_sub(fee_rate as u128);
    validate!(net > 0 && price > 0, BalError::InvalidRiskParameters);
    mul_div_ceil(
        shortage.safe_mul(BASE_PRECISION)?,
        PERCENTAGE_PRECISION as u128,
        (price as u128).safe_mul(net)?,
    )
}

/// Inputs of `transfer_size`. precision: BASE
#[derive(Clone, Copy, Debug)]
pub struct TransferSize {
    /// What covers the shortage.
    pub needed: u128,
    /// The position's size.
    pub held: u64,
    /// The liquidator's cap.
    pub max_base: u64,
    pub step: u64,
    pub min_size: u64,
}

/// What to transfer: `needed` rounded up to the step and to at least the minimum size, at most
/// the whole position; when the liquidator caps it lower, its cap rounded down to the step,
/// which must still reach the minimum size (or the whole position, if that is smaller).
/// Refuses (`OrderSizeInvalid`) a cap that leaves less. precision: BASE
pub fn transfer_size(size: &TransferSize) -> Result<u64> {
    let step = size.step.max(1);
    let rounded = size
        .needed
        .div_ceil(step as u128)
        .saturating_mul(step as u128);
    let wanted: u64 = rounded
        .max(size.min_size as u128)
        .min(size.held as u128)
        .cast()?;
    if size.max_base >= wanted {
        return Ok(wanted);
    }
    let capped = floor_to_step(size.max_base, step);
    validate!(
        capped >= size.min_size.min(size.held),
        BalError::OrderSizeInvalid,
        "liquidation of {} is below the minimum size",
        capped
    );
    Ok(capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_the_shortage_net_of_the_fee() {
        // $6 short at $100, 6% target ratio, 1% fee: each base lowers the shortage by $5.
        let base = base_to_cover(6_000_000, 100_000_000, 600, 10_000).unwrap();
        assert_eq!(base, 1_200_000_000);
        // A fee at the ratio leaves nothing to cover with.
        assert!(base_to_cover(1, 100_000_000, 100, 10_000).is_err());
    }

    fn size(needed: u128, max_base: u64) -> TransferSize {
        TransferSize {
            needed,
            held: 9_000_000_000,
            max_base,
            step: 1_000_000,
            min_size: 10_000_000,
        }
    }

    #[test]
    fn sizes_round_up_to_the_step_and_the_minimum_within_the_position() {
        assert_eq!(transfer_size(&size(1, u64::MAX)).unwrap(), 10_000_000);
        assert_eq!(
            transfer_size(&size(12_000_001, u64::MAX)).unwrap(),
            13_000_000
        );
        assert_eq!(
            transfer_size(&size(20_000_000_000, u64::MAX)).unwrap(),
            9_000_000_000
        );
        // The liquidator's cap, rounded down to the step.
        assert_eq!(
            transfer_size(&size(5_000_000_000, 2_500_999_999)).unwrap(),
            2_500_000_000
        );
        // A dust cap is refused rather than filled a unit at a time.
        assert_eq!(
            transfer_size(&size(5_000_000_000, 1)).unwrap_err(),
            BalError::OrderSizeInvalid.into()
        );
        // A position smaller than the minimum goes whole.
        let dust = TransferSize {
            held: 3,
            ..size(1, u64::MAX)
        };
        assert_eq!(transfer_size(&dust).unwrap(), 3);
    }
}
