/**
 * The read side against vectors the program's read door wrote (`app/client/tests/read_vectors.rs`,
 * which fails when this file's input is stale): the same account bytes, decoded here with the
 * SDK's own decoders, give the same simulated settle, open orders, margin of every kind, de-risk
 * and liquidation prices, token amount, gain shortfall and reserve price, to the unit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  decodePerpMarket,
  decodeSpotMarket,
  decodeUser,
  deriskPrice,
  gainShortfall,
  liquidationPrice,
  margin,
  openOrders,
  reservePrice,
  signedTokenAmount,
  simulateSettle,
  type MarginType,
  type PerpPosition,
  type PricedMarket,
} from "../src/index.js";

type Settled = Record<
  "baseAssetAmount" | "quoteAssetAmount" | "quoteBreakEvenAmount" | "lastCumulativeFundingRate" | "lpShares",
  string
>;

interface Case {
  user: string;
  spot: string;
  markets: {
    account: string;
    oraclePrice: string;
    settled: Settled | null;
    openOrders: { bids: string; asks: string };
    gainShortfall: string | null;
    reservePrice: string | null;
  }[];
  tokenAmount: string | null;
  margin: Record<
    MarginType,
    { collateral: string; requirement: string; freeCollateral: string; leverage: string | null } | null
  >;
  deriskPrice: string | null;
  liquidationPrice: string | null;
}

const { cases }: { cases: Case[] } = JSON.parse(
  readFileSync(new URL("../../test/vectors/read-door.json", import.meta.url), "utf8"),
);

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));
const text = (value: bigint | null | undefined) => (value == null ? null : value.toString());

function settledFields(position: PerpPosition): Settled {
  return {
    baseAssetAmount: position.baseAssetAmount.toString(),
    quoteAssetAmount: position.quoteAssetAmount.toString(),
    quoteBreakEvenAmount: position.quoteBreakEvenAmount.toString(),
    lastCumulativeFundingRate: position.lastCumulativeFundingRate.toString(),
    lpShares: position.lp.shares.toString(),
  };
}

test("the read side gives the read door's numbers for every vector", () => {
  assert.ok(cases.length >= 32);
  for (const [i, c] of cases.entries()) {
    const user = decodeUser(bytes(c.user));
    const spot = decodeSpotMarket(bytes(c.spot));
    const priced: PricedMarket[] = c.markets.map((m) => ({
      market: decodePerpMarket(bytes(m.account)),
      oraclePrice: BigInt(m.oraclePrice),
    }));
    const at = `case ${i}`;
    for (const [j, m] of c.markets.entries()) {
      const settled = simulateSettle(user, priced[j]);
      assert.deepEqual(settled && settledFields(settled), m.settled, `${at} settle ${j}`);
      const orders = openOrders(user, priced[j]);
      assert.deepEqual(
        { bids: orders.bids.toString(), asks: orders.asks.toString() },
        m.openOrders,
        `${at} open orders ${j}`,
      );
      assert.equal(text(gainShortfall(priced[j].market, priced[j].oraclePrice)), m.gainShortfall, at);
      assert.equal(text(reservePrice(priced[j].market)), m.reservePrice, at);
    }
    assert.equal(text(signedTokenAmount(user, spot)), c.tokenAmount, `${at} token amount`);
    for (const kind of Object.keys(c.margin) as MarginType[]) {
      const report = margin(user, spot, priced, kind);
      const got = report && {
        collateral: report.summary.collateral.toString(),
        requirement: report.summary.requirement.toString(),
        freeCollateral: report.freeCollateral.toString(),
        leverage: text(report.leverage),
      };
      assert.deepEqual(got, c.margin[kind], `${at} ${kind} margin`);
    }
    assert.equal(text(deriskPrice(user, spot, priced, 0)), c.deriskPrice, `${at} de-risk price`);
    assert.equal(
      text(liquidationPrice(user, spot, priced, 0)),
      c.liquidationPrice,
      `${at} liquidation price`,
    );
  }
});
