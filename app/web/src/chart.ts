/** The performance chart: an SVG line of one share's return, drawn from the series alone. */
import type { PerformancePoint } from "./bal.js";
import { formatPercent } from "./format.js";
import { escapeHtml } from "./html.js";

export interface ChartSize {
  width: number;
  height: number;
  /** Room for the labels around the plot. */
  padding: number;
}

const SIZE: ChartSize = { width: 560, height: 220, padding: 36 };

const DAY_SECONDS = 86_400;

/** `day` (days since the unix epoch, as the history stores it) as `YYYY-MM-DD`. */
export const dayLabel = (day: bigint): string =>
  new Date(Number(day) * DAY_SECONDS * 1_000).toISOString().slice(0, 10);

/** Half the range a flat series is drawn in: ±0.01% around it. precision: PERCENTAGE */
const FLAT_RANGE = 100;

/** Plot coordinates of each point: days spread evenly left to right, returns bottom to top
 * over a range that always includes 0 (so the zero line shows gains from losses); a flat
 * series runs through the middle. */
export function plot(points: readonly PerformancePoint[], size: ChartSize = SIZE) {
  const values = points.map((p) => Number(p.value));
  const flat = values.every((v) => v === 0);
  const low = flat ? -FLAT_RANGE : Math.min(0, ...values);
  const high = flat ? FLAT_RANGE : Math.max(0, ...values);
  const span = high - low;
  const innerWidth = size.width - 2 * size.padding;
  const innerHeight = size.height - 2 * size.padding;
  const y = (v: number) => size.padding + ((high - v) / span) * innerHeight;
  const x = (i: number) =>
    size.padding + (points.length > 1 ? (i / (points.length - 1)) * innerWidth : innerWidth / 2);
  return {
    coordinates: values.map((v, i) => [x(i), y(v)] as const),
    zeroY: y(0),
    low,
    high,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The chart's SVG markup; a note instead of a line when there is no history yet. */
export function chartSvg(points: readonly PerformancePoint[], size: ChartSize = SIZE): string {
  const open = `<svg data-testid="performance-chart" data-points="${points.length}" viewBox="0 0 ${size.width} ${size.height}" width="100%" role="img" aria-label="Return of one LP share">`;
  if (points.length === 0) {
    return `${open}<text x="${size.width / 2}" y="${size.height / 2}" text-anchor="middle" class="chart-note">No history recorded yet</text></svg>`;
  }
  const { coordinates, zeroY, low, high } = plot(points, size);
  const path = coordinates
    .map(([px, py], i) => `${i === 0 ? "M" : "L"}${round(px)},${round(py)}`)
    .join(" ");
  const last = points[points.length - 1]!;
  const trend = last.value >= 0n ? "gain" : "loss";
  const [endX, endY] = coordinates[coordinates.length - 1]!;
  const label = (text: string) => escapeHtml(text);
  return [
    open,
    `<line class="chart-zero" x1="${size.padding}" x2="${size.width - size.padding}" y1="${round(zeroY)}" y2="${round(zeroY)}"/>`,
    `<path class="chart-line ${trend}" d="${path}" fill="none"/>`,
    `<circle class="chart-end ${trend}" cx="${round(endX)}" cy="${round(endY)}" r="3"/>`,
    `<text class="chart-axis" x="4" y="${size.padding}">${label(formatPercent(BigInt(Math.round(high))))}</text>`,
    `<text class="chart-axis" x="4" y="${size.height - size.padding}">${label(formatPercent(BigInt(Math.round(low))))}</text>`,
    `<text class="chart-axis" x="${size.padding}" y="${size.height - 8}">${label(dayLabel(points[0]!.day))}</text>`,
    `<text class="chart-axis" x="${size.width - size.padding}" y="${size.height - 8}" text-anchor="end">${label(dayLabel(last.day))}</text>`,
    "</svg>",
  ].join("");
}
