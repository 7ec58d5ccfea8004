//! The market against the start of the current second (`PerpMarket::second_start`): the gains
//! its winners could not be paid now, the reserve price now and at the second's start, and
//! whether something earlier in the second moved the curve (`controller::second_start` takes
//! the snapshot).
use crate::math::amm::reserve_price;
use crate::math::books::curve_net_user_base;
use crate::math::margin::{gain_shortfall, UsersHoldings};
use crate::state::{PerpMarket, PositionDirection};
use anchor_lang::prelude::*;

/// What `market`'s winners could not be paid at `price` now (`math::margin::gain_shortfall`).
/// precision: QUOTE
pub fn current_gain_shortfall(market: &PerpMarket, price: u64) -> Result<u128> {
    gain_shortfall(
        &UsersHoldings {
            base: curve_net_user_base(market)?,
            quote: market.users_quote.get(),
        },
        price,
        market.pnl_pool,
    )
}

/// The curve's reserve price now. precision: PRICE
pub fn current_reserve_price(market: &PerpMarket) -> Result<u64> {
    reserve_price(&market.amm.curve(), market.amm.peg_multiplier)
}

/// The reserve price at the start of second `now`: the snapshot's when one was taken in it,
/// else the curve's (nothing moved it yet this second). precision: PRICE
pub fn reserve_price_at_start(market: &PerpMarket, now: i64) -> Result<u64> {
    if market.second_start.ts == now {
        Ok(market.second_start.reserve_price)
    } else {
        current_reserve_price(market)
    }
}

/// How far the reserve price may sit from where it stood at the start of the second and still
/// count as unmoved: the unit or two an LP's add, removal or burn rescales it by (the curve
/// keeps its price within one unit). A push that small moves no value. precision: PRICE
pub const CURVE_MOVE_TOLERANCE: u64 = 2;

/// Whether something earlier in second `now` moved the curve at all.
pub fn curve_moved(market: &PerpMarket, now: i64) -> Result<bool> {
    let start = reserve_price_at_start(market, now)?;
    Ok(current_reserve_price(market)?.abs_diff(start) > CURVE_MOVE_TOLERANCE)
}

/// Whether something earlier in second `now` moved the curve against a fill in `direction`:
/// above the lowest it stood this second before a buy, below the highest before a sale. A move
/// the other way first does not open room for a push back: undoing a favourable move (an
/// honest taker's fill, say) to act for someone at the second's starting price would hand the
/// pusher what that move would have given them.
pub fn curve_moved_against(
    market: &PerpMarket,
    direction: PositionDirection,
    now: i64,
) -> Result<bool> {
    let current = current_reserve_price(market)?;
    let (high, low) = if market.second_start.ts == now {
        (market.second_start.high, market.second_start.low)
    } else {
        (current, current)
    };
    Ok(match direction {
        PositionDirection::Long => current > low.saturating_add(CURVE_MOVE_TOLERANCE),
        PositionDirection::Short => current.saturating_add(CURVE_MOVE_TOLERANCE) < high,
    })
}

/// Whether something earlier in second `now` moved the curve further from `oracle_price`
/// (precision: PRICE) than it stood at the start of the second.
pub fn curve_moved_away(market: &PerpMarket, oracle_price: u64, now: i64) -> Result<bool> {
    let start = reserve_price_at_start(market, now)?;
    let current = current_reserve_price(market)?;
    Ok(current.abs_diff(oracle_price)
        > start
            .abs_diff(oracle_price)
            .saturating_add(CURVE_MOVE_TOLERANCE))
}
