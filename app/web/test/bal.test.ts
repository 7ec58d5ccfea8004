/** The page's numbers: market summaries, the Add preview on the projected account, the Remove
 * preview and cooldown, positions with their unsettled part, and the performance series. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  balError,
  errorCode,
  lpReturn,
  lpSizing,
  margin,
  projectAddLiquidity,
  sharesForLeverage,
  sharesForMargin,
  type LpHistory,
  type PerpMarket,
  type User,
} from "@bal/sdk";
import {
  accountSummary,
  addPreview,
  balSubAccountId,
  chainNow,
  cooldownLeft,
  leverageOfRatio,
  marginRatioForLeverage,
  marketSummary,
  nextSubAccountId,
  performanceSeries,
  positionRows,
  recommendsBalSubaccount,
  removePreview,
  type AddRequest,
  type MarketData,
  type Snapshot,
} from "../src/bal.js";
import { BASE, perpMarket, PRICE, priced, spotMarket, state, usd, user } from "./fixtures.js";

const LP_ACC = 10n ** 24n;
const message = (name: Parameters<typeof errorCode>[0]) => balError(errorCode(name))!.msg;

const request = (overrides: Partial<AddRequest> = {}): AddRequest => ({
  user: user(1, usd(1_000)),
  spot: spotMarket(),
  markets: [priced(perpMarket(0))],
  marketIndex: 0,
  now: 1_000n,
  mode: "amount",
  value: usd(100),
  ...overrides,
});

/** Initial free collateral of `u` with market 0 at `price`. */
const freeAt = (u: User, market: PerpMarket, price: bigint) =>
  margin(u, spotMarket(), [priced(market, price)], "initial")!.freeCollateral;

/** An LP in market 0 with `shares`, snapshots at zero, and the market's accumulators moved so
 * it is owed 1 base bought for $101 (100 shares × 0.01 base, × −1.01 quote per share). */
function lpWithInventory(shares = 100n * BASE): { lp: User; market: PerpMarket } {
  const market = perpMarket(0);
  market.lp.userLpShares = shares;
  market.lp.basePerShare = (BASE * LP_ACC) / shares;
  market.lp.quotePerShare = -(101_000_000n * LP_ACC) / shares;
  const lp = user(1, usd(1_000));
  const position = lp.perpPositions[0]!;
  position.active = 1;
  position.marketIndex = 0;
  position.baseAssetAmount = 2n * BASE;
  position.quoteAssetAmount = -usd(200);
  position.quoteEntryAmount = -usd(200);
  position.quoteBreakEvenAmount = -usd(200);
  position.lp.shares = shares;
  lp.lastAddLiquidityTs = 1_000n;
  return { lp, market };
}

test("a market's summary: users' shares in base and dollars, their part of sqrt_k, yours", () => {
  const market = perpMarket(0, 1_250n * BASE);
  market.lp.userLpShares = 250n * BASE;
  const { lp } = lpWithInventory(50n * BASE);
  const summary = marketSummary(priced(market, 101_500_000n), lp);
  assert.equal(summary.name, "SOL-PERP");
  assert.equal(summary.totalShares, 250n * BASE);
  assert.equal(summary.totalValue, usd(25_375), "250 base at $101.50");
  assert.equal(summary.userPartOfK, 200_000n, "20% of the AMM");
  assert.equal(summary.yourShares, 50n * BASE);
  assert.equal(summary.yourPart, 200_000n, "a fifth of the users' shares");
  assert.equal(summary.return7d, null, "no history yet");
  assert.equal(marketSummary(priced(market), null).yourShares, 0n);
});

test("an amount buys the shares whose orders need that much initial margin, and it is what the add uses", () => {
  const preview = addPreview(request());
  const market = perpMarket(0);
  assert.equal(preview.shares, sharesForMargin(lpSizing(market), usd(100), PRICE, 1_000n));
  assert.ok(preview.shares > 0n);
  // The orders' margin is at most $100 (shares round down to the step) plus the LP buffer
  // ($0.10) and the new position's $0.01; one step of shares is under a cent of margin.
  assert.ok(preview.marginUsed <= usd(100.11), `${preview.marginUsed}`);
  assert.ok(preview.marginUsed > usd(100.1), `${preview.marginUsed}`);
  assert.equal(preview.leverageBefore, 0n, "no positions yet: nothing levered");
  assert.equal(preview.problem, null);
  assert.equal(preview.freeCollateralAfter, usd(1_000) - preview.marginUsed);
});

test("the de-risk price is where the account as the add would leave it falls below initial margin", () => {
  const { lp, market } = lpWithInventory();
  const preview = addPreview(request({ user: lp, markets: [priced(market)], value: usd(300) }));
  assert.equal(preview.problem, null);
  const projected = projectAddLiquidity(lp, market, preview.shares, 1_000n);
  const derisk = preview.deriskPrice;
  const liquidation = preview.liquidationPrice;
  assert.ok(derisk !== null && liquidation !== null);
  // Long 3 base with bids of 40-odd more: the requirement rises faster than the collateral.
  assert.ok(derisk > PRICE, "a rise hurts");
  assert.ok(freeAt(projected.user, projected.market, derisk) < 0n, "below initial margin at it");
  assert.ok(freeAt(projected.user, projected.market, derisk - 1n) >= 0n, "not a unit before");
  assert.ok(liquidation > derisk, "de-risking comes before liquidation");
  assert.ok(
    freeAt(lp, market, derisk) >= 0n,
    "the account as it is now would still pass there: the price is the projection's",
  );
});

test("a target leverage sizes the add on the account's collateral", () => {
  const preview = addPreview(request({ mode: "leverage", value: 20_000n }));
  const collateral = usd(1_000);
  assert.equal(
    preview.shares,
    sharesForLeverage(lpSizing(perpMarket(0)), collateral, 20_000n, PRICE),
  );
  const leverage = preview.leverageAfter!;
  assert.ok(leverage <= 20_000n && leverage > 19_900n, `2x, rounded down to the step: ${leverage}`);
});

test("the subaccount's max leverage raises the margin each share needs", () => {
  const capped = user(1, usd(1_000));
  capped.customMarginRatio = 5_000;
  const atMarket = addPreview(request());
  const at2x = addPreview(request({ user: capped }));
  assert.ok(
    at2x.shares * 5n <= atMarket.shares &&
      at2x.shares * 5n > atMarket.shares - (5n * BASE) / 1_000n,
  );
});

test("an add beyond the collateral, or below one step, says why and buys nothing", () => {
  const tooMuch = addPreview(request({ value: usd(5_000) }));
  assert.ok(tooMuch.problem?.startsWith(message("insufficientCollateral")), tooMuch.problem ?? "");
  assert.match(tooMuch.problem!, /\$4,000\.\d\d short/);
  const tiny = addPreview(request({ value: 1n }));
  assert.equal(tiny.shares, 0n);
  assert.match(tiny.problem!, /one step/);
});

test("holding most of a market's user liquidity is flagged, a small part is not", () => {
  assert.ok(addPreview(request()).concentrated, "the first LP holds all of it");
  const deep = perpMarket(0, 11_000n * BASE);
  deep.lp.userLpShares = 10_000n * BASE;
  const preview = addPreview(request({ markets: [priced(deep)] }));
  assert.equal(preview.concentrated, false);
  assert.ok(preview.yourPartAfter > 0n && preview.yourPartAfter < 500_000n);
});

test("the cooldown counts down on the chain's clock", () => {
  const { lp } = lpWithInventory();
  const exchange = state(5n);
  assert.equal(cooldownLeft(exchange, lp, 1_000n), 5);
  assert.equal(cooldownLeft(exchange, lp, 1_003n), 2);
  assert.equal(cooldownLeft(exchange, lp, 1_005n), 0);
  assert.equal(cooldownLeft(exchange, lp, 9_999n), 0);
  const snapshot = { now: 1_000n } as Snapshot;
  assert.equal(chainNow(snapshot, 50_000, 52_999), 1_002n, "whole seconds since the read");
  assert.equal(chainNow(snapshot, 50_000, 49_000), 1_000n, "never before the read");
});

test("removing shows what settles first, refuses too many, and waits out the cooldown", () => {
  const { lp, market } = lpWithInventory();
  const data: MarketData = priced(market);
  const cooling = removePreview(state(5n), lp, data, null, 1_002n);
  assert.equal(cooling.burn, 100n * BASE, "all by default");
  assert.deepEqual(cooling.settle, { base: BASE, quote: -usd(101), funding: 0n });
  assert.equal(cooling.baseAfter, 3n * BASE);
  assert.equal(cooling.cooldown, 3);
  assert.equal(cooling.problem, "LP cooldown: removable in 3s");
  const ready = removePreview(state(5n), lp, data, 40n * BASE, 1_005n);
  assert.equal(ready.problem, null);
  assert.equal(ready.sharesAfter, 60n * BASE);
  assert.equal(
    removePreview(state(5n), lp, data, 101n * BASE, 1_005n).problem,
    message("insufficientLpShares"),
  );
  assert.equal(
    removePreview(state(5n), lp, data, 0n, 1_005n).problem,
    "Enter the shares to remove",
  );
  assert.equal(
    removePreview(state(), user(2, 0n), data, null, 1_005n).problem,
    "No BAL shares in this market",
  );
});

test("a BAL position shows its settled and unsettled base, entry, P&L and open orders", () => {
  const { lp, market } = lpWithInventory();
  const [row, ...rest] = positionRows(lp, spotMarket(), [priced(market)]);
  assert.equal(rest.length, 0);
  assert.ok(row);
  assert.equal(row.base, 2n * BASE);
  assert.equal(row.unsettledBase, BASE);
  assert.equal(row.totalBase, 3n * BASE);
  assert.equal(row.entryPrice, 100_333_333n, "$301 for 3 base");
  assert.equal(row.pnl, -usd(1), "3 base at $100 against $301 paid");
  assert.equal(row.lpShares, 100n * BASE);
  // A tenth of the AMM's depth to each bound of a 1,000-base curve with c = 1.414214.
  assert.equal(row.bids, 41_421_400_000n);
  assert.equal(row.asks, 29_289_343_762n);
  assert.ok(row.deriskPrice !== null && row.deriskPrice > PRICE, "its bids make a rise hurt");
  assert.equal(row.liquidationPrice, null, "maintenance holds at any price it is checked at");
  assert.deepEqual(positionRows(user(3, usd(5)), spotMarket(), [priced(market)]), []);
});

test("the account summary: collateral, free collateral and what can be withdrawn", () => {
  const idle = accountSummary(user(1, usd(1_000)), spotMarket(), [])!;
  assert.equal(idle.quote, usd(1_000));
  assert.equal(idle.freeCollateral, usd(1_000));
  assert.equal(idle.withdrawable, usd(1_000));
  const { lp, market } = lpWithInventory();
  const busy = accountSummary(lp, spotMarket(), [priced(market)])!;
  assert.ok(busy.freeCollateral < usd(1_000) && busy.withdrawable === busy.freeCollateral);
  assert.ok(busy.maintenanceRequirement < busy.initialRequirement);
  assert.equal(accountSummary(lp, spotMarket(), []), null, "its market is missing");
});

/** A history of `days` daily samples, value growing 1,000 a day on capital 1,000,000. */
function history(days: number): LpHistory {
  const samples = Array.from({ length: 32 }, () => ({
    day: 0n,
    value: 0n,
    capital: 0n,
    padding: 0n,
  }));
  for (let i = 0; i < days; i += 1) {
    samples[i % 32] = {
      day: 20_000n + BigInt(i),
      value: BigInt(i * i) * 1_000n,
      capital: 1_000_000n,
      padding: 0n,
    };
  }
  return { samples, head: (days - 1) % 32, count: Math.min(days, 32), padding: [0, 0, 0, 0, 0, 0] };
}

test("the performance series ends at the market's 7D and 30D return, oldest day first", () => {
  const full = history(40);
  for (const days of [7, 30]) {
    const series = performanceSeries(full, days);
    assert.equal(series.length, days + 1);
    assert.equal(series[0]!.value, 0n);
    assert.equal(series.at(-1)!.value, lpReturn(full, days));
    assert.ok(series.every((p, i) => i === 0 || p.day === series[i - 1]!.day + 1n));
  }
  const young = history(4);
  assert.equal(lpReturn(young, 7), null);
  assert.equal(performanceSeries(young, 7).length, 4, "all the history there is");
  assert.deepEqual(performanceSeries(history(0), 7), []);
});

test("subaccount ids: the next one, BAL's never 0, and when a dedicated one is recommended", () => {
  assert.equal(nextSubAccountId([]), 0);
  assert.equal(nextSubAccountId([0, 3, 1]), 4);
  assert.equal(balSubAccountId([]), 1);
  assert.equal(balSubAccountId([0]), 1);
  assert.equal(balSubAccountId([0, 1, 2]), 3);
  assert.equal(recommendsBalSubaccount(null), true);
  assert.equal(recommendsBalSubaccount(user(0, 0n)), true);
  assert.equal(recommendsBalSubaccount(user(2, 0n)), false);
});

test("max leverage and the custom margin ratio convert both ways", () => {
  assert.equal(marginRatioForLeverage(1), 10_000);
  assert.equal(marginRatioForLeverage(3), 3_333);
  assert.equal(marginRatioForLeverage(20), 500);
  assert.equal(leverageOfRatio(0), null);
  assert.equal(leverageOfRatio(5_000), 20_000n);
  assert.equal(leverageOfRatio(3_333), 30_003n);
});
