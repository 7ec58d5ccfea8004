/** BAL liquidity builders on the ELF: adding, removing and settling LP shares. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LangErrorCode } from "@anchor-lang/core";
import { removeLiquidity, settleLp, settleLpMany, simulateSettle } from "../src/index.js";
import {
  addLiquidity,
  BASE,
  Env,
  expectOk,
  expectRefused,
  newTrader,
  setupTrading,
  trade,
  u32s,
  usd,
} from "./harness.js";

test("add_liquidity mints shares rounded down to the step, within initial margin", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const lp = await newTrader(env, exchange, usd(2_000));
  const step = env.perpMarket().orderStepSize;
  const added = expectOk(await addLiquidity(env, exchange, lp, 100n * BASE + step - 1n));
  const [record] = added.events;
  assert.ok(record?.name === "liquidityRecord");
  assert.equal(record.data.sharesDelta, 100n * BASE);
  assert.equal(env.user(lp.user).perpPositions[0].lp.shares, 100n * BASE);
  assert.equal(env.perpMarket().amm.sqrtK, record.data.sqrtKAfter);
  assert.equal(env.perpMarket().lp.userLpShares, 100n * BASE);
  // $2,000 carries about 480 shares' orders at 10%: ten times that is refused.
  expectRefused(await addLiquidity(env, exchange, lp, 5_000n * BASE), "insufficientCollateral");
});

test("remove_liquidity waits for the cooldown, refuses more than held, and burns all when asked", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const lp = await newTrader(env, exchange, usd(5_000));
  const trader = await newTrader(env, exchange, usd(5_000));
  expectOk(await addLiquidity(env, exchange, lp, 200n * BASE));
  expectOk(await trade(env, exchange, trader, 15n * BASE));
  const remove = (shares: bigint | null) =>
    env.send(lp.wallet, removeLiquidity(lp.wallet, lp.user, 0, shares));
  expectRefused(await remove(50n * BASE), "lpCooldown");
  env.advance(3_600n, 10n);
  expectRefused(await remove(201n * BASE), "insufficientLpShares");
  expectOk(await remove(50n * BASE));
  assert.equal(env.user(lp.user).perpPositions[0].lp.shares, 150n * BASE);
  const removed = expectOk(await remove(null));
  const [record] = removed.events;
  assert.ok(record?.name === "liquidityRecord");
  assert.deepEqual([record.data.sharesDelta, record.data.sharesAfter], [-150n * BASE, 0n]);
  const position = env.user(lp.user).perpPositions[0];
  assert.ok(position.baseAssetAmount < 0n, "the LP keeps its settled short");
  assert.equal(env.perpMarket().lp.userLpShares, 0n);
});

test("settle_lp is idempotent and settle_lp_many settles every LP, codes per account in try mode", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(5_000));
  const keeper = await env.wallet();
  const first = await newTrader(env, exchange, usd(5_000));
  const second = await newTrader(env, exchange, usd(5_000));
  expectOk(await addLiquidity(env, exchange, first, 100n * BASE));
  expectOk(await addLiquidity(env, exchange, second, 300n * BASE));
  expectOk(await trade(env, exchange, trader, -25n * BASE));

  const oraclePrice = env.oracle(exchange.oracle).price;
  const expected = [first, second].map((lp) =>
    simulateSettle(env.user(lp.user), { market: env.perpMarket(), oraclePrice }),
  );
  const wrongOwner = LangErrorCode.AccountOwnedByWrongProgram;
  expectRefused(
    await env.send(keeper, settleLpMany(keeper, [first.user, keeper.address], 0, false)),
    wrongOwner,
  );
  const batch = expectOk(
    await env.send(
      keeper,
      settleLpMany(keeper, [first.user, keeper.address, second.user], 0, true),
    ),
  );
  assert.deepEqual(u32s(batch.returnData), [0, wrongOwner, 0]);
  assert.deepEqual(
    [first, second].map((lp) => env.user(lp.user).perpPositions[0]),
    expected,
    "each LP left as the client simulated",
  );
  // One record for the batch, listing the two LPs (the refused account is not there).
  const [record] = batch.events;
  assert.ok(record?.name === "lpSettleBatchRecord");
  assert.deepEqual(
    record.data.settled.map((s) => [s.user, s.baseSettled]),
    [first, second].map((lp, i) => [lp.user, expected[i]?.baseAssetAmount]),
  );
  // Settling again moves nothing and leaves no record.
  const again = expectOk(await env.send(keeper, settleLp(keeper, first.user, 0)));
  assert.deepEqual(again.events, []);
  assert.deepEqual(env.user(first.user).perpPositions[0], expected[0]);
});
