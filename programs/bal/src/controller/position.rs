//! Position slots in a `User`, booking fills on them, and settling a position's funding.
use crate::error::BalError;
use crate::math::books::track_base;
use crate::math::position::settle_funding;
use crate::math::position::{apply_fill, Fill};
use crate::math::safe_math::Cast;
use crate::read::position::find_position;
use crate::state::{PerpMarket, PerpPosition, PositionDirection, User};
use crate::validate;
use anchor_lang::prelude::*;

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
