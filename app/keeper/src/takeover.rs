//! How much the keeper takes over in a market this round. No more than it can shed: the AMM's
//! depth within its unwind limit (`executor::unwind_limit`) on the side it would close, net of
//! what it already holds there, and nothing while the oracle stands too far from its TWAP for
//! the program to fill a close (a gap: the keeper records the oracle and liquidates once the
//! TWAP has followed); and no more than its collateral carries. Due liquidations share that
//! room largest requirement shortfall first, each at most the base it holds, so a crowd of
//! dust accounts cannot slow a large one.
use crate::config::Settings;
use crate::duties::Liquidation;
use crate::executor::unwind_limit;
use crate::snapshot::MarketState;
use anchor_lang::prelude::Pubkey;
use bal::math::constants::PERCENTAGE_PRECISION;
use bal::read::amm_quote::amm_base_within;
use bal::state::PositionDirection;

/// What the keeper may still take over this round. precision: BASE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Room {
    /// What its collateral carries, on either side.
    pub collateral: u64,
    /// Longs it could sell back to the AMM within its limit.
    pub longs: u64,
    /// Shorts it could buy back.
    pub shorts: u64,
}

/// Whether the program would refuse a fill now: the oracle is further from the market's
/// five-minute TWAP than its divergence guard (the program's own comparison, rounded alike).
pub fn fills_refused(state: &MarketState) -> bool {
    let Some(price) = state.oracle_price else {
        return true;
    };
    let twap = state.market.amm.oracle_twap_5min;
    let guard = u128::from(state.market.oracle_guards.max_twap_divergence);
    twap > 0
        && u128::from(price.abs_diff(twap)) * PERCENTAGE_PRECISION as u128 / u128::from(twap)
            > guard
}

/// The room in `state`'s market for a keeper holding `held` base there whose collateral
/// carries `collateral` more.
pub fn room(state: &MarketState, settings: &Settings, held: i64, collateral: u64) -> Room {
    let Some(price) = state.oracle_price.filter(|_| !fills_refused(state)) else {
        return Room::default();
    };
    let market = &state.market;
    let depth = |selling: bool| {
        let limit = unwind_limit(market, price, selling, settings);
        let taker = if selling {
            PositionDirection::Short
        } else {
            PositionDirection::Long
        };
        amm_base_within(market, taker, limit, price).unwrap_or(0)
    };
    // A long taken over nets against a short held, and needs selling only beyond it.
    let long_held = held.max(0).unsigned_abs();
    let short_held = held.min(0).unsigned_abs();
    Room {
        collateral,
        longs: (depth(true) + short_held).saturating_sub(long_held),
        shorts: (depth(false) + long_held).saturating_sub(short_held),
    }
}

/// A liquidation that is due: how far below maintenance the account is, and the base it
/// holds in the market once its LP position is settled. precision: QUOTE, BASE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub user: Pubkey,
    pub shortfall: u128,
    pub base: i64,
}

/// Shares `room` among `due`, largest shortfall first: each is granted the base it holds
/// (rounded up to the step) as far as the room on its side and the collateral go, in whole
/// steps; one whose grant would fall under the minimum order waits for a later round. An
/// account holding no base (orders or shares only) is granted one minimum order from the
/// collateral, for whatever its burn leaves. Returns the liquidations and how many wait.
pub fn allocate(
    mut due: Vec<Due>,
    mut room: Room,
    step: u64,
    min_order: u64,
) -> (Vec<Liquidation>, usize) {
    due.sort_by(|a, b| b.shortfall.cmp(&a.shortfall).then(a.user.cmp(&b.user)));
    let step = step.max(1);
    let mut granted = Vec::new();
    let mut waiting = 0;
    for account in due {
        let need = account.base.unsigned_abs().div_ceil(step) * step;
        let side = match account.base.signum() {
            1 => Some(&mut room.longs),
            -1 => Some(&mut room.shorts),
            _ => None,
        };
        let (wanted, side_room) = match side {
            Some(side_room) => (need, *side_room),
            None => (min_order.max(step), u64::MAX),
        };
        let grant = wanted.min(side_room).min(room.collateral) / step * step;
        if grant < wanted.min(min_order).max(1) {
            waiting += 1;
            continue;
        }
        room.collateral -= grant;
        match account.base.signum() {
            1 => room.longs -= grant,
            -1 => room.shorts -= grant,
            _ => {}
        }
        granted.push(Liquidation {
            user: account.user,
            max_base: grant,
        });
    }
    (granted, waiting)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u64 = 1_000_000_000;
    const STEP: u64 = BASE / 1_000;
    const MIN: u64 = BASE / 100;

    fn due(n: u8, shortfall: u128, base: i64) -> Due {
        Due {
            user: Pubkey::new_from_array([n; 32]),
            shortfall,
            base,
        }
    }

    #[test]
    fn the_largest_shortfall_is_served_first_and_dust_cannot_slow_it() {
        let room = Room {
            collateral: 3_224 * STEP,
            longs: 100 * BASE,
            shorts: 100 * BASE,
        };
        let mut accounts: Vec<Due> = (1..=10).map(|n| due(n, 1_000, MIN as i64)).collect();
        accounts.push(due(42, 50_000_000, 9 * BASE as i64));
        let (granted, waiting) = allocate(accounts, room, STEP, MIN);
        assert_eq!(granted[0].user, Pubkey::new_from_array([42; 32]));
        assert_eq!(granted[0].max_base, 3_224 * STEP, "all the room it needs");
        assert!(granted.len() == 1 && waiting == 10, "{granted:?}");
    }

    #[test]
    fn each_side_is_granted_only_what_can_be_unwound() {
        let room = Room {
            collateral: 100 * BASE,
            longs: 2 * BASE,
            shorts: 0,
        };
        let accounts = vec![due(1, 10, 5 * BASE as i64), due(2, 5, -(BASE as i64))];
        let (granted, waiting) = allocate(accounts, room, STEP, MIN);
        assert_eq!(
            granted,
            vec![Liquidation {
                user: Pubkey::new_from_array([1; 32]),
                max_base: 2 * BASE
            }]
        );
        assert_eq!(waiting, 1, "no short can be bought back");
    }

    #[test]
    fn a_grant_under_the_minimum_order_waits() {
        let room = Room {
            collateral: MIN - STEP,
            longs: BASE,
            shorts: BASE,
        };
        let (granted, waiting) = allocate(vec![due(1, 1, BASE as i64)], room, STEP, MIN);
        assert!(granted.is_empty() && waiting == 1);
    }
}
