//! LP exits under the one exit rule, on random LP and trader histories run on the controllers
//! the instructions use. With every fill shared pro rata, the protocol's inventory is exactly
//! `k_p × (β − β₀)` (its shares `k_p`, the curve's base-reserve-per-share ratio `β`, which adds
//! and burns leave alone), so the protocol's part of the curve, `β × k_p`, always carries it:
//! every LP can always burn every share. Only what moves the protocol's share of the curve by
//! itself (an admin's `sqrt_k` change, a protocol-owned or LP-owned JIT fill) can leave more
//! inventory than that; a full exit may then be refused, but only with `LpBurnBlocked`, only for
//! what the curve at the lower `sqrt_k` could not carry, and `burnable_shares` (what a
//! liquidation or de-risk burns before going on to the position) is exactly the largest burn
//! allowed.
mod common;

use bal::controller::amm::update_sqrt_k;
use bal::controller::lp::add_shares;
use bal::controller::position::open_position;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::error::BalError;
use bal::math::books::refresh_derived_reserves;
use bal::math::constants::BASE_PRECISION;
use bal::math::lp_books::{burnable_shares, remove_shares, settle_lp_position};
use bal::math::position::release_if_empty;
use bal::read::position::find_position;
use bal::state::PositionDirection;
use bal::state::{PerpMarket, User};
use common::{funded_users, new_market, new_spot};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Trade {
        user: usize,
        long: bool,
        base: u64,
    },
    Add {
        user: usize,
        shares: u64,
    },
    Remove {
        user: usize,
        part: u8,
    },
    Settle {
        user: usize,
    },
    /// The admin sets `sqrt_k` to this many base of liquidity.
    SetK {
        base: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0usize..4, any::<bool>(), 1u64..6_000).prop_map(|(user, long, base)| Step::Trade { user, long, base }),
        2 => (0usize..4, 1u64..100_000).prop_map(|(user, shares)| Step::Add { user, shares }),
        1 => (0usize..4, 1u8..=4).prop_map(|(user, part)| Step::Remove { user, part }),
        1 => (0usize..4).prop_map(|user| Step::Settle { user }),
        1 => (100u64..200_000).prop_map(|base| Step::SetK { base }),
    ]
}

fn shares_of(user: &User) -> u128 {
    find_position(user, 0).map_or(0, |s| user.perp_positions[s].lp.shares.get())
}

/// Burns `shares` of `user`'s; on a refusal the market and the position are left as they were.
fn burn(
    user: &mut User,
    market: &mut PerpMarket,
    shares: u128,
) -> Result<(), anchor_lang::error::Error> {
    let slot = find_position(user, 0).expect("an LP position");
    let before = (*market, user.perp_positions[slot]);
    let result = remove_shares(&mut user.perp_positions[slot], market, shares).map(|_| ());
    if result.is_err() {
        *market = before.0;
        user.perp_positions[slot] = before.1;
    }
    release_if_empty(&mut user.perp_positions[slot]);
    result
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_lp_exits_whole_or_as_far_as_the_curve_carries_the_protocols_inventory(
        coefficient in 1_050_000u32..10_000_000,
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let mut market = new_market();
        market.amm.concentration_coef = coefficient;
        refresh_derived_reserves(&mut market).unwrap();
        // A fee pool that pays for any `sqrt_k` change.
        market.fee_pool = u64::MAX / 4;
        let mut spot = new_spot();
        let (mut users, _) = funded_users(&mut spot, 4);
        let mut k_changed = false;
        for step in steps {
            match step {
                Step::Trade { user, long, base } => {
                    let order = TakerOrder {
                        direction: if long { PositionDirection::Long } else { PositionDirection::Short },
                        base: base * BASE_PRECISION as u64,
                        limit_price: None,
                        oracle_price: 100_000_000,
                        fee_rate: 1_000,
                        now: 0,
                    };
                    // Beyond the curve's bounds a trade is refused; the history goes on.
                    let before = (*market, spot, users[user]);
                    if trade_against_amm(&mut users[user], &mut spot, &mut market, &order).is_err() {
                        *market = before.0;
                        spot = before.1;
                        users[user] = before.2;
                    }
                }
                Step::Add { user, shares } => {
                    let funding = market.funding.cumulative_funding_rate;
                    let slot = open_position(&mut users[user], 0, funding).unwrap();
                    let before = *market;
                    let minted = shares as u128 * BASE_PRECISION;
                    if add_shares(&mut users[user].perp_positions[slot], &mut market, minted).is_err() {
                        *market = before;
                    }
                    release_if_empty(&mut users[user].perp_positions[slot]);
                }
                Step::Remove { user, part } => {
                    let held = shares_of(&users[user]);
                    let shares = held * part as u128 / 4;
                    if shares > 0 {
                        let _ = burn(&mut users[user], &mut market, shares);
                    }
                }
                Step::Settle { user } => {
                    if let Some(slot) = find_position(&users[user], 0) {
                        settle_lp_position(&mut users[user].perp_positions[slot], &mut market).unwrap();
                    }
                }
                Step::SetK { base } => {
                    let before = *market;
                    let users_shares = market.lp.user_lp_shares.get();
                    let new_sqrt_k = (base as u128 * BASE_PRECISION).max(users_shares + BASE_PRECISION);
                    match update_sqrt_k(&mut market, new_sqrt_k, 0) {
                        Ok(_) => k_changed = true,
                        Err(_) => *market = before,
                    }
                }
            }
        }
        // Every LP leaves in turn.
        for user in users.iter_mut() {
            let shares = shares_of(user);
            if shares == 0 {
                continue;
            }
            let burnable = burnable_shares(&market, shares).unwrap();
            match burn(user, &mut market, shares) {
                Ok(()) => prop_assert_eq!(burnable, shares),
                Err(error) => {
                    prop_assert_eq!(error, BalError::LpBurnBlocked.into());
                    prop_assert!(k_changed, "refused with every fill shared");
                    prop_assert!(burnable < shares);
                    if burnable > 0 {
                        prop_assert!(burn(user, &mut market, burnable).is_ok());
                    }
                    // Not one unit more could have gone.
                    let left = shares_of(user);
                    prop_assert!(burn(user, &mut market, left.min(1_000_000)).is_err());
                }
            }
            market.invariant().unwrap();
        }
    }
}
