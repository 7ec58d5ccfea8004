//! A taker's trade against the AMM, booked on the market, the position and the fee pool.
use crate::controller::amm_fill::{book_amm_fill, fill_price, quote_amm_fill, PositionDirection};
use crate::controller::lp::{lp_fee_backing, lp_fee_slice, record_amm_delta, AmmDelta, LpTake};
use crate::controller::position::{add_to_break_even, book_fill, release_if_empty, Booking};
use crate::controller::spot_balance::update_quote_balance;
use crate::error::BalError;
use crate::math::constants::PERCENTAGE_PRECISION;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_ceil;
use crate::state::{PerpMarket, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// A taker order as resolved by the instruction: its size is final (steps, reduce-only and
/// position size already applied).
#[derive(Clone, Copy, Debug)]
pub struct TakerOrder {
    pub direction: PositionDirection,
    /// precision: BASE
    pub base: u64,
    /// Worst acceptable average price, if any. precision: PRICE
    pub limit_price: Option<u64>,
    /// precision: PRICE
    pub oracle_price: u64,
    /// precision: PERCENTAGE
    pub fee_rate: u32,
    pub now: i64,
}

/// What a trade did, for its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TradeOutcome {
    /// precision: BASE
    pub base: u64,
    /// precision: QUOTE
    pub quote: u64,
    /// precision: QUOTE
    pub fee: u64,
    /// precision: PRICE
    pub price: u64,
    /// P&L the trade realized on the position. precision: QUOTE
    pub realized_pnl: i128,
    /// Base of the position before and after. precision: BASE
    pub base_before: i64,
    pub base_after: i64,
}

impl TradeOutcome {
    /// Whether the position grew or changed side: such trades need initial margin after.
    pub fn increases_risk(&self) -> bool {
        increases_risk(self.base_before, self.base_after)
    }
}

/// Whether a position going from `before` to `after` (precision: BASE) grew or changed side.
pub fn increases_risk(before: i64, after: i64) -> bool {
    after.unsigned_abs() > before.unsigned_abs()
        || (before != 0 && (after > 0) != (before > 0) && after != 0)
}

/// Fills `order` against the AMM for `user`. The fee (rounded up) is taken from the quote
/// balance into the market's fee pool at once.
pub fn trade_against_amm(
    user: &mut User,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
    order: &TakerOrder,
) -> Result<TradeOutcome> {
    let fill = quote_amm_fill(market, order.direction, order.base, order.oracle_price)?;
    let price = fill_price(fill.base, fill.quote)?;
    if let Some(limit) = order.limit_price {
        let within = match order.direction {
            PositionDirection::Long => price <= limit,
            PositionDirection::Short => price >= limit,
        };
        validate!(
            within,
            BalError::LimitPriceExceeded,
            "fill price {} limit {}",
            price,
            limit
        );
    }
    book_amm_fill(market, order.direction, &fill, order.now)?;

    let booked = book_fill(
        user,
        market,
        &Booking {
            side: order.direction,
            base: fill.base,
            quote: fill.quote,
        },
    )?;
    let trader = booked.fill;
    let position = &mut user.perp_positions[booked.slot];
    let base_after = position.base_asset_amount;

    let fee = (mul_div_ceil(
        fill.quote as u128,
        order.fee_rate as u128,
        PERCENTAGE_PRECISION as u128,
    )?)
    .cast::<u64>()?;
    add_to_break_even(position, -(fee as i128))?;
    release_if_empty(position);
    update_quote_balance(&mut user.quote_balance, spot, -(fee as i128))?;
    // The AMM took the other side: the LPs share it pro rata, with their slice of the fee,
    // which goes to the P&L pool that pays their positions; the rest of the fee to the fee pool.
    let lp_fee = lp_fee_slice(fee, market, LpTake::Shared)?;
    record_amm_delta(
        market,
        &AmmDelta {
            base: -(trader.base as i128),
            quote: -(trader.quote as i128),
            lp_fee,
            take: LpTake::Shared,
        },
    )?;
    let backing = lp_fee_backing(lp_fee)?;
    market.pnl_pool = market.pnl_pool.safe_add(backing)?;
    market.fee_pool = market.fee_pool.safe_add(fee.safe_sub(backing)?)?;
    market.total_fees = market.total_fees.safe_add(fee)?;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_add(fee)?;
    Ok(TradeOutcome {
        base: fill.base,
        quote: fill.quote,
        fee,
        price,
        realized_pnl: booked.realized_pnl,
        base_before: booked.base_before,
        base_after,
    })
}
