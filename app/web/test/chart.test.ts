import { test } from "node:test";
import assert from "node:assert/strict";
import { chartSvg, dayLabel, plot } from "../src/chart.js";

const size = { width: 200, height: 100, padding: 10 };
const points = (values: number[]) =>
  values.map((v, i) => ({ day: 20_000n + BigInt(i), value: BigInt(v) }));

test("the line spans the plot left to right with 0 always in range", () => {
  const { coordinates, zeroY, low, high } = plot(points([0, 10_000, 30_000]), size);
  assert.deepEqual(coordinates[0], [10, 90], "starts at the left, on the zero line");
  assert.deepEqual(coordinates[2], [190, 10], "the best day at the top right");
  assert.equal(zeroY, 90);
  assert.deepEqual([low, high], [0, 30_000]);
  const losing = plot(points([0, -5_000]), size);
  assert.equal(losing.zeroY, 10, "a loss draws below the zero line");
  assert.deepEqual(losing.coordinates[1], [190, 90]);
  const single = plot(points([0]), size);
  assert.deepEqual(single.coordinates[0], [100, 50], "a single flat day in the middle");
  assert.deepEqual([single.low, single.high], [-100, 100]);
});

test("the SVG names its points, colours the trend and labels the days", () => {
  const svg = chartSvg(points([0, -2_500]), size);
  assert.match(svg, /data-testid="performance-chart" data-points="2"/);
  assert.match(svg, /class="chart-line loss" d="M10,10 L190,90"/);
  assert.match(svg, /-0\.25%/);
  assert.match(svg, new RegExp(dayLabel(20_001n)));
  assert.equal(dayLabel(20_000n), "2024-10-04");
  assert.match(chartSvg([], size), /No history recorded yet/);
});
