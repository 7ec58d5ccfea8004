//! Resting orders in a `User`: placing, cancelling and recording fills, with each position's
//! open-order aggregates (count, bids, asks) kept equal to its orders (`User::invariant`).
use crate::controller::position::open_position;
use crate::error::BalError;
use crate::math::position::largest_fill_base;
use crate::math::position::release_if_empty;
use crate::math::price_band::PriceBand;
use crate::math::safe_math::SafeMath;
use crate::read::amm_quote::amm_best_price;
use crate::read::position::find_position;
use crate::state::PositionDirection;
use crate::state::RestingOrderParams;
use crate::state::{Order, PerpMarket, PerpPosition, User};
use crate::validate;
use anchor_lang::prelude::*;

/// What a new order is checked against besides the market.
#[derive(Clone, Copy)]
pub struct OrderCheck {
    /// The user's position in the market. precision: BASE
    pub position_base: i64,
    /// precision: PRICE
    pub oracle_price: u64,
    pub now: i64,
    /// Placed by the user's delegate rather than its authority.
    pub by_delegate: bool,
}

/// Checks an order against the market's rules, the clock, the position and (for a maker
/// order) the AMM's current prices.
pub fn validate_new_order(
    params: &RestingOrderParams,
    market: &PerpMarket,
    check: &OrderCheck,
) -> Result<()> {
    let OrderCheck {
        position_base,
        oracle_price,
        now,
        by_delegate,
    } = *check;
    if by_delegate {
        // A delegate's order is priced no worse for its principal than the market's maximum
        // spread from the oracle: a resting order far off it could be filled by the delegate's
        // own account, moving the principal's money to it.
        let edge =
            PriceBand::around(oracle_price, market.amm.max_spread)?.worst_for(params.direction);
        let within = match params.direction {
            PositionDirection::Long => params.price <= edge,
            PositionDirection::Short => params.price >= edge,
        };
        validate!(
            within,
            BalError::PriceBandExceeded,
            "a delegate's order at {} beyond {} for its principal",
            params.price,
            edge
        );
    }
    validate!(
        params.base_amount >= market.min_order_size
            && params.base_amount.is_multiple_of(market.order_step_size),
        BalError::OrderSizeInvalid
    );
    validate!(params.price > 0, BalError::InvalidOrderPrice);
    validate!(
        params.base_amount <= largest_fill_base(params.price),
        BalError::AmountTooLarge
    );
    validate!(
        params.expiry_ts == 0 || params.expiry_ts > now,
        BalError::InvalidOrderExpiry
    );
    if params.reduce_only {
        let reduces = match params.direction {
            PositionDirection::Long => position_base < 0,
            PositionDirection::Short => position_base > 0,
        };
        validate!(reduces, BalError::ReduceOnlyWouldIncrease);
    }
    if params.post_only {
        // A maker bid must sit below what the AMM asks, a maker ask above what it bids.
        let crosses = match params.direction {
            PositionDirection::Long => {
                params.price >= amm_best_price(market, PositionDirection::Long, oracle_price)?
            }
            PositionDirection::Short => {
                params.price <= amm_best_price(market, PositionDirection::Short, oracle_price)?
            }
        };
        validate!(!crosses, BalError::PostOnlyWouldCross);
    }
    Ok(())
}

/// Moves `base` of resting size in `direction` into (`opened`) or out of a position's
/// aggregates.
fn adjust_open_orders(
    position: &mut PerpPosition,
    direction: PositionDirection,
    base: u64,
    opened: bool,
) -> Result<()> {
    let side = match direction {
        PositionDirection::Long => &mut position.open_bids,
        PositionDirection::Short => &mut position.open_asks,
    };
    *side = if opened {
        side.safe_add(base)?
    } else {
        side.safe_sub(base)?
    };
    Ok(())
}

/// Rests a validated order in a free slot (opening the market's position slot if needed) and
/// returns its id.
pub fn add_order(user: &mut User, market: &PerpMarket, params: &RestingOrderParams) -> Result<u32> {
    let slot = user
        .orders
        .iter()
        .position(|o| !o.is_open())
        .ok_or(BalError::MaxOpenOrdersReached)?;
    let index = open_position(
        user,
        market.market_index,
        market.funding.cumulative_funding_rate,
    )?;
    let order_id = user.next_order_id;
    user.next_order_id = order_id.safe_add(1)?;
    user.orders[slot] = Order {
        base_asset_amount: params.base_amount,
        base_asset_amount_filled: 0,
        price: params.price,
        expiry_ts: params.expiry_ts,
        order_id,
        market_index: market.market_index,
        open: 1,
        direction: params.direction.to_u8(),
        post_only: params.post_only as u8,
        reduce_only: params.reduce_only as u8,
        padding: [0; 6],
    };
    let position = &mut user.perp_positions[index];
    position.open_orders = position.open_orders.safe_add(1)?;
    adjust_open_orders(position, params.direction, params.base_amount, true)?;
    Ok(order_id)
}

/// The slot of the open order with `order_id`.
pub fn find_order(user: &User, order_id: u32) -> Result<usize> {
    user.orders
        .iter()
        .position(|o| o.is_open() && o.order_id == order_id)
        .ok_or_else(|| error!(BalError::OrderNotFound))
}

/// Closes the order in `slot`: its remaining size leaves the position's aggregates, the slot is
/// freed, and so is the position's slot if nothing is left in it.
pub fn remove_order(user: &mut User, slot: usize) -> Result<()> {
    let order = user.orders[slot];
    let index = find_position(user, order.market_index).ok_or(BalError::InvariantViolated)?;
    let position = &mut user.perp_positions[index];
    position.open_orders = position.open_orders.safe_sub(1)?;
    adjust_open_orders(position, order.direction(), order.remaining(), false)?;
    user.orders[slot] = Order::default();
    release_if_empty(&mut user.perp_positions[index]);
    Ok(())
}

/// Cancels every open order of `user` (as a liquidation does first); returns how many.
pub fn cancel_all_orders(user: &mut User) -> Result<u8> {
    cancel_orders_where(user, |_| true)
}

/// Cancels `user`'s open orders in `market_index` (as a de-risk of that market does first);
/// returns how many.
pub fn cancel_market_orders(user: &mut User, market_index: u16) -> Result<u8> {
    cancel_orders_where(user, |order| order.market_index == market_index)
}

fn cancel_orders_where(user: &mut User, selected: impl Fn(&Order) -> bool) -> Result<u8> {
    let mut cancelled = 0u8;
    for slot in 0..user.orders.len() {
        let order = user.orders[slot];
        if order.is_open() && selected(&order) {
            remove_order(user, slot)?;
            cancelled = cancelled.safe_add(1)?;
        }
    }
    Ok(cancelled)
}

/// Records `base` filled on the order in `slot`; the order closes once filled in full.
pub fn record_order_fill(user: &mut User, slot: usize, base: u64) -> Result<()> {
    let order = user.orders[slot];
    validate!(base <= order.remaining(), BalError::InvariantViolated);
    let index = find_position(user, order.market_index).ok_or(BalError::InvariantViolated)?;
    adjust_open_orders(
        &mut user.perp_positions[index],
        order.direction(),
        base,
        false,
    )?;
    user.orders[slot].base_asset_amount_filled = order.base_asset_amount_filled.safe_add(base)?;
    if user.orders[slot].remaining() == 0 {
        let position = &mut user.perp_positions[index];
        position.open_orders = position.open_orders.safe_sub(1)?;
        user.orders[slot] = Order::default();
        release_if_empty(&mut user.perp_positions[index]);
    }
    Ok(())
}

/// What a reduce-only order may still fill against `position_base`: nothing once the position
/// is flat or on the order's side. precision: BASE
pub fn reduce_only_cap(order: &Order, position_base: i64) -> u64 {
    let reduces = match order.direction() {
        PositionDirection::Long => position_base < 0,
        PositionDirection::Short => position_base > 0,
    };
    if !reduces {
        return 0;
    }
    order.remaining().min(position_base.unsigned_abs())
}
