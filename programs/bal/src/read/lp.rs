//! An LP's position as settling or burning would leave it, on copies: what the example vault
//! plans its redemptions with and the red team checks liquidations against. The accounts passed
//! in are left as they were.
use crate::math::lp_books::{remove_shares, settle_lp_position, LpSettlement};
use crate::state::{PerpMarket, PerpPosition};
use anchor_lang::prelude::*;

/// `position` and `market` after `settle_lp` moved the LP's entitlement into the position.
pub fn settled(
    position: &PerpPosition,
    market: &PerpMarket,
) -> Result<(PerpPosition, Box<PerpMarket>, LpSettlement)> {
    let (mut position, mut market) = (*position, Box::new(*market));
    let settlement = settle_lp_position(&mut position, &mut market)?;
    Ok((position, market, settlement))
}

/// `position` and `market` after burning `shares` of the position's LP shares (settling it
/// first, as a removal does). Refused as the removal would be (`LpBurnBlocked` and the rest).
pub fn after_burn(
    position: &PerpPosition,
    market: &PerpMarket,
    shares: u128,
) -> Result<(PerpPosition, Box<PerpMarket>)> {
    let (mut position, mut market) = (*position, Box::new(*market));
    remove_shares(&mut position, &mut market, shares)?;
    Ok((position, market))
}
