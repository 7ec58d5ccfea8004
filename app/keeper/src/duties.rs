//! What a market needs this round, decided from one snapshot with the client's read side (the
//! program's own margin and LP code). A decision only nominates: every transaction is simulated
//! before it is sent, so a candidate that no longer needs the duty costs a simulation, not a
//! fee.
use crate::config::Thresholds;
use crate::snapshot::{MarketState, Snapshot};
use anchor_lang::prelude::Pubkey;
use bal::controller::amm_fill::{amm_best_price, PositionDirection};
use bal::controller::margin::{position_pnl, MarginType, MarketView};
use bal::instructions::fill_order::MAX_MAKERS;
use bal::state::{PerpPosition, User};
use bal_client::instructions::MakerOrderRef;
use bal_client::read::{margin, simulate_settle, PricedMarket};

/// A taker order to fill, with the makers that cross it (best first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fill {
    pub taker: Pubkey,
    pub order_id: u32,
    pub makers: Vec<MakerOrderRef>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub update_funding: bool,
    /// LPs whose unsettled base reached the threshold, or that may need a de-risk.
    pub settle_lps: Vec<Pubkey>,
    /// LPs below initial margin that did not opt out.
    pub derisk: Vec<Pubkey>,
    /// Positions whose P&L reached the threshold.
    pub settle_pnl: Vec<Pubkey>,
    pub fills: Vec<Fill>,
    /// Accounts below maintenance margin (other than the keeper's own).
    pub liquidate: Vec<Pubkey>,
}

/// Whether `user`'s margin of `kind` falls short, at the snapshot's oracle prices.
fn below(snapshot: &Snapshot, user: &User, kind: MarginType) -> bool {
    snapshot.priced_for(user).is_some_and(|priced| {
        margin(user, &snapshot.spot, &priced, kind)
            .is_some_and(|report| !report.summary.meets_requirement())
    })
}

/// How much base `settle_lp` would move into the position, and the settled position's P&L at
/// the oracle.
fn settled_view(position: &PerpPosition, state: &MarketState, user: &User) -> Option<(u64, i128)> {
    let price = state.oracle_price?;
    let priced = PricedMarket {
        market: &state.market,
        oracle_price: price,
    };
    let settled = simulate_settle(user, &priced)?;
    let pnl = position_pnl(&settled, &MarketView::new(&state.market, price)).ok()?;
    let unsettled_base = settled
        .base_asset_amount
        .abs_diff(position.base_asset_amount);
    Some((unsettled_base, pnl))
}

pub fn plan(
    snapshot: &Snapshot,
    state: &MarketState,
    thresholds: &Thresholds,
    keeper_user: Option<Pubkey>,
) -> Plan {
    let market = &state.market;
    let mut plan = Plan {
        update_funding: snapshot.now
            >= market
                .funding
                .last_funding_ts
                .saturating_add(market.funding.funding_period),
        ..Plan::default()
    };
    for (key, user) in &snapshot.users {
        let Some(position) = user
            .perp_positions
            .iter()
            .find(|p| p.is_active() && p.market_index == market.market_index)
        else {
            continue;
        };
        let is_lp = position.lp.shares.get() > 0;
        let Some((unsettled_base, pnl)) = settled_view(position, state, user) else {
            // No price: only what needs none.
            if is_lp {
                plan.settle_lps.push(*key);
            }
            continue;
        };
        let derisk =
            is_lp && user.derisk_opt_out == 0 && below(snapshot, user, MarginType::Initial);
        if is_lp && (derisk || unsettled_base >= thresholds.lp_settle_base) {
            plan.settle_lps.push(*key);
        }
        if derisk {
            plan.derisk.push(*key);
        }
        if pnl.unsigned_abs() >= u128::from(thresholds.pnl_settle_quote) {
            plan.settle_pnl.push(*key);
        }
        if keeper_user.is_some_and(|k| k != *key) && below(snapshot, user, MarginType::Maintenance)
        {
            plan.liquidate.push(*key);
        }
    }
    if keeper_user.is_some() {
        plan.fills = fills(snapshot, state);
    }
    plan
}

/// Open taker orders that can fill now (a maker or the AMM crosses their limit) or that have
/// expired (a fill removes them).
fn fills(snapshot: &Snapshot, state: &MarketState) -> Vec<Fill> {
    let market_index = state.market.market_index;
    let now = snapshot.now;
    let mut fills = Vec::new();
    for (taker, user) in &snapshot.users {
        for order in user.orders.iter().filter(|o| {
            o.is_open() && o.post_only == 0 && o.market_index == market_index && o.remaining() > 0
        }) {
            if order.is_expired(now) {
                fills.push(Fill {
                    taker: *taker,
                    order_id: order.order_id,
                    makers: Vec::new(),
                });
                continue;
            }
            let buying = order.direction() == PositionDirection::Long;
            let crosses = |price: u64| {
                if buying {
                    price <= order.price
                } else {
                    price >= order.price
                }
            };
            let mut makers: Vec<(u64, MakerOrderRef)> = snapshot
                .users
                .iter()
                .filter(|(maker, _)| maker != taker)
                .flat_map(|(maker, maker_user)| {
                    maker_user
                        .orders
                        .iter()
                        .filter(move |o| {
                            o.is_open()
                                && o.post_only == 1
                                && o.market_index == market_index
                                && o.direction() != order.direction()
                                && !o.is_expired(now)
                                && o.remaining() > 0
                        })
                        .map(move |o| {
                            let reference = MakerOrderRef {
                                user: *maker,
                                order_id: o.order_id,
                            };
                            (o.price, reference)
                        })
                })
                .filter(|(price, _)| crosses(*price))
                .collect();
            makers.sort_by_key(|(price, _)| if buying { *price } else { u64::MAX - price });
            makers.truncate(MAX_MAKERS);
            let amm_crosses = state.oracle_price.is_some_and(|oracle| {
                amm_best_price(&state.market, order.direction(), oracle).is_ok_and(crosses)
            });
            if !makers.is_empty() || amm_crosses {
                fills.push(Fill {
                    taker: *taker,
                    order_id: order.order_id,
                    makers: makers.into_iter().map(|(_, m)| m).collect(),
                });
            }
        }
    }
    fills
}
