//! The vault's numbers: the share price from its BAL subaccount's value (a deposit buys at
//! `bal::read::margin::net_value`, a redemption is paid from `payable_value`), and the
//! LP shares it holds for its shares. Every division rounds toward the vault, so no depositor
//! gains from rounding at the others' expense.
use crate::error::VaultError;
use crate::state::{LP_PER_SHARE_PRECISION, MIN_SHARES};
use anchor_lang::prelude::*;

/// `a · b / c`, rounded down; `None` on overflow or a zero divisor.
fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    a.checked_mul(b)?.checked_div(c)
}

/// Vault shares `amount` buys when `total_shares` are worth `value`: one per quote unit for the
/// first deposit, else `amount · total_shares / value` rounded down (the remainder stays with
/// the vault).
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

/// Refuses (`BelowMinimumShares`) a depositor's holding of some shares but fewer than
/// `MIN_SHARES`: every holding is none or at least the minimum, so the vault's total is too,
/// and nobody's dust can keep another from leaving in full.
pub fn check_holding(shares: u64) -> Result<()> {
    require!(
        shares == 0 || shares >= MIN_SHARES,
        VaultError::BelowMinimumShares
    );
    Ok(())
}

/// Refuses (`VaultInsolvent`) to sell shares of a vault whose payable value (its unpaid gains
/// discounted) is not positive: its redemptions pay nothing, so a deposit would buy shares
/// nobody can redeem. precision: QUOTE
pub fn check_payable(payable_value: i128) -> Result<()> {
    require!(payable_value > 0, VaultError::VaultInsolvent);
    Ok(())
}

/// A redemption's values. precision: QUOTE
pub struct Redemption {
    pub shares: u64,
    pub total_shares: u64,
    /// The vault's net value before the redemption acted.
    pub value_before: i128,
    /// Its net value after burning, reducing and settling the redeemed part.
    pub value_after: i128,
}

/// What a redemption pays: what the vault is worth after acting for it, less what the shares
/// that stay were worth before (rounded up), so those keep their value exactly and the
/// redeemer bears its own closing costs; never more than its part of the value before
/// (`value · shares / total`, rounded down).
pub fn payout(redemption: &Redemption) -> Result<u64> {
    let Redemption {
        shares,
        total_shares,
        value_before,
        value_after,
    } = *redemption;
    require!(value_before > 0, VaultError::VaultInsolvent);
    let before = value_before.unsigned_abs();
    let part = mul_div_floor(before, shares.into(), total_shares.into())
        .ok_or(VaultError::MathOverflow)?;
    let staying = u128::from(total_shares - shares);
    let kept =
        mul_div_ceil(before, staying, total_shares.into()).ok_or(VaultError::MathOverflow)?;
    let left = value_after.max(0).unsigned_abs().saturating_sub(kept);
    let amount = u64::try_from(left.min(part)).map_err(|_| VaultError::MathOverflow)?;
    require!(amount > 0, VaultError::NothingToWithdraw);
    Ok(amount)
}

/// `a · b / c`, rounded up; `None` on overflow or a zero divisor.
fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    let product = a.checked_mul(b)?;
    Some(product.checked_div(c)? + u128::from(product % c != 0))
}

/// `held · shares / total`, rounded down to `step` (all of it when every share leaves): the
/// part of the vault's LP shares or base a redemption takes.
pub fn part_of(held: u64, shares: u64, total_shares: u64, step: u64) -> Result<u64> {
    if shares == total_shares {
        return Ok(held);
    }
    let exact = mul_div_floor(held.into(), shares.into(), total_shares.into())
        .ok_or(VaultError::MathOverflow)?;
    let step = u128::from(step.max(1));
    u64::try_from(exact / step * step).map_err(|_| error!(VaultError::MathOverflow))
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

/// Whether the vault may add liquidity at `now`: never before, or two BAL cooldowns after its
/// last add, so one cooldown-long exit window follows each.
pub fn invest_due(last_invest_ts: i64, now: i64, cooldown_seconds: i64) -> bool {
    last_invest_ts == 0 || now >= last_invest_ts.saturating_add(cooldown_seconds.saturating_mul(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_deposit_buys_one_share_per_unit_and_holdings_reach_the_minimum() {
        assert_eq!(shares_for_deposit(5_000_000, 0, 0).unwrap(), 5_000_000);
        assert!(check_holding(MIN_SHARES - 1).is_err());
        assert!(check_holding(0).is_ok() && check_holding(MIN_SHARES).is_ok());
    }

    #[test]
    fn no_shares_are_sold_in_a_vault_whose_redemptions_pay_nothing() {
        assert!(check_payable(0).is_err());
        assert!(check_payable(-5).is_err());
        assert!(check_payable(1).is_ok());
        // Its redemptions are refused alike.
        let redemption = Redemption {
            shares: 1,
            total_shares: 2,
            value_before: 0,
            value_after: 0,
        };
        assert!(payout(&redemption).is_err());
    }

    #[test]
    fn shares_round_toward_the_vault() {
        // 3 shares worth 10 units: 1 unit buys 0.3 shares, so it is refused; 4 buy 1.
        assert!(shares_for_deposit(1, 3, 10).is_err());
        assert_eq!(shares_for_deposit(4, 3, 10).unwrap(), 1);
    }

    #[test]
    fn a_redeemer_bears_its_closing_costs_and_never_takes_more_than_its_part() {
        let redemption = |value_after| Redemption {
            shares: 1,
            total_shares: 3,
            value_before: 10,
            value_after,
        };
        // The stayers keep 6.67 (rounded up to 7); the part is 3.33 (rounded down to 3).
        assert_eq!(payout(&redemption(10)).unwrap(), 3);
        assert_eq!(
            payout(&redemption(9)).unwrap(),
            2,
            "a unit of closing costs"
        );
        assert_eq!(
            payout(&redemption(12)).unwrap(),
            3,
            "never more than the part"
        );
        assert!(payout(&redemption(7)).is_err(), "nothing left for it");
    }

    #[test]
    fn parts_are_whole_steps_and_the_last_takes_everything() {
        assert_eq!(part_of(10_500, 1, 3, 1_000).unwrap(), 3_000);
        assert_eq!(part_of(10_500, 3, 3, 1_000).unwrap(), 10_500);
    }

    #[test]
    fn lp_target_is_whole_steps() {
        // 1.5 LP shares per vault share, step 1,000.
        assert_eq!(lp_target(2_001, 1_500_000, 1_000).unwrap(), 3_000);
        assert_eq!(lp_target(1_999, 1_500_000, 1_000).unwrap(), 2_000);
    }

    #[test]
    fn liquidity_is_added_at_most_once_per_two_cooldowns() {
        assert!(invest_due(0, 5, 3_600));
        assert!(!invest_due(1_000, 1_000 + 7_199, 3_600));
        assert!(invest_due(1_000, 1_000 + 7_200, 3_600));
    }
}
