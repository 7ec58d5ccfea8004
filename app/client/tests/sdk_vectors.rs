//! Test vectors for the TypeScript client: LP sizing from margin and from leverage (computed
//! by the Rust client), an LP's open bids/asks (computed by the program's margin engine) and
//! the price bounds an add passes,
//! over a grid of markets and inputs (balanced and skewed curves,
//! small and large `sqrt_k`, inputs up to `u64::MAX`). The TypeScript tests
//! (`app/sdk/test/lp.test.ts`) must produce the same numbers. This test fails when the committed
//! file no longer matches the Rust client; `BAL_WRITE_VECTORS=1` rewrites it.
use bal::math::books::refresh_derived_reserves;
use bal::read::margin::{lp_open_orders, MarketView};
use bal::state::{PerpMarket, PerpPosition};
use bal_client::lp::{add_bounds, shares_for_leverage, shares_for_margin};
use bytemuck::Zeroable;
use serde_json::{json, Value};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sdk/test/vectors/lp-sizing.json"
);

/// A market with `sqrt_k`, its base reserve at `skew_permille`/1000 of it, and curve bounds
/// from `concentration_coef`.
fn market(
    sqrt_k: u128,
    skew_permille: u128,
    concentration_coef: u32,
    step: u64,
) -> Box<PerpMarket> {
    let mut market: Box<PerpMarket> = Box::new(Zeroable::zeroed());
    let base = sqrt_k * skew_permille / 1_000;
    market.amm.base_asset_reserve.set(base);
    market
        .amm
        .quote_asset_reserve
        .set(sqrt_k * 1_000 / skew_permille);
    market.amm.sqrt_k.set(sqrt_k);
    market.amm.concentration_coef = concentration_coef;
    market.order_step_size = step;
    refresh_derived_reserves(&mut market).unwrap();
    market
}

fn market_json(market: &PerpMarket) -> Value {
    let amm = &market.amm;
    json!({
        "baseAssetReserve": amm.base_asset_reserve.get().to_string(),
        "minBaseAssetReserve": amm.min_base_asset_reserve.get().to_string(),
        "maxBaseAssetReserve": amm.max_base_asset_reserve.get().to_string(),
        "sqrtK": amm.sqrt_k.get().to_string(),
        "orderStepSize": market.order_step_size.to_string(),
    })
}

fn vectors() -> Value {
    let mut markets = Vec::new();
    let mut cases = Vec::new();
    let mut orders = Vec::new();
    let sizes = [
        1_000_000_000_000u128,
        35_000_000_000_000_000,
        1_000_000_000_000_000_000_000,
    ];
    for (i, sqrt_k) in sizes.into_iter().enumerate() {
        for coef in [1_100_000u32, 2_000_000] {
            for skew in [950u128, 1_000, 1_050] {
                let step = if i % 2 == 0 { 1_000_000 } else { 1 };
                let market = market(sqrt_k, skew, coef, step);
                let index = markets.len();
                markets.push(market_json(&market));
                for shares in [1u128, 123_456_789_000, sqrt_k / 3] {
                    let mut position = PerpPosition::default();
                    position.lp.shares.set(shares);
                    let view = MarketView::current(&market, 100_000_000).unwrap();
                    let open = lp_open_orders(&position, &view).unwrap();
                    orders.push(json!({
                        "market": index, "shares": shares.to_string(),
                        "bids": open.bids.to_string(), "asks": open.asks.to_string(),
                    }));
                }
                for amount in [1_234_567u64, 1_000_000_000_000_000, u64::MAX] {
                    for price in [1u64, 23_000_000, 100_000_000_000] {
                        for ratio in [100u32, 10_000] {
                            cases.push(json!({
                                "market": index, "kind": "margin", "amount": amount.to_string(),
                                "price": price.to_string(), "ratio": ratio.to_string(),
                                "shares": shares_for_margin(&market, amount, price, ratio).to_string(),
                            }));
                        }
                        for leverage in [5_000u32, 200_000] {
                            cases.push(json!({
                                "market": index, "kind": "leverage", "amount": amount.to_string(),
                                "price": price.to_string(), "leverage": leverage.to_string(),
                                "shares": shares_for_leverage(&market, amount, leverage, price).to_string(),
                            }));
                        }
                    }
                }
            }
        }
    }
    let mut bounds = Vec::new();
    for price in [0u64, 1, 99_999_999, 100_000_000, u64::MAX - 7, u64::MAX] {
        for tolerance in [0u32, 1, 5_000, 10_000, 999_999, 1_000_000, u32::MAX] {
            let b = add_bounds(price, tolerance);
            bounds.push(json!({
                "price": price.to_string(), "tolerance": tolerance.to_string(),
                "min": b.min.to_string(), "max": b.max.to_string(),
            }));
        }
    }
    json!({ "markets": markets, "cases": cases, "orders": orders, "bounds": bounds })
}

#[test]
fn the_typescript_vectors_match_the_rust_client() {
    let expected = serde_json::to_string(&vectors()).unwrap() + "\n";
    if std::env::var_os("BAL_WRITE_VECTORS").is_some() {
        std::fs::write(VECTORS, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(VECTORS).unwrap_or_default();
    assert!(
        committed == expected,
        "{VECTORS} is stale: rerun with BAL_WRITE_VECTORS=1"
    );
    let cases = vectors()["cases"].as_array().unwrap().len();
    assert!(cases > 100, "{cases} cases");
}
