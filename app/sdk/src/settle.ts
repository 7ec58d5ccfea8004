/**
 * The position `settle_lp` would leave: an LP's entitlement against the market's accumulators
 * (`controller/lp.rs`), funding (`math/funding.rs`) and the fill bookkeeping
 * (`math/position.rs`), with the program's roundings, which are all against the position:
 * entitlements and funding toward −∞, a reduction's pro-rata entry and break-even toward zero.
 */
import type { PerpMarket, PerpPosition, User } from "./accounts.js";
import { LP_ACC_PRECISION } from "./constants.js";
import {
  abs,
  floorDiv,
  FUNDING_PAYMENT_DIVISOR,
  i128,
  i64,
  orNull,
  ReadError,
  signedMulDivFloor,
} from "./math.js";

/** A market as the read side sees it: the account and the oracle price to value it at. */
export interface PricedMarket {
  market: PerpMarket;
  /** precision: PRICE */
  oraclePrice: bigint;
}

/** A market's LP accumulators, copied out. */
export interface LpAccumulators {
  /** precision: LP_ACC */
  basePerShare: bigint;
  /** precision: LP_ACC */
  quotePerShare: bigint;
  /** `G`, signed 256-bit. precision: LP_ACC × FUNDING_RATE */
  fundingPerShare: bigint;
  /** precision: FUNDING_RATE */
  cumulativeFundingRate: bigint;
}

export const accumulatorsOf = (market: PerpMarket): LpAccumulators => ({
  basePerShare: market.lp.basePerShare,
  quotePerShare: market.lp.quotePerShare,
  fundingPerShare: market.lp.fundingPerShare,
  cumulativeFundingRate: market.funding.cumulativeFundingRate,
});

/** What settling an LP moves into its position. precision: BASE, QUOTE, QUOTE */
export interface LpSettlement {
  base: bigint;
  quote: bigint;
  /** Funding on the inventory held unsettled (negative when paid). */
  funding: bigint;
}

/** Funding a position of `base` owes for a move of the cumulative rate by `rateDelta`, as a
 * quote change: negative when it pays; a payment rounds up in size, a receipt down (toward −∞). */
export const fundingPayment = (base: bigint, rateDelta: bigint): bigint =>
  floorDiv(-(base * rateDelta), FUNDING_PAYMENT_DIVISOR);

/** Funding on unsettled inventory, `−s · ((G − G₀) − B₀ · (F − F₀))` over LP_ACC × the funding
 * divisor: paying rounds up in size, receiving rounds down (toward −∞ either way). */
function unsettledFunding(
  shares: bigint,
  gDelta: bigint,
  baseSnapshot: bigint,
  rateDelta: bigint,
): bigint {
  // G wraps as a 256-bit two's-complement value in the program; B₀ · ΔF is exact in 256 bits.
  const held = BigInt.asIntN(256, gDelta - baseSnapshot * rateDelta);
  const divisor = LP_ACC_PRECISION * FUNDING_PAYMENT_DIVISOR;
  const magnitude = (held < 0n ? -held : held) * shares;
  const quotient = i128(magnitude / divisor);
  if (held < 0n) {
    return quotient;
  }
  return magnitude % divisor === 0n ? -quotient : -quotient - 1n;
}

/** The entitlement of `position`'s shares against `acc`, without moving it; each part rounded
 * toward −∞. */
export function lpEntitlement(position: PerpPosition, acc: LpAccumulators): LpSettlement {
  const lp = position.lp;
  if (lp.shares === 0n) {
    return { base: 0n, quote: 0n, funding: 0n };
  }
  const entitlement = (delta: bigint) =>
    signedMulDivFloor(i128(delta), lp.shares, LP_ACC_PRECISION);
  return {
    base: i64(entitlement(acc.basePerShare - lp.basePerShare)),
    quote: entitlement(acc.quotePerShare - lp.quotePerShare),
    funding: unsettledFunding(
      lp.shares,
      BigInt.asIntN(256, acc.fundingPerShare - lp.fundingPerShare),
      lp.basePerShare,
      i64(acc.cumulativeFundingRate - lp.cumulativeFundingRate),
    ),
  };
}

function settleFunding(position: PerpPosition, cumulativeFundingRate: bigint): void {
  const payment = fundingPayment(
    position.baseAssetAmount,
    i64(cumulativeFundingRate - position.lastCumulativeFundingRate),
  );
  position.quoteAssetAmount = i128(position.quoteAssetAmount + payment);
  position.quoteBreakEvenAmount = i128(position.quoteBreakEvenAmount + payment);
  position.lastCumulativeFundingRate = cumulativeFundingRate;
}

/** `value × part / whole`, rounded toward zero. */
function proRata(value: bigint, part: bigint, whole: bigint): bigint {
  if (whole === 0n) {
    throw new ReadError("mathError");
  }
  return i128((value * part) / whole);
}

/** A fill of `base` (bought > 0) for `quote` (received > 0), booked as `apply_fill` books it. */
function applyFill(position: PerpPosition, base: bigint, quote: bigint): void {
  if (base === 0n) {
    return;
  }
  const held = position.baseAssetAmount;
  if (held === 0n || held > 0n === base > 0n) {
    position.baseAssetAmount = i64(held + base);
    position.quoteAssetAmount = i128(position.quoteAssetAmount + quote);
    position.quoteEntryAmount = i128(position.quoteEntryAmount + quote);
    position.quoteBreakEvenAmount = i128(position.quoteBreakEvenAmount + quote);
    return;
  }
  const closed = abs(held) < abs(base) ? abs(held) : abs(base);
  const closingQuote = proRata(quote, closed, abs(base));
  const closedEntry = proRata(position.quoteEntryAmount, closed, abs(held));
  const closedBreakEven = proRata(position.quoteBreakEvenAmount, closed, abs(held));
  position.baseAssetAmount = i64(held + base);
  position.quoteAssetAmount = i128(position.quoteAssetAmount + quote);
  position.quoteEntryAmount = i128(position.quoteEntryAmount - closedEntry);
  position.quoteBreakEvenAmount = i128(position.quoteBreakEvenAmount - closedBreakEven);
  if (abs(base) > abs(held)) {
    // A flip: the rest of the fill opens the other side at its own price.
    const opening = i128(quote - closingQuote);
    position.quoteEntryAmount = opening;
    position.quoteBreakEvenAmount = opening;
  }
}

/** `position` with its entitlement applied as `settle_lp` applies it: funding on the settled
 * base, the entitlement as a fill at the traders' prices, the unsettled inventory's funding,
 * then fresh snapshots. */
export function simulatedPosition(position: PerpPosition, acc: LpAccumulators): PerpPosition {
  const settlement = lpEntitlement(position, acc);
  const simulated: PerpPosition = { ...position, lp: { ...position.lp } };
  settleFunding(simulated, acc.cumulativeFundingRate);
  applyFill(simulated, settlement.base, settlement.quote);
  simulated.quoteAssetAmount = i128(simulated.quoteAssetAmount + settlement.funding);
  simulated.quoteBreakEvenAmount = i128(simulated.quoteBreakEvenAmount + settlement.funding);
  simulated.lp.basePerShare = acc.basePerShare;
  simulated.lp.quotePerShare = acc.quotePerShare;
  simulated.lp.fundingPerShare = acc.fundingPerShare;
  simulated.lp.cumulativeFundingRate = acc.cumulativeFundingRate;
  return simulated;
}

/** The slot of `user`'s active position in `marketIndex`, if any. */
export const findPosition = (user: User, marketIndex: number): PerpPosition | undefined =>
  user.perpPositions.find((p) => p.active === 1 && p.marketIndex === marketIndex);

/** The user's position in `market` as `settle_lp` would leave it (the position itself without
 * LP shares); `null` without a position there or where the program's arithmetic would refuse. */
export function simulateSettle(user: User, market: PricedMarket): PerpPosition | null {
  const position = findPosition(user, market.market.marketIndex);
  if (!position) {
    return null;
  }
  return orNull(() => simulatedPosition(position, accumulatorsOf(market.market)));
}
