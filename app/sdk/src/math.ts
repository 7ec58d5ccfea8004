/**
 * Integer helpers for the read side, each rounding as the program's (`math/wide.rs`,
 * `math/lp.rs`, `math/safe_math.rs`), and the refusal the program would raise where its checked
 * arithmetic or narrowing fails. bigint never overflows, so the bounds real values can reach
 * (i64 fields, narrowing conversions, 128-bit results) are checked explicitly; sums of such
 * terms stay far inside 128 bits.
 */
import {
  BASE_PRECISION,
  FUNDING_RATE_PRECISION,
  PRICE_PRECISION,
  QUOTE_PRECISION,
  SPOT_BALANCE_PRECISION,
  SPOT_CUMULATIVE_INTEREST_PRECISION,
} from "./constants.js";
import type { BalErrorName } from "./errors.js";

/** What the program would refuse with at this point; the read side answers `null` for it, as
 * the Rust client's read side answers `None`. */
export class ReadError extends Error {
  constructor(readonly reason: BalErrorName) {
    super(reason);
  }
}

/** `compute` with the program's refusals as `null`. */
export function orNull<T>(compute: () => T): T | null {
  try {
    return compute();
  } catch (error) {
    if (error instanceof ReadError) {
      return null;
    }
    throw error;
  }
}

const I64_MAX = (1n << 63n) - 1n;
const I128_MAX = (1n << 127n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

const inRange = (value: bigint, max: bigint): bigint => {
  if (value > max || value < -max - 1n) {
    throw new ReadError("mathError");
  }
  return value;
};

/** `value` as an i64, as `i64::try_from` or checked i64 arithmetic allows it. */
export const i64 = (value: bigint): bigint => inRange(value, I64_MAX);
/** `value` as an i128. */
export const i128 = (value: bigint): bigint => inRange(value, I128_MAX);

export const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/** `a / b` rounded toward −∞ (Rust's `div_euclid` for a positive `b`). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? quotient - 1n : quotient;
}

function checkedDivisor(d: bigint): bigint {
  if (d === 0n) {
    throw new ReadError("mathError");
  }
  return d;
}

const u128 = (value: bigint): bigint => {
  if (value > U128_MAX) {
    throw new ReadError("mathError");
  }
  return value;
};

/** `a × b / d` of unsigned values, rounded down (`mul_div_floor`). */
export const mulDivFloor = (a: bigint, b: bigint, d: bigint): bigint =>
  u128((a * b) / checkedDivisor(d));

/** `a × b / d` of unsigned values, rounded up (`mul_div_ceil`). */
export function mulDivCeil(a: bigint, b: bigint, d: bigint): bigint {
  const product = a * b;
  const quotient = product / checkedDivisor(d);
  return u128(product % d === 0n ? quotient : quotient + 1n);
}

/** `value × mul / div` for a signed value and unsigned factors, rounded toward −∞
 * (`signed_mul_div_floor`). */
export const signedMulDivFloor = (value: bigint, mul: bigint, div: bigint): bigint =>
  i128(floorDiv(value * mul, checkedDivisor(div)));

/** base (BASE) × price (PRICE) / this = quote (QUOTE). */
export const BASE_TIMES_PRICE_TO_QUOTE = (BASE_PRECISION * PRICE_PRECISION) / QUOTE_PRECISION;

/** base (BASE) × funding rate (FUNDING_RATE) / this = quote (QUOTE). */
export const FUNDING_PAYMENT_DIVISOR = (BASE_PRECISION * FUNDING_RATE_PRECISION) / QUOTE_PRECISION;

/** scaled balance × index / this = token amount. */
export const SPOT_BALANCE_TO_TOKEN =
  (SPOT_BALANCE_PRECISION * SPOT_CUMULATIVE_INTEREST_PRECISION) / QUOTE_PRECISION;
