//! BAL: adding and removing LP shares, splitting each AMM fill between user-owned and
//! protocol-owned shares in O(1), and settling an LP's entitlement (with exact lazy funding)
//! into its position.
use crate::error::BalError;
use crate::math::amm::rescale_curve;
use crate::math::books::{add_users_quote, refresh_derived_reserves};
use crate::math::constants::{LP_ACC_PRECISION, LP_AGG_PRECISION, MAX_SQRT_K};
use crate::math::lp::lp_part;
use crate::math::lp_books::{settle_lp_position, take_shares, LpTake};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::read::position::find_position;
use crate::read::second_start::{current_reserve_price, curve_moved_away};
use crate::state::PriceBounds;
use crate::state::{PerpMarket, PerpPosition, User};
use crate::validate;
use anchor_lang::prelude::*;

/// What the AMM took in one fill (base and quote, signed, at the trader's price) and the LP
/// fee slice, all of which the LPs share pro rata.
pub struct AmmDelta {
    /// precision: BASE
    pub base: i128,
    /// precision: QUOTE
    pub quote: i128,
    /// precision: LP_AGG
    pub lp_fee: u128,
    pub take: LpTake,
}

/// Books the LPs' part of an AMM delta on the market's accumulators: O(1) whatever the number
/// of LPs. The protocol keeps the rest (and every rounding remainder).
pub fn record_amm_delta(market: &mut PerpMarket, delta: &AmmDelta) -> Result<()> {
    let shares = take_shares(market, delta.take);
    if shares.user == 0 {
        return Ok(());
    }
    let (base_agg, base_per_share) = lp_part(delta.base, &shares)?;
    let (quote_agg, quote_per_share) = lp_part(delta.quote, &shares)?;
    // The fee slice is the LPs' whole: spread it over user shares only.
    let fee_agg = delta.lp_fee.cast::<i128>()?;
    let fee_per_share = mul_div_floor(
        delta.lp_fee,
        LP_ACC_PRECISION / LP_AGG_PRECISION,
        shares.user,
    )? as i128;
    add_users_quote(market, quote_agg.safe_add(fee_agg)?)?;
    let lp = &mut market.lp;
    lp.unsettled_base
        .set(lp.unsettled_base.get().safe_add(base_agg)?);
    lp.unsettled_quote.set(
        lp.unsettled_quote
            .get()
            .safe_add(quote_agg)?
            .safe_add(fee_agg)?,
    );
    lp.base_per_share
        .set(lp.base_per_share.get().safe_add(base_per_share)?);
    lp.quote_per_share.set(
        lp.quote_per_share
            .get()
            .safe_add(quote_per_share)?
            .safe_add(fee_per_share)?,
    );
    Ok(())
}

/// Settles `user`'s LP entitlement in `market` when it holds shares there, so that a trade, an
/// order or a fill sees its whole position, settled and unsettled alike: every "does this add
/// risk?" decision is then taken on what the account really holds.
pub fn settle_lp_before_trading(user: &mut User, market: &mut PerpMarket) -> Result<()> {
    let Some(slot) = find_position(user, market.market_index) else {
        return Ok(());
    };
    let position = &mut user.perp_positions[slot];
    if position.lp.shares.get() > 0 {
        settle_lp_position(position, market)?;
    }
    Ok(())
}

/// Sets `sqrt_k` to `new_sqrt_k` with the price kept (both reserves scale) and re-derives the
/// bounds.
fn resize_curve(market: &mut PerpMarket, new_sqrt_k: u128) -> Result<()> {
    let curve = rescale_curve(
        &market.amm.curve(),
        new_sqrt_k,
        market.amm.concentration_coef,
    )?;
    market.amm.set_curve(&curve);
    refresh_derived_reserves(market)
}

/// Liquidity is added only where the curve is: its reserve price inside the market's price
/// band around the oracle and inside the caller's `bounds` (`CurveOutsideBounds`), and not
/// moved further from the oracle earlier in this second (`CurveMovedThisSecond`). An add on a
/// pushed curve takes the other side of the push's unwind on a deeper curve: whoever pushed
/// first gains what the adder loses.
pub fn validate_add_price(
    market: &PerpMarket,
    oracle_price: u64,
    bounds: &PriceBounds,
    now: i64,
) -> Result<()> {
    let price = current_reserve_price(market)?;
    let band = market.price_band(oracle_price)?;
    validate!(
        band.contains(price) && (bounds.min..=bounds.max).contains(&price),
        BalError::CurveOutsideBounds,
        "reserve price {} outside the band {}..{} or the bounds {}..{}",
        price,
        band.low,
        band.high,
        bounds.min,
        bounds.max
    );
    validate!(
        !curve_moved_away(market, oracle_price, now)?,
        BalError::CurveMovedThisSecond
    );
    Ok(())
}

/// Mints `shares` (already rounded to the step) to a settled position: `sqrt_k` and the users'
/// shares rise by it, the price stays.
pub fn add_shares(
    position: &mut PerpPosition,
    market: &mut PerpMarket,
    shares: u128,
) -> Result<()> {
    validate!(shares > 0, BalError::ZeroAmount);
    settle_lp_position(position, market)?;
    let new_sqrt_k = market.amm.sqrt_k.get().safe_add(shares)?;
    validate!(new_sqrt_k <= MAX_SQRT_K, BalError::MaxLiquidityReached);
    resize_curve(market, new_sqrt_k)?;
    let lp = &mut market.lp;
    lp.user_lp_shares
        .set(lp.user_lp_shares.get().safe_add(shares)?);
    position
        .lp
        .shares
        .set(position.lp.shares.get().safe_add(shares)?);
    Ok(())
}
