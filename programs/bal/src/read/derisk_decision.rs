//! Whether an LP is de-risked: one decision for `settle_pnl`, `settle_pnl_many` and
//! `derisk_lp` (`controller::derisk` then does it).
use crate::math::price_band::PriceBand;
use crate::read::margin::{margin_summary, MarginSummary, MarginType, MarketViews};
use crate::read::position::find_position;
use crate::state::{PerpMarket, PositionDirection};
use crate::state::{SpotMarket, User};
use anchor_lang::prelude::*;

/// Whether a de-risk applies to an account in one market, and if not, why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeriskDecision {
    /// It holds LP shares here, did not opt out, its LP cooldown has ended, and it is below its
    /// initial margin (`MarginType::Derisk`), by the summary given.
    Applies(MarginSummary),
    /// No shares here, or the account meets its initial margin.
    NotNeeded,
    /// The account opted out: only a liquidation (below maintenance) acts on it.
    OptedOut,
    /// Its LP cooldown since the last add still runs: the shares stay until it ends (only a
    /// liquidation, below maintenance, burns them sooner). A de-risk is a removal nobody may
    /// make early, or an owner could push the curve from another account, close the LP's
    /// position into the push and have its shares released by the loss it made itself.
    InCooldown,
    /// A market the account holds a position in is not among the views (a keeper's batch
    /// passes none), so its margin cannot be judged here.
    CannotJudge,
}

/// What a de-risk decision reads besides the account.
pub struct DeriskJudge<'a> {
    pub spot: &'a SpotMarket,
    /// Every market the account holds, the one acted on current.
    pub views: &'a MarketViews,
    pub market_index: u16,
    pub now: i64,
    /// `State::lp_cooldown_seconds`.
    pub cooldown_seconds: i64,
}

/// The one de-risk rule: see `DeriskDecision`.
pub fn derisk_decision(user: &User, judge: &DeriskJudge) -> Result<DeriskDecision> {
    let holds_shares = find_position(user, judge.market_index)
        .is_some_and(|slot| user.perp_positions[slot].lp.shares.get() > 0);
    if !holds_shares {
        return Ok(DeriskDecision::NotNeeded);
    }
    if user.derisk_opt_out == 1 {
        return Ok(DeriskDecision::OptedOut);
    }
    if judge.now
        < user
            .last_add_liquidity_ts
            .saturating_add(judge.cooldown_seconds)
    {
        return Ok(DeriskDecision::InCooldown);
    }
    if !judge.views.cover(user) {
        return Ok(DeriskDecision::CannotJudge);
    }
    let summary = margin_summary(user, judge.spot, judge.views, MarginType::Derisk)?;
    Ok(if summary.meets_requirement() {
        DeriskDecision::NotNeeded
    } else {
        DeriskDecision::Applies(summary)
    })
}

/// A fill made to de-risk may not average further than this from the oracle.
/// precision: PERCENTAGE
#[anchor_lang::constant]
pub const DERISK_PRICE_BAND: u32 = 20_000;

/// The worst average price a de-risking fill may take: `DERISK_PRICE_BAND` around the oracle,
/// or the market's own price band where that is narrower, against the direction of the fill.
/// precision: PRICE
pub fn reduction_limit(market: &PerpMarket, oracle_price: u64, selling: bool) -> Result<u64> {
    let band = PriceBand::around(oracle_price, DERISK_PRICE_BAND.min(market.amm.price_band))?;
    Ok(band.worst_for(if selling {
        PositionDirection::Short
    } else {
        PositionDirection::Long
    }))
}
