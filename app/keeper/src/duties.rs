//! What a market needs this round, decided from one snapshot with the client's read side (the
//! program's own margin and LP code). A decision only nominates: every transaction is simulated
//! before it is sent, so a candidate that no longer needs the duty costs a simulation, not a
//! fee. With several keepers splitting the users (`Shard`), every keeper reads the same
//! accounts and plans alike; each keeps its users' single duties and its share of the batches.
use crate::config::{Settings, Shard};
use crate::snapshot::{MarketState, Snapshot};
use crate::takeover::{self, Due};
use anchor_lang::prelude::Pubkey;
use bal::instructions::fill_order::MAX_MAKERS;
use bal::math::constants::SETTLEMENT_CLAIM_WINDOW;
use bal::read::amm_quote::amm_best_price;
use bal::read::balances::signed_token_amount;
use bal::read::margin::{position_pnl, MarginType, MarketView};
use bal::read::position::holds_only_claims;
use bal::state::PositionDirection;
use bal::state::{MarketAction, PerpMarket, PerpPosition, User};
use bal_client::instructions::MakerOrderRef;
use bal_client::read::{margin, simulate_settle, takeover_capacity, PricedMarket};

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
    /// The oracle has jumped further from the market's five-minute TWAP than half its
    /// divergence guard: record it (`record_oracle`), so fills and settles are not refused
    /// for long. Not with a funding update, which records it anyway.
    pub record_oracle: bool,
    /// LPs whose unsettled base reached the threshold, or that may need a de-risk.
    pub settle_lps: Vec<Pubkey>,
    /// LPs below initial margin that did not opt out.
    pub derisk: Vec<Pubkey>,
    /// Positions whose P&L reached the threshold.
    pub settle_pnl: Vec<Pubkey>,
    pub fills: Vec<Fill>,
    /// Accounts below maintenance margin that the keeper may liquidate (not its own wallet's).
    pub liquidate: Vec<Liquidation>,
    /// The keeper's own subaccount holds base here (from a liquidation): close it.
    pub unwind: bool,
    /// A settling (or delisted) market: every user with a position in it, to close at the
    /// settlement price; nothing else is done there.
    pub settle_expired: Vec<Pubkey>,
    /// A settling market ready for its payouts to be fixed.
    pub finalize_settlement: bool,
    /// Accounts with nothing left but a negative balance its claims do not cover, whose last
    /// settled loss was in this market (its fee pool pays first).
    pub bad_debt: Vec<Pubkey>,
    /// Due liquidations and settles of this keeper's users left for a later round (the
    /// keeper's capacity, the round's settle budget): still backlog.
    pub deferred_liquidations: usize,
    pub deferred_settles: usize,
}

/// A liquidation to attempt: the user and the most the keeper's subaccount can take over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Liquidation {
    pub user: Pubkey,
    /// precision: BASE
    pub max_base: u64,
}

/// How far `user`'s margin of `kind` falls short, at the snapshot's oracle prices; `None`
/// when it does not (or cannot be read). precision: QUOTE
fn shortfall(snapshot: &Snapshot, user: &User, kind: MarginType) -> Option<u128> {
    let priced = snapshot.priced_for(user)?;
    let summary = margin(user, &snapshot.spot, &priced, kind)?.summary;
    let short = (summary.requirement as i128).checked_sub(summary.collateral)?;
    u128::try_from(short).ok().filter(|short| *short > 0)
}

/// Whether `user`'s margin of `kind` falls short, at the snapshot's oracle prices.
fn below(snapshot: &Snapshot, user: &User, kind: MarginType) -> bool {
    shortfall(snapshot, user, kind).is_some()
}

/// Whether the oracle stands further from the market's five-minute TWAP than half the
/// divergence guard: the TWAP follows a price only as reads come, and beyond the guard fills
/// and settles refuse it.
fn twap_left_behind(state: &MarketState) -> bool {
    let (Some(price), twap) = (state.oracle_price, state.market.amm.oracle_twap_5min) else {
        return false;
    };
    let guard = u128::from(state.market.oracle_guards.max_twap_divergence);
    twap > 0 && u128::from(price.abs_diff(twap)) * 2 * 1_000_000 > guard * u128::from(twap)
}

/// `user`'s position in `state`'s market as `settle_lp` would leave it.
fn settled_position(state: &MarketState, user: &User) -> Option<PerpPosition> {
    let priced = PricedMarket {
        market: &state.market,
        oracle_price: state.oracle_price?,
    };
    simulate_settle(user, &priced)
}

/// How much base `settle_lp` would move into `position` (`settled` after it), and the settled
/// position's P&L at the oracle.
fn settled_view(
    position: &PerpPosition,
    settled: &PerpPosition,
    state: &MarketState,
) -> Option<(u64, i128)> {
    let price = state.oracle_price?;
    let pnl = position_pnl(settled, &MarketView::current(&state.market, price).ok()?).ok()?;
    let unsettled_base = settled
        .base_asset_amount
        .abs_diff(position.base_asset_amount);
    Some((unsettled_base, pnl))
}

/// Whether `user` holds nothing but quote and owes more than its positions still claim, so
/// `resolve_bad_debt` will write something off once its losses are settled.
fn has_bad_debt(snapshot: &Snapshot, user: &User) -> bool {
    if !holds_only_claims(user) {
        return false;
    }
    let Ok(balance) = signed_token_amount(&user.quote_balance, &snapshot.spot) else {
        return false;
    };
    let claims: i128 = user
        .perp_positions
        .iter()
        .filter(|p| p.is_active())
        .map(|p| p.quote_asset_amount.get())
        .sum();
    // The balance itself may still be positive: this round's settles realize the losses first.
    balance + claims < 0
}

/// This keeper's accounts whose bad debt `market_index` resolves: their last settled loss was
/// there.
fn bad_debts(snapshot: &Snapshot, market_index: u16, shard: &Shard) -> Vec<Pubkey> {
    snapshot
        .users
        .iter()
        .filter(|(key, user)| {
            shard.has_user(&key.to_bytes())
                && user.last_loss_market == market_index
                && has_bad_debt(snapshot, user)
        })
        .map(|(key, _)| *key)
        .collect()
}

/// The most of `state`'s market the keeper's subaccount can take over now, rounded down to
/// the step; 0 when that is under the minimum size.
fn keeper_capacity(snapshot: &Snapshot, state: &MarketState, keeper: &User) -> u64 {
    let Some(price) = state.oracle_price else {
        return 0;
    };
    let mut priced = snapshot.priced_for(keeper).unwrap_or_default();
    let index = state.market.market_index;
    let slot = match priced.iter().position(|m| m.market.market_index == index) {
        Some(slot) => slot,
        None => {
            priced.push(PricedMarket {
                market: &state.market,
                oracle_price: price,
            });
            priced.len() - 1
        }
    };
    let market = &state.market;
    let capacity = takeover_capacity(keeper, &snapshot.spot, &priced, slot).unwrap_or(0);
    let step = market.order_step_size.max(1);
    let rounded = capacity / step * step;
    if rounded < market.min_order_size {
        0
    } else {
        rounded
    }
}

/// The keeper's signing wallet and its subaccount, when it has one.
#[derive(Clone, Copy, Debug)]
pub struct KeeperAccount {
    pub authority: Pubkey,
    pub user: Pubkey,
}

/// Whether closing a position in a settling market would still do something: anything but a
/// claim already registered while payouts have not begun.
fn still_to_settle(position: &PerpPosition, paying: bool) -> bool {
    let registered_claim = position.base_asset_amount == 0
        && position.lp.shares.get() == 0
        && position.open_orders == 0
        && position.quote_asset_amount.get() > 0
        && position.settlement_claim == 1;
    !registered_claim || paying
}

/// A settling or delisted market's duties: close every position there at the settlement
/// price, and fix the payouts once nothing holds base or shares and the claim window passed
/// (the registered claims are then paid by the next closes).
fn settlement_plan(snapshot: &Snapshot, market: &PerpMarket) -> Plan {
    let settlement = &market.settlement;
    let ready = market.positions_with_base == 0
        && market.lp.user_lp_shares.get() == 0
        && snapshot.now
            >= settlement
                .started_ts
                .saturating_add(SETTLEMENT_CLAIM_WINDOW);
    let finalize = settlement.finalized == 0
        && ready
        && market
            .status()
            .is_ok_and(|s| s.refusal(MarketAction::FinalizeSettlement).is_none());
    // Payouts fixed before this round's closes pay the registered claims too.
    let paying = settlement.finalized == 1 || finalize;
    Plan {
        settle_expired: snapshot
            .users
            .iter()
            .filter(|(_, user)| {
                user.perp_positions.iter().any(|p| {
                    p.is_active()
                        && p.market_index == market.market_index
                        && still_to_settle(p, paying)
                })
            })
            .map(|(key, _)| *key)
            .collect(),
        finalize_settlement: finalize,
        ..Plan::default()
    }
}

/// This keeper's share of `users`, one settle duty's list for a market: the list in address
/// order (so every keeper cuts the same batches from the same accounts), cut into batches of
/// `batch_size`, keeping the batches that are this keeper's (`Shard::has_batch`, `offset`
/// telling the market and duty apart).
fn deal(mut users: Vec<Pubkey>, settings: &Settings, offset: usize) -> Vec<Pubkey> {
    users.sort_unstable();
    users
        .chunks(settings.batch_size.max(1))
        .enumerate()
        .filter(|(batch, _)| settings.shard.has_batch(*batch, offset))
        .flat_map(|(_, batch)| batch.iter().copied())
        .collect()
}

/// What `state`'s market needs this round from this keeper (`settings.shard` its share).
pub fn plan(
    snapshot: &Snapshot,
    state: &MarketState,
    settings: &Settings,
    keeper: Option<KeeperAccount>,
) -> Plan {
    let market = &state.market;
    let thresholds = &settings.thresholds;
    let shard = &settings.shard;
    let offset = usize::from(market.market_index);
    if market.is_settling().unwrap_or(false) {
        let mut plan = settlement_plan(snapshot, market);
        plan.settle_expired = deal(plan.settle_expired, settings, offset);
        plan.finalize_settlement &= shard.has_market(market.market_index);
        plan.bad_debt = bad_debts(snapshot, market.market_index, shard);
        return plan;
    }
    let mut plan = Plan {
        update_funding: shard.has_market(market.market_index)
            && snapshot.now
                >= market
                    .funding
                    .last_funding_ts
                    .saturating_add(market.funding.funding_period),
        ..Plan::default()
    };
    plan.record_oracle =
        shard.has_market(market.market_index) && !plan.update_funding && twap_left_behind(state);
    let mut settles = Vec::new();
    let mut settle_lps = Vec::new();
    let mut due = Vec::new();
    for (key, user) in &snapshot.users {
        let mine = shard.has_user(&key.to_bytes());
        let Some(position) = user
            .perp_positions
            .iter()
            .find(|p| p.is_active() && p.market_index == market.market_index)
        else {
            continue;
        };
        let is_lp = position.lp.shares.get() > 0;
        let settled = settled_position(state, user);
        let settled_base = settled.map(|p| p.base_asset_amount);
        let view = settled.and_then(|settled| settled_view(position, &settled, state));
        let Some((unsettled_base, pnl)) = view else {
            // No price: only what needs none.
            if is_lp {
                settle_lps.push(*key);
            }
            continue;
        };
        // The program de-risks no LP inside its cooldown since the last add.
        let cooled = snapshot.now >= user.last_add_liquidity_ts + snapshot.lp_cooldown_seconds;
        let derisk = is_lp
            && user.derisk_opt_out == 0
            && cooled
            && below(snapshot, user, MarginType::Derisk);
        if is_lp && (derisk || unsettled_base >= thresholds.lp_settle_base) {
            settle_lps.push(*key);
        }
        if derisk && mine {
            plan.derisk.push(*key);
        }
        if pnl.unsigned_abs() >= u128::from(thresholds.pnl_settle_quote) {
            settles.push((pnl.unsigned_abs(), *key));
        }
        // The program refuses a liquidation by another subaccount of the same wallet.
        let acts_here = position.base_asset_amount != 0 || is_lp || position.open_orders > 0;
        if mine && acts_here && keeper.is_some_and(|k| k.authority != user.authority) {
            if let Some(shortfall) = shortfall(snapshot, user, MarginType::Maintenance) {
                due.push(Due {
                    user: *key,
                    shortfall,
                    base: settled_base.unwrap_or(position.base_asset_amount),
                });
            }
        }
    }
    // Largest first, at most `max_settles` a round: a round's cost follows what is at stake,
    // not how many positions exist.
    settles.sort_by_key(|s| std::cmp::Reverse(s.0));
    let deferred = settles.iter().skip(thresholds.max_settles);
    plan.deferred_settles = deferred
        .filter(|(_, key)| shard.has_user(&key.to_bytes()))
        .count();
    let chosen = settles.into_iter().take(thresholds.max_settles);
    plan.settle_lps = deal(settle_lps, settings, offset);
    plan.settle_pnl = deal(chosen.map(|(_, key)| key).collect(), settings, offset + 1);
    let Some(keeper) = keeper else {
        return plan;
    };
    plan.fills = fills(snapshot, state, shard);
    if let Some((_, account)) = snapshot.users.iter().find(|(key, _)| *key == keeper.user) {
        plan.unwind = account.perp_positions.iter().any(|p| {
            p.is_active() && p.market_index == market.market_index && p.base_asset_amount != 0
        });
        // The market's liquidations go out together and are unwound together, so they share
        // what the keeper can carry and shed (`takeover`).
        let held = account
            .perp_positions
            .iter()
            .find(|p| p.is_active() && p.market_index == market.market_index)
            .map_or(0, |p| p.base_asset_amount);
        let room = takeover::room(
            state,
            settings,
            held,
            keeper_capacity(snapshot, state, account),
        );
        let step = market.order_step_size;
        (plan.liquidate, plan.deferred_liquidations) =
            takeover::allocate(due, room, step, market.min_order_size);
    }
    plan.bad_debt = bad_debts(snapshot, market.market_index, shard);
    plan
}

/// This keeper's takers' open orders that can fill now (a maker or the AMM crosses their
/// limit) or that have expired (a fill removes them).
fn fills(snapshot: &Snapshot, state: &MarketState, shard: &Shard) -> Vec<Fill> {
    let market_index = state.market.market_index;
    let now = snapshot.now;
    let mut fills = Vec::new();
    let takers = snapshot
        .users
        .iter()
        .filter(|(taker, _)| shard.has_user(&taker.to_bytes()));
    for (taker, user) in takers {
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
