use super::*;
use crate::math::constants::BASE_PRECISION;
use crate::math::wide::U256;
use proptest::prelude::*;

/// A balanced curve at `price` (PRICE precision): base = quote = sqrt_k, peg = price.
fn balanced(sqrt_k: u128) -> Curve {
    Curve {
        base: sqrt_k,
        quote: sqrt_k,
        sqrt_k,
    }
}

fn k_holds(curve: &Curve) -> bool {
    U256::from(curve.base) * U256::from(curve.quote)
        >= U256::from(curve.sqrt_k) * U256::from(curve.sqrt_k)
}

#[test]
fn reserve_price_of_a_balanced_curve_is_the_peg() {
    let curve = balanced(1_000 * BASE_PRECISION);
    assert_eq!(reserve_price(&curve, 23_000_000).unwrap(), 23_000_000);
}

#[test]
fn buying_raises_the_price_and_selling_lowers_it() {
    let curve = balanced(1_000 * BASE_PRECISION);
    let bought = swap_base(&curve, BASE_PRECISION, SwapDirection::Remove).unwrap();
    let sold = swap_base(&curve, BASE_PRECISION, SwapDirection::Add).unwrap();
    let peg = 23_000_000;
    assert!(reserve_price(&bought, peg).unwrap() > peg);
    assert!(reserve_price(&sold, peg).unwrap() < peg);
}

#[test]
fn spread_curves_quote_above_and_below_the_reserve_price() {
    let curve = balanced(1_000 * BASE_PRECISION);
    let peg = 100_000_000;
    let ask = spread_curve(&curve, 2_000, SwapDirection::Remove).unwrap();
    let bid = spread_curve(&curve, 2_000, SwapDirection::Add).unwrap();
    let ask_price = reserve_price(&ask, peg).unwrap();
    let bid_price = reserve_price(&bid, peg).unwrap();
    // A 0.2% spread puts each side about 0.2% from the reserve price.
    assert!(
        (100_190_000..=100_210_000).contains(&ask_price),
        "{ask_price}"
    );
    assert!(
        (99_790_000..=99_810_000).contains(&bid_price),
        "{bid_price}"
    );
}

#[test]
fn repeg_costs_the_protocol_when_users_are_long_and_the_peg_rises() {
    let curve = balanced(1_000 * BASE_PRECISION);
    let users_long = swap_base(&curve, 10 * BASE_PRECISION, SwapDirection::Remove).unwrap();
    let terminal = terminal_quote_reserve(&users_long, 10 * BASE_PRECISION as i128).unwrap();
    let up = PegChange {
        old: 100_000_000,
        new: 101_000_000,
    };
    let down = PegChange {
        old: 100_000_000,
        new: 99_000_000,
    };
    let cost_up = repeg_cost(&users_long, terminal, &up).unwrap();
    let cost_down = repeg_cost(&users_long, terminal, &down).unwrap();
    // Users are long about 10 base: a $1 peg move changes what they are owed by about $10.
    assert!((10_000_000..=10_200_000).contains(&cost_up), "{cost_up}");
    assert!(cost_down < 0 && cost_down >= -cost_up, "{cost_down}");
}

#[test]
fn k_update_keeps_the_price_and_charges_for_deeper_liquidity_under_user_longs() {
    let curve = balanced(1_000 * BASE_PRECISION);
    let users_long = swap_base(&curve, 10 * BASE_PRECISION, SwapDirection::Remove).unwrap();
    let peg = 100_000_000;
    let (cost, deeper) = k_update_cost(&KUpdate {
        curve: &users_long,
        new_sqrt_k: 2_000 * BASE_PRECISION,
        peg,
        net_user_base: 10 * BASE_PRECISION as i128,
        concentration_coef: 2_000_000,
    })
    .unwrap();
    let before = reserve_price(&users_long, peg).unwrap();
    let after = reserve_price(&deeper, peg).unwrap();
    assert!(before.abs_diff(after) <= 1, "{before} vs {after}");
    // Deeper liquidity means users could close at a better price: the protocol owes more.
    assert!(cost > 0, "{cost}");
}

#[test]
fn peg_for_price_moves_the_reserve_price_onto_the_target() {
    let curve = balanced(1_000 * BASE_PRECISION);
    let skewed = swap_base(&curve, 37 * BASE_PRECISION, SwapDirection::Add).unwrap();
    let peg = peg_for_price(&skewed, 42_123_456).unwrap();
    let price = reserve_price(&skewed, peg).unwrap();
    assert!(price.abs_diff(42_123_456) <= 1, "{price}");
}

#[test]
fn reserve_bounds_surround_sqrt_k() {
    let (min, max) = base_reserve_bounds(1_000 * BASE_PRECISION, 2_000_000).unwrap();
    assert_eq!(min, 500 * BASE_PRECISION);
    assert_eq!(max, 2_000 * BASE_PRECISION);
}

fn curve_strategy() -> impl Strategy<Value = (Curve, u64)> {
    // sqrt_k from 1 base unit of the asset up to 1e21 (the design's largest), price $0.0001-$1e6.
    (
        1_000_000_000u128..=1_000_000_000_000_000_000_000u128,
        100u64..=1_000_000_000_000u64,
    )
        .prop_map(|(sqrt_k, peg)| (balanced(sqrt_k), peg))
}

proptest! {
    #[test]
    fn k_never_falls_after_a_swap((curve, _peg) in curve_strategy(), fraction in 1u128..1_000, sell in any::<bool>(), by_quote in any::<bool>()) {
        let delta = curve.base * fraction / 2_000;
        prop_assume!(delta > 0);
        let direction = if sell { SwapDirection::Add } else { SwapDirection::Remove };
        let after = if by_quote {
            swap_quote(&curve, delta, direction).unwrap()
        } else {
            swap_base(&curve, delta, direction).unwrap()
        };
        prop_assert!(k_holds(&after));
    }

    #[test]
    fn a_round_trip_never_returns_more_than_was_paid((curve, peg) in curve_strategy(), fraction in 1u128..1_000, buy_first in any::<bool>()) {
        let base_delta = curve.base * fraction / 2_000;
        prop_assume!(base_delta > 0);
        let (open, close) = if buy_first {
            (SwapDirection::Remove, SwapDirection::Add)
        } else {
            (SwapDirection::Add, SwapDirection::Remove)
        };
        let opened = swap_base(&curve, base_delta, open).unwrap();
        let closed = swap_base(&opened, base_delta, close).unwrap();
        let (paid, received) = if buy_first {
            (
                reserve_to_quote(opened.quote - curve.quote, peg, Round::Up).unwrap(),
                reserve_to_quote(opened.quote - closed.quote, peg, Round::Down).unwrap(),
            )
        } else {
            (
                reserve_to_quote(closed.quote - opened.quote, peg, Round::Up).unwrap(),
                reserve_to_quote(curve.quote - opened.quote, peg, Round::Down).unwrap(),
            )
        };
        prop_assert!(received <= paid, "received {} > paid {}", received, paid);
    }

    #[test]
    fn a_zero_size_swap_leaves_the_price_unchanged((curve, peg) in curve_strategy(), by_quote in any::<bool>()) {
        let after = if by_quote {
            swap_quote(&curve, 0, SwapDirection::Add).unwrap()
        } else {
            swap_base(&curve, 0, SwapDirection::Add).unwrap()
        };
        prop_assert_eq!(reserve_price(&after, peg).unwrap(), reserve_price(&curve, peg).unwrap());
    }

    #[test]
    fn base_to_price_fills_up_to_the_limit_and_not_through_it((curve, peg) in curve_strategy(), away in 1u64..500_000, buy in any::<bool>()) {
        // A limit between 0.0001% and 50% away from the price, on the side the taker moves it.
        let price = reserve_price(&curve, peg).unwrap();
        let shift = (price as u128 * away as u128 / 1_000_000) as u64;
        prop_assume!(shift > 2);
        let (limit, direction) = if buy {
            (price + shift, SwapDirection::Remove)
        } else {
            (price - shift, SwapDirection::Add)
        };
        let base = base_to_price(&curve, peg, limit, direction).unwrap();
        prop_assume!(base > 0 && base < curve.base / 2);
        let after = swap_base(&curve, base, direction).unwrap();
        let reached = reserve_price(&after, peg).unwrap();
        // Not through the limit (one price unit of reserve rounding aside)...
        if buy {
            prop_assert!(reached <= limit + 1, "{} > {}", reached, limit);
        } else {
            prop_assert!(reached + 1 >= limit, "{} < {}", reached, limit);
        }
        // ...and up to it: 0.01% more base passes it.
        let more = swap_base(&curve, base + base / 10_000 + 1, direction).unwrap();
        let past = reserve_price(&more, peg).unwrap();
        if buy {
            prop_assert!(past + 1 >= limit, "{} < {}", past, limit);
        } else {
            prop_assert!(past <= limit + 1, "{} > {}", past, limit);
        }
    }
}

#[test]
fn rescaling_a_curve_on_its_lower_bound_keeps_it_inside() {
    // Traders bought the base reserve down to exactly sqrt_k / c.
    let sqrt_k = 1_000 * BASE_PRECISION + 7;
    let coef = 3_000_000;
    let (min_base, _) = base_reserve_bounds(sqrt_k, coef).unwrap();
    let on_bound = Curve {
        base: min_base,
        quote: square_div_ceil(sqrt_k, min_base).unwrap(),
        sqrt_k,
    };
    for new_sqrt_k in [
        sqrt_k / 3,
        sqrt_k / 7 + 1,
        sqrt_k * 2 + 1,
        BASE_PRECISION + 1,
    ] {
        let scaled = rescale_curve(&on_bound, new_sqrt_k, coef).unwrap();
        let (low, high) = base_reserve_bounds(new_sqrt_k, coef).unwrap();
        assert!(
            (low..=high).contains(&scaled.base),
            "{new_sqrt_k}: {}",
            scaled.base
        );
        let before = reserve_price(&on_bound, 1_000_000).unwrap();
        let after = reserve_price(&scaled, 1_000_000).unwrap();
        assert!(
            before.abs_diff(after) * 1_000 <= before,
            "{before} vs {after}"
        );
    }
}
