//! The margin engine: collateral and requirements over every position of a `User`.
//!
//! Markets other than the one an instruction names arrive as remaining accounts, in pairs:
//! for each other active position, in slot order, its `PerpMarket` then that market's oracle.
use crate::error::BalError;
use crate::math::constants::{
    LIQUIDATION_MARGIN_BUFFER, LP_MARGIN_BUFFER, MARGIN_PRECISION, PERCENTAGE_PRECISION,
};
use crate::math::funding::funding_payment;
use crate::math::lp_books::{apply_lp_settlement, LpAccumulators};
use crate::math::margin::{base_value, margin_requirement, payable_pnl};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::read::balances::signed_token_amount;
use crate::read::second_start::current_gain_shortfall;
use crate::state::{PerpMarket, PerpPosition, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// What margin needs of one market, copied out so no account stays borrowed.
#[derive(Clone, Copy, Debug)]
pub struct MarketView {
    pub market_index: u16,
    /// precision: PRICE
    pub oracle_price: u64,
    /// precision: FUNDING_RATE
    pub cumulative_funding_rate: i64,
    pub margin_ratio_initial: u32,
    pub margin_ratio_maintenance: u32,
    pub unrealized_pnl_asset_weight: u32,
    pub lp: LpAccumulators,
    /// Base the AMM would buy before its base reserve reaches the upper bound (traders
    /// selling): an LP's bids per share of `sqrt_k`. precision: BASE
    pub amm_bid_depth: u128,
    /// Base the AMM would sell before its base reserve reaches the lower bound (traders
    /// buying): an LP's asks per share of `sqrt_k`. precision: BASE
    pub amm_ask_depth: u128,
    /// precision: BASE
    pub sqrt_k: u128,
    /// What the market's winners could not be paid at `oracle_price`; every winner's gain
    /// counts less this (`math::margin::payable_pnl`), or less `gain_shortfall_before`, as
    /// `MarginType::counted_shortfall` says. precision: QUOTE
    pub gain_shortfall: u128,
    /// The shortfall before this second's first oracle read of the market (the current one if
    /// nothing read it yet this second): what it was before any trade in this transaction.
    /// precision: QUOTE
    pub gain_shortfall_before: u128,
    /// The oracle's five-minute TWAP (0 before any): a withdrawal values gains at the worse of
    /// it and the price. precision: PRICE
    pub oracle_twap_5min: u64,
    /// The oracle could not be used (stale or too uncertain) and `oracle_price` is the last
    /// price the market read (`read::market_views`): see `MarginType::guards_stale`.
    pub stale: bool,
}

impl MarketView {
    /// `market` valued at `oracle_price` inside a transaction at unix time `now`.
    pub fn new(market: &PerpMarket, oracle_price: u64, now: i64) -> Result<Self> {
        let mut view = MarketView::current(market, oracle_price)?;
        let snapshot = &market.second_start;
        if snapshot.ts == now {
            view.gain_shortfall_before = snapshot.shortfall.get();
        }
        Ok(view)
    }

    /// `market` valued at `oracle_price` as it stands, as a transaction in a later second
    /// sees it: clients' and keepers' reads.
    pub fn current(market: &PerpMarket, oracle_price: u64) -> Result<Self> {
        let amm = &market.amm;
        let base = amm.base_asset_reserve.get();
        let gain_shortfall = current_gain_shortfall(market, oracle_price)?;
        Ok(MarketView {
            market_index: market.market_index,
            oracle_price,
            cumulative_funding_rate: market.funding.cumulative_funding_rate,
            margin_ratio_initial: market.margin_ratio_initial,
            margin_ratio_maintenance: market.margin_ratio_maintenance,
            unrealized_pnl_asset_weight: market.unrealized_pnl_asset_weight,
            lp: LpAccumulators::of(market),
            amm_bid_depth: amm.max_base_asset_reserve.get().saturating_sub(base),
            amm_ask_depth: base.saturating_sub(amm.min_base_asset_reserve.get()),
            sqrt_k: amm.sqrt_k.get(),
            gain_shortfall,
            gain_shortfall_before: gain_shortfall,
            oracle_twap_5min: amm.oracle_twap_5min,
            stale: false,
        })
    }

    /// The same market valued at its five-minute oracle TWAP.
    fn at_twap(&self) -> MarketView {
        MarketView {
            oracle_price: self.oracle_twap_5min,
            ..*self
        }
    }
}

/// An LP's open orders: the base it would buy (bids, when traders sell) and sell (asks, when
/// traders buy) as its share of the AMM's depth to the curve bounds. precision: BASE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LpOpenOrders {
    pub bids: u128,
    pub asks: u128,
}

pub fn lp_open_orders(position: &PerpPosition, view: &MarketView) -> Result<LpOpenOrders> {
    let shares = position.lp.shares.get();
    if shares == 0 {
        return Ok(LpOpenOrders::default());
    }
    Ok(LpOpenOrders {
        bids: mul_div_floor(view.amm_bid_depth, shares, view.sqrt_k)?,
        asks: mul_div_floor(view.amm_ask_depth, shares, view.sqrt_k)?,
    })
}

/// The position as `settle_lp` would leave it (the position itself when it has no shares).
pub fn simulated_position(position: &PerpPosition, view: &MarketView) -> Result<PerpPosition> {
    let mut simulated = *position;
    apply_lp_settlement(&mut simulated, &view.lp)?;
    Ok(simulated)
}

/// The base margin counts for a position: the worse of its base plus every bid filled (its
/// resting orders' and, for an LP, its share of the AMM's) or minus every ask filled.
pub fn worst_case_base(position: &PerpPosition, view: &MarketView) -> Result<i64> {
    let orders = lp_open_orders(position, view)?;
    let base = position.base_asset_amount as i128;
    let long = base
        .safe_add(orders.bids as i128)?
        .safe_add(position.open_bids as i128)?;
    let short = base
        .safe_sub(orders.asks as i128)?
        .safe_sub(position.open_asks as i128)?;
    let worst = if long.unsigned_abs() >= short.unsigned_abs() {
        long
    } else {
        short
    };
    worst.cast::<i64>()
}

/// The markets a margin calculation may look up, passed by reference (a slice would take two
/// of the v0 VM's five argument registers).
#[derive(Clone, Debug, Default)]
pub struct MarketViews(pub Vec<MarketView>);

impl MarketViews {
    /// The view of `market_index`, if there is one.
    pub fn get(&self, market_index: u16) -> Option<&MarketView> {
        self.0.iter().find(|v| v.market_index == market_index)
    }

    /// The view of `market_index`; refuses (`MarginAccountMissing`) when there is none.
    pub fn find(&self, market_index: u16) -> Result<&MarketView> {
        self.get(market_index)
            .ok_or_else(|| error!(BalError::MarginAccountMissing))
    }

    /// Whether every active position of `user` has its market here.
    pub fn cover(&self, user: &User) -> bool {
        user.perp_positions
            .iter()
            .filter(|p| p.is_active())
            .all(|p| self.get(p.market_index).is_some())
    }

    /// Adds `view`, replacing the view of the same market if there is one (the market an
    /// instruction writes is re-read after each change).
    pub fn set(&mut self, view: MarketView) {
        match self
            .0
            .iter_mut()
            .find(|v| v.market_index == view.market_index)
        {
            Some(existing) => *existing = view,
            None => self.0.push(view),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarginType {
    /// To open or increase risk.
    Initial,
    /// Initial margin with gains counted as for a liquidation (the smaller shortfall): what a
    /// de-risk judges an LP by, so a trade earlier in the transaction cannot force a healthy LP
    /// into one.
    Derisk,
    /// To withdraw: initial margin, with every gain valued at the worse of the oracle price
    /// and its five-minute TWAP, so a print the TWAP does not support cannot be withdrawn.
    Withdrawal,
    /// Below it, the account can be liquidated.
    Maintenance,
    /// Maintenance margin with gains counted as for opening risk (the larger shortfall): what a
    /// fill that does not grow risk is judged by (`controller::trade::validate_reduction`),
    /// which lets it through, so it must count no gain a trade earlier in the transaction freed.
    Reduction,
    /// Where a liquidation stops: maintenance plus `LIQUIDATION_MARGIN_BUFFER`, at most the
    /// initial ratio.
    Liquidation,
}

impl MarginType {
    /// The shortfall gains count less under this margin: the larger of the current one and
    /// the one before this second's first trade for what adds risk, takes collateral out or
    /// lets a reducing fill through; the smaller for a de-risk; the one before alone for
    /// maintenance and a liquidation (whether it applies, how far it goes and what it pays). A
    /// trade and its unwind in one transaction move the current shortfall either way (a fill
    /// away from the oracle lowers it, one toward it raises it), so none of them can free a
    /// gain the pool will not pay, cut one to liquidate or de-risk its holder, or change what
    /// a liquidator earns.
    pub fn counted_shortfall(self, view: &MarketView) -> u128 {
        let (now, before) = (view.gain_shortfall, view.gain_shortfall_before);
        match self {
            MarginType::Initial | MarginType::Withdrawal | MarginType::Reduction => now.max(before),
            MarginType::Derisk => now.min(before),
            MarginType::Maintenance | MarginType::Liquidation => before,
        }
    }

    /// Whether this margin guards against a market valued at its last price: opening risk,
    /// withdrawing and the reduction rule count no gain there and ask for the position's whole
    /// notional, so nobody takes value out, adds risk or trades value away on a price nobody
    /// can confirm (a reduction that lowers the requirement still passes the rule, so closes
    /// elsewhere go on). Maintenance, liquidation and de-risk value it as it last stood: a feed
    /// left stale, even on purpose, is never the reason an account is liquidated or de-risked.
    pub fn guards_stale(self) -> bool {
        matches!(
            self,
            MarginType::Initial | MarginType::Withdrawal | MarginType::Reduction
        )
    }

    /// The ratio this margin applies to a position in `view`'s market for `user`.
    /// precision: MARGIN
    pub fn ratio(self, view: &MarketView, user: &User) -> u32 {
        if view.stale && self.guards_stale() {
            return MARGIN_PRECISION;
        }
        match self {
            MarginType::Initial | MarginType::Withdrawal | MarginType::Derisk => {
                view.margin_ratio_initial.max(user.custom_margin_ratio)
            }
            MarginType::Maintenance | MarginType::Reduction => view.margin_ratio_maintenance,
            MarginType::Liquidation => view
                .margin_ratio_maintenance
                .saturating_add(LIQUIDATION_MARGIN_BUFFER)
                .min(view.margin_ratio_initial),
        }
    }
}

/// Collateral against requirement. precision: QUOTE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MarginSummary {
    pub collateral: i128,
    pub requirement: u128,
}

impl MarginSummary {
    pub fn meets_requirement(&self) -> bool {
        self.collateral >= self.requirement as i128
    }
}

/// Unrealized P&L of a position at `view`'s price, unsettled funding included. precision: QUOTE
pub fn position_pnl(position: &PerpPosition, view: &MarketView) -> Result<i128> {
    let funding_delta = view
        .cumulative_funding_rate
        .safe_sub(position.last_cumulative_funding_rate)?;
    let funding = funding_payment(position.base_asset_amount, funding_delta)?;
    base_value(position.base_asset_amount, view.oracle_price)?
        .safe_add(position.quote_asset_amount.get())?
        .safe_add(funding)
}

/// What the account would be worth closed at `views`' prices: its quote balance plus every
/// position's unrealized P&L (LP entitlement and unsettled funding included), undiscounted.
/// Not used by the program itself: integrators price shares of an account with it (the
/// example vault sells its shares at it), and the tests check no settle raises it.
/// precision: QUOTE
pub fn net_value(user: &User, spot: &SpotMarket, views: &MarketViews) -> Result<i128> {
    value_counting(user, spot, views, |pnl, _| Ok(pnl))
}

/// `net_value` with each gain counted only as far as its market's P&L pool will pay it: less
/// the market's gain shortfall as a withdrawal counts it (the larger of now and the start of
/// the second, `MarginType::counted_shortfall`), losses in full. What an integrator pays out
/// for a share of the account (the example vault redeems its shares at it), so nobody is paid
/// from others' cash for a claim the pool may never pay. precision: QUOTE
pub fn payable_value(user: &User, spot: &SpotMarket, views: &MarketViews) -> Result<i128> {
    value_counting(user, spot, views, |pnl, view| {
        let shortfall = MarginType::Withdrawal.counted_shortfall(view);
        payable_pnl(pnl, shortfall, PERCENTAGE_PRECISION)
    })
}

/// The quote balance plus every position's unrealized P&L as `count` counts it.
fn value_counting(
    user: &User,
    spot: &SpotMarket,
    views: &MarketViews,
    count: impl Fn(i128, &MarketView) -> Result<i128>,
) -> Result<i128> {
    let mut value = signed_token_amount(&user.quote_balance, spot)?;
    for stored in user.perp_positions.iter().filter(|p| p.is_active()) {
        let view = views.find(stored.market_index)?;
        let pnl = position_pnl(&simulated_position(stored, view)?, view)?;
        value = value.safe_add(count(pnl, view)?)?;
    }
    Ok(value)
}

/// Collateral (quote balance plus unrealized P&L: losses in full, gains only as far as their
/// market can pay them, weighted) and the requirement of `kind` over every active position;
/// each must have its market in `views`.
pub fn margin_summary(
    user: &User,
    spot: &SpotMarket,
    views: &MarketViews,
    kind: MarginType,
) -> Result<MarginSummary> {
    let mut summary = MarginSummary {
        collateral: signed_token_amount(&user.quote_balance, spot)?,
        requirement: 0,
    };
    for stored in user.perp_positions.iter().filter(|p| p.is_active()) {
        let view = views.find(stored.market_index)?;
        let position = &simulated_position(stored, view)?;
        let mut pnl = position_pnl(position, view)?;
        if kind == MarginType::Withdrawal && view.oracle_twap_5min > 0 {
            pnl = pnl.min(position_pnl(position, &view.at_twap())?);
        }
        if view.stale && kind.guards_stale() {
            pnl = pnl.min(0);
        }
        let shortfall = kind.counted_shortfall(view);
        let counted = payable_pnl(pnl, shortfall, view.unrealized_pnl_asset_weight)?;
        summary.collateral = summary.collateral.safe_add(counted)?;
        let ratio = kind.ratio(view, user);
        let mut requirement =
            margin_requirement(worst_case_base(position, view)?, view.oracle_price, ratio)?;
        if position.lp.shares.get() > 0 {
            requirement = requirement.safe_add(LP_MARGIN_BUFFER)?;
        }
        summary.requirement = summary.requirement.safe_add(requirement)?;
    }
    Ok(summary)
}

/// Refuses unless the account meets its initial margin.
pub fn validate_initial_margin(user: &User, spot: &SpotMarket, views: &MarketViews) -> Result<()> {
    validate_margin(user, spot, views, MarginType::Initial)
}

/// Refuses (`InsufficientCollateral`) unless the account meets its margin of `kind`.
pub fn validate_margin(
    user: &User,
    spot: &SpotMarket,
    views: &MarketViews,
    kind: MarginType,
) -> Result<()> {
    let summary = margin_summary(user, spot, views, kind)?;
    validate!(
        summary.meets_requirement(),
        BalError::InsufficientCollateral,
        "collateral {} < requirement {}",
        summary.collateral,
        summary.requirement
    );
    Ok(())
}
