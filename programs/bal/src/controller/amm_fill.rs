//! A taker's fill against the AMM: priced on the spread curve of its side, booked on the real
//! curve, so the spread stays with the AMM.
use crate::controller::mark::observe_mark_price;
use crate::math::books::{add_users_quote, refresh_derived_reserves};
use crate::math::constants::LP_AGG_PRECISION;
use crate::math::safe_math::{Cast, SafeMath};
use crate::read::amm_quote::AmmFill;
use crate::state::PerpMarket;
use anchor_lang::prelude::*;

pub use crate::state::order::PositionDirection;

/// Books a priced fill on the market: the new curve, the users' net base, the derived
/// reserves, and the curve's new reserve price as the standing mark (`controller::mark`).
pub fn book_amm_fill(
    market: &mut PerpMarket,
    direction: PositionDirection,
    fill: &AmmFill,
    now: i64,
) -> Result<()> {
    let base = fill.base.cast::<i64>()?;
    let amm = &mut market.amm;
    amm.set_curve(&fill.curve);
    // The taker's position pays the quote for a buy and receives it for a sale.
    let taker_quote = match direction {
        PositionDirection::Long => {
            amm.base_asset_amount_with_amm = amm.base_asset_amount_with_amm.safe_add(base)?;
            -(fill.quote as i128)
        }
        PositionDirection::Short => {
            amm.base_asset_amount_with_amm = amm.base_asset_amount_with_amm.safe_sub(base)?;
            fill.quote as i128
        }
    };
    add_users_quote(market, taker_quote.safe_mul(LP_AGG_PRECISION as i128)?)?;
    refresh_derived_reserves(market)?;
    observe_mark_price(market, now)
}
