//! The insurance fund's moves: stakes, unstake requests and payouts, the write-offs it covers
//! and the revenue it receives. Tokens stay in the quote vault; the fund's balance is its part.
use crate::error::BalError;
use crate::math::insurance::{request_payable, shares_for_stake, value_of_shares};
use crate::math::safe_math::{Cast, SafeMath};
use crate::state::{InsuranceFund, InsuranceStake, INSURANCE_UNSTAKE_WINDOW};
use crate::validate;
use anchor_lang::prelude::*;

/// What the requested shares are worth now. precision: QUOTE
fn stake_value(fund: &InsuranceFund, shares: u128) -> Result<u64> {
    value_of_shares(shares, fund.balance, fund.total_shares.get())
}

/// Adds `amount` (already in the vault) to the fund for `stake`. Returns the shares bought.
pub fn stake(fund: &mut InsuranceFund, stake: &mut InsuranceStake, amount: u64) -> Result<u128> {
    validate!(amount > 0, BalError::ZeroAmount);
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
    let value = stake_value(fund, shares)?;
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
    let shares = stake.requested_shares.get();
    let amount = stake_value(fund, shares)?.min(stake.requested_value);
    fund.balance = fund.balance.safe_sub(amount)?;
    fund.total_shares
        .set(fund.total_shares.get().safe_sub(shares)?);
    stake.shares.set(stake.shares.get().safe_sub(shares)?);
    clear_request(stake);
    // The last staker out leaves what its request's cap kept: the protocol's from then on.
    if fund.total_shares.get() == 0 {
        fund.total_shares.set(fund.balance as u128);
    }
    Ok(Unstake { shares, amount })
}

/// Pays what it can of a write-off of `loss`. Returns the amount paid. precision: QUOTE
pub fn cover_loss(fund: &mut InsuranceFund, loss: u128) -> Result<u64> {
    let paid = loss.min(fund.balance as u128).cast::<u64>()?;
    fund.balance = fund.balance.safe_sub(paid)?;
    Ok(paid)
}

/// Receives `amount` (already in the vault) for the stakers. With no stakers it mints as many
/// unowned shares: the protocol's own insurance, which nobody can withdraw and the first
/// staker buys into at its price.
pub fn receive(fund: &mut InsuranceFund, amount: u64) -> Result<()> {
    if fund.total_shares.get() == 0 {
        fund.total_shares.set(amount as u128);
    }
    fund.balance = fund.balance.safe_add(amount)?;
    Ok(())
}
