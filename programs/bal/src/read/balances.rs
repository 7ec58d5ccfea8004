//! Token amounts behind scaled spot balances, and the vault's cover of them.
use crate::error::BalError;
use crate::math::constants::SPOT_BALANCE_TO_TOKEN;
use crate::math::safe_math::SafeMath;
use crate::math::spot_balance::{borrow_tokens, deposit_tokens};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::{SpotBalance, SpotBalanceKind, SpotMarket};
use crate::validate;
use anchor_lang::prelude::*;

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
