/** LP returns from a market's history: the Rust client's cases, and a history the ELF recorded. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lpReturn, newestFirst, type LpHistory } from "../src/index.js";
import {
  addLiquidity,
  BASE,
  Env,
  expectOk,
  newTrader,
  setOraclePrice,
  setupTrading,
  START_PRICE,
  trade,
  usd,
} from "./harness.js";

const DAY = 86_400n;

/** A history as the program's ring buffer records `samples` (day, value), capital 1.0. */
function history(samples: [bigint, bigint][]): LpHistory {
  const recorded: LpHistory = {
    samples: Array.from({ length: 32 }, () => ({ day: 0n, value: 0n, capital: 0n, padding: 0n })),
    head: 0,
    count: 0,
    padding: new Array<number>(6).fill(0),
  };
  for (const [day, value] of samples) {
    if (recorded.count > 0) {
      recorded.head = (recorded.head + 1) % 32;
    }
    recorded.samples[recorded.head] = { day, value, capital: 1_000_000n, padding: 0n };
    recorded.count = Math.min(recorded.count + 1, 32);
  }
  return recorded;
}

test("returns over 7 and 30 days as the Rust client's performance test has them", () => {
  // Day 100 + i worth i × 1,000 (performance.rs): 7 days back is +7,000 on 1,000,000.
  const samples = Array.from({ length: 40 }, (_, i): [bigint, bigint] => [
    100n + BigInt(i),
    BigInt(i) * 1_000n,
  ]);
  const full = history(samples);
  assert.equal(lpReturn(full, 7), 7_000n);
  assert.equal(lpReturn(full, 30), 30_000n);
  assert.equal(lpReturn(full, 40), null, "the buffer keeps 32 days");
  assert.equal(lpReturn(history([]), 7), null);
  // A loss rounds toward zero, as the Rust client's i128 division does.
  const loss = history([
    [1n, 0n],
    [8n, -1_001n],
  ]);
  assert.equal(
    lpReturn({ ...loss, samples: loss.samples.map((s) => ({ ...s, capital: 3_000_000n })) }, 7),
    -333n,
  );
});

test("a month of round trips recorded by the program earns its LPs a positive 7D and 30D return", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const lp = await newTrader(env, exchange, usd(10_000));
  const trader = await newTrader(env, exchange, usd(10_000));
  expectOk(await addLiquidity(env, exchange, lp, 300n * BASE));
  for (let day = 0; day < 34; day += 1) {
    env.advance(DAY, 10n);
    await setOraclePrice(env, exchange, START_PRICE);
    expectOk(await trade(env, exchange, trader, 10n * BASE));
    expectOk(await trade(env, exchange, trader, -10n * BASE));
  }
  const recorded = env.perpMarket().lpHistory;
  assert.equal(recorded.count, 32, "full, the oldest overwritten");
  const days = newestFirst(recorded).map((s) => s.day);
  assert.deepEqual(
    days,
    days.map((_, i) => env.now() / DAY - BigInt(i)),
    "one sample a day, newest first",
  );
  const week = lpReturn(recorded, 7);
  const month = lpReturn(recorded, 30);
  assert.ok(week !== null && month !== null && week > 0n && month > week, `${week} ${month}`);
  assert.equal(lpReturn(recorded, 32), null);
});
