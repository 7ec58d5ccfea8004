//! No LP gains from rounding. Each LP's exact entitlement is tracked beside the program, fill
//! by fill and funding update by funding update, as a rational in units of 1e-12 (one
//! trillionth of a base or quote unit): its share of the AMM's side of each fill at the
//! trader's price, its slice of the fee, and funding on the inventory it held unsettled. Every
//! settle must pay at most that (never more: rounding favours the protocol) and at least that
//! less one unit of base and two of quote (rounding costs an LP at most a unit per quantity).
mod common;

use bal::controller::funding::update_funding;
use bal::controller::lp::add_shares;
use bal::controller::position::open_position;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::math::constants::{FUNDING_PAYMENT_DIVISOR, PERCENTAGE_PRECISION};
use bal::math::lp_books::{remove_shares, settle_lp_position, LpSettlement};
use bal::math::position::{release_if_empty, settle_funding};
use bal::read::position::find_position;
use bal::state::PositionDirection;
use bal::state::{PerpMarket, User};
use common::{funded_users, new_market, new_spot};
use proptest::prelude::*;

/// Exact amounts are kept in units of 1e-12 of a base or quote unit.
const EXACT: i128 = 1_000_000_000_000;
/// What the exact model itself rounds away over a sequence (it floors once per fill and
/// funding update), far below one unit.
const MODEL_SLACK: i128 = 1_000;

const TRADERS: usize = 2;
const LPS: usize = 3;

/// An LP's exact entitlement since its last settle. Units: 1e-12 base / quote.
#[derive(Clone, Copy, Debug, Default)]
struct Exact {
    base: i128,
    quote: i128,
}

/// `value × shares / sqrt_k` in exact units, rounded toward −∞.
fn pro_rata(value: i128, shares: u128, sqrt_k: u128) -> i128 {
    (value * EXACT * shares as i128).div_euclid(sqrt_k as i128)
}

fn lp_shares(user: &User) -> u128 {
    find_position(user, 0).map_or(0, |slot| user.perp_positions[slot].lp.shares.get())
}

/// Checks one settle against the exact entitlement, then starts a new one.
fn check_settle(settlement: &LpSettlement, exact: &mut Exact) -> Result<(), TestCaseError> {
    let base = settlement.base as i128 * EXACT;
    let quote = (settlement.quote + settlement.funding) * EXACT;
    prop_assert!(
        base <= exact.base + MODEL_SLACK,
        "base gained: {base} > {:?}",
        exact
    );
    prop_assert!(
        quote <= exact.quote + MODEL_SLACK,
        "quote gained: {quote} > {:?}",
        exact
    );
    prop_assert!(
        base > exact.base - EXACT - MODEL_SLACK,
        "base lost: {base} vs {:?}",
        exact
    );
    prop_assert!(
        quote > exact.quote - 2 * EXACT - MODEL_SLACK,
        "quote lost: {quote} vs {:?}",
        exact
    );
    *exact = Exact::default();
    Ok(())
}

/// Settles LP `lp` (a no-op without shares) and checks what it was paid.
fn settle(
    users: &mut [User],
    market: &mut PerpMarket,
    exact: &mut [Exact],
    lp: usize,
) -> Result<(), TestCaseError> {
    let user = &mut users[TRADERS + lp];
    if let Some(slot) = find_position(user, 0) {
        let settlement = settle_lp_position(&mut user.perp_positions[slot], market).unwrap();
        check_settle(&settlement, &mut exact[lp])?;
    }
    Ok(())
}

#[derive(Clone, Debug)]
enum Step {
    Trade {
        trader: usize,
        long: bool,
        steps: u64,
    },
    Add {
        lp: usize,
        shares: u64,
    },
    Remove {
        lp: usize,
        thousandths: u128,
    },
    Settle {
        lp: usize,
    },
    Funding {
        oracle: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        5 => (0..TRADERS, any::<bool>(), 1u64..100_000).prop_map(|(trader, long, steps)| Step::Trade { trader, long, steps }),
        2 => (0..LPS, 1u64..400_000).prop_map(|(lp, shares)| Step::Add { lp, shares }),
        1 => (0..LPS, 1u128..=1_000).prop_map(|(lp, thousandths)| Step::Remove { lp, thousandths }),
        2 => (0..LPS).prop_map(|lp| Step::Settle { lp }),
        1 => (95_000_000u64..105_000_000).prop_map(|oracle| Step::Funding { oracle }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn no_lp_gains_from_rounding(steps in prop::collection::vec(step(), 1..60)) {
        let mut market = new_market();
        let mut spot = new_spot();
        let (mut users, _) = funded_users(&mut spot, TRADERS + LPS);
        let mut exact = [Exact::default(); LPS];
        let mut now = 0i64;
        for step in steps {
            match step {
                Step::Trade { trader, long, steps } => {
                    // Settle the trader's funding first so its position's change is the fill alone.
                    if let Some(slot) = find_position(&users[trader], 0) {
                        let rate = market.funding.cumulative_funding_rate;
                        settle_funding(&mut users[trader].perp_positions[slot], rate).unwrap();
                    }
                    let before = find_position(&users[trader], 0).map(|s| users[trader].perp_positions[s]).unwrap_or_default();
                    let pools = market.fee_pool + market.pnl_pool;
                    let sqrt_k = market.amm.sqrt_k.get();
                    let order = TakerOrder {
                        direction: if long { PositionDirection::Long } else { PositionDirection::Short },
                        base: steps * market.order_step_size,
                        limit_price: None,
                        oracle_price: 100_000_000,
                        fee_rate: 1_000,
                        now,
                    };
                    if trade_against_amm(&mut users[trader], &mut spot, &mut market, &order).is_err() {
                        continue;
                    }
                    let after = find_position(&users[trader], 0).map(|s| users[trader].perp_positions[s]).unwrap_or_default();
                    let amm_base = -(after.base_asset_amount as i128 - before.base_asset_amount as i128);
                    let amm_quote = -(after.quote_asset_amount.get() as i128 - before.quote_asset_amount.get() as i128);
                    let fee = (market.fee_pool + market.pnl_pool - pools) as i128;
                    for (lp, exact) in exact.iter_mut().enumerate() {
                        let shares = lp_shares(&users[TRADERS + lp]);
                        exact.base += pro_rata(amm_base, shares, sqrt_k);
                        exact.quote += pro_rata(amm_quote, shares, sqrt_k);
                        let fee_slice = fee * market.lp.fee_share as i128;
                        exact.quote += pro_rata(fee_slice, shares, sqrt_k) / PERCENTAGE_PRECISION as i128;
                    }
                }
                Step::Add { lp, shares } => {
                    settle(&mut users, &mut market, &mut exact, lp)?;
                    let user = &mut users[TRADERS + lp];
                    let slot = open_position(user, 0, market.funding.cumulative_funding_rate).unwrap();
                    let before = *market;
                    if add_shares(&mut user.perp_positions[slot], &mut market, shares as u128 * 1_000_000).is_err() {
                        *market = before;
                    }
                    release_if_empty(&mut user.perp_positions[slot]);
                }
                Step::Remove { lp, thousandths } => {
                    settle(&mut users, &mut market, &mut exact, lp)?;
                    let user = &mut users[TRADERS + lp];
                    if let Some(slot) = find_position(user, 0) {
                        let held = user.perp_positions[slot].lp.shares.get();
                        let burn = (held * thousandths / 1_000).max(held.min(1));
                        let before = (*market, user.perp_positions[slot]);
                        if burn > 0 && remove_shares(&mut user.perp_positions[slot], &mut market, burn).is_err() {
                            *market = before.0;
                            user.perp_positions[slot] = before.1;
                        }
                        release_if_empty(&mut user.perp_positions[slot]);
                    }
                }
                Step::Settle { lp } => settle(&mut users, &mut market, &mut exact, lp)?,
                Step::Funding { oracle } => {
                    market.funding.oracle_twap = oracle;
                    now += market.funding.funding_period;
                    let rate_before = market.funding.cumulative_funding_rate;
                    update_funding(&mut market, now).unwrap();
                    let rate = (market.funding.cumulative_funding_rate - rate_before) as i128;
                    // Unsettled inventory pays as any position: −base × rate, rounded toward −∞.
                    for exact in exact.iter_mut() {
                        exact.quote += (-exact.base * rate).div_euclid(FUNDING_PAYMENT_DIVISOR);
                    }
                }
            }
        }
        for lp in 0..LPS {
            settle(&mut users, &mut market, &mut exact, lp)?;
        }
    }
}
