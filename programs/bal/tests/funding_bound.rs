//! No single transaction, whatever it trades, moves the next funding rate by more than the
//! stated bound: random quiet periods, then one "transaction" of trades of any size (1 base
//! unit to a large share of the curve, either way) with an optional funding update among them,
//! all in the same second, run on the controllers `place_perp_order` and
//! `update_funding_rate` use. The rate a funding update would set right after the transaction
//! is compared with the rate it would set at the same moment had the transaction not happened:
//! they differ by at most `2 × (|mark TWAP − oracle| + max_spread × oracle) /
//! (MARK_OBSERVATION_MAX_SHARE × FUNDING_PERIODS_PER_PREMIUM)` (in price units), one unit of
//! rounding aside.
mod common;

use bal::controller::amm_fill::PositionDirection;
use bal::controller::funding::update_funding;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::math::constants::FUNDING_PERIODS_PER_PREMIUM;
use bal::math::constants::{PERCENTAGE_PRECISION, PRICE_TO_FUNDING_RATE};
use bal::math::funding::MARK_OBSERVATION_MAX_SHARE;
use bal::state::{PerpMarket, SpotMarket, User};
use common::{funded_users, new_market, new_spot};
use proptest::prelude::*;

const ORACLE: u64 = 100_000_000;

#[derive(Clone, Debug)]
enum Action {
    /// A trade of `base` units against the AMM (1 unit and up).
    Trade { long: bool, base: u64 },
    /// A funding update inside the transaction, when one is due.
    Funding,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (any::<bool>(), prop_oneof![1u64..1_000, 1_000u64..50_000_000, 50_000_000u64..150_000_000_000])
            .prop_map(|(long, base)| Action::Trade { long, base }),
        1 => Just(Action::Funding),
    ]
}

/// The quiet time before each transaction and what it does.
fn transaction() -> impl Strategy<Value = (i64, Vec<Action>)> {
    (0i64..7_200, prop::collection::vec(action(), 1..6))
}

struct Books {
    market: Box<PerpMarket>,
    spot: SpotMarket,
    user: User,
}

fn trade(books: &mut Books, long: bool, base: u64, now: i64) {
    let order = TakerOrder {
        direction: if long {
            PositionDirection::Long
        } else {
            PositionDirection::Short
        },
        base,
        limit_price: None,
        oracle_price: ORACLE,
        fee_rate: 1_000,
        now,
    };
    // A trade the curve cannot take (its bounds) is simply not part of the transaction.
    let _ = trade_against_amm(&mut books.user, &mut books.spot, &mut books.market, &order);
}

/// The rate a funding update at `now` would set on `market` (made due for the purpose).
fn rate_at(market: &PerpMarket, now: i64) -> i64 {
    let mut copy = Box::new(*market);
    copy.funding.last_funding_ts = now - copy.funding.funding_period;
    update_funding(&mut copy, now).expect("funding").rate
}

/// The bound on the change of one rate, in FUNDING_RATE units.
fn bound(market: &PerpMarket) -> u128 {
    let band = ORACLE as u128 * market.amm.max_spread as u128 / PERCENTAGE_PRECISION as u128;
    let distance = market.funding.mark_twap.abs_diff(ORACLE) as u128;
    let in_price = 2 * (distance + band) / MARK_OBSERVATION_MAX_SHARE as u128;
    in_price * PRICE_TO_FUNDING_RATE as u128 / FUNDING_PERIODS_PER_PREMIUM as u128 + 1
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn one_transaction_moves_the_next_funding_rate_within_the_bound(
        history in prop::collection::vec(transaction(), 1..12),
    ) {
        let mut spot = new_spot();
        let (mut users, _) = funded_users(&mut spot, 1);
        let mut market = new_market();
        market.amm.last_oracle_price = ORACLE;
        market.funding.oracle_twap = ORACLE;
        // As `initialize_perp_market` leaves it.
        market.funding.mark_twap = ORACLE;
        let mut books = Books { market, spot, user: users.remove(0) };
        let mut now = 1_000_000i64;
        for (quiet, actions) in history {
            now += quiet;
            let before = rate_at(&books.market, now);
            let limit = bound(&books.market);
            for action in actions {
                match action {
                    Action::Trade { long, base } => trade(&mut books, long, base, now),
                    Action::Funding => {
                        let funding = books.market.funding;
                        if now >= funding.last_funding_ts + funding.funding_period {
                            update_funding(&mut books.market, now).expect("funding");
                        }
                    }
                }
            }
            let after = rate_at(&books.market, now);
            prop_assert!(
                (after as i128 - before as i128).unsigned_abs() <= limit,
                "rate {} → {} (bound {})", before, after, limit
            );
        }
    }
}
