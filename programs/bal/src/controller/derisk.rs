//! De-risking an LP below its initial margin: burn the fewest shares (rounded up to the step)
//! that bring the account back to initial margin; if burning every share is not enough, reduce
//! the position through the AMM within a price band around the oracle. The cooldown is left as
//! it is.
use crate::controller::amm_fill::PositionDirection;
use crate::controller::lp::remove_shares;
use crate::controller::margin::{
    margin_summary, simulated_position, worst_case_base, MarginSummary, MarginType, MarketView,
    MarketViews,
};
use crate::controller::orders::cancel_all_orders;
use crate::controller::position::find_position;
use crate::controller::trade::{trade_against_amm, TakerOrder};
use crate::error::BalError;
use crate::math::constants::{
    BASE_PRECISION, LP_MARGIN_BUFFER, MARGIN_PER_POSITION, MARGIN_PRECISION, PERCENTAGE_PRECISION,
};
use crate::math::margin::margin_requirement;
use crate::math::safe_math::SafeMath;
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::{PerpMarket, PerpPosition, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// A fill made to de-risk may not average further than this from the oracle.
/// precision: PERCENTAGE
pub const DERISK_PRICE_BAND: u32 = 20_000;

/// The inputs every de-risk step looks at.
pub struct DeriskContext<'a> {
    pub spot: &'a SpotMarket,
    pub views: &'a MarketViews,
    pub slot: usize,
    /// Shares burn in multiples of the market's step. precision: BASE
    pub step: u128,
}

/// The account's initial margin; below it an LP may be de-risked.
pub fn initial_margin(user: &User, context: &DeriskContext) -> Result<MarginSummary> {
    margin_summary(user, context.spot, context.views, MarginType::Initial)
}

/// The LP position as `settle_lp` would leave it, computed once, with what its requirement
/// depends on.
struct Settled<'a> {
    position: PerpPosition,
    view: &'a MarketView,
    ratio: u32,
}

impl Settled<'_> {
    /// The position's initial requirement if `burned` of its shares were burned.
    fn requirement_after_burn(&self, burned: u128) -> Result<u128> {
        let mut position = self.position;
        let shares = position.lp.shares.get().safe_sub(burned)?;
        position.lp.shares.set(shares);
        let worst = worst_case_base(&position, self.view)?;
        let requirement = margin_requirement(worst, self.view.oracle_price, self.ratio)?;
        if shares > 0 {
            return requirement.safe_add(LP_MARGIN_BUFFER);
        }
        Ok(requirement)
    }
}

/// The fewest shares, a multiple of the step (or all of them), whose burn brings the account
/// to its initial margin (`summary`); `None` when even burning all of them is not enough.
///
/// The position's worst case is linear in its remaining shares `x` (bids `x·D_bid/K` on one
/// side, asks `x·D_ask/K` on the other), so the largest `x` that fits has a closed form; the
/// candidate is then checked against the same requirement and moved up a step at a time in the
/// rare case rounding left it a unit short.
pub fn minimal_burn(
    user: &User,
    context: &DeriskContext,
    summary: &MarginSummary,
) -> Result<Option<u128>> {
    let stored = &user.perp_positions[context.slot];
    let view = context
        .views
        .0
        .iter()
        .find(|v| v.market_index == stored.market_index)
        .ok_or(BalError::MarginAccountMissing)?;
    let settled = Settled {
        position: simulated_position(stored, view)?,
        view,
        ratio: MarginType::Initial.ratio(view, user),
    };
    let shares = stored.lp.shares.get();
    // What the other positions need stays the same while this one's shares burn.
    let others = summary
        .requirement
        .safe_sub(settled.requirement_after_burn(0)?)?;
    let fits = |burned: u128| -> Result<bool> {
        let requirement = others.safe_add(settled.requirement_after_burn(burned)?)?;
        Ok(summary.collateral >= requirement as i128)
    };
    if !fits(shares)? {
        return Ok(None);
    }
    let base = settled.position.base_asset_amount as i128;
    let budget = summary
        .collateral
        .safe_sub(others as i128)?
        .safe_sub((MARGIN_PER_POSITION + LP_MARGIN_BUFFER) as i128)?
        .max(0) as u128;
    // Largest |base| the budget carries: budget / (price × ratio), rounded down.
    let per_base = mul_div_ceil(
        view.oracle_price as u128,
        settled.ratio as u128,
        MARGIN_PRECISION as u128,
    )?
    .max(1);
    let max_base = mul_div_floor(budget, BASE_PRECISION, per_base)? as i128;
    // Shares whose orders on one side fit in `room`, rounded down.
    let keep = |room: i128, depth: u128| -> Result<u128> {
        if depth == 0 {
            return Ok(shares);
        }
        mul_div_floor(room.max(0) as u128, view.sqrt_k, depth)
    };
    // Resting orders sit on top of the LP's own bids and asks.
    let bids_from = base + settled.position.open_bids as i128;
    let asks_from = base - settled.position.open_asks as i128;
    let kept = keep(max_base - bids_from, view.amm_bid_depth)?
        .min(keep(max_base + asks_from, view.amm_ask_depth)?)
        .min(shares);
    let step = context.step;
    // Burns round up to the step, so the account ends at or above its requirement.
    let mut burned = (shares - kept).div_ceil(step).safe_mul(step)?.min(shares);
    for _ in 0..3 {
        if burned >= shares || fits(burned)? {
            break;
        }
        burned = burned.safe_add(step)?.min(shares);
    }
    Ok(Some(if fits(burned)? { burned } else { shares }))
}

/// Inputs of `reduction_needed`.
pub struct Reduction<'a> {
    pub summary: &'a MarginSummary,
    /// What the position itself requires now. precision: QUOTE
    pub position_requirement: u128,
    /// precision: BASE
    pub base: i64,
    /// precision: PRICE
    pub price: u64,
    /// precision: MARGIN
    pub ratio: u32,
}

/// Base to take off the position so it alone fits in what the account's collateral leaves
/// after its other positions, rounded up to `step`. precision: BASE
pub fn reduction_needed(reduction: &Reduction, step: u64) -> Result<u64> {
    let others = reduction
        .summary
        .requirement
        .safe_sub(reduction.position_requirement)?;
    let room = (reduction.summary.collateral - others as i128 - MARGIN_PER_POSITION as i128).max(0)
        as u128;
    // |base| × price × ratio ≤ room  ⇒  |base| ≤ room / (price × ratio).
    let per_base = mul_div_ceil(
        reduction.price as u128,
        reduction.ratio as u128,
        MARGIN_PRECISION as u128,
    )?;
    let allowed = mul_div_floor(room, BASE_PRECISION, per_base.max(1))?;
    let excess = (reduction.base.unsigned_abs() as u128).saturating_sub(allowed);
    let rounded = excess.div_ceil(step as u128).safe_mul(step as u128)?;
    u64::try_from(rounded.min(reduction.base.unsigned_abs() as u128))
        .map_err(|_| error!(BalError::MathError))
}

/// The worst average price a de-risking fill may take: the band around the oracle, against
/// the direction of the fill. precision: PRICE
pub fn band_limit(oracle_price: u64, selling: bool) -> Result<u64> {
    let band = mul_div_floor(
        oracle_price as u128,
        DERISK_PRICE_BAND as u128,
        PERCENTAGE_PRECISION as u128,
    )? as u64;
    Ok(if selling {
        oracle_price.saturating_sub(band)
    } else {
        oracle_price.safe_add(band)?
    })
}

/// Everything a de-risk needs besides the accounts it writes.
pub struct DeriskInputs<'a> {
    /// The other positions' markets and this market's view as of now.
    pub views: &'a MarketViews,
    /// precision: PRICE
    pub oracle_price: u64,
    /// precision: PERCENTAGE
    pub fee_rate: u32,
    pub now: i64,
}

/// What a de-risk did, for its record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeriskOutcome {
    /// precision: BASE
    pub shares_burned: u128,
    /// precision: BASE
    pub base_reduced: u64,
    /// Initial requirement minus collateral before acting. precision: QUOTE
    pub shortage: i128,
    /// Resting orders cancelled first (in every market).
    pub orders_cancelled: u8,
    /// Burning every share was not enough: the position must be reduced too.
    pub still_short: bool,
}

/// Step one of a de-risk: burns the fewest of `user`'s LP shares in `market` that restore
/// initial margin, or all of them when that is not enough (`still_short`). Refuses
/// (`NothingToDerisk`) when the account meets its initial margin or holds no shares there.
pub fn burn_to_initial_margin(
    user: &mut User,
    spot: &SpotMarket,
    market: &mut PerpMarket,
    views: &MarketViews,
) -> Result<DeriskOutcome> {
    let slot = find_position(user, market.market_index);
    validate!(
        slot.is_some_and(|s| user.perp_positions[s].lp.shares.get() > 0),
        BalError::NothingToDerisk
    );
    let slot = slot.unwrap_or_default();
    let context = DeriskContext {
        spot,
        views,
        slot,
        step: market.order_step_size as u128,
    };
    let summary = initial_margin(user, &context)?;
    validate!(!summary.meets_requirement(), BalError::NothingToDerisk);
    let shortage = (summary.requirement as i128).safe_sub(summary.collateral)?;
    // Resting orders go first, as in a liquidation: they count against margin, and a reduction
    // judged on the position alone could grow the worst case they leave.
    let orders_cancelled =
        u8::try_from(cancel_all_orders(user)?).map_err(|_| BalError::MathError)?;
    let summary = initial_margin(user, &context)?;
    if summary.meets_requirement() {
        return Ok(DeriskOutcome {
            shortage,
            orders_cancelled,
            ..DeriskOutcome::default()
        });
    }
    let shares = user.perp_positions[slot].lp.shares.get();
    let burn_needed = minimal_burn(user, &context, &summary)?;
    remove_shares(
        &mut user.perp_positions[slot],
        market,
        burn_needed.unwrap_or(shares),
    )?;
    Ok(DeriskOutcome {
        shares_burned: burn_needed.unwrap_or(shares),
        base_reduced: 0,
        shortage,
        orders_cancelled,
        still_short: burn_needed.is_none(),
    })
}

/// Step two, after every share was burned and the account was still short: takes base off
/// the position through the AMM, at a fill-valid oracle price and within the band around it.
/// Returns the base reduced; 0 when the account meets its initial margin at that price or has
/// no base here to reduce (what is still short is then not this market's to fix).
pub fn reduce_within_band(
    user: &mut User,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
    inputs: &DeriskInputs,
) -> Result<u64> {
    let mut views = inputs.views.clone();
    for view in views
        .0
        .iter_mut()
        .filter(|v| v.market_index == market.market_index)
    {
        *view = MarketView::new(market, inputs.oracle_price);
    }
    let summary = margin_summary(user, spot, &views, MarginType::Initial)?;
    let Some(slot) = find_position(user, market.market_index) else {
        return Ok(0);
    };
    if summary.meets_requirement() {
        return Ok(0);
    }
    let position = user.perp_positions[slot];
    let ratio = market.margin_ratio_initial.max(user.custom_margin_ratio);
    let base = reduction_needed(
        &Reduction {
            summary: &summary,
            position_requirement: margin_requirement(
                position.base_asset_amount,
                inputs.oracle_price,
                ratio,
            )?,
            base: position.base_asset_amount,
            price: inputs.oracle_price,
            ratio,
        },
        market.order_step_size,
    )?;
    if base == 0 {
        return Ok(0);
    }
    let selling = position.base_asset_amount > 0;
    let order = TakerOrder {
        direction: if selling {
            PositionDirection::Short
        } else {
            PositionDirection::Long
        },
        base,
        limit_price: Some(band_limit(inputs.oracle_price, selling)?),
        oracle_price: inputs.oracle_price,
        fee_rate: inputs.fee_rate,
        now: inputs.now,
    };
    // What the AMM cannot fill inside the band (or its bounds) is left for a liquidation; the
    // shares are burned either way.
    match trade_against_amm(user, spot, market, &order) {
        Ok(_) => Ok(base),
        Err(error)
            if error == BalError::LimitPriceExceeded.into()
                || error == BalError::AmmReserveBounds.into() =>
        {
            Ok(0)
        }
        Err(error) => Err(error),
    }
}
