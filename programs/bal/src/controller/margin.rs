//! Margin checks on a `User`.
use crate::controller::spot_balance::signed_token_amount;
use crate::error::BalError;
use crate::state::{SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// Initial margin of an account's quote balance: collateral (the balance in tokens, a borrow
/// counting negative) must cover the requirement. Perp positions carry their own requirement
/// and unrealized P&L; an account holding one is refused here, where no market is loaded.
pub fn validate_quote_only_initial_margin(user: &User, spot_market: &SpotMarket) -> Result<()> {
    validate!(
        user.perp_positions.iter().all(|p| !p.is_active()),
        BalError::InsufficientCollateral
    );
    let collateral = signed_token_amount(&user.quote_balance, spot_market)?;
    validate!(collateral >= 0, BalError::InsufficientCollateral);
    Ok(())
}
