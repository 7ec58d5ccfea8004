/**
 * How the page shows the program's fixed-point amounts (bigint in the program's precisions,
 * `app/sdk/src/constants.ts`) and reads them back from what the user types. Amounts round half
 * away from zero for display only; parsing never rounds: more decimals than the unit carries
 * is refused rather than silently cut.
 */

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** `value` with `decimals` implied decimals, shown with `shown` of them and thousands
 * separators, rounded half away from zero. */
export function formatFixed(value: bigint, decimals: number, shown: number): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const drop = 10n ** BigInt(Math.max(decimals - shown, 0));
  const rounded = (magnitude + drop / 2n) / drop;
  const scale = 10n ** BigInt(Math.min(shown, decimals));
  const whole = (rounded / scale).toString().replace(GROUPS, ",");
  const fraction =
    shown > 0
      ? `.${(rounded % scale).toString().padStart(Math.min(shown, decimals), "0").padEnd(shown, "0")}`
      : "";
  const body = `${whole}${fraction}`;
  return negative && /[1-9]/.test(body) ? `-${body}` : body;
}

/** Base amounts and LP shares (precision: BASE). */
export const formatBase = (value: bigint, shown = 3): string => formatFixed(value, 9, shown);

/** Base with an explicit sign, for amounts that move a position. */
export const formatSignedBase = (value: bigint, shown = 3): string =>
  value > 0n ? `+${formatBase(value, shown)}` : formatBase(value, shown);

/** Quote amounts in dollars (precision: QUOTE): `$1,234.56`, `-$0.42`. */
export function formatUsd(value: bigint): string {
  const text = formatFixed(value, 6, 2);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

export const formatSignedUsd = (value: bigint): string =>
  value > 0n ? `+${formatUsd(value)}` : formatUsd(value);

/** Prices (precision: PRICE): cents above $1, four decimals below it. */
export const formatPrice = (value: bigint): string => {
  const text = formatFixed(value, 6, value < 1_000_000n && value > -1_000_000n ? 4 : 2);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
};

/** A return or share (precision: PERCENTAGE, 1e6 = 100%) with its sign: `+1.23%`. */
export function formatPercent(value: bigint | null, signed = true): string {
  if (value === null) {
    return "—";
  }
  const text = `${formatFixed(value * 100n, 6, 2)}%`;
  return signed && value > 0n ? `+${text}` : text;
}

/** Leverage (precision: MARGIN, 10,000 = 1x): `2.50x`; `—` when there is none to show. */
export const formatLeverage = (value: bigint | null): string =>
  value === null ? "—" : `${formatFixed(value, 4, 2)}x`;

/** A wait in seconds: `45s`, `2m 05s`, `1h 02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3_600) {
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  }
  return `${Math.floor(s / 3_600)}h ${String(Math.floor((s % 3_600) / 60)).padStart(2, "0")}m`;
}

/** What the user typed as a fixed-point amount with `decimals` decimals: digits, at most one
 * point, optional thousands commas. `null` for anything else, a negative amount, or more
 * decimals than the unit has. */
export function parseFixed(text: string, decimals: number): bigint | null {
  const cleaned = text.trim().replace(/,/g, "");
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || cleaned === "" || cleaned === ".") {
    return null;
  }
  const [, whole = "", fraction = ""] = match;
  if (fraction.length > decimals) {
    return null;
  }
  return (
    BigInt(whole || "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0")
  );
}

/** A subaccount or market name: UTF-8 up to the first zero byte. */
export const decodeName = (bytes: readonly number[]): string => {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(Uint8Array.from(end < 0 ? bytes : bytes.slice(0, end)));
};

/** A name as the program stores it: UTF-8 zero-padded to 32 bytes; `null` when too long. */
export function encodeName(name: string): number[] | null {
  const bytes = new TextEncoder().encode(name);
  if (bytes.length > 32) {
    return null;
  }
  return Array.from({ length: 32 }, (_, i) => bytes[i] ?? 0);
}

/** `AbCd…WxYz`. */
export const shortAddress = (address: string): string =>
  `${address.slice(0, 4)}…${address.slice(-4)}`;
