//! The vault's numbers: the share price from its BAL subaccount's net value
//! (`bal::controller::margin::net_value`), and the LP shares it holds for its shares. Every division rounds toward the vault, so no depositor gains from
//! rounding at the others' expense.
use crate::error::VaultError;
use crate::state::LP_PER_SHARE_PRECISION;
use anchor_lang::prelude::*;

/// `a · b / c`, rounded down; `None` on overflow or a zero divisor.
fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    a.checked_mul(b)?.checked_div(c)
}

/// Vault shares `amount` buys when `total_shares` are worth `value`: one per quote unit for the
/// first deposit, else `amount · total_shares / value` rounded down (the remainder stays with the
/// vault).
pub fn shares_for_deposit(amount: u64, total_shares: u64, value: i128) -> Result<u64> {
    if total_shares == 0 {
        return Ok(amount);
    }
    require!(value > 0, VaultError::VaultInsolvent);
    let shares = mul_div_floor(amount.into(), total_shares.into(), value.unsigned_abs())
        .ok_or(VaultError::MathOverflow)?;
    let shares = u64::try_from(shares).map_err(|_| VaultError::MathOverflow)?;
    require!(shares > 0, VaultError::DepositTooSmall);
    Ok(shares)
}

/// Quote `shares` redeem for out of `total_shares` worth `value`: `value · shares / total`,
/// rounded down.
pub fn redemption(shares: u64, total_shares: u64, value: i128) -> Result<u64> {
    require!(value > 0, VaultError::VaultInsolvent);
    let amount = mul_div_floor(value.unsigned_abs(), shares.into(), total_shares.into())
        .ok_or(VaultError::MathOverflow)?;
    let amount = u64::try_from(amount).map_err(|_| VaultError::MathOverflow)?;
    require!(amount > 0, VaultError::NothingToWithdraw);
    Ok(amount)
}

/// BAL LP shares the vault holds for `total_shares`: `total · lp_per_share`, rounded down to
/// the market's step (BAL mints whole steps only).
pub fn lp_target(total_shares: u64, lp_per_share: u64, step: u64) -> Result<u64> {
    let exact = mul_div_floor(
        total_shares.into(),
        lp_per_share.into(),
        LP_PER_SHARE_PRECISION.into(),
    )
    .ok_or(VaultError::MathOverflow)?;
    let exact = u64::try_from(exact).map_err(|_| VaultError::MathOverflow)?;
    let step = step.max(1);
    Ok(exact / step * step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_deposit_buys_one_share_per_unit() {
        assert_eq!(shares_for_deposit(5_000_000, 0, 0).unwrap(), 5_000_000);
    }

    #[test]
    fn shares_and_redemptions_round_toward_the_vault() {
        // 3 shares worth 10 units: 1 unit buys 0.3 shares, so it is refused; 4 buy 1.
        assert!(shares_for_deposit(1, 3, 10).is_err());
        assert_eq!(shares_for_deposit(4, 3, 10).unwrap(), 1);
        // 1 of 3 shares worth 10 redeems for 3 (3.33 rounded down).
        assert_eq!(redemption(1, 3, 10).unwrap(), 3);
        assert!(redemption(1, 3, 0).is_err());
    }

    #[test]
    fn lp_target_is_whole_steps() {
        // 1.5 LP shares per vault share, step 1,000.
        assert_eq!(lp_target(2_001, 1_500_000, 1_000).unwrap(), 3_000);
        assert_eq!(lp_target(2_000, 1_500_000, 1_000).unwrap(), 3_000);
        assert_eq!(lp_target(1_999, 1_500_000, 1_000).unwrap(), 2_000);
    }
}
