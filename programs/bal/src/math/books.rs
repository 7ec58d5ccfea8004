//! The market's books as every controller reads and moves them: the protocol's own base, the
//! net base the curve must take back, the users' quote aggregate and the curve's derived
//! reserves. Nothing here imports another controller, so the AMM, its fills, the LPs and the
//! second's snapshot all build on it without importing each other in a circle.
use crate::error::BalError;
use crate::math::amm::base_reserve_bounds;
use crate::math::constants::LP_AGG_PRECISION;
use crate::math::safe_math::SafeMath;
use crate::state::PerpMarket;
use crate::validate;
use anchor_lang::prelude::*;

/// The protocol's own base: the AMM's inventory less what LPs hold, settled or not. The LPs'
/// unsettled sub-units round toward −∞, so the protocol is never credited base it lacks.
/// precision: BASE
pub fn protocol_base(market: &PerpMarket) -> Result<i128> {
    let unsettled = market
        .lp
        .unsettled_base
        .get()
        .div_euclid(LP_AGG_PRECISION as i128);
    (market.amm.base_asset_amount_with_amm as i128)
        .safe_add(market.lp.settled_base as i128)?
        .safe_add(unsettled)
        .map(|users_and_lps| -users_and_lps)
}

/// The net base the curve must be able to take back if every position it is counterparty to
/// closed against it: traders' and LPs' positions, settled or not, which is the protocol's own
/// inventory negated. precision: BASE
pub fn curve_net_user_base(market: &PerpMarket) -> Result<i128> {
    protocol_base(market)?.safe_mul(-1)
}

/// Recomputes the concentration bounds from `sqrt_k`. Refuses a curve whose base reserve sits
/// outside them.
pub fn refresh_derived_reserves(market: &mut PerpMarket) -> Result<()> {
    let amm = &mut market.amm;
    let curve = amm.curve();
    let (min_base, max_base) = base_reserve_bounds(curve.sqrt_k, amm.concentration_coef)?;
    validate!(
        curve.base >= min_base && curve.base <= max_base,
        BalError::AmmReserveBounds
    );
    amm.min_base_asset_reserve.set(min_base);
    amm.max_base_asset_reserve.set(max_base);
    Ok(())
}

/// Adds `delta` (precision: LP_AGG) to what the market's positions hold in quote.
pub fn add_users_quote(market: &mut PerpMarket, delta: i128) -> Result<()> {
    let total = market.users_quote.get().safe_add(delta)?;
    market.users_quote.set(total);
    Ok(())
}

/// Base the AMM would trade to the farther of its curve bounds: what all shares' open orders
/// reach on their larger side (an LP's part is its share of `sqrt_k`). precision: BASE
pub fn larger_side_depth(market: &PerpMarket) -> u128 {
    let amm = &market.amm;
    let base = amm.base_asset_reserve.get();
    amm.max_base_asset_reserve
        .get()
        .saturating_sub(base)
        .max(base.saturating_sub(amm.min_base_asset_reserve.get()))
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
