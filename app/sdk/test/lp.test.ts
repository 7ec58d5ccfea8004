import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  addBounds,
  lpOpenOrders,
  sharesForLeverage,
  sharesForMargin,
  type LpSizingMarket,
} from "../src/index.js";

/** Written by the Rust client (`app/client/tests/sdk_vectors.rs`), which fails when stale. */
interface Vectors {
  markets: Record<keyof LpSizingMarket, string>[];
  cases: {
    market: number;
    kind: "margin" | "leverage";
    amount: string;
    price: string;
    ratio?: string;
    leverage?: string;
    shares: string;
  }[];
  orders: { market: number; shares: string; bids: string; asks: string }[];
  bounds: { price: string; tolerance: string; min: string; max: string }[];
}

const vectors: Vectors = JSON.parse(
  readFileSync(new URL("../../test/vectors/lp-sizing.json", import.meta.url), "utf8"),
);

const markets: LpSizingMarket[] = vectors.markets.map((m) => ({
  baseAssetReserve: BigInt(m.baseAssetReserve),
  minBaseAssetReserve: BigInt(m.minBaseAssetReserve),
  maxBaseAssetReserve: BigInt(m.maxBaseAssetReserve),
  sqrtK: BigInt(m.sqrtK),
  orderStepSize: BigInt(m.orderStepSize),
}));

test("LP sizing gives the Rust client's shares for every vector", () => {
  assert.ok(vectors.cases.length > 100);
  const outcomes = new Set<string>();
  for (const c of vectors.cases) {
    const market = markets[c.market];
    const shares =
      c.kind === "margin"
        ? sharesForMargin(market, BigInt(c.amount), BigInt(c.price), BigInt(c.ratio!))
        : sharesForLeverage(market, BigInt(c.amount), BigInt(c.leverage!), BigInt(c.price));
    assert.equal(shares.toString(), c.shares, JSON.stringify(c));
    outcomes.add(c.shares);
  }
  // The grid reaches zero, ordinary and saturated results, not one repeated answer.
  assert.ok(outcomes.has("0") && outcomes.has((2n ** 64n - 1n).toString()) && outcomes.size > 50);
});

test("shares are a multiple of the step and fall with a larger margin ratio", () => {
  const market = markets[0];
  const price = 100_000_000n;
  const loose = sharesForMargin(market, 1_000_000_000n, price, 1_000n);
  const tight = sharesForMargin(market, 1_000_000_000n, price, 2_000n);
  assert.equal(loose % market.orderStepSize, 0n);
  assert.ok(tight < loose);
  assert.equal(sharesForMargin(market, 1_000_000_000n, 0n, 1_000n), 0n);
});

test("open bids and asks match the program's margin engine, with the same labels", () => {
  assert.ok(vectors.orders.length >= 50);
  for (const o of vectors.orders) {
    const open = lpOpenOrders(markets[o.market], BigInt(o.shares));
    assert.deepEqual(
      { bids: open.bids.toString(), asks: open.asks.toString() },
      { bids: o.bids, asks: o.asks },
      JSON.stringify(o),
    );
  }
  // A curve with its base reserve below the balance point has more room to buy than to sell.
  const skewed = vectors.orders.find((o) => {
    const m = markets[o.market];
    return m.baseAssetReserve < m.sqrtK && o.shares !== "1";
  })!;
  assert.ok(BigInt(skewed.bids) > BigInt(skewed.asks));
});

test("an add's price bounds match the Rust client's", () => {
  assert.ok(vectors.bounds.length >= 40);
  for (const b of vectors.bounds) {
    const { min, max } = addBounds(BigInt(b.price), BigInt(b.tolerance));
    assert.deepEqual({ min: min.toString(), max: max.toString() }, { min: b.min, max: b.max });
  }
});
