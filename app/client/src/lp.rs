//! Sizing liquidity: LP shares from a quote amount of margin or from a target leverage, using
//! the same open-order arithmetic as the program's margin engine. Products saturate at
//! `u128::MAX` and results at `u64::MAX`, so no input panics; the TypeScript client
//! (`app/sdk/src/lp.ts`) computes the same numbers, checked by shared test vectors.
use bal::math::books::larger_side_depth;
use bal::math::constants::{BASE_PRECISION, MARGIN_PRECISION, PERCENTAGE_PRECISION};
use bal::state::PerpMarket;
use bal::state::PriceBounds;

/// Base one share's open orders reach on their larger side: the AMM's depth to the farther
/// curve bound over `sqrt_k`. precision: BASE per 1.0 share
fn orders_per_share(market: &PerpMarket) -> u128 {
    larger_side_depth(market).saturating_mul(BASE_PRECISION) / market.amm.sqrt_k.get().max(1)
}

fn round_to_step(shares: u128, market: &PerpMarket) -> u64 {
    let step = market.order_step_size.max(1) as u128;
    u64::try_from(shares / step * step).unwrap_or(u64::MAX)
}

/// Shares whose larger side of open orders is `notional` (precision: QUOTE) at `price`.
fn shares_for_notional(market: &PerpMarket, notional: u128, price: u64, per_share: u128) -> u64 {
    let base = notional.saturating_mul(BASE_PRECISION) / price as u128;
    round_to_step(base.saturating_mul(BASE_PRECISION) / per_share, market)
}

/// Shares whose open orders need `margin` quote (precision: QUOTE) of initial margin at
/// `price` (precision: PRICE) and `margin_ratio` (precision: MARGIN; use the larger of the
/// market's and the subaccount's), rounded down to the market's step as `add_liquidity` does.
pub fn shares_for_margin(market: &PerpMarket, margin: u64, price: u64, margin_ratio: u32) -> u64 {
    let per_share = orders_per_share(market);
    if per_share == 0 || price == 0 || margin_ratio == 0 {
        return 0;
    }
    // notional the margin carries = margin / ratio; base = notional / price; shares = base / orders.
    let notional = margin as u128 * MARGIN_PRECISION as u128 / margin_ratio as u128;
    shares_for_notional(market, notional, price, per_share)
}

/// Shares whose open orders reach `leverage` (precision: MARGIN, 20_000 = 2x) times
/// `collateral` (precision: QUOTE) of notional at `price`, rounded down to the step.
pub fn shares_for_leverage(market: &PerpMarket, collateral: u64, leverage: u32, price: u64) -> u64 {
    let per_share = orders_per_share(market);
    if per_share == 0 || price == 0 {
        return 0;
    }
    let notional = collateral as u128 * leverage as u128 / MARGIN_PRECISION as u128;
    shares_for_notional(market, notional, price, per_share)
}

/// The bounds an add passes: the curve's reserve price as the caller saw it (precision:
/// PRICE), give or take `tolerance` (precision: PERCENTAGE), the offset rounded down as the
/// program rounds its bands and the ends saturating. The add is refused if the curve moved
/// further before it landed. The TypeScript client's `addBounds` computes the same numbers.
pub fn add_bounds(seen_price: u64, tolerance: u32) -> PriceBounds {
    let tolerance = tolerance.min(PERCENTAGE_PRECISION) as u128;
    let offset = (seen_price as u128 * tolerance / PERCENTAGE_PRECISION as u128) as u64;
    PriceBounds {
        min: seen_price - offset,
        max: seen_price.saturating_add(offset),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bal::math::books::refresh_derived_reserves;
    use bytemuck::Zeroable;

    fn market() -> Box<PerpMarket> {
        let mut market: Box<PerpMarket> = Box::new(Zeroable::zeroed());
        let sqrt_k = 1_000 * BASE_PRECISION;
        market.amm.base_asset_reserve.set(sqrt_k);
        market.amm.quote_asset_reserve.set(sqrt_k);
        market.amm.sqrt_k.set(sqrt_k);
        market.amm.concentration_coef = 2_000_000;
        market.order_step_size = 1_000_000;
        refresh_derived_reserves(&mut market).unwrap();
        market
    }

    #[test]
    fn margin_and_leverage_give_the_same_shares_for_the_same_notional() {
        let market = market();
        // Bounds at sqrt_k / 2 and sqrt_k × 2: one share's larger side is 1.0 base of orders.
        // $1,000 of margin at 10% carries $10,000 of orders: 100 base at $100.
        assert_eq!(
            shares_for_margin(&market, 1_000_000_000, 100_000_000, 1_000),
            100 * BASE_PRECISION as u64
        );
        // 10x on $1,000 is the same $10,000.
        assert_eq!(
            shares_for_leverage(&market, 1_000_000_000, 100_000, 100_000_000),
            100 * BASE_PRECISION as u64
        );
        // Rounded down to the step.
        assert_eq!(
            shares_for_margin(&market, 1_234_567, 100_000_000, 1_000) % 1_000_000,
            0
        );
    }
}
