/** Projected adds against the program on the ELF: what `projectAddLiquidity` predicts is,
 * field for field, what `add_liquidity` leaves, for a first add and for an add on top of
 * unsettled inventory after funding; the margin report of the projection is the program's. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { margin, projectAddLiquidity, ReadError, type PerpMarket } from "../src/index.js";
import {
  addLiquidity,
  BASE,
  Env,
  expectOk,
  newTrader,
  nextFundingPeriod,
  setupTrading,
  trade,
  usd,
  type Exchange,
  type Trader,
} from "./harness.js";

/** The market fields an add changes and margin reads. */
const curveOf = (market: PerpMarket) => ({
  sqrtK: market.amm.sqrtK,
  baseAssetReserve: market.amm.baseAssetReserve,
  quoteAssetReserve: market.amm.quoteAssetReserve,
  minBaseAssetReserve: market.amm.minBaseAssetReserve,
  maxBaseAssetReserve: market.amm.maxBaseAssetReserve,
  userLpShares: market.lp.userLpShares,
});

async function addMatchesProjection(env: Env, exchange: Exchange, lp: Trader, shares: bigint) {
  const oraclePrice = env.oracle(exchange.oracle).price;
  const projected = projectAddLiquidity(env.user(lp.user), env.perpMarket(), shares, env.now());
  expectOk(await addLiquidity(env, exchange, lp, shares));
  assert.deepEqual(env.user(lp.user), projected.user, "the projected user is the program's");
  assert.deepEqual(curveOf(env.perpMarket()), curveOf(projected.market), "and so is the curve");
  const spot = env.spotMarket();
  assert.deepEqual(
    margin(projected.user, spot, [{ market: projected.market, oraclePrice }], "initial"),
    margin(env.user(lp.user), spot, [{ market: env.perpMarket(), oraclePrice }], "initial"),
  );
}

test("a projected add is what add_liquidity leaves: a first add, then one over unsettled inventory", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(50_000));
  const keeper = await env.wallet();
  const first = await newTrader(env, exchange, usd(10_000));
  const step = env.perpMarket().orderStepSize;
  await addMatchesProjection(env, exchange, first, 120n * BASE + step - 1n);

  const second = await newTrader(env, exchange, usd(10_000));
  await addMatchesProjection(env, exchange, second, 80n * BASE);
  expectOk(await trade(env, exchange, trader, -35n * BASE));
  await nextFundingPeriod(env, exchange, keeper, 101_250_000n);
  expectOk(await trade(env, exchange, trader, 12n * BASE));
  assert.notEqual(
    env.user(first.user).perpPositions[0].lp.basePerShare,
    env.perpMarket().lp.basePerShare,
    "the first LP holds inventory unsettled",
  );
  await addMatchesProjection(env, exchange, first, 33_333_000_000n);
});

test("an add that rounds to nothing is refused as the program refuses it", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const lp = await newTrader(env, exchange, usd(1_000));
  const market = env.perpMarket();
  assert.throws(
    () => projectAddLiquidity(env.user(lp.user), market, market.orderStepSize - 1n, env.now()),
    (error) => error instanceof ReadError && error.reason === "zeroAmount",
  );
});
