/**
 * LP performance from a market's on-chain history alone (`PerpMarket.lpHistory`, one sample a
 * day of one share's strategy value and the capital its open orders need), as the Rust
 * client's `performance.rs` computes it.
 */
import type { LpHistory, LpSample } from "./accounts.js";
import { PERCENTAGE_PRECISION } from "./constants.js";
import { i64, orNull } from "./math.js";

/** Samples from newest to oldest (the ring buffer read back from its head). */
export function newestFirst(history: LpHistory): LpSample[] {
  const length = history.samples.length;
  return Array.from(
    { length: history.count },
    (_, i) => history.samples[(history.head + length - i) % length],
  );
}

/**
 * Return over the last `days` days (precision: PERCENTAGE, 1e6 = 100%): the change in one
 * share's value from the newest sample back to the newest sample at least `days` older,
 * divided by the capital it needed then, rounded toward zero. `null` without enough history.
 */
export function lpReturn(history: LpHistory, days: number): bigint | null {
  const samples = newestFirst(history);
  const [newest] = samples;
  if (!newest) {
    return null;
  }
  const start = samples.find((sample) => sample.day <= newest.day - BigInt(days));
  if (!start || start.capital === 0n) {
    return null;
  }
  return orNull(() => i64(((newest.value - start.value) * PERCENTAGE_PRECISION) / start.capital));
}
