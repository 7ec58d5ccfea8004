//! Moving tokens in and out of quote balances, keeping the market's totals equal to the sum of
//! the users' scaled balances, and accruing interest.
use crate::math::interest::{accrue, Indices, ScaledTotals};
use crate::math::safe_math::SafeMath;
use crate::math::spot_balance::{borrow_tokens, deposit_tokens, scaled_ceil, scaled_floor};
use crate::state::{SpotBalance, SpotBalanceKind, SpotMarket};
use anchor_lang::prelude::*;

/// Accrues interest up to `now`. Idempotent within a second.
pub fn accrue_interest(market: &mut SpotMarket, now: i64) -> Result<()> {
    let elapsed = now.saturating_sub(market.last_interest_ts);
    if elapsed <= 0 {
        return Ok(());
    }
    let indices = Indices {
        deposit: market.cumulative_deposit_interest.get(),
        borrow: market.cumulative_borrow_interest.get(),
        carry: market.borrow_interest_carry,
    };
    let totals = ScaledTotals {
        deposits: market.deposit_balance.get(),
        borrows: market.borrow_balance.get(),
    };
    let next = accrue(&market.interest_curve, &indices, &totals, elapsed as u64)?;
    market.cumulative_deposit_interest.set(next.deposit);
    market.cumulative_borrow_interest.set(next.borrow);
    market.borrow_interest_carry = next.carry;
    market.last_interest_ts = now;
    Ok(())
}

fn add_scaled(balance: &mut SpotBalance, market: &mut SpotMarket, scaled: u128) -> Result<()> {
    let total = match balance.kind() {
        SpotBalanceKind::Deposit => &mut market.deposit_balance,
        SpotBalanceKind::Borrow => &mut market.borrow_balance,
    };
    total.set(total.get().safe_add(scaled)?);
    let held = &mut balance.scaled_balance;
    held.set(held.get().safe_add(scaled)?);
    Ok(())
}

fn remove_scaled(balance: &mut SpotBalance, market: &mut SpotMarket, scaled: u128) -> Result<()> {
    let total = match balance.kind() {
        SpotBalanceKind::Deposit => &mut market.deposit_balance,
        SpotBalanceKind::Borrow => &mut market.borrow_balance,
    };
    total.set(total.get().safe_sub(scaled)?);
    let held = &mut balance.scaled_balance;
    held.set(held.get().safe_sub(scaled)?);
    if held.get() == 0 {
        balance.kind = SpotBalanceKind::Deposit as u8;
    }
    Ok(())
}

/// Applies `delta` tokens (positive credits, negative debits) to a quote balance. A credit
/// first repays a borrow; a debit first draws down a deposit and then borrows. Rounding:
/// credits to a deposit and repayments round down, debits from a deposit and new borrows round
/// up; a balance cleared to zero forfeits its sub-unit remainder to the market.
pub fn update_quote_balance(
    balance: &mut SpotBalance,
    market: &mut SpotMarket,
    delta: i128,
) -> Result<()> {
    let deposit_index = market.cumulative_deposit_interest.get();
    let borrow_index = market.cumulative_borrow_interest.get();
    let mut remaining = delta.unsigned_abs();
    if delta >= 0 {
        if balance.kind() == SpotBalanceKind::Borrow {
            let owed = borrow_tokens(balance.scaled_balance.get(), borrow_index)?;
            if remaining >= owed {
                remove_scaled(balance, market, balance.scaled_balance.get())?;
                remaining -= owed;
            } else {
                remove_scaled(balance, market, scaled_floor(remaining, borrow_index)?)?;
                remaining = 0;
            }
        }
        if remaining > 0 {
            add_scaled(balance, market, scaled_floor(remaining, deposit_index)?)?;
        }
        return Ok(());
    }
    if balance.kind() == SpotBalanceKind::Deposit {
        let held = deposit_tokens(balance.scaled_balance.get(), deposit_index)?;
        if remaining >= held {
            remove_scaled(balance, market, balance.scaled_balance.get())?;
            remaining -= held;
        } else {
            let scaled = scaled_ceil(remaining, deposit_index)?.min(balance.scaled_balance.get());
            remove_scaled(balance, market, scaled)?;
            remaining = 0;
        }
    }
    if remaining > 0 {
        balance.kind = SpotBalanceKind::Borrow as u8;
        add_scaled(balance, market, scaled_ceil(remaining, borrow_index)?)?;
    }
    Ok(())
}
