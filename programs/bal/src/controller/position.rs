//! Position slots in a `User`, and settling a position's funding.
use crate::error::BalError;
use crate::math::funding::funding_payment;
use crate::math::safe_math::SafeMath;
use crate::state::{PerpPosition, User};
use crate::validate;
use anchor_lang::prelude::*;

/// The slot holding `market_index`, if any.
pub fn find_position(user: &User, market_index: u16) -> Option<usize> {
    user.perp_positions
        .iter()
        .position(|p| p.is_active() && p.market_index == market_index)
}

/// The slot holding `market_index`, taking a free one (snapshotting the market's funding) when
/// there is none.
pub fn open_position(
    user: &mut User,
    market_index: u16,
    cumulative_funding_rate: i64,
) -> Result<usize> {
    if let Some(index) = find_position(user, market_index) {
        return Ok(index);
    }
    let free = user.perp_positions.iter().position(|p| !p.is_active());
    validate!(free.is_some(), BalError::MaxPositionsReached);
    let index = free.unwrap_or_default();
    let position = &mut user.perp_positions[index];
    *position = PerpPosition::default();
    position.active = 1;
    position.market_index = market_index;
    position.last_cumulative_funding_rate = cumulative_funding_rate;
    Ok(index)
}

/// Frees the slot when nothing is left in it.
pub fn release_if_empty(position: &mut PerpPosition) {
    if position.is_empty() {
        *position = PerpPosition::default();
    }
}

/// Moves the funding owed since the position's snapshot into its quote (and break-even).
/// Returns the change: negative when the position paid.
pub fn settle_funding(position: &mut PerpPosition, cumulative_funding_rate: i64) -> Result<i64> {
    let delta = cumulative_funding_rate.safe_sub(position.last_cumulative_funding_rate)?;
    let payment = funding_payment(position.base_asset_amount, delta)?;
    position.quote_asset_amount = position.quote_asset_amount.safe_add(payment)?;
    position.quote_break_even_amount = position.quote_break_even_amount.safe_add(payment)?;
    position.last_cumulative_funding_rate = cumulative_funding_rate;
    Ok(payment)
}
