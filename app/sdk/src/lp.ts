/**
 * Sizing liquidity: LP shares from a quote amount of margin or from a target leverage, with the
 * same integer arithmetic (and rounding) as the Rust client's `lp.rs` and the program's margin
 * engine. All amounts are bigints in the program's precisions.
 */
import type { PerpMarket } from "./accounts.js";
import { BASE_PRECISION, MARGIN_PRECISION, PERCENTAGE_PRECISION } from "./constants.js";

/** The fields of a `PerpMarket` that LP sizing reads. precision: BASE */
export interface LpSizingMarket {
  baseAssetReserve: bigint;
  minBaseAssetReserve: bigint;
  maxBaseAssetReserve: bigint;
  sqrtK: bigint;
  orderStepSize: bigint;
}

/** The sizing fields of a decoded `PerpMarket`. */
export const lpSizing = (market: PerpMarket): LpSizingMarket => ({
  baseAssetReserve: market.amm.baseAssetReserve,
  minBaseAssetReserve: market.amm.minBaseAssetReserve,
  maxBaseAssetReserve: market.amm.maxBaseAssetReserve,
  sqrtK: market.amm.sqrtK,
  orderStepSize: market.orderStepSize,
});

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** `a × b` saturating at `u128::MAX`, as the Rust client's `saturating_mul`. */
const mulSat = (a: bigint, b: bigint): bigint => {
  const product = a * b;
  return product > U128_MAX ? U128_MAX : product;
};

const saturatingSub = (a: bigint, b: bigint): bigint => (a > b ? a - b : 0n);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * Base one share's open orders reach on their larger side: the AMM's depth to the farther curve
 * bound over `sqrt_k` (rounded down). precision: BASE per 1.0 share
 */
export function ordersPerShare(market: LpSizingMarket): bigint {
  const base = market.baseAssetReserve;
  const depth = max(
    saturatingSub(market.maxBaseAssetReserve, base),
    saturatingSub(base, market.minBaseAssetReserve),
  );
  return mulSat(depth, BASE_PRECISION) / max(market.sqrtK, 1n);
}

function roundToStep(shares: bigint, market: LpSizingMarket): bigint {
  const step = max(market.orderStepSize, 1n);
  const rounded = (shares / step) * step;
  return rounded > U64_MAX ? U64_MAX : rounded;
}

/** Shares whose larger side of open orders is `notional` (precision: QUOTE) at `price`. */
function sharesForNotional(
  market: LpSizingMarket,
  notional: bigint,
  price: bigint,
  perShare: bigint,
): bigint {
  const base = mulSat(notional, BASE_PRECISION) / price;
  return roundToStep(mulSat(base, BASE_PRECISION) / perShare, market);
}

/**
 * Shares whose open orders need `margin` quote (precision: QUOTE) of initial margin at `price`
 * (precision: PRICE) and `marginRatio` (precision: MARGIN; the larger of the market's and the
 * subaccount's), rounded down to the market's step as `add_liquidity` does.
 */
export function sharesForMargin(
  market: LpSizingMarket,
  margin: bigint,
  price: bigint,
  marginRatio: bigint,
): bigint {
  const perShare = ordersPerShare(market);
  if (perShare === 0n || price === 0n || marginRatio === 0n) {
    return 0n;
  }
  // notional the margin carries = margin / ratio; base = notional / price; shares = base / orders.
  const notional = (margin * MARGIN_PRECISION) / marginRatio;
  return sharesForNotional(market, notional, price, perShare);
}

/**
 * Shares whose open orders reach `leverage` (precision: MARGIN, 20_000 = 2x) times `collateral`
 * (precision: QUOTE) of notional at `price`, rounded down to the step.
 */
export function sharesForLeverage(
  market: LpSizingMarket,
  collateral: bigint,
  leverage: bigint,
  price: bigint,
): bigint {
  const perShare = ordersPerShare(market);
  if (perShare === 0n || price === 0n) {
    return 0n;
  }
  const notional = (collateral * leverage) / MARGIN_PRECISION;
  return sharesForNotional(market, notional, price, perShare);
}

/**
 * An LP's open orders: the base it would buy (bids, when traders sell) and sell (asks, when
 * traders buy) as its share of the AMM's depth to the curve bounds, rounded down, labelled as
 * the program's margin engine labels them. precision: BASE
 */
export interface LpOpenOrders {
  bids: bigint;
  asks: bigint;
}

export function lpOpenOrders(market: LpSizingMarket, shares: bigint): LpOpenOrders {
  if (shares === 0n) {
    return { bids: 0n, asks: 0n };
  }
  const base = market.baseAssetReserve;
  return {
    bids: (saturatingSub(market.maxBaseAssetReserve, base) * shares) / market.sqrtK,
    asks: (saturatingSub(base, market.minBaseAssetReserve) * shares) / market.sqrtK,
  };
}

/** The curve's reserve price, `quote × peg / base` rounded down, as the program computes it
 * (`math::amm::reserve_price`). precision: PRICE */
export function reservePrice(market: PerpMarket): bigint {
  const amm = market.amm;
  return (amm.quoteAssetReserve * amm.pegMultiplier) / amm.baseAssetReserve;
}

/** The bounds an `addLiquidity` passes: the curve's reserve price as the caller saw it
 * (precision: PRICE), give or take `tolerance` (precision: PERCENTAGE, 10_000 = 1%), the offset
 * rounded down as the program rounds its bands and the ends saturating. The add is refused if
 * the curve moved further before it landed. Same numbers as the Rust client's `lp::add_bounds`
 * (shared test vectors). */
export function addBounds(seenPrice: bigint, tolerance: bigint): { min: bigint; max: bigint } {
  const capped = tolerance < PERCENTAGE_PRECISION ? tolerance : PERCENTAGE_PRECISION;
  const offset = (seenPrice * capped) / PERCENTAGE_PRECISION;
  const sum = seenPrice + offset;
  return { min: seenPrice - offset, max: sum > U64_MAX ? U64_MAX : sum };
}

