//! Funding over sequences of transactions, run on the controllers `place_perp_order` and
//! `update_funding_rate` use. An honest market (quiet spells, small trades, funding updates
//! when due) runs twice: alone, and with an attacker who, in some transactions, sells or buys
//! into the curve and trades back in the same second (around the transaction's funding update,
//! if it has one), and in others pushes the curve and leaves it there until the next
//! transaction. Every funding update must set the same rate in both runs, but for the pushes
//! held: each second a push stood moves the period's mark average by at most twice the band
//! (the maximum spread) around the oracle over the period, the rate by that over 24 periods,
//! one unit of rounding aside. A round trip inside one transaction moves no rate at all.
mod common;

use bal::controller::funding::update_funding;
use bal::controller::oracle::record_oracle_price;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::math::constants::{
    BASE_PRECISION, FUNDING_PERIODS_PER_PREMIUM, PERCENTAGE_PRECISION, PRICE_TO_FUNDING_RATE,
};
use bal::state::PositionDirection;
use bal::state::{PerpMarket, SpotMarket, User};
use common::{funded_users, new_market, new_spot};
use proptest::prelude::*;

const ORACLE: u64 = 100_000_000;
const BASE: u64 = BASE_PRECISION as u64;

/// What the attacker does in one transaction of the honest market's.
#[derive(Clone, Copy, Debug)]
enum Attack {
    None,
    /// Trades `base` and trades it back in the same second, around the transaction.
    RoundTrip {
        long: bool,
        base: u64,
    },
    /// Trades `base` at the end of the transaction and back at the start of the next.
    Hold {
        long: bool,
        base: u64,
    },
}

/// One transaction: the quiet seconds before it, an honest trade (signed base, may be zero),
/// whether it updates funding when due, and the attacker's part.
#[derive(Clone, Copy, Debug)]
struct Step {
    quiet: i64,
    honest: i64,
    update: bool,
    attack: Attack,
}

fn attack() -> impl Strategy<Value = Attack> {
    // Up to 15 base either way, from a single unit: together with the honest flow the curve
    // stays inside the price band and its bounds, so both runs fill the same honest trades.
    let size = prop_oneof![1u64..1_000, 1_000u64..15 * BASE];
    prop_oneof![
        2 => Just(Attack::None),
        2 => (any::<bool>(), size.clone()).prop_map(|(long, base)| Attack::RoundTrip { long, base }),
        1 => (any::<bool>(), size).prop_map(|(long, base)| Attack::Hold { long, base }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    (0i64..1_800, -5i64..=5, prop::bool::weighted(0.3), attack()).prop_map(
        |(quiet, honest, update, attack)| Step {
            quiet,
            honest: honest * BASE as i64 / 2,
            update,
            attack,
        },
    )
}

struct Books {
    market: Box<PerpMarket>,
    spot: SpotMarket,
    honest: User,
    attacker: User,
}

impl Books {
    fn new() -> Self {
        let mut spot = new_spot();
        let (mut users, _) = funded_users(&mut spot, 2);
        let mut market = new_market();
        // As `initialize_perp_market` leaves it at time 0.
        market.amm.last_oracle_price = ORACLE;
        market.funding.mark_price = ORACLE;
        market.funding.mark_twap = ORACLE;
        market.funding.oracle_twap = ORACLE;
        Books {
            market,
            spot,
            honest: users.remove(0),
            attacker: users.remove(0),
        }
    }

    /// The oracle read every instruction begins with.
    fn read_oracle(&mut self, now: i64) {
        record_oracle_price(&mut self.market, ORACLE, now).unwrap();
    }

    /// A trade of signed `base` at `now`: `true` when it filled.
    fn trade(&mut self, attacker: bool, base: i64, now: i64) -> bool {
        if base == 0 {
            return true;
        }
        self.read_oracle(now);
        let order = TakerOrder {
            direction: if base > 0 {
                PositionDirection::Long
            } else {
                PositionDirection::Short
            },
            base: base.unsigned_abs(),
            limit_price: None,
            oracle_price: ORACLE,
            fee_rate: 1_000,
            now,
        };
        let user = if attacker {
            &mut self.attacker
        } else {
            &mut self.honest
        };
        trade_against_amm(user, &mut self.spot, &mut self.market, &order).is_ok()
    }

    /// A funding update at `now` if one is due: its rate.
    fn update(&mut self, now: i64) -> Option<i64> {
        let funding = &self.market.funding;
        if now < funding.last_funding_ts + funding.funding_period {
            return None;
        }
        self.read_oracle(now);
        Some(update_funding(&mut self.market, now).unwrap().rate)
    }
}

fn signed(long: bool, base: u64) -> i64 {
    if long {
        base as i64
    } else {
        -(base as i64)
    }
}

/// The most a push held `seconds` of a period may move its rate. precision: FUNDING_RATE
fn bound(market: &PerpMarket, seconds: i64) -> u128 {
    let band = ORACLE as u128 * market.amm.max_spread as u128 / PERCENTAGE_PRECISION as u128;
    let period = market.funding.funding_period as u128;
    let in_price = 2 * band * seconds as u128 / period;
    in_price * PRICE_TO_FUNDING_RATE as u128 / FUNDING_PERIODS_PER_PREMIUM as u128 + 1
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn only_a_price_that_stood_moves_a_funding_rate_and_by_no_more_than_it_stood(
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let (mut honest, mut attacked) = (Books::new(), Books::new());
        let mut now = 0i64;
        let mut held: Option<i64> = None;
        let mut held_seconds = 0i64;
        for step in steps {
            now += step.quiet;
            if let Some(base) = held.take() {
                held_seconds += step.quiet;
                prop_assert!(attacked.trade(true, -base, now), "a held push trades back");
            }
            let filled = honest.trade(false, step.honest, now);
            prop_assert_eq!(attacked.trade(false, step.honest, now), filled);
            let mut round_trip = 0;
            if let Attack::RoundTrip { long, base } = step.attack {
                if attacked.trade(true, signed(long, base), now) {
                    round_trip = signed(long, base);
                }
            }
            if step.update {
                let rate = honest.update(now);
                let moved = attacked.update(now);
                let limit = bound(&honest.market, held_seconds);
                if let (Some(rate), Some(moved)) = (rate, moved) {
                    prop_assert!(
                        (moved as i128 - rate as i128).unsigned_abs() <= limit,
                        "rate {} attacked {} (held {} s, bound {})",
                        rate, moved, held_seconds, limit
                    );
                    if held_seconds == 0 {
                        prop_assert_eq!(moved, rate);
                    }
                    held_seconds = 0;
                }
                prop_assert_eq!(rate.is_some(), moved.is_some());
            }
            prop_assert!(attacked.trade(true, -round_trip, now), "a round trip trades back");
            if let Attack::Hold { long, base } = step.attack {
                if attacked.trade(true, signed(long, base), now) {
                    held = Some(signed(long, base));
                }
            }
        }
    }
}
