//! Random sequences of resting orders, fills (makers, the AMM backstop, AMM and LP JIT),
//! taker trades against the AMM, LP settles and oracle moves, with several LPs, run on the
//! controllers `place_order` and `fill_order` use. After every step: base is conserved exactly,
//! every user's order aggregates match its orders, the vault covers every balance and pool, and
//! a fill moves quote tokens only between users and the market's pools (never creating any).
mod common;

use bal::controller::lp::add_shares;
use bal::controller::matching::{
    run_match, FillContext, MakerQuote, MatchInput, Matcher, TakerFill,
};
use bal::controller::orders::{add_order, validate_new_order, OrderCheck};
use bal::controller::position::open_position;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::math::constants::BASE_PRECISION;
use bal::math::lp_books::settle_lp_position;
use bal::read::balances::{signed_token_amount, validate_vault_covers};
use bal::read::position::find_position;
use bal::state::PositionDirection;
use bal::state::RestingOrderParams;
use bal::state::{FeeSchedule, JitParams, PerpMarket, SpotMarket, User};
use common::{funded_users, new_market, new_spot};
use proptest::prelude::*;
use std::cell::RefCell;

const USERS: usize = 6;
/// Users 4 and 5 provide liquidity from the start.
const LPS: [usize; 2] = [4, 5];

const FEES: FeeSchedule = FeeSchedule {
    taker_fee_rate: 1_000,
    maker_rebate_rate: 200,
    filler_reward_rate: 100_000,
    liquidator_share_rate: 500_000,
};

#[derive(Clone, Debug)]
enum Step {
    Rest {
        user: usize,
        long: bool,
        steps: u64,
        offset_bps: i64,
        post_only: bool,
    },
    Fill {
        taker: usize,
        makers: u8,
    },
    Trade {
        user: usize,
        long: bool,
        steps: u64,
    },
    SettleLp {
        lp: usize,
    },
    Oracle {
        price: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..USERS, any::<bool>(), 1u64..30_000, -150i64..150, any::<bool>())
            .prop_map(|(user, long, steps, offset_bps, post_only)| Step::Rest { user, long, steps, offset_bps, post_only }),
        4 => (0..USERS, any::<u8>()).prop_map(|(taker, makers)| Step::Fill { taker, makers }),
        3 => (0..USERS, any::<bool>(), 1u64..20_000).prop_map(|(user, long, steps)| Step::Trade { user, long, steps }),
        1 => (0..LPS.len()).prop_map(|lp| Step::SettleLp { lp }),
        1 => (97_000_000u64..103_000_000).prop_map(|price| Step::Oracle { price }),
    ]
}

fn direction(long: bool) -> PositionDirection {
    if long {
        PositionDirection::Long
    } else {
        PositionDirection::Short
    }
}

fn position_base(user: &User) -> i64 {
    find_position(user, 0).map_or(0, |i| user.perp_positions[i].base_asset_amount)
}

/// Quote tokens held by users and the market's pools.
fn quote_tokens(users: &[RefCell<User>], spot: &SpotMarket, market: &PerpMarket) -> i128 {
    let balances: i128 = users
        .iter()
        .map(|u| signed_token_amount(&u.borrow().quote_balance, spot).unwrap())
        .sum();
    balances + market.fee_pool as i128 + market.pnl_pool as i128
}

/// The taker's first open taker order and, for each maker picked by `mask`, its first open
/// maker order on the other side; best price for the taker first.
fn match_input(
    users: &[RefCell<User>],
    taker: usize,
    mask: u8,
    now: i64,
) -> Option<(TakerFill, Vec<(usize, MakerQuote)>)> {
    let user = users[taker].borrow();
    let slot = user
        .orders
        .iter()
        .position(|o| o.is_open() && o.post_only == 0)?;
    let order = user.orders[slot];
    let fill = TakerFill {
        slot,
        direction: order.direction(),
        limit: order.price,
        fillable: order.remaining(),
        base_before: position_base(&user),
        now,
    };
    let mut makers: Vec<(usize, MakerQuote)> = (0..USERS)
        .filter(|&m| m != taker && mask & (1 << m) != 0)
        .filter_map(|m| {
            let maker = users[m].borrow();
            let slot = maker.orders.iter().position(|o| {
                o.is_open() && o.post_only == 1 && o.direction() == order.direction().opposite()
            })?;
            Some((
                m,
                MakerQuote {
                    slot,
                    price: maker.orders[slot].price,
                    base_before: position_base(&maker),
                },
            ))
        })
        .collect();
    match fill.direction {
        PositionDirection::Long => makers.sort_by_key(|(_, q)| q.price),
        PositionDirection::Short => makers.sort_by_key(|(_, q)| std::cmp::Reverse(q.price)),
    }
    Some((fill, makers))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn fills_conserve_base_and_quote(steps in prop::collection::vec(step(), 1..60)) {
        let mut market = new_market();
        market.jit = JitParams { amm_intensity: 300_000, lp_intensity: 300_000, lp_target_base_per_share: 0 };
        let mut spot = new_spot();
        let (users, vault) = funded_users(&mut spot, USERS);
        let users: Vec<RefCell<User>> = users.into_iter().map(RefCell::new).collect();
        for (lp, shares) in LPS.iter().zip([300u128, 200]) {
            let mut user = users[*lp].borrow_mut();
            let slot = open_position(&mut user, 0, 0).unwrap();
            add_shares(&mut user.perp_positions[slot], &mut market, shares * BASE_PRECISION).unwrap();
        }
        let mut oracle = 100_000_000u64;
        let now = 1_000i64;
        for step in steps {
            match step {
                Step::Rest { user, long, steps, offset_bps, post_only } => {
                    let mut account = users[user].borrow_mut();
                    let price = (oracle as i64 + oracle as i64 * offset_bps / 10_000) as u64;
                    let params = RestingOrderParams {
                        direction: direction(long),
                        base_amount: steps * market.order_step_size,
                        price,
                        post_only,
                        reduce_only: false,
                        expiry_ts: 0,
                    };
                    let check = OrderCheck { position_base: position_base(&account), oracle_price: oracle, now, by_delegate: false };
                    if validate_new_order(&params, &market, &check).is_ok() {
                        let before = *account;
                        if add_order(&mut account, &market, &params).is_err() {
                            *account = before;
                        }
                    }
                }
                Step::Fill { taker, makers } => {
                    let Some((order, makers)) = match_input(&users, taker, makers, now) else { continue };
                    let saved = (*market, spot, users.iter().map(|u| *u.borrow()).collect::<Vec<_>>());
                    let tokens = quote_tokens(&users, &spot, &market);
                    let quotes: Vec<MakerQuote> = makers.iter().map(|(_, q)| *q).collect();
                    let result = {
                        let mut taker_account = users[taker].borrow_mut();
                        let mut matcher = Matcher {
                            spot: &mut spot,
                            market: &mut market,
                            ctx: FillContext { direction: order.direction, taker_slot: order.slot, oracle_price: oracle, fees: FEES, now },
                            pieces: Vec::new(),
                        };
                        let input = MatchInput { order: &order, makers: &quotes };
                        run_match(&mut taker_account, &input, &mut matcher, |i| Ok(users[makers[i].0].borrow_mut()))
                            .map(|()| matcher.pieces)
                    };
                    match result {
                        Ok(pieces) => {
                            // Base: the taker got exactly what the pieces filled.
                            let filled: u64 = pieces.iter().map(|p| p.base).sum();
                            let moved = position_base(&users[taker].borrow()) - order.base_before;
                            prop_assert_eq!(moved.unsigned_abs(), filled);
                            // Quote tokens only moved between users and pools.
                            prop_assert_eq!(quote_tokens(&users, &spot, &market), tokens);
                        }
                        Err(_) => {
                            // A refused fill is reverted, as the transaction would be.
                            *market = saved.0;
                            spot = saved.1;
                            for (user, before) in users.iter().zip(saved.2) {
                                *user.borrow_mut() = before;
                            }
                        }
                    }
                }
                Step::Trade { user, long, steps } => {
                    let mut account = users[user].borrow_mut();
                    let before = (*market, spot, *account);
                    let order = TakerOrder {
                        direction: direction(long),
                        base: steps * market.order_step_size,
                        limit_price: None,
                        oracle_price: oracle,
                        fee_rate: FEES.taker_fee_rate,
                        now,
                    };
                    if trade_against_amm(&mut account, &mut spot, &mut market, &order).is_err() {
                        *market = before.0;
                        spot = before.1;
                        *account = before.2;
                    }
                }
                Step::SettleLp { lp } => {
                    let mut account = users[LPS[lp]].borrow_mut();
                    if let Some(slot) = find_position(&account, 0) {
                        settle_lp_position(&mut account.perp_positions[slot], &mut market).unwrap();
                    }
                }
                Step::Oracle { price } => oracle = price,
            }
            let users_base: i64 = users.iter().map(|u| position_base(&u.borrow())).sum();
            prop_assert_eq!(users_base, market.amm.base_asset_amount_with_amm + market.lp.settled_base);
            prop_assert!(validate_vault_covers(&spot, vault).is_ok());
            prop_assert_eq!(spot.perp_pools_balance, market.fee_pool + market.pnl_pool);
            for user in users.iter() {
                prop_assert!(user.borrow().invariant().is_ok());
            }
            prop_assert!(market.invariant().is_ok());
        }
    }
}
