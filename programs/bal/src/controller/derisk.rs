//! De-risking an LP below its initial margin, by one rule for `settle_pnl`, `settle_pnl_many`
//! and `derisk_lp`: `derisk_decision` (`read::derisk_decision`) says whether it applies
//! (and if not, why), `derisk` does it. A de-risk cancels the account's resting orders in the market first; if that is not
//! enough it burns the fewest shares (rounded up to the step, and no more than the exit rule
//! allows) that bring the account back to initial margin; if burning is not enough, it reduces
//! the position through the AMM within a price band around the oracle. The cooldown is left as
//! it is.
use crate::controller::orders::cancel_market_orders;
use crate::controller::trade::{keeps_reduction_rule, trade_against_amm, TakerOrder};
use crate::error::BalError;
use crate::events::DeriskRecord;
use crate::math::constants::{
    BASE_PRECISION, LP_MARGIN_BUFFER, MARGIN_PER_POSITION, MARGIN_PRECISION,
};
use crate::math::lp_books::{burnable_shares, remove_shares};
use crate::math::margin::margin_requirement;
use crate::math::position::{floor_to_step, largest_fill_base};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::read::derisk_decision::reduction_limit;
use crate::read::margin::{
    margin_summary, simulated_position, worst_case_base, MarginSummary, MarginType, MarketView,
    MarketViews,
};
use crate::read::position::find_position;
use crate::read::second_start::curve_moved_against;
use crate::state::PositionDirection;
use crate::state::{PerpMarket, PerpPosition, SpotMarket, User};
use anchor_lang::prelude::*;

/// The accounts a de-risk writes.
pub struct DeriskBooks<'a> {
    pub user: &'a mut User,
    pub spot: &'a mut SpotMarket,
    pub market: &'a mut PerpMarket,
}

/// What a de-risk acts with besides the accounts.
#[derive(Clone, Copy, Debug)]
pub struct DeriskTerms {
    /// Valid for a fill. precision: PRICE
    pub oracle_price: u64,
    /// precision: PERCENTAGE
    pub fee_rate: u32,
    pub now: i64,
    /// What `derisk_decision` found.
    pub before: MarginSummary,
    /// Whether the market trades (no `TRADE` pause): while it does not, the de-risk cancels
    /// orders and burns shares but makes no reduction against the AMM.
    pub may_trade: bool,
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
    /// Resting orders cancelled first, in this market.
    pub orders_cancelled: u8,
}

impl DeriskOutcome {
    /// The record of this de-risk of `user` in `market_index`.
    pub fn record(&self, user: Pubkey, market_index: u16, ts: i64) -> DeriskRecord {
        DeriskRecord {
            ts,
            user,
            market_index,
            shares_burned: self.shares_burned,
            orders_cancelled: self.orders_cancelled,
            base_reduced: self.base_reduced,
            shortage: self.shortage,
        }
    }
}

/// De-risks an account `derisk_decision` found it applies to (see the module); `views` holds
/// every market of the account and is kept current for the market acted on.
pub fn derisk(
    books: &mut DeriskBooks,
    views: &mut MarketViews,
    terms: &DeriskTerms,
) -> Result<DeriskOutcome> {
    let kind = MarginType::Derisk;
    let index = books.market.market_index;
    let mut outcome = DeriskOutcome {
        shortage: (terms.before.requirement as i128).safe_sub(terms.before.collateral)?,
        ..DeriskOutcome::default()
    };
    // Resting orders here go first: they count against margin, and a burn judged without them
    // could grow the worst case they leave.
    outcome.orders_cancelled = cancel_market_orders(books.user, index)?;
    let mut summary = terms.before;
    if outcome.orders_cancelled > 0 {
        summary = margin_summary(books.user, books.spot, views, kind)?;
        if summary.meets_requirement() {
            return Ok(outcome);
        }
    }
    let slot = find_position(books.user, index).ok_or(BalError::NothingToDerisk)?;
    let shares = books.user.perp_positions[slot].lp.shares.get();
    let context = BurnContext {
        views,
        slot,
        step: books.market.order_step_size as u128,
        margin: kind,
    };
    let needed = minimal_burn(books.user, &context, &summary)?;
    let burned = needed
        .unwrap_or(shares)
        .min(burnable_shares(books.market, shares)?);
    if burned > 0 {
        remove_shares(&mut books.user.perp_positions[slot], books.market, burned)?;
    }
    outcome.shares_burned = burned;
    views.set(MarketView::new(
        books.market,
        terms.oracle_price,
        terms.now,
    )?);
    if terms.may_trade && needed.is_none_or(|n| n > burned) {
        outcome.base_reduced = reduce_within_band(books, views, terms)?;
    }
    Ok(outcome)
}

/// What choosing a burn looks at.
struct BurnContext<'a> {
    views: &'a MarketViews,
    slot: usize,
    /// Shares burn in multiples of the market's step. precision: BASE
    step: u128,
    margin: MarginType,
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
fn minimal_burn(
    user: &User,
    context: &BurnContext,
    summary: &MarginSummary,
) -> Result<Option<u128>> {
    let stored = &user.perp_positions[context.slot];
    let view = context.views.find(stored.market_index)?;
    let settled = Settled {
        position: simulated_position(stored, view)?,
        view,
        ratio: context.margin.ratio(view, user),
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
    (rounded.min(reduction.base.unsigned_abs() as u128)).cast::<u64>()
}

/// After the burn left the account short: takes base off the position through the AMM within
/// the band around the oracle. Returns the base reduced; 0 when nothing here is left to reduce,
/// when something earlier in this second moved the curve against the reduction (whoever calls
/// a de-risk may not push the curve first and sell the LP into the push), or when the AMM
/// cannot fill inside the band (or its bounds): what is still short is then left to a later
/// de-risk or to liquidation.
fn reduce_within_band(
    books: &mut DeriskBooks,
    views: &MarketViews,
    terms: &DeriskTerms,
) -> Result<u64> {
    let summary = margin_summary(books.user, books.spot, views, MarginType::Derisk)?;
    let market = &*books.market;
    let Some(slot) = find_position(books.user, market.market_index) else {
        return Ok(0);
    };
    if summary.meets_requirement() {
        return Ok(0);
    }
    let position = books.user.perp_positions[slot];
    let ratio = MarginType::Derisk.ratio(views.find(market.market_index)?, books.user);
    let base = reduction_needed(
        &Reduction {
            summary: &summary,
            position_requirement: margin_requirement(
                position.base_asset_amount,
                terms.oracle_price,
                ratio,
            )?,
            base: position.base_asset_amount,
            price: terms.oracle_price,
            ratio,
        },
        market.order_step_size,
    )?
    // One fill's worth of quote at most; the next de-risk goes on.
    .min(floor_to_step(
        largest_fill_base(terms.oracle_price),
        market.order_step_size,
    ));
    if base == 0 {
        return Ok(0);
    }
    let selling = position.base_asset_amount > 0;
    let direction = if selling {
        PositionDirection::Short
    } else {
        PositionDirection::Long
    };
    if curve_moved_against(market, direction, terms.now)? {
        return Ok(0);
    }
    let order = TakerOrder {
        direction,
        base,
        limit_price: Some(reduction_limit(market, terms.oracle_price, selling)?),
        oracle_price: terms.oracle_price,
        fee_rate: terms.fee_rate,
        now: terms.now,
    };
    // Tried on copies and kept only if it keeps every reducing fill's no-debt rule
    // (`validate_reduction`): a de-risk may not leave an LP below zero, nor strip it of its
    // collateral, however close to maintenance it stands. What the AMM cannot fill inside the
    // band (or its bounds, or one fill's quote) is left for a later de-risk or a liquidation.
    let mut trial = DeriskTrial {
        user: Box::new(*books.user),
        spot: Box::new(*books.spot),
        market: Box::new(*books.market),
    };
    match trade_against_amm(&mut trial.user, &mut trial.spot, &mut trial.market, &order) {
        Ok(_) => {}
        Err(error)
            if error == BalError::LimitPriceExceeded.into()
                || error == BalError::PriceBandExceeded.into()
                || error == BalError::AmmReserveBounds.into()
                || error == BalError::AmountTooLarge.into() =>
        {
            return Ok(0);
        }
        Err(error) => return Err(error),
    }
    if !trial.keeps_the_reduction_rule(books, views, terms)? {
        return Ok(0);
    }
    *books.user = *trial.user;
    *books.spot = *trial.spot;
    *books.market = *trial.market;
    Ok(base)
}

/// A de-risk's reduction, traded on copies of its accounts.
struct DeriskTrial {
    user: Box<User>,
    spot: Box<SpotMarket>,
    market: Box<PerpMarket>,
}

impl DeriskTrial {
    /// Whether the trial keeps the no-debt rule against the accounts as they stand (`books`).
    fn keeps_the_reduction_rule(
        &self,
        books: &DeriskBooks,
        views: &MarketViews,
        terms: &DeriskTerms,
    ) -> Result<bool> {
        let before = margin_summary(books.user, books.spot, views, MarginType::Reduction)?;
        let mut after_views = views.clone();
        after_views.set(MarketView::new(
            &self.market,
            terms.oracle_price,
            terms.now,
        )?);
        let after = margin_summary(&self.user, &self.spot, &after_views, MarginType::Reduction)?;
        Ok(keeps_reduction_rule(&before, &after))
    }
}
