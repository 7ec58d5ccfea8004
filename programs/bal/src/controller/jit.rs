//! Just-in-time sizing: how much of a maker's fill the AMM (protocol-owned, cutting its own
//! inventory) and the LPs (as a group, toward the market's target) may take at the maker's
//! price, never moving the curve past that price or its bounds. Pure reads of the market;
//! `controller::matching` books the pieces.
use crate::controller::fees::share;
use crate::math::amm::{base_to_price, swap_base, SwapDirection};
use crate::math::books::protocol_base;
use crate::math::constants::{BASE_PRECISION, LP_AGG_PRECISION};
use crate::math::lp::signed_mul_div_floor;
use crate::math::position::floor_to_step;
use crate::math::safe_math::SafeMath;
use crate::state::PerpMarket;
use crate::state::PositionDirection;
use anchor_lang::prelude::*;

/// The side of the fill a JIT piece joins: the taker's direction and the oracle price.
#[derive(Clone, Copy, Debug)]
pub struct JitSide {
    pub direction: PositionDirection,
    /// precision: PRICE
    pub oracle_price: u64,
}

/// Whether the AMM's side of a fill at `price` would not go through the oracle against it:
/// it sells (the taker buys) at or above the oracle, and buys at or below.
fn priced_for_the_amm(side: &JitSide, price: u64) -> bool {
    match side.direction {
        PositionDirection::Long => price >= side.oracle_price,
        PositionDirection::Short => price <= side.oracle_price,
    }
}

/// `base × intensity`, rounded down to the step. precision: BASE
fn jit_share(market: &PerpMarket, base: u64, intensity: u32) -> Result<u64> {
    Ok(floor_to_step(
        share(base, intensity)?,
        market.order_step_size,
    ))
}

/// Room on the curve for the AMM's side to move `base` more (the concentration bounds), after
/// `already` taken by other JIT pieces. precision: BASE
fn curve_room(market: &PerpMarket, side: &JitSide, already: u64) -> u64 {
    let amm = &market.amm;
    let reserve = amm.base_asset_reserve.get();
    let room = match side.direction {
        PositionDirection::Long => reserve.saturating_sub(amm.min_base_asset_reserve.get()),
        PositionDirection::Short => amm.max_base_asset_reserve.get().saturating_sub(reserve),
    };
    u64::try_from(room)
        .unwrap_or(u64::MAX)
        .saturating_sub(already)
}

/// Base a JIT piece at the maker's `price` may move the curve, after `already` taken by other
/// JIT pieces: no further than where the curve's own (spread-free) price reaches `price`. A
/// piece moves the curve as a fill would; past `price` it would leave the curve quoting a
/// round trip the taker wins (buy at the maker's price, sell back up the moved curve).
/// precision: BASE
fn room_to_price(market: &PerpMarket, side: &JitSide, price: u64, already: u64) -> Result<u64> {
    let direction = swap_direction(side.direction);
    let moved = swap_base(&market.amm.curve(), already as u128, direction)?;
    let room = base_to_price(&moved, market.amm.peg_multiplier, price, direction)?;
    Ok(u64::try_from(room).unwrap_or(u64::MAX))
}

/// How the curve's base reserve moves for a taker in `direction`.
pub fn swap_direction(direction: PositionDirection) -> SwapDirection {
    match direction {
        PositionDirection::Long => SwapDirection::Remove,
        PositionDirection::Short => SwapDirection::Add,
    }
}

/// Base the AMM takes alongside a maker (ProtocolOwned): up to `amm_intensity` of the fill,
/// only when taking part reduces the protocol's own inventory (never past flat) and the
/// maker's price is on the AMM's side of the oracle, and never past the curve's own price
/// reaching the maker's (`room_to_price`).
pub fn amm_jit_base(market: &PerpMarket, side: &JitSide, base: u64, price: u64) -> Result<u64> {
    if market.jit.amm_intensity == 0 || !priced_for_the_amm(side, price) {
        return Ok(0);
    }
    let inventory = protocol_base(market)?;
    // The AMM sells to a buying taker: that reduces a long inventory, and vice versa.
    let reducible = match side.direction {
        PositionDirection::Long => inventory.max(0),
        PositionDirection::Short => (-inventory).max(0),
    };
    let reducible = u64::try_from(reducible).unwrap_or(u64::MAX);
    let room = reducible
        .min(curve_room(market, side, 0))
        .min(room_to_price(market, side, price, 0)?);
    Ok(jit_share(market, base, market.jit.amm_intensity)?
        .min(floor_to_step(room, market.order_step_size)))
}

/// What is left of a maker's fill for LP JIT: `base` after the AMM took `already`, at `price`.
#[derive(Clone, Copy)]
pub struct JitRoom {
    pub base: u64,
    pub already: u64,
    pub price: u64,
}

/// Base the LPs take as a group alongside a maker (LPOwned): up to `lp_intensity` of what the
/// maker would still fill, only when it moves the inventory they still hold in the pool (their
/// unsettled base per share) toward the market's target without growing it — never past the
/// target or past flat — at a price on their side of the oracle, and never past the curve's
/// own price reaching the maker's (`room_to_price`).
pub fn lp_jit_base(market: &PerpMarket, side: &JitSide, room: &JitRoom) -> Result<u64> {
    let JitRoom {
        base,
        already: amm_jit,
        price,
    } = *room;
    let user_shares = market.lp.user_lp_shares.get();
    if market.jit.lp_intensity == 0 || user_shares == 0 || !priced_for_the_amm(side, price) {
        return Ok(0);
    }
    // The LPs' holdings in the pool, rounded toward zero so a JIT never carries them past
    // flat, and the target for all their shares (rounded toward −∞: the long side stops at or
    // before it, and the short side's gap only shrinks). Both in base units (BASE precision).
    let held = market.lp.unsettled_base.get() / LP_AGG_PRECISION as i128;
    let target = signed_mul_div_floor(
        market.jit.lp_target_base_per_share as i128,
        user_shares,
        BASE_PRECISION,
    )?;
    // LPs sell to a buying taker: from long holdings down toward max(target, 0), and vice versa.
    let gap = match side.direction {
        PositionDirection::Long => held.safe_sub(target.max(0))?,
        PositionDirection::Short => target.min(0).safe_sub(held)?,
    };
    if gap <= 0 {
        return Ok(0);
    }
    let to_target = gap as u128;
    let to_target = u64::try_from(to_target).unwrap_or(u64::MAX);
    let room = to_target
        .min(curve_room(market, side, amm_jit))
        .min(room_to_price(market, side, price, amm_jit)?);
    Ok(jit_share(market, base, market.jit.lp_intensity)?
        .min(floor_to_step(room, market.order_step_size)))
}
