//! Utilization-based interest. Borrowers' index grows by the rate (rounded up); depositors'
//! index grows by what borrowers paid divided among deposits (rounded down), so deposits never
//! earn more than borrows pay.
use crate::math::constants::{
    ONE_YEAR_SECONDS, PERCENTAGE_PRECISION, SPOT_BALANCE_TO_TOKEN,
    SPOT_CUMULATIVE_INTEREST_PRECISION,
};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::spot_balance::{borrow_tokens, deposit_tokens};
use crate::math::wide::{mul_div_ceil, mul_div_floor, U256};
use crate::state::InterestCurve;
use anchor_lang::prelude::*;

/// Borrowed tokens over deposited tokens, capped at 100%. precision: PERCENTAGE
pub fn utilization(deposits: u128, borrows: u128) -> Result<u128> {
    if deposits == 0 {
        return Ok(0);
    }
    let one = PERCENTAGE_PRECISION as u128;
    Ok(mul_div_floor(borrows, one, deposits)?.min(one))
}

/// Annual borrow rate at `utilization`: linear from 0 to the optimal rate at the optimal
/// utilization, then linear to the maximum rate at 100%. precision: PERCENTAGE
pub fn borrow_rate(curve: &InterestCurve, utilization: u128) -> Result<u128> {
    let optimal = curve.optimal_utilization as u128;
    let optimal_rate = curve.optimal_borrow_rate as u128;
    if utilization <= optimal {
        return mul_div_floor(optimal_rate, utilization, optimal);
    }
    let excess = utilization.safe_sub(optimal)?;
    let span = (PERCENTAGE_PRECISION as u128).safe_sub(optimal)?;
    let slope = (curve.max_borrow_rate as u128).safe_sub(optimal_rate)?;
    optimal_rate.safe_add(mul_div_floor(slope, excess, span)?)
}

/// Cumulative interest indices, and the borrow index's sub-unit growth not booked yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indices {
    /// precision: SPOT_CUMULATIVE_INTEREST
    pub deposit: u128,
    /// precision: SPOT_CUMULATIVE_INTEREST
    pub borrow: u128,
    /// The remainder of the last borrow-index growth, carried into the next so that accruing
    /// often rounds nothing away and adds nothing. precision: SPOT_CUMULATIVE_INTEREST × one
    /// year × SPOT_CUMULATIVE_INTEREST (below `ACCRUAL_DIVISOR`)
    pub carry: u64,
}

/// Total scaled deposits and borrows. precision: SPOT_BALANCE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaledTotals {
    pub deposits: u128,
    pub borrows: u128,
}

/// What the borrow index's growth is divided by: a year of seconds at index precision.
const ACCRUAL_DIVISOR: u128 = ONE_YEAR_SECONDS * SPOT_CUMULATIVE_INTEREST_PRECISION;

/// Indices after `elapsed` seconds at the current utilization. The borrow index grows by
/// `index × rate × elapsed / year` exactly: the division's remainder is carried to the next
/// accrual, so accruing every second or once a day comes to the same index (no per-call
/// rounding floors the rate). Depositors are credited what borrowers' total grew by, rounded
/// down, shared over the rounded-up deposits: never more than borrowers pay.
pub fn accrue(
    curve: &InterestCurve,
    indices: &Indices,
    totals: &ScaledTotals,
    elapsed: u64,
) -> Result<Indices> {
    let deposited = deposit_tokens(totals.deposits, indices.deposit)?;
    let borrowed = borrow_tokens(totals.borrows, indices.borrow)?;
    if elapsed == 0 || borrowed == 0 || deposited == 0 {
        return Ok(*indices);
    }
    let rate = borrow_rate(curve, utilization(deposited, borrowed)?)?;
    // index × rate (PERCENTAGE) × elapsed × (index units per PERCENTAGE unit) + carry.
    let per_unit = SPOT_CUMULATIVE_INTEREST_PRECISION / PERCENTAGE_PRECISION as u128;
    let numerator =
        U256::from(indices.borrow) * U256::from(rate) * U256::from(elapsed) * U256::from(per_unit)
            + U256::from(indices.carry);
    let (growth, carry) = numerator.div_mod(U256::from(ACCRUAL_DIVISOR));
    let growth = growth.cast::<u128>()?;
    let borrow = indices.borrow.safe_add(growth)?;
    // What borrowers owe more, rounded down, shared over the rounded-up deposits.
    let interest = mul_div_floor(totals.borrows, growth, SPOT_BALANCE_TO_TOKEN)?;
    let deposited_ceil = mul_div_ceil(totals.deposits, indices.deposit, SPOT_BALANCE_TO_TOKEN)?;
    let deposit =
        indices
            .deposit
            .safe_add(mul_div_floor(indices.deposit, interest, deposited_ceil)?)?;
    Ok(Indices {
        deposit,
        borrow,
        carry: carry.low_u64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::constants::SPOT_BALANCE_PRECISION;
    use proptest::prelude::*;

    fn curve() -> InterestCurve {
        InterestCurve {
            optimal_utilization: 800_000,
            optimal_borrow_rate: 100_000,
            max_borrow_rate: 1_000_000,
            padding: 0,
        }
    }

    #[test]
    fn rate_is_linear_below_and_steeper_above_the_optimum() {
        assert_eq!(borrow_rate(&curve(), 0).unwrap(), 0);
        assert_eq!(borrow_rate(&curve(), 400_000).unwrap(), 50_000);
        assert_eq!(borrow_rate(&curve(), 800_000).unwrap(), 100_000);
        assert_eq!(borrow_rate(&curve(), 900_000).unwrap(), 550_000);
        assert_eq!(borrow_rate(&curve(), 1_000_000).unwrap(), 1_000_000);
    }

    #[test]
    fn a_year_at_the_optimum_grows_borrows_ten_percent() {
        let one = SPOT_CUMULATIVE_INTEREST_PRECISION;
        let indices = Indices {
            deposit: one,
            borrow: one,
            carry: 0,
        };
        // 1,000 deposited, 800 borrowed: 80% utilization, 10% a year.
        let totals = ScaledTotals {
            deposits: 1_000 * SPOT_BALANCE_PRECISION,
            borrows: 800 * SPOT_BALANCE_PRECISION,
        };
        let after = accrue(&curve(), &indices, &totals, ONE_YEAR_SECONDS as u64).unwrap();
        assert_eq!(after.borrow, one + one / 10);
        // Depositors share the 80 paid: 8%.
        assert_eq!(after.deposit, one + one * 8 / 100);
    }

    #[test]
    fn accruing_every_second_earns_the_curves_rate() {
        let one = SPOT_CUMULATIVE_INTEREST_PRECISION;
        // 1,000 deposited, 10 borrowed: 1% utilization, a 0.125% a year borrow rate, which a
        // per-call round-up of the growth would have floored at about 0.32%.
        let totals = ScaledTotals {
            deposits: 1_000 * SPOT_BALANCE_PRECISION,
            borrows: 10 * SPOT_BALANCE_PRECISION,
        };
        let start = Indices {
            deposit: one,
            borrow: one,
            carry: 0,
        };
        let day = 86_400u64;
        let mut every_second = start;
        for _ in 0..day {
            every_second = accrue(&curve(), &every_second, &totals, 1).unwrap();
        }
        let at_once = accrue(&curve(), &start, &totals, day).unwrap();
        // What the curve's rate gives over the day, exactly.
        let rate = borrow_rate(&curve(), 10_000).unwrap();
        let expected = one * rate * day as u128 / (PERCENTAGE_PRECISION as u128 * ONE_YEAR_SECONDS);
        let grown = every_second.borrow - one;
        assert!(
            grown.abs_diff(expected) * 100 <= expected,
            "{grown} vs {expected}"
        );
        assert!(every_second.borrow.abs_diff(at_once.borrow) <= 1);
    }

    proptest! {
        #[test]
        fn depositors_never_earn_more_than_borrowers_pay(
            deposits in 1_000_000u128..1_000_000_000_000_000_000,
            borrowed_share in 0u128..=1_000,
            elapsed in 0u64..100_000_000,
            deposit_index in 10_000_000_000u128..20_000_000_000,
            borrow_index in 10_000_000_000u128..20_000_000_000,
        ) {
            let indices = Indices { deposit: deposit_index, borrow: borrow_index, carry: 0 };
            let totals = ScaledTotals { deposits, borrows: deposits * borrowed_share / 1_000 };
            let after = accrue(&curve(), &indices, &totals, elapsed).unwrap();
            let earned = deposit_tokens(totals.deposits, after.deposit).unwrap() as i128
                - deposit_tokens(totals.deposits, indices.deposit).unwrap() as i128;
            let paid = borrow_tokens(totals.borrows, after.borrow).unwrap() as i128
                - borrow_tokens(totals.borrows, indices.borrow).unwrap() as i128;
            prop_assert!(earned <= paid + 1, "earned {} paid {}", earned, paid);
            prop_assert!(after.deposit >= indices.deposit && after.borrow >= indices.borrow);
        }
    }
}
