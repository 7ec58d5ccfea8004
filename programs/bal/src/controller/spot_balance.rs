//! Moving tokens in and out of quote balances, keeping the market's totals equal to the sum of
//! the users' scaled balances, and accruing interest.
use crate::error::BalError;
use crate::math::constants::SPOT_BALANCE_TO_TOKEN;
use crate::math::interest::{accrue, Indices, ScaledTotals};
use crate::math::safe_math::SafeMath;
use crate::math::spot_balance::{borrow_tokens, deposit_tokens, scaled_ceil, scaled_floor};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::{SpotBalance, SpotBalanceKind, SpotMarket};
use crate::validate;
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

/// The balance in tokens, signed: a deposit is positive (rounded down), a borrow negative
/// (rounded up in size). precision: QUOTE
pub fn signed_token_amount(balance: &SpotBalance, market: &SpotMarket) -> Result<i128> {
    let scaled = balance.scaled_balance.get();
    Ok(match balance.kind() {
        SpotBalanceKind::Deposit => {
            deposit_tokens(scaled, market.cumulative_deposit_interest.get())? as i128
        }
        SpotBalanceKind::Borrow => {
            -(borrow_tokens(scaled, market.cumulative_borrow_interest.get())? as i128)
        }
    })
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

/// The vault must hold every deposit (rounded up) less every borrow (rounded down) plus what
/// the perp markets' pools and the insurance fund hold. Checked after every instruction that
/// moves tokens.
pub fn validate_vault_covers(market: &SpotMarket, vault_amount: u64) -> Result<()> {
    // The opposite roundings of a user's claim: the market owes the whole deposit total and
    // counts on only the sure part of the borrow total.
    let owed = mul_div_ceil(
        market.deposit_balance.get(),
        market.cumulative_deposit_interest.get(),
        SPOT_BALANCE_TO_TOKEN,
    )?;
    let lent = mul_div_floor(
        market.borrow_balance.get(),
        market.cumulative_borrow_interest.get(),
        SPOT_BALANCE_TO_TOKEN,
    )?;
    let required = (owed as i128)
        .safe_sub(lent as i128)?
        .safe_add(market.perp_pools_balance as i128)?
        .safe_add(market.insurance.balance as i128)?
        .safe_add(market.insurance.pending_revenue as i128)?;
    validate!(
        vault_amount as i128 >= required,
        BalError::VaultBalanceShort,
        "vault {} < required {}",
        vault_amount,
        required
    );
    Ok(())
}
