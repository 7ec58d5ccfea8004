import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeName,
  encodeName,
  formatBase,
  formatDuration,
  formatFixed,
  formatLeverage,
  formatPercent,
  formatPrice,
  formatSignedBase,
  formatSignedUsd,
  formatUsd,
  parseFixed,
  shortAddress,
} from "../src/format.js";

test("fixed-point amounts round half away from zero and group thousands", () => {
  assert.equal(formatFixed(1_234_567_890n, 6, 2), "1,234.57");
  assert.equal(formatFixed(-1_234_565_000n, 6, 2), "-1,234.57");
  assert.equal(formatFixed(4_999n, 6, 2), "0.00");
  assert.equal(formatFixed(-4_999n, 6, 2), "0.00", "no minus on a rounded zero");
  assert.equal(formatFixed(5_000n, 6, 2), "0.01");
  assert.equal(formatFixed(12n, 0, 2), "12.00");
  assert.equal(formatFixed(1_000_000n, 6, 0), "1");
  assert.equal(formatBase(1_234_567_891n), "1.235");
  assert.equal(formatBase(1_234_567_891n, 9), "1.234567891");
  assert.equal(formatSignedBase(BASE()), "+1.000");
  assert.equal(formatSignedBase(-BASE()), "-1.000");
});

const BASE = () => 1_000_000_000n;

test("dollars, prices, percentages and leverage", () => {
  assert.equal(formatUsd(1_234_560_000n), "$1,234.56");
  assert.equal(formatUsd(-420_000n), "-$0.42");
  assert.equal(formatSignedUsd(420_000n), "+$0.42");
  assert.equal(formatSignedUsd(0n), "$0.00");
  assert.equal(formatPrice(2_512_345_678n), "$2,512.35");
  assert.equal(formatPrice(34n), "$0.0000");
  assert.equal(formatPrice(123_456n), "$0.1235");
  assert.equal(formatPercent(12_345n), "+1.23%");
  assert.equal(formatPercent(-1_900n), "-0.19%");
  assert.equal(formatPercent(500_000n, false), "50.00%");
  assert.equal(formatPercent(null), "—");
  assert.equal(formatLeverage(25_000n), "2.50x");
  assert.equal(formatLeverage(null), "—");
});

test("durations read as a countdown", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(4.2), "5s");
  assert.equal(formatDuration(125), "2m 05s");
  assert.equal(formatDuration(3_720), "1h 02m");
});

test("typed amounts parse exactly or not at all", () => {
  assert.equal(parseFixed("100", 6), 100_000_000n);
  assert.equal(parseFixed(" 1,000.5 ", 6), 1_000_500_000n);
  assert.equal(parseFixed(".25", 6), 250_000n);
  assert.equal(parseFixed("7.", 6), 7_000_000n);
  assert.equal(parseFixed("0.1234567", 6), null, "more decimals than the unit");
  assert.equal(parseFixed("-5", 6), null);
  assert.equal(parseFixed("1e3", 6), null);
  assert.equal(parseFixed("", 6), null);
  assert.equal(parseFixed(".", 6), null);
  assert.equal(parseFixed("2", 4), 20_000n, "leverage: 2x");
});

test("names round-trip through 32 zero-padded bytes; longer ones are refused", () => {
  const bytes = encodeName("BAL ✓")!;
  assert.equal(bytes.length, 32);
  assert.equal(decodeName(bytes), "BAL ✓");
  assert.equal(decodeName(new Array(32).fill(65)), "A".repeat(32));
  assert.equal(encodeName("x".repeat(33)), null);
  assert.equal(shortAddress("So11111111111111111111111111111111111111112"), "So11…1112");
});
