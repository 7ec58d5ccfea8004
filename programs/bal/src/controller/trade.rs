//! A taker's trade against the AMM, booked on the market, the position and the fee pool.
use crate::controller::amm_fill::book_amm_fill;
use crate::controller::fees::{book_amm_side, charge, AmmSide};
use crate::controller::position::{book_fill, Booking};
use crate::controller::spot_balance::update_quote_balance;
use crate::error::BalError;
use crate::math::lp_books::LpTake;
use crate::math::position::{add_to_break_even, release_if_empty};
use crate::math::price_band::{no_worse_than, validate_fill_in_band, QuoteFill};
use crate::read::amm_quote::{fill_price, quote_amm_fill};
use crate::read::margin::{
    margin_summary, simulated_position, worst_case_base, MarginSummary, MarginType, MarketView,
    MarketViews,
};
use crate::read::position::find_position;
use crate::read::position::increases_risk;
use crate::state::MarketAction;
use crate::state::PositionDirection;
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
    /// What the fee pool kept of the fee (the LPs' slice went to the P&L pool).
    /// precision: QUOTE
    pub fee_kept: u64,
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

/// What a fill's margin rule compares for the position it trades: the base (its LP
/// entitlement settled) and the worst case margin counts for it (`worst_case_base`: every bid
/// or every ask filled, its resting orders' and, for an LP, its share of the AMM's depth).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PositionRisk {
    /// precision: BASE
    pub base: i64,
    /// |worst case|. precision: BASE
    pub worst: u64,
}

impl PositionRisk {
    /// The position `user` holds in `view`'s market (none: zero).
    pub fn of(user: &User, view: &MarketView) -> Result<Self> {
        let Some(slot) = find_position(user, view.market_index) else {
            return Ok(PositionRisk::default());
        };
        let position = simulated_position(&user.perp_positions[slot], view)?;
        Ok(PositionRisk {
            base: position.base_asset_amount,
            worst: worst_case_base(&position, view)?.unsigned_abs(),
        })
    }

    /// Whether going from `self` to `after` adds risk: the position grew or turned, or its
    /// worst case grew (an LP's sale that shrinks a long can lengthen its short worst case).
    pub fn grows_into(&self, after: &PositionRisk) -> bool {
        increases_risk(self.base, after.base) || after.worst > self.worst
    }
}

/// A party to a fill as its margin rule needs it before the fill.
#[derive(Clone, Copy, Debug)]
pub struct BeforeFill {
    pub risk: PositionRisk,
    /// `MarginType::Reduction` over the whole account, when the fill may shrink the position
    /// (only a fill that does not grow its base can be judged by the reducing rule).
    pub margin: Option<MarginSummary>,
}

impl BeforeFill {
    /// `user` before a fill in `direction` in `market_index`; `views` holds every market it
    /// has a position in.
    pub fn of(
        user: &User,
        spot: &SpotMarket,
        views: &MarketViews,
        side: &FillSide,
    ) -> Result<Self> {
        let risk = PositionRisk::of(user, views.find(side.market_index)?)?;
        let shrinks = match side.direction {
            PositionDirection::Long => risk.base < 0,
            PositionDirection::Short => risk.base > 0,
        };
        let margin = if shrinks {
            Some(margin_summary(user, spot, views, MarginType::Reduction)?)
        } else {
            None
        };
        Ok(BeforeFill { risk, margin })
    }
}

/// The market and side of a party's fill.
#[derive(Clone, Copy, Debug)]
pub struct FillSide {
    pub market_index: u16,
    pub direction: PositionDirection,
}

/// A party to a fill after it: the account, how it stood before, and the margin it must meet
/// if the fill grew its risk (initial for a taker; maintenance for a maker, whose order
/// already counted against its initial margin when placed).
pub struct FilledParty<'a> {
    pub user: &'a User,
    pub before: &'a BeforeFill,
    pub grown: MarginType,
}

/// The one margin rule after any fill (a trade, a close, each party of `fill_order`). A fill
/// that grew the position's risk needs an active market and the party's `grown` margin. Any
/// other fill needs an active or reduce-only market and may not manufacture debt
/// (`validate_reduction`): so a reduce-only close into a curve someone pushed cannot leave the
/// account below zero for a write-off to pay, nor strip an account below maintenance of its
/// collateral while its position stays. `views` must hold the traded market as it stands
/// after the fill.
pub fn validate_after_fill(
    party: &FilledParty,
    spot: &SpotMarket,
    views: &MarketViews,
    market: &PerpMarket,
) -> Result<()> {
    let status = market.status()?;
    let after = PositionRisk::of(party.user, views.find(market.market_index)?)?;
    if party.before.risk.grows_into(&after) {
        status.check(MarketAction::OpenRisk)?;
        let summary = margin_summary(party.user, spot, views, party.grown)?;
        validate!(
            summary.meets_requirement(),
            BalError::InsufficientCollateral,
            "collateral {} < requirement {}",
            summary.collateral,
            summary.requirement
        );
        return Ok(());
    }
    status.check(MarketAction::Reduce)?;
    // Not grown. A fill on the position's side always grows it, so either this party did not
    // trade at all (a maker the AMM went ahead of) or the fill went against the position, and
    // its margin before was taken.
    match party.before.margin {
        None => Ok(()),
        Some(before) => validate_reduction(
            &before,
            &margin_summary(party.user, spot, views, MarginType::Reduction)?,
        ),
    }
}

/// The reducing-fill rule of `validate_after_fill`, on the account's `MarginType::Reduction`
/// margin before and after: the account meets maintenance afterwards, or it keeps at least the
/// share of its requirement its collateral covered before (collateral × requirement never
/// falls behind; an account already at or below zero may not lose more). Then the shortfall
/// never grows and no collateral is left behind a position for its owner's other account to
/// take.
pub fn validate_reduction(before: &MarginSummary, after: &MarginSummary) -> Result<()> {
    validate!(
        keeps_reduction_rule(before, after),
        BalError::ReductionWorsensMargin,
        "collateral {} -> {}, maintenance {} -> {}",
        before.collateral,
        after.collateral,
        before.requirement,
        after.requirement
    );
    Ok(())
}

/// `validate_reduction`'s rule as a predicate.
pub fn keeps_reduction_rule(before: &MarginSummary, after: &MarginSummary) -> bool {
    if after.meets_requirement() {
        return true;
    }
    if before.collateral > 0 {
        // C' / R' ≥ C / R, as C' × R ≥ C × R' (both products fit: collateral and requirement
        // are quote amounts far inside 64 bits).
        let kept = after.collateral.saturating_mul(before.requirement as i128);
        kept >= before.collateral.saturating_mul(after.requirement as i128)
    } else {
        after.collateral >= before.collateral
    }
}

/// Fills `order` against the AMM for `user`, within its limit and the market's price band
/// (`math::price_band`). The fee (rounded up) is taken from the quote balance into the
/// market's fee pool at once.
pub fn trade_against_amm(
    user: &mut User,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
    order: &TakerOrder,
) -> Result<TradeOutcome> {
    let fill = quote_amm_fill(market, order.direction, order.base, order.oracle_price)?;
    let price = fill_price(fill.base, fill.quote)?;
    let amounts = QuoteFill {
        base: fill.base,
        quote: fill.quote,
    };
    if let Some(limit) = order.limit_price {
        validate!(
            no_worse_than(order.direction, &amounts, limit)?,
            BalError::LimitPriceExceeded,
            "fill price {} limit {}",
            price,
            limit
        );
    }
    validate_fill_in_band(
        order.direction,
        &amounts,
        &market.price_band(order.oracle_price)?,
    )?;
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

    let fee = charge(fill.quote, order.fee_rate)?;
    add_to_break_even(position, -(fee as i128))?;
    release_if_empty(position);
    update_quote_balance(&mut user.quote_balance, spot, -(fee as i128))?;
    // The AMM took the other side: the LPs share it pro rata, with their slice of the fee.
    let fee_kept = book_amm_side(
        market,
        spot,
        &AmmSide {
            trader_base: trader.base as i128,
            trader_quote: trader.quote as i128,
            fee,
            take: Some(LpTake::Shared),
        },
    )?;
    Ok(TradeOutcome {
        base: fill.base,
        quote: fill.quote,
        fee,
        fee_kept,
        price,
        realized_pnl: booked.realized_pnl,
        base_before: booked.base_before,
        base_after,
    })
}
