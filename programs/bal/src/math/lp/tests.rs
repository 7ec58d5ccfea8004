use super::*;
use proptest::prelude::*;

#[test]
fn floors_go_toward_minus_infinity() {
    assert_eq!(signed_mul_div_floor(7, 1, 2).unwrap(), 3);
    assert_eq!(signed_mul_div_floor(-7, 1, 2).unwrap(), -4);
    assert_eq!(signed_mul_div_floor(-8, 1, 2).unwrap(), -4);
}

#[test]
fn the_large_k_round_trip_loses_the_lps_less_than_a_micro_dollar() {
    // sqrt_k ≈ 3.5e16, 96.5% user-owned; a 0.1-base round trip at $23 that leaves the AMM
    // 3 quote units of spread.
    let shares = Shares {
        user: 33_775_000_000_000_000,
        total: 35_000_000_000_000_000,
    };
    let fills: [(i128, i128); 2] = [(-100_000_000, 2_300_001), (100_000_000, -2_299_998)];
    let (mut base_acc, mut quote_acc) = (0i128, 0i128);
    for (base, quote) in fills {
        base_acc += lp_part(base, &shares).unwrap().1;
        quote_acc += lp_part(quote, &shares).unwrap().1;
    }
    let base = entitlement(base_acc, shares.user).unwrap();
    let quote = entitlement(quote_acc, shares.user).unwrap();
    // Exactly owed: 0 base and 0.965 × 3 = 2.895 quote units.
    assert!((-1..=0).contains(&base), "{base}");
    assert_eq!(quote, 2);
    // In dollars: at most one base unit at $23 plus under one quote unit.
    let loss_micro_dollars = (2.895 - quote as f64) + (-base as f64) * 23.0 / 1_000.0;
    assert!(loss_micro_dollars < 1.0, "{loss_micro_dollars}");
}

#[test]
fn funding_on_unsettled_inventory_matches_settling_every_period() {
    // One LP with all shares; the AMM takes +2 base per share-unit scale, two funding periods.
    let shares = 1_000_000_000_000u128;
    let base_per_share = lp_part(
        2_000_000_000,
        &Shares {
            user: shares,
            total: shares,
        },
    )
    .unwrap()
    .1;
    let rates = [10_000_000i64, -4_000_000];
    let mut g = U256::zero();
    for rate in rates {
        g = i256::add(g, i256::from_i128(base_per_share * rate as i128));
    }
    let lazy = unsettled_funding(&LpFunding {
        shares,
        g_delta: g,
        base_snapshot: 0,
        rate_delta: rates.iter().sum(),
    })
    .unwrap();
    // Settled each period: 2 base pays 0.01 then receives 0.004 per base.
    let eager: i128 = rates
        .iter()
        .map(|rate| crate::math::funding::funding_payment(2_000_000_000, *rate).unwrap() as i128)
        .sum();
    assert_eq!(lazy, eager);
    assert_eq!(lazy, -12_000);
}

proptest! {
    #[test]
    fn lps_never_receive_more_than_the_aggregate_holds(
        deltas in prop::collection::vec(-1_000_000_000_000i128..1_000_000_000_000, 1..30),
        first in 1u128..1_000_000_000_000_000,
        second in 1u128..1_000_000_000_000_000,
        protocol in 1u128..1_000_000_000_000_000,
        join_at in 0usize..30,
    ) {
        // Two LPs: the second joins partway; each settles at the end.
        let mut acc = 0i128;
        let mut aggregate = 0i128;
        let mut exact = [0f64; 2];
        let mut second_snapshot = None;
        for (i, delta) in deltas.iter().enumerate() {
            let joined = i >= join_at;
            if joined && second_snapshot.is_none() {
                second_snapshot = Some(acc);
            }
            let user = first + if joined { second } else { 0 };
            let shares = Shares { user, total: user + protocol };
            let (agg, per_share) = lp_part(*delta, &shares).unwrap();
            aggregate += agg;
            acc += per_share;
            exact[0] += *delta as f64 * first as f64 / shares.total as f64;
            if joined {
                exact[1] += *delta as f64 * second as f64 / shares.total as f64;
            }
        }
        let got_first = entitlement(acc, first).unwrap();
        let got_second = second_snapshot.map_or(0, |s| entitlement(acc - s, second).unwrap());
        // Rounded against the LPs, and never beyond what the aggregate booked.
        prop_assert!((got_first + got_second) * LP_AGG_PRECISION as i128 <= aggregate);
        prop_assert!(got_first as f64 <= exact[0] + 1e-6 * exact[0].abs() + 1e-3);
        prop_assert!(got_first as f64 >= exact[0] - 1.0 - deltas.len() as f64 * 1e-3 - 1e-9 * exact[0].abs());
    }
}
