//! The AMM's and the LPs' JIT splits alongside a maker: protocol-owned and LP-owned parts, the
//! oracle guard, and the LPs' target.
use super::{base_of, book, Book, BASE};
use anchor_lang::prelude::Pubkey;
use bal::events::{FillLiquidity, OrderFillRecord};
use bal::state::PositionDirection::{Long, Short};
use bal::state::{JitParams, User};
use bal_tests::fixtures::{
    add_liquidity, new_trader, next_second, order, set_oracle_price, trade, Trader,
};
use bal_tests::TestEnv;

#[tokio::test]
async fn the_amm_takes_part_of_a_maker_fill_to_cut_its_own_inventory_and_lps_are_untouched() {
    let mut env = TestEnv::start().await;
    let jit = JitParams {
        amm_intensity: 500_000,
        ..Default::default()
    };
    let b = book(&mut env, jit).await;
    let lp = new_trader(&mut env, &b.exchange, 10_000_000_000, 0).await;
    add_liquidity(&mut env, &b.exchange, &lp, 500 * BASE)
        .await
        .expect("add");
    // Traders sell 5 base to the AMM: the protocol's own inventory is now long.
    let seller = new_trader(&mut env, &b.exchange, 10_000_000_000, 0).await;
    trade(&mut env, &b.exchange, &seller, order(Short, 5 * BASE))
        .await
        .expect("short");
    let before = env.perp_market(0).await;

    let (bid, ask) = b.cross(&mut env, Long, 4 * BASE, 100_500_000).await;
    let fill = b.fill(&mut env, bid, ask).await.expect("fill");
    // The AMM's JIT part (protocol-owned), then the maker's, both against this maker.
    let records: Vec<(FillLiquidity, u64, Pubkey)> = fill
        .events::<OrderFillRecord>()
        .iter()
        .map(|r| (r.liquidity, r.base, r.maker))
        .collect();
    assert_eq!(
        records,
        vec![
            (FillLiquidity::AmmJit, 2 * BASE, b.maker.user),
            (FillLiquidity::Maker, 2 * BASE, b.maker.user)
        ]
    );
    let after = env.perp_market(0).await;
    assert_eq!(base_of(&mut env, &b.taker).await, 4 * BASE as i64);
    assert_eq!(
        base_of(&mut env, &b.maker).await,
        -2 * BASE as i64,
        "half went to the AMM"
    );
    assert_eq!(
        after.amm.base_asset_amount_with_amm - before.amm.base_asset_amount_with_amm,
        2 * BASE as i64,
        "the AMM sold 2.0 base from its inventory"
    );
    // Protocol-owned: the LPs' accumulators and aggregates did not move.
    assert_eq!(after.lp, before.lp);
    // The maker's order keeps what it did not fill.
    let maker: User = env.load(b.maker.user).await;
    let open = maker.orders.iter().find(|o| o.is_open()).unwrap();
    assert_eq!(open.remaining(), 2 * BASE);
}

#[tokio::test]
async fn the_amm_never_jits_through_the_oracle() {
    let mut env = TestEnv::start().await;
    let jit = JitParams {
        amm_intensity: 500_000,
        ..Default::default()
    };
    let b = book(&mut env, jit).await;
    let seller = new_trader(&mut env, &b.exchange, 10_000_000_000, 0).await;
    trade(&mut env, &b.exchange, &seller, order(Short, 5 * BASE))
        .await
        .expect("short");
    let before = env.perp_market(0).await.amm.base_asset_amount_with_amm;
    // The maker asks below the $100 oracle: the AMM would sell through it, so it stays out.
    let (bid, ask) = b.cross(&mut env, Long, 4 * BASE, 99_800_000).await;
    b.fill(&mut env, bid, ask).await.expect("fill");
    assert_eq!(base_of(&mut env, &b.maker).await, -4 * BASE as i64);
    assert_eq!(
        env.perp_market(0).await.amm.base_asset_amount_with_amm,
        before
    );
}

/// A market with LP JIT on toward a flat inventory, an LP, and the LPs made long by a seller.
async fn lp_jit_book(env: &mut TestEnv) -> (Book, Trader) {
    let jit = JitParams {
        amm_intensity: 0,
        lp_intensity: 500_000,
        lp_target_base_per_share: 0,
    };
    let b = book(env, jit).await;
    let lp = new_trader(env, &b.exchange, 10_000_000_000, 0).await;
    add_liquidity(env, &b.exchange, &lp, 1_000 * BASE)
        .await
        .expect("add");
    let seller = new_trader(env, &b.exchange, 10_000_000_000, 0).await;
    trade(env, &b.exchange, &seller, order(Short, 5 * BASE))
        .await
        .expect("short");
    next_second(env, &b.exchange).await;
    (b, lp)
}

#[tokio::test]
async fn lps_take_part_of_a_maker_fill_toward_their_target() {
    let mut env = TestEnv::start().await;
    let (b, _lp) = lp_jit_book(&mut env).await;
    let before = env.perp_market(0).await;
    assert!(before.lp.base_per_share.get() > 0, "LPs are long");
    let (bid, ask) = b.cross(&mut env, Long, 4 * BASE, 100_500_000).await;
    let fill = b.fill(&mut env, bid, ask).await.expect("fill");
    let splits: Vec<FillLiquidity> = fill
        .events::<OrderFillRecord>()
        .iter()
        .map(|r| r.liquidity)
        .collect();
    assert_eq!(splits, vec![FillLiquidity::LpJit, FillLiquidity::Maker]);
    let after = env.perp_market(0).await;
    assert_eq!(base_of(&mut env, &b.maker).await, -2 * BASE as i64);
    // All 2.0 base went to the LPs (not pro rata): their aggregate fell by exactly that.
    let agg = bal::math::constants::LP_AGG_PRECISION as i128;
    assert_eq!(
        before.lp.unsettled_base.get() - after.lp.unsettled_base.get(),
        2 * BASE as i128 * agg
    );
    assert!(after.lp.base_per_share.get() < before.lp.base_per_share.get());
    assert!(
        after.lp.quote_per_share.get() > before.lp.quote_per_share.get(),
        "paid at the maker's price, with the fee slice"
    );
}

#[tokio::test]
async fn lps_stay_out_of_a_maker_fill_that_moves_them_away_from_their_target() {
    let mut env = TestEnv::start().await;
    let (b, _lp) = lp_jit_book(&mut env).await;
    let before = env.perp_market(0).await;
    // A selling taker would make the already-long LPs buy: away from the target.
    let (ask, bid) = b.cross(&mut env, Short, 4 * BASE, 99_500_000).await;
    b.fill(&mut env, ask, bid).await.expect("fill");
    assert_eq!(base_of(&mut env, &b.maker).await, 4 * BASE as i64);
    assert_eq!(env.perp_market(0).await.lp, before.lp);
}

#[tokio::test]
async fn a_jit_piece_moves_the_curve_no_further_than_the_makers_price() {
    // The AMM takes part of a maker's fill at the maker's price but moves its curve as a fill
    // would: past the maker's price, the taker could sell the piece straight back up the curve
    // at a profit. Here the protocol is long 3 base (so inventory alone would let it sell its
    // whole half of the fill, 2.0 base), the oracle has followed the curve down to $99.40 and
    // the maker asks $99.70: the curve stands about 1.5 base's move under that ask, and the
    // AMM's piece is cut to what fits below it.
    let mut env = TestEnv::start().await;
    let jit = JitParams {
        amm_intensity: 500_000,
        ..Default::default()
    };
    let b = book(&mut env, jit).await;
    let seller = new_trader(&mut env, &b.exchange, 10_000_000_000, 0).await;
    trade(&mut env, &b.exchange, &seller, order(Short, 3 * BASE))
        .await
        .expect("the protocol long three base");
    set_oracle_price(&mut env, &b.exchange, 99_400_000).await;
    next_second(&mut env, &b.exchange).await;
    let maker_price = 99_700_000;
    let (bid, ask) = b.cross(&mut env, Long, 4 * BASE, maker_price).await;
    let fill = b.fill(&mut env, bid, ask).await.expect("fill");
    let jit_base: u64 = fill
        .events::<OrderFillRecord>()
        .iter()
        .filter(|r| r.liquidity == FillLiquidity::AmmJit)
        .map(|r| r.base)
        .sum();
    assert!(jit_base > 0 && jit_base < 2 * BASE, "{jit_base}");
    let market = env.perp_market(0).await;
    let reserve = bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier)
        .expect("the curve's price");
    assert!(reserve <= maker_price, "the curve at {reserve}");
}
