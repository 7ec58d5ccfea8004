//! Position slots in a `User`, booking fills on them, and settling a position's funding.
use crate::error::BalError;
use crate::math::funding::funding_payment;
use crate::math::position::{apply_fill, Fill};
use crate::math::safe_math::{Cast, SafeMath};
use crate::state::{PerpMarket, PerpPosition, PositionDirection, User};
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
/// Returns the change: negative when the position paid. precision: QUOTE
pub fn settle_funding(position: &mut PerpPosition, cumulative_funding_rate: i64) -> Result<i128> {
    let delta = cumulative_funding_rate.safe_sub(position.last_cumulative_funding_rate)?;
    let payment = funding_payment(position.base_asset_amount, delta)?;
    add_to_quote(position, payment)?;
    position.last_cumulative_funding_rate = cumulative_funding_rate;
    Ok(payment)
}

/// Adds `amount` (funding, a fee, a rebate: signed, precision QUOTE) to the position's quote
/// and break-even, or to the break-even only (`quote` false: fees paid from the balance).
pub fn add_to_quote(position: &mut PerpPosition, amount: i128) -> Result<()> {
    let quote = &mut position.quote_asset_amount;
    quote.set(quote.get().safe_add(amount)?);
    add_to_break_even(position, amount)
}

/// Adds `amount` (signed, precision QUOTE) to the position's break-even only: fees and rebates
/// move through the quote balance, not the position's quote.
pub fn add_to_break_even(position: &mut PerpPosition, amount: i128) -> Result<()> {
    let break_even = &mut position.quote_break_even_amount;
    break_even.set(break_even.get().safe_add(amount)?);
    Ok(())
}

/// One side of a trade between two parties: `base` for `quote` on `side` (long receives the
/// base, short the quote). precision: BASE, QUOTE
#[derive(Clone, Copy, Debug)]
pub struct Booking {
    pub side: PositionDirection,
    pub base: u64,
    pub quote: u64,
}

/// What booking one side did to the position.
#[derive(Clone, Copy, Debug)]
pub struct Booked {
    /// The position's slot.
    pub slot: usize,
    /// The fill as booked: signed base and quote. precision: BASE, QUOTE
    pub fill: Fill,
    /// precision: BASE
    pub base_before: i64,
    /// P&L the part that reduced the position realized. precision: QUOTE
    pub realized_pnl: i128,
}

/// Keeps `PerpMarket::positions_with_base` as a position's base goes from `before` to `after`.
pub fn track_base(market: &mut PerpMarket, before: i64, after: i64) -> Result<()> {
    match (before == 0, after == 0) {
        (true, false) => market.positions_with_base = market.positions_with_base.safe_add(1)?,
        (false, true) => market.positions_with_base = market.positions_with_base.safe_sub(1)?,
        _ => {}
    }
    Ok(())
}

/// Books one side of a trade on `user`'s position in `market` (opening the slot if needed),
/// settling the position's funding first so the fill meets a current snapshot.
pub fn book_fill(user: &mut User, market: &mut PerpMarket, booking: &Booking) -> Result<Booked> {
    let Booking { side, base, quote } = *booking;
    let rate = market.funding.cumulative_funding_rate;
    let slot = open_position(user, market.market_index, rate)?;
    let position = &mut user.perp_positions[slot];
    settle_funding(position, rate)?;
    let base: i64 = base.cast()?;
    let quote = quote as i128;
    let fill = match side {
        PositionDirection::Long => Fill {
            base,
            quote: -quote,
        },
        PositionDirection::Short => Fill { base: -base, quote },
    };
    let base_before = position.base_asset_amount;
    let realized_pnl = apply_fill(position, &fill)?;
    track_base(market, base_before, position.base_asset_amount)?;
    Ok(Booked {
        slot,
        fill,
        base_before,
        realized_pnl,
    })
}
