//! The insurance fund's moves: stakes, unstake requests and payouts, the write-offs it covers
//! and the revenue it receives. Tokens stay in the quote vault; the fund's balance and pending
//! revenue are its part. Revenue that lands while stakers hold shares is released into the
//! balance linearly over the unstake delay, so a stake placed just before a payment shares in
//! it only for the time it stays, bearing losses meanwhile; revenue that lands with nobody
//! staked is the protocol's own insurance at once (unowned shares).
use crate::error::BalError;
use crate::math::insurance::{request_payable, shares_for_stake, value_of_shares};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::state::{InsuranceFund, InsuranceStake, INSURANCE_UNSTAKE_WINDOW};
use crate::validate;
use anchor_lang::prelude::*;

/// The pending revenue due for release at `now`: all of it once its window has ended, else
/// the part of it the time since the last release is of the time left, rounded down.
/// precision: QUOTE
fn releasable(fund: &InsuranceFund, now: i64) -> Result<u64> {
    if fund.pending_revenue == 0 || now >= fund.release_until {
        return Ok(fund.pending_revenue);
    }
    let elapsed = now.safe_sub(fund.release_ts)?.max(0);
    let left = fund.release_until.safe_sub(fund.release_ts)?.max(1);
    mul_div_floor(
        fund.pending_revenue as u128,
        elapsed.cast::<u128>()?,
        left.cast::<u128>()?,
    )?
    .cast::<u64>()
}

/// Moves the revenue due at `now` into the balance.
pub fn release(fund: &mut InsuranceFund, now: i64) -> Result<()> {
    let due = releasable(fund, now)?;
    fund.pending_revenue = fund.pending_revenue.safe_sub(due)?;
    fund.balance = fund.balance.safe_add(due)?;
    fund.release_ts = now;
    Ok(())
}

/// What `shares` are worth at `now`, the revenue due by then released. precision: QUOTE
fn stake_value(fund: &InsuranceFund, shares: u128, now: i64) -> Result<u64> {
    let balance = fund.balance.safe_add(releasable(fund, now)?)?;
    value_of_shares(shares, balance, fund.total_shares.get())
}

/// Adds `amount` (already in the vault) to the fund for `stake` at `now`, at the price with the
/// revenue due released. Returns the shares bought.
pub fn stake(
    fund: &mut InsuranceFund,
    stake: &mut InsuranceStake,
    amount: u64,
    now: i64,
) -> Result<u128> {
    validate!(amount > 0, BalError::ZeroAmount);
    release(fund, now)?;
    let shares = shares_for_stake(amount, fund.balance, fund.total_shares.get())?;
    fund.balance = fund.balance.safe_add(amount)?;
    fund.total_shares
        .set(fund.total_shares.get().safe_add(shares)?);
    stake.shares.set(stake.shares.get().safe_add(shares)?);
    Ok(shares)
}

/// Asks for `shares` to be paid after the fund's delay; until then they bear every loss, and
/// they will pay at most what they are worth now. Returns that value.
pub fn request_unstake(
    fund: &InsuranceFund,
    stake: &mut InsuranceStake,
    shares: u128,
    now: i64,
) -> Result<u64> {
    validate!(!stake.has_request(), BalError::UnstakeRequestPending);
    validate!(
        shares > 0 && shares <= stake.shares.get(),
        BalError::InsufficientInsuranceShares
    );
    let value = stake_value(fund, shares, now)?;
    stake.requested_shares.set(shares);
    stake.requested_value = value;
    stake.request_ts = now;
    Ok(value)
}

/// Withdraws a pending request; the shares were never out of the fund.
pub fn cancel_unstake(stake: &mut InsuranceStake) -> Result<()> {
    validate!(stake.has_request(), BalError::NoUnstakeRequest);
    clear_request(stake);
    Ok(())
}

fn clear_request(stake: &mut InsuranceStake) {
    stake.requested_shares.set(0);
    stake.requested_value = 0;
    stake.request_ts = 0;
}

/// What a payout did. precision: QUOTE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unstake {
    pub shares: u128,
    pub amount: u64,
}

/// Pays a matured request: the lesser of what its shares were worth at the request and what
/// they are worth now (so a request bears losses and earns nothing), rounded down; the rest
/// of their value stays with the other stakers. The caller moves `amount` out of the vault.
pub fn unstake(fund: &mut InsuranceFund, stake: &mut InsuranceStake, now: i64) -> Result<Unstake> {
    validate!(stake.has_request(), BalError::NoUnstakeRequest);
    validate!(
        request_payable(
            stake.request_ts,
            fund.unstake_delay,
            INSURANCE_UNSTAKE_WINDOW,
            now
        )?,
        BalError::UnstakeRequestNotPayable,
        "requested at {}, payable from {} for {} s",
        stake.request_ts,
        stake.request_ts.saturating_add(fund.unstake_delay),
        INSURANCE_UNSTAKE_WINDOW
    );
    release(fund, now)?;
    let shares = stake.requested_shares.get();
    let amount = stake_value(fund, shares, now)?.min(stake.requested_value);
    fund.balance = fund.balance.safe_sub(amount)?;
    fund.total_shares
        .set(fund.total_shares.get().safe_sub(shares)?);
    stake.shares.set(stake.shares.get().safe_sub(shares)?);
    clear_request(stake);
    // The last staker out leaves what its request's cap kept and the revenue still pending:
    // the protocol's from then on.
    if fund.total_shares.get() == 0 {
        fund.balance = fund.balance.safe_add(fund.pending_revenue)?;
        fund.pending_revenue = 0;
        fund.total_shares.set(fund.balance as u128);
    }
    Ok(Unstake { shares, amount })
}

/// Pays what it can of a write-off of `loss`: from the balance, then from revenue still
/// pending (the fund's too). Returns the amount paid. precision: QUOTE
pub fn cover_loss(fund: &mut InsuranceFund, loss: u128) -> Result<u64> {
    let from_balance = loss.min(fund.balance as u128).cast::<u64>()?;
    fund.balance = fund.balance.safe_sub(from_balance)?;
    let rest = loss.safe_sub(from_balance as u128)?;
    let from_pending = rest.min(fund.pending_revenue as u128).cast::<u64>()?;
    fund.pending_revenue = fund.pending_revenue.safe_sub(from_pending)?;
    from_balance.safe_add(from_pending)
}

/// Receives `amount` (already in the vault) at `now`. With stakers holding shares it is released
/// to them over the unstake delay from now (what was still pending with it); with nobody staked
/// it mints as many unowned shares at once: the protocol's own insurance, which nobody can
/// withdraw and the first staker buys into at its price.
pub fn receive(fund: &mut InsuranceFund, amount: u64, now: i64) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    if fund.total_shares.get() == 0 {
        fund.total_shares.set(amount as u128);
        fund.balance = fund.balance.safe_add(amount)?;
        return Ok(());
    }
    release(fund, now)?;
    fund.pending_revenue = fund.pending_revenue.safe_add(amount)?;
    fund.release_until = now.safe_add(fund.unstake_delay)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::DEFAULT_INSURANCE_UNSTAKE_DELAY;

    fn staked_fund() -> InsuranceFund {
        let mut fund = InsuranceFund {
            unstake_delay: DEFAULT_INSURANCE_UNSTAKE_DELAY,
            ..InsuranceFund::default()
        };
        fund.balance = 1_000;
        fund.total_shares.set(1_000);
        fund
    }

    #[test]
    fn revenue_is_released_linearly_over_the_delay() {
        let mut fund = staked_fund();
        let delay = fund.unstake_delay;
        receive(&mut fund, 1_300, 0).unwrap();
        assert_eq!((fund.balance, fund.pending_revenue), (1_000, 1_300));
        release(&mut fund, delay / 2).unwrap();
        assert_eq!((fund.balance, fund.pending_revenue), (1_650, 650));
        release(&mut fund, delay).unwrap();
        assert_eq!((fund.balance, fund.pending_revenue), (2_300, 0));
    }

    #[test]
    fn revenue_with_nobody_staked_is_the_protocols_at_once() {
        let mut fund = InsuranceFund {
            unstake_delay: DEFAULT_INSURANCE_UNSTAKE_DELAY,
            ..InsuranceFund::default()
        };
        receive(&mut fund, 500, 0).unwrap();
        assert_eq!((fund.balance, fund.pending_revenue), (500, 0));
        assert_eq!(fund.total_shares.get(), 500);
    }

    #[test]
    fn a_write_off_takes_the_balance_then_the_pending_revenue() {
        let mut fund = staked_fund();
        receive(&mut fund, 300, 0).unwrap();
        assert_eq!(cover_loss(&mut fund, 1_200).unwrap(), 1_200);
        assert_eq!((fund.balance, fund.pending_revenue), (0, 100));
        assert_eq!(cover_loss(&mut fund, 1_000).unwrap(), 100);
    }
}
