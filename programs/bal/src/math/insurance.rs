//! Insurance fund shares: bought and valued at the fund's balance per share, every rounding in
//! the fund's favour, so no stake or payout takes value from the other stakers.
use crate::error::BalError;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::validate;
use anchor_lang::prelude::*;

/// The shares `amount` buys from a fund holding `balance` over `total_shares`, rounded down.
/// A fund with no shares sells one per quote unit; a fund a write-off emptied prices its
/// shares at one unit together, so the old shares keep next to nothing of the new stake.
/// precision: shares
pub fn shares_for_stake(amount: u64, balance: u64, total_shares: u128) -> Result<u128> {
    if total_shares == 0 {
        return Ok(amount as u128);
    }
    let shares = mul_div_floor(amount as u128, total_shares, balance.max(1) as u128)?;
    validate!(shares > 0, BalError::InsuranceStakeTooSmall);
    Ok(shares)
}

/// What `shares` of a fund holding `balance` over `total_shares` are worth, rounded down.
/// precision: QUOTE
pub fn value_of_shares(shares: u128, balance: u64, total_shares: u128) -> Result<u64> {
    if total_shares == 0 {
        return Ok(0);
    }
    mul_div_floor(shares, balance as u128, total_shares)?.cast::<u64>()
}

/// Whether a request made at `request_ts` may be paid at `now`: from the end of its delay
/// for `window` seconds.
pub fn request_payable(request_ts: i64, delay: i64, window: i64, now: i64) -> Result<bool> {
    let opens = request_ts.safe_add(delay)?;
    Ok(now >= opens && now < opens.safe_add(window)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stake_buys_at_the_funds_price_rounded_down() {
        assert_eq!(shares_for_stake(500, 0, 0).unwrap(), 500);
        // 1,000 shares over 1,500 quote: 100 quote buys 66.67 shares.
        assert_eq!(shares_for_stake(100, 1_500, 1_000).unwrap(), 66);
        assert!(shares_for_stake(1, 1_500, 1_000).is_err());
    }

    #[test]
    fn shares_are_worth_their_part_rounded_down() {
        assert_eq!(value_of_shares(66, 1_600, 1_066).unwrap(), 99);
        assert_eq!(value_of_shares(1_000, 1_600, 1_066).unwrap(), 1_500);
        assert_eq!(value_of_shares(5, 0, 0).unwrap(), 0);
    }

    #[test]
    fn an_emptied_fund_leaves_its_old_shares_next_to_nothing() {
        let shares = shares_for_stake(1_000, 0, 50).unwrap();
        assert_eq!(shares, 50_000);
        assert_eq!(value_of_shares(shares, 1_000, 50 + shares).unwrap(), 999);
    }

    #[test]
    fn a_request_is_payable_only_inside_its_window() {
        assert!(!request_payable(100, 10, 5, 109).unwrap());
        assert!(request_payable(100, 10, 5, 110).unwrap());
        assert!(request_payable(100, 10, 5, 114).unwrap());
        assert!(!request_payable(100, 10, 5, 115).unwrap());
    }
}
