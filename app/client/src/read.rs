//! The read side: account decoding and the numbers a wallet shows, computed with the program's
//! own margin and LP code so they match what the program will do — the position `settle_lp`
//! would leave, an LP's open bids/asks, the margin summary, and the prices at which the account
//! would fall below its initial margin (de-risk) or maintenance margin (liquidation).
use anchor_lang::Discriminator;
use bal::math::constants::{BASE_PRECISION, MARGIN_PER_POSITION, MARGIN_PRECISION};
use bal::read::margin::{
    lp_open_orders, margin_summary, simulated_position, LpOpenOrders, MarginSummary, MarginType,
    MarketView, MarketViews,
};
use bal::read::position::find_position;
use bal::state::{PerpMarket, PerpPosition, SpotMarket, User};

/// Why account data could not be read as the asked type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than the discriminator plus the layout.
    TooShort,
    /// Another account type.
    WrongDiscriminator,
}

/// Reads a zero-copy account (`User`, `PerpMarket`, `SpotMarket`, ...) from its data.
pub fn decode<T: bytemuck::Pod + Discriminator>(data: &[u8]) -> Result<T, DecodeError> {
    let tag = T::DISCRIMINATOR.len();
    let end = tag + std::mem::size_of::<T>();
    if data.len() < end {
        return Err(DecodeError::TooShort);
    }
    if data[..tag] != *T::DISCRIMINATOR {
        return Err(DecodeError::WrongDiscriminator);
    }
    Ok(bytemuck::pod_read_unaligned(&data[tag..end]))
}

/// A market as the client sees it: the account and the oracle price to value it at.
#[derive(Clone, Copy, Debug)]
pub struct PricedMarket<'a> {
    pub market: &'a PerpMarket,
    /// precision: PRICE
    pub oracle_price: u64,
}

fn views(markets: &[PricedMarket]) -> Option<MarketViews> {
    markets
        .iter()
        .map(|m| MarketView::current(m.market, m.oracle_price).ok())
        .collect::<Option<Vec<_>>>()
        .map(MarketViews)
}

/// The user's position in `market` as `settle_lp` would leave it (the position itself without
/// LP shares); `None` without a position there.
pub fn simulate_settle(user: &User, market: &PricedMarket) -> Option<PerpPosition> {
    let slot = find_position(user, market.market.market_index)?;
    let view = MarketView::current(market.market, market.oracle_price).ok()?;
    simulated_position(&user.perp_positions[slot], &view).ok()
}

/// The LP's open orders in `market`: bids (what it buys when traders sell) and asks (what it
/// sells when traders buy), as the margin engine counts them. precision: BASE
pub fn open_orders(user: &User, market: &PricedMarket) -> LpOpenOrders {
    let view = MarketView::current(market.market, market.oracle_price).ok();
    find_position(user, market.market.market_index)
        .zip(view)
        .and_then(|(slot, view)| lp_open_orders(&user.perp_positions[slot], &view).ok())
        .unwrap_or_default()
}

/// Collateral, requirement, free collateral and leverage of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarginReport {
    pub summary: MarginSummary,
    /// Collateral above the requirement (negative when short). precision: QUOTE
    pub free_collateral: i128,
    /// Worst-case notional over collateral. precision: MARGIN (10,000 = 1x); `None` when the
    /// collateral is not positive.
    pub leverage: Option<u128>,
}

/// The account's margin of `kind` over `markets` (every market it holds a position in).
pub fn margin(
    user: &User,
    spot: &SpotMarket,
    markets: &[PricedMarket],
    kind: MarginType,
) -> Option<MarginReport> {
    let views = views(markets)?;
    let summary = margin_summary(user, spot, &views, kind).ok()?;
    let worst_notional = worst_notional(user, &views);
    Some(MarginReport {
        summary,
        free_collateral: summary.collateral - summary.requirement as i128,
        leverage: (summary.collateral > 0)
            .then(|| worst_notional * MARGIN_PRECISION as u128 / summary.collateral as u128),
    })
}

/// Σ |worst-case base| × oracle price over the account's positions. precision: QUOTE
fn worst_notional(user: &User, views: &MarketViews) -> u128 {
    user.perp_positions
        .iter()
        .filter(|p| p.is_active())
        .filter_map(|p| {
            let view = views.0.iter().find(|v| v.market_index == p.market_index)?;
            let settled = simulated_position(p, view).ok()?;
            let base = bal::read::margin::worst_case_base(&settled, view).ok()?;
            Some(base.unsigned_abs() as u128 * view.oracle_price as u128 / BASE_PRECISION)
        })
        .sum()
}

/// The oracle price of `markets[index]` (others held) at which the account stops meeting its
/// margin of `kind`: found by bisection between the current price and the side where the
/// account loses (down for a net long worst case, up for a net short). `None` when it meets the
/// requirement across that whole range, or already fails it. precision: PRICE
pub fn threshold_price(
    user: &User,
    spot: &SpotMarket,
    markets: &[PricedMarket],
    target: (usize, MarginType),
) -> Option<u64> {
    let (index, kind) = target;
    let meets_at = |price: u64| -> Option<bool> {
        Some(margin_at(user, spot, markets, (index, kind, price))? >= 0)
    };
    let now = markets.get(index)?.oracle_price;
    if !meets_at(now)? {
        return None;
    }
    // Which way hurts: the worse of 10% down or 10% up.
    let down = now - now / 10;
    let up = now + now / 10;
    let falling_hurts = margin_at(user, spot, markets, (index, kind, down))?
        <= margin_at(user, spot, markets, (index, kind, up))?;
    let (mut good, mut bad) = if falling_hurts {
        (now, 1u64)
    } else {
        (now, now.saturating_mul(100))
    };
    if meets_at(bad)? {
        return None;
    }
    while good.abs_diff(bad) > 1 {
        let mid = good / 2 + bad / 2 + (good % 2 + bad % 2) / 2;
        if meets_at(mid)? {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Some(bad)
}

/// Collateral above the requirement of `kind` with `markets[index]` at `price`.
fn margin_at(
    user: &User,
    spot: &SpotMarket,
    markets: &[PricedMarket],
    at: (usize, MarginType, u64),
) -> Option<i128> {
    let (index, kind, price) = at;
    let mut priced = markets.to_vec();
    priced[index].oracle_price = price;
    let summary = margin_summary(user, spot, &views(&priced)?, kind).ok()?;
    Some(summary.collateral - summary.requirement as i128)
}

/// The price of `markets[index]` below which (for a long) or above which (for a short) an LP
/// would be de-risked: where the account falls below its initial margin.
pub fn derisk_price(
    user: &User,
    spot: &SpotMarket,
    markets: &[PricedMarket],
    index: usize,
) -> Option<u64> {
    threshold_price(user, spot, markets, (index, MarginType::Initial))
}

/// The price of `markets[index]` at which the account could be liquidated: where it falls
/// below its maintenance margin.
pub fn liquidation_price(
    user: &User,
    spot: &SpotMarket,
    markets: &[PricedMarket],
    index: usize,
) -> Option<u64> {
    threshold_price(user, spot, markets, (index, MarginType::Maintenance))
}

/// How much base of `markets[index]` the account could take over (as a liquidator does, at
/// that market's oracle price) and still meet its initial margin: its free initial collateral
/// over what one more base requires, rounded down. precision: BASE
pub fn takeover_capacity(
    user: &User,
    spot: &SpotMarket,
    markets: &[PricedMarket],
    index: usize,
) -> Option<u64> {
    let report = margin(user, spot, markets, MarginType::Initial)?;
    // A new position also needs the per-position minimum.
    let free = u128::try_from(report.free_collateral - MARGIN_PER_POSITION as i128).ok()?;
    let target = markets.get(index)?;
    let ratio = target
        .market
        .margin_ratio_initial
        .max(user.custom_margin_ratio) as u128;
    let per_base = (target.oracle_price as u128 * ratio).div_ceil(MARGIN_PRECISION as u128);
    u64::try_from(free * BASE_PRECISION / per_base.max(1)).ok()
}
