//! The shortfall gains count less cannot be moved for one transaction: margin judges by the
//! shortfall before the second's first oracle read as well as the current one, the larger for
//! what adds risk or takes collateral out, the smaller for a de-risk, the one before alone for
//! what liquidates. Run on the controllers the instructions use, both ways a trade moves it.
mod common;

use bal::controller::second_start::take_snapshot;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::math::constants::BASE_PRECISION;
use bal::read::margin::{MarginType, MarketView};
use bal::state::PositionDirection;
use bal::state::{PerpMarket, SpotMarket, User};
use common::{funded_users, new_market, new_spot};

const NOW: i64 = 1_000;

/// `user` trades `base` against the AMM at `oracle_price`, with no fee.
fn trade(
    books: (&mut User, &mut SpotMarket, &mut PerpMarket),
    direction: PositionDirection,
    base: u64,
    oracle_price: u64,
) {
    let order = TakerOrder {
        direction,
        base,
        limit_price: None,
        oracle_price,
        fee_rate: 0,
        now: NOW,
    };
    trade_against_amm(books.0, books.1, books.2, &order).expect("trade");
}

/// A market whose winner cannot be paid in full: a 50 base long bought from the AMM, the
/// oracle since up 15% (above where the curve now quotes).
fn market_with_a_shortfall() -> (Box<PerpMarket>, SpotMarket, Vec<User>, u64) {
    let mut market = new_market();
    let mut spot = new_spot();
    let (mut users, _) = funded_users(&mut spot, 2);
    let books = (&mut users[0], &mut spot, &mut *market);
    trade(
        books,
        PositionDirection::Long,
        50 * BASE_PRECISION as u64,
        100_000_000,
    );
    // The oracle settled there: no volatility spread on later fills.
    market.amm.oracle_twap_5min = 115_000_000;
    (market, spot, users, 115_000_000)
}

#[test]
fn a_trade_in_the_same_second_moves_no_counted_shortfall_either_way() {
    for (direction, lowers) in [
        // A sale below the oracle lowers the users' P&L as a whole, and the shortfall with it;
        // a purchase below it raises both.
        (PositionDirection::Short, true),
        (PositionDirection::Long, false),
    ] {
        let (mut market, mut spot, mut users, price) = market_with_a_shortfall();
        take_snapshot(&mut market, price, NOW).unwrap();
        let before = MarketView::new(&market, price, NOW).unwrap();
        assert!(before.gain_shortfall > 0, "a shortfall to move");
        assert_eq!(before.gain_shortfall, before.gain_shortfall_before);

        let books = (&mut users[1], &mut spot, &mut *market);
        trade(books, direction, 10 * BASE_PRECISION as u64, price);
        let view = MarketView::new(&market, price, NOW).unwrap();
        assert_eq!(view.gain_shortfall_before, before.gain_shortfall);
        assert_eq!(
            view.gain_shortfall < before.gain_shortfall,
            lowers,
            "{direction:?}: {} -> {}",
            before.gain_shortfall,
            view.gain_shortfall
        );
        // Opening risk, withdrawing and letting a reducing fill through count the larger,
        // de-risking the smaller, maintenance and liquidating the one before: none is better
        // for the one who moved it.
        let larger = view.gain_shortfall.max(before.gain_shortfall);
        let smaller = view.gain_shortfall.min(before.gain_shortfall);
        for kind in [
            MarginType::Initial,
            MarginType::Withdrawal,
            MarginType::Reduction,
        ] {
            assert_eq!(kind.counted_shortfall(&view), larger);
        }
        assert_eq!(MarginType::Derisk.counted_shortfall(&view), smaller);
        for kind in [MarginType::Maintenance, MarginType::Liquidation] {
            assert_eq!(kind.counted_shortfall(&view), before.gain_shortfall);
        }

        // A later second starts from the market as it stands.
        let later = MarketView::new(&market, price, NOW + 1).unwrap();
        assert_eq!(later.gain_shortfall_before, view.gain_shortfall);
        take_snapshot(&mut market, price, NOW + 1).unwrap();
        assert_eq!(market.second_start.shortfall.get(), view.gain_shortfall);
    }
}
