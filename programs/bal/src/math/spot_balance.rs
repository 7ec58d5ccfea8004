//! Scaled balances ↔ token amounts. A user's claim rounds down and a user's debt rounds up, so
//! the vault always covers what the market owes.
use crate::math::constants::SPOT_BALANCE_TO_TOKEN;
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use anchor_lang::prelude::*;

/// Tokens a deposit of `scaled` is worth, rounded down. precision: QUOTE
pub fn deposit_tokens(scaled: u128, cumulative_interest: u128) -> Result<u128> {
    mul_div_floor(scaled, cumulative_interest, SPOT_BALANCE_TO_TOKEN)
}

/// Tokens a borrow of `scaled` owes, rounded up. precision: QUOTE
pub fn borrow_tokens(scaled: u128, cumulative_interest: u128) -> Result<u128> {
    mul_div_ceil(scaled, cumulative_interest, SPOT_BALANCE_TO_TOKEN)
}

/// Scaled units for `tokens`, rounded down: credited to a deposit, or the part of a borrow that
/// a repayment clears. precision: SPOT_BALANCE
pub fn scaled_floor(tokens: u128, cumulative_interest: u128) -> Result<u128> {
    mul_div_floor(tokens, SPOT_BALANCE_TO_TOKEN, cumulative_interest)
}

/// Scaled units for `tokens`, rounded up: taken from a deposit on withdrawal, or added to a
/// borrow. precision: SPOT_BALANCE
pub fn scaled_ceil(tokens: u128, cumulative_interest: u128) -> Result<u128> {
    mul_div_ceil(tokens, SPOT_BALANCE_TO_TOKEN, cumulative_interest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::constants::SPOT_CUMULATIVE_INTEREST_PRECISION;
    use proptest::prelude::*;

    #[test]
    fn at_index_one_a_token_is_a_thousand_scaled_units() {
        let one = SPOT_CUMULATIVE_INTEREST_PRECISION;
        assert_eq!(scaled_floor(5_000_000, one).unwrap(), 5_000_000_000);
        assert_eq!(deposit_tokens(5_000_000_000, one).unwrap(), 5_000_000);
    }

    proptest! {
        #[test]
        fn depositing_then_withdrawing_never_gains(tokens in 1u128..1_000_000_000_000_000, index in 10_000_000_000u128..100_000_000_000) {
            let credited = scaled_floor(tokens, index).unwrap();
            prop_assert!(deposit_tokens(credited, index).unwrap() <= tokens);
            let borrowed = scaled_ceil(tokens, index).unwrap();
            prop_assert!(borrow_tokens(borrowed, index).unwrap() >= tokens);
        }
    }
}
