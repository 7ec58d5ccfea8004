//! Test vectors for the TypeScript read side, written from the program's read door through the
//! Rust client (`bal_client::read`, which values accounts with `bal::read`): for pseudo-random
//! accounts (a market with LP accumulators that moved since each position's snapshot, gains the
//! pool cannot all pay, open orders, deposits and borrows), the raw account bytes and what the
//! read side makes of them — the position `settle_lp` would leave, the LP's open orders, the
//! margin report of every kind, the de-risk and liquidation prices, the quote balance in
//! tokens, the market's gain shortfall and reserve price. The TypeScript tests
//! (`app/sdk/test/read-vectors.test.ts`) decode the same bytes with the SDK's own decoders and
//! must produce the same numbers. This test fails when the committed file no longer matches;
//! `BAL_WRITE_VECTORS=1` rewrites it.
use anchor_lang::Discriminator;
use bal::math::books::refresh_derived_reserves;
use bal::math::wide::U256;
use bal::read::balances::signed_token_amount;
use bal::read::margin::MarginType;
use bal::read::second_start::{current_gain_shortfall, current_reserve_price};
use bal::state::{PerpMarket, PerpPosition, SpotMarket, User};
use bal_client::read::{
    derisk_price, liquidation_price, margin, open_orders, simulate_settle, PricedMarket,
};
use bytemuck::Zeroable;
use serde_json::{json, Value};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sdk/test/vectors/read-door.json"
);
const CASES: usize = 32;

/// A fixed-seed generator (splitmix64), so the vectors are the same on every run.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn between(&mut self, low: i128, high: i128) -> i128 {
        low + (self.next() as i128).rem_euclid(high - low + 1)
    }
}

fn with_discriminator<T: bytemuck::Pod + Discriminator>(account: &T) -> String {
    let mut bytes = T::DISCRIMINATOR.to_vec();
    bytes.extend_from_slice(bytemuck::bytes_of(account));
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A market at `price` (precision: PRICE) whose LP accumulators, funding and pools moved.
fn market(n: &mut Numbers, market_index: u16, price: u64) -> Box<PerpMarket> {
    let mut market: Box<PerpMarket> = Box::new(Zeroable::zeroed());
    market.market_index = market_index;
    let sqrt_k = n.between(1_000_000_000_000, 100_000_000_000_000) as u128;
    let skew = n.between(900, 1_100) as u128;
    let amm = &mut market.amm;
    amm.sqrt_k.set(sqrt_k);
    amm.base_asset_reserve.set(sqrt_k * skew / 1_000);
    amm.quote_asset_reserve.set(sqrt_k * 1_000 / skew);
    amm.peg_multiplier = price;
    amm.concentration_coef = n.between(1_100_000, 2_000_000) as u32;
    amm.oracle_twap_5min =
        (price as i128 + n.between(-(price as i128) / 20, price as i128 / 20)) as u64;
    amm.base_asset_amount_with_amm = n.between(-1_000_000_000_000, 1_000_000_000_000) as i64;
    refresh_derived_reserves(&mut market).unwrap();
    market.margin_ratio_initial = n.between(500, 2_000) as u32;
    market.margin_ratio_maintenance = market.margin_ratio_initial / 2;
    market.unrealized_pnl_asset_weight = n.between(500_000, 1_000_000) as u32;
    market.funding.cumulative_funding_rate = n.between(-50_000_000, 50_000_000) as i64;
    market.pnl_pool = n.between(0, 10_000_000_000) as u64;
    market
        .users_quote
        .set(n.between(-1_000_000_000_000_000, 1_000_000_000_000_000));
    let lp = &mut market.lp;
    lp.user_lp_shares.set(sqrt_k / n.between(2, 10) as u128);
    lp.base_per_share
        .set(n.between(-10_i128.pow(24), 10_i128.pow(24)));
    lp.quote_per_share
        .set(n.between(-10_i128.pow(26), 10_i128.pow(26)));
    lp.funding_per_share.set(U256::from(
        n.between(10_i128.pow(29), 10_i128.pow(30)) as u128
    ));
    market
}

/// A position in `market` holding LP shares with a snapshot behind the market's accumulators.
fn position(n: &mut Numbers, market: &PerpMarket) -> PerpPosition {
    let mut position = PerpPosition::zeroed();
    position.active = 1;
    position.market_index = market.market_index;
    position.base_asset_amount = n.between(-100_000_000_000, 100_000_000_000) as i64;
    // precision: BASE × PRICE / BASE_PRECISION = QUOTE
    let quote =
        -(position.base_asset_amount as i128) * market.amm.peg_multiplier as i128 / 1_000_000_000;
    position
        .quote_asset_amount
        .set(quote + n.between(-5_000_000_000, 5_000_000_000));
    position.quote_break_even_amount.set(quote);
    position.last_cumulative_funding_rate =
        market.funding.cumulative_funding_rate - n.between(-5_000_000, 5_000_000) as i64;
    if n.between(0, 3) > 0 {
        let lp = &mut position.lp;
        lp.shares
            .set(market.lp.user_lp_shares.get() / n.between(2, 50) as u128);
        lp.base_per_share
            .set(market.lp.base_per_share.get() - n.between(-10_i128.pow(22), 10_i128.pow(22)));
        lp.quote_per_share
            .set(market.lp.quote_per_share.get() - n.between(-10_i128.pow(24), 10_i128.pow(24)));
        lp.funding_per_share.set(
            market.lp.funding_per_share.get() - U256::from(n.between(0, 10_i128.pow(28)) as u128),
        );
        lp.cumulative_funding_rate = position.last_cumulative_funding_rate;
    }
    if n.between(0, 2) == 0 {
        position.open_orders = 1;
        position.open_bids = n.between(0, 10_000_000_000) as u64;
        position.open_asks = n.between(0, 10_000_000_000) as u64;
    }
    position
}

fn spot(n: &mut Numbers) -> SpotMarket {
    let mut spot = SpotMarket::zeroed();
    let precision = 10_000_000_000i128;
    spot.cumulative_deposit_interest
        .set(n.between(precision, precision * 3 / 2) as u128);
    spot.cumulative_borrow_interest
        .set(n.between(precision, precision * 2) as u128);
    spot
}

fn user(n: &mut Numbers, markets: &[&PerpMarket]) -> User {
    let mut user = User::zeroed();
    // One account in four borrows (a smaller amount); the rest hold a deposit.
    let borrows = n.between(0, 3) == 0;
    let scaled = if borrows {
        n.between(0, 100_000_000_000_000)
    } else {
        n.between(1_000_000_000_000_000, 30_000_000_000_000_000)
    };
    user.quote_balance.scaled_balance.set(scaled as u128);
    user.quote_balance.kind = u8::from(borrows);
    for (slot, market) in markets.iter().enumerate() {
        user.perp_positions[slot] = position(n, market);
    }
    user
}

fn position_json(position: &PerpPosition) -> Value {
    json!({
        "baseAssetAmount": position.base_asset_amount.to_string(),
        "quoteAssetAmount": position.quote_asset_amount.get().to_string(),
        "quoteBreakEvenAmount": position.quote_break_even_amount.get().to_string(),
        "lastCumulativeFundingRate": position.last_cumulative_funding_rate.to_string(),
        "lpShares": position.lp.shares.get().to_string(),
    })
}

fn case(n: &mut Numbers) -> Value {
    let price = n.between(1_000_000, 100_000_000_000) as u64;
    let first = market(n, 0, price);
    let other_price = n.between(1_000_000, 10_000_000_000) as u64;
    let second = market(n, 1, other_price);
    let both = n.between(0, 1) == 1;
    let held: Vec<&PerpMarket> = if both {
        vec![&first, &second]
    } else {
        vec![&first]
    };
    let spot = spot(n);
    let user = user(n, &held);
    let priced: Vec<PricedMarket> = [(&*first, price), (&*second, other_price)]
        .into_iter()
        .take(held.len())
        .map(|(market, oracle_price)| PricedMarket {
            market,
            oracle_price,
        })
        .collect();
    let kinds = [
        ("initial", MarginType::Initial),
        ("withdrawal", MarginType::Withdrawal),
        ("maintenance", MarginType::Maintenance),
        ("liquidation", MarginType::Liquidation),
    ];
    let margins: serde_json::Map<String, Value> = kinds
        .iter()
        .map(|(name, kind)| {
            let report = margin(&user, &spot, &priced, *kind).map(|r| {
                json!({
                    "collateral": r.summary.collateral.to_string(),
                    "requirement": r.summary.requirement.to_string(),
                    "freeCollateral": r.free_collateral.to_string(),
                    "leverage": r.leverage.map(|l| l.to_string()),
                })
            });
            (name.to_string(), report.unwrap_or(Value::Null))
        })
        .collect();
    let markets: Vec<Value> = priced
        .iter()
        .map(|m| {
            json!({
                "account": with_discriminator(m.market),
                "oraclePrice": m.oracle_price.to_string(),
                "settled": simulate_settle(&user, m).map(|p| position_json(&p)),
                "openOrders": {
                    "bids": open_orders(&user, m).bids.to_string(),
                    "asks": open_orders(&user, m).asks.to_string(),
                },
                "gainShortfall": current_gain_shortfall(m.market, m.oracle_price)
                    .ok()
                    .map(|s| s.to_string()),
                "reservePrice": current_reserve_price(m.market).ok().map(|p| p.to_string()),
            })
        })
        .collect();
    json!({
        "user": with_discriminator(&user),
        "spot": with_discriminator(&spot),
        "markets": markets,
        "tokenAmount": signed_token_amount(&user.quote_balance, &spot).ok().map(|a| a.to_string()),
        "margin": margins,
        "deriskPrice": derisk_price(&user, &spot, &priced, 0).map(|p| p.to_string()),
        "liquidationPrice": liquidation_price(&user, &spot, &priced, 0).map(|p| p.to_string()),
    })
}

fn vectors() -> Value {
    let mut numbers = Numbers(0x00ba_1d00_2026_1207);
    let cases: Vec<Value> = (0..CASES).map(|_| case(&mut numbers)).collect();
    json!({ "cases": cases })
}

#[test]
fn the_typescript_read_vectors_match_the_read_door() {
    let vectors = vectors();
    let expected = serde_json::to_string(&vectors).unwrap() + "\n";
    if std::env::var_os("BAL_WRITE_VECTORS").is_some() {
        std::fs::write(VECTORS, &expected).unwrap();
    }
    let cases = vectors["cases"].as_array().unwrap();
    // The grid reaches every outcome the read side distinguishes, not one repeated answer.
    let count = |f: &dyn Fn(&Value) -> bool| cases.iter().filter(|c| f(c)).count();
    assert!(count(&|c| c["margin"]["maintenance"].is_null()) < CASES / 4);
    assert!(count(&|c| c["deriskPrice"].is_string()) > 0);
    assert!(count(&|c| c["liquidationPrice"].is_string()) > 0);
    assert!(count(&|c| c["markets"][0]["gainShortfall"] != "0") > 0);
    assert!(count(&|c| c["markets"][0]["openOrders"]["bids"] != "0") > 0);
    assert!(count(&|c| c["markets"].as_array().unwrap().len() == 2) > 0);
    let committed = std::fs::read_to_string(VECTORS).unwrap_or_default();
    assert!(
        committed == expected,
        "{VECTORS} is stale: rerun with BAL_WRITE_VECTORS=1"
    );
}
