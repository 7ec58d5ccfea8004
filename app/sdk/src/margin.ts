/**
 * The margin engine as the program runs it (`read/margin.rs`, `math/margin.rs`,
 * `controller/spot_balance.rs`), and the Rust client's read side on top of it (`read.rs`): an
 * LP's open orders, the margin report, and the prices at which the account would fall below
 * its initial margin (de-risk) or maintenance margin (liquidation). Every rounding is against
 * the account: collateral rounds down (a long's value, a deposit, a weighted gain), a short's
 * value and a borrow round away from zero, requirements round up.
 */
import type { PerpPosition, SpotMarket, User } from "./accounts.js";
import {
  BASE_PRECISION,
  LIQUIDATION_MARGIN_BUFFER,
  LP_AGG_PRECISION,
  LP_MARGIN_BUFFER,
  MARGIN_PER_POSITION,
  MARGIN_PRECISION,
  PERCENTAGE_PRECISION,
} from "./constants.js";
import { lpOpenOrders, lpSizing, type LpOpenOrders } from "./lp.js";
import {
  abs,
  BASE_TIMES_PRICE_TO_QUOTE,
  floorDiv,
  i64,
  mulDivCeil,
  mulDivFloor,
  orNull,
  ReadError,
  SPOT_BALANCE_TO_TOKEN,
} from "./math.js";
import {
  accumulatorsOf,
  findPosition,
  fundingPayment,
  simulatedPosition,
  type PricedMarket,
} from "./settle.js";

/** `initial` to add risk; `withdrawal` is initial with every gain valued at the worse of the
 * oracle price and its five-minute TWAP; `maintenance` below which an account is liquidated;
 * `liquidation` where a liquidation stops (maintenance plus a buffer, at most initial). */
export type MarginType = "initial" | "withdrawal" | "maintenance" | "liquidation";

/** Collateral against requirement. precision: QUOTE */
export interface MarginSummary {
  collateral: bigint;
  requirement: bigint;
}

/** Collateral, requirement, free collateral and leverage of an account. */
export interface MarginReport {
  summary: MarginSummary;
  /** Collateral above the requirement (negative when short). precision: QUOTE */
  freeCollateral: bigint;
  /** Worst-case notional over collateral, rounded down. precision: MARGIN (10,000 = 1x);
   * `null` when the collateral is not positive. */
  leverage: bigint | null;
}

/** `SpotBalance.kind` of a borrow; the program reads any other value as a deposit. */
const BORROW = 1;

/** The quote balance in tokens, signed: a deposit rounds down, a borrow rounds up in size. */
export function signedTokenAmount(user: User, spot: SpotMarket): bigint {
  const scaled = user.quoteBalance.scaledBalance;
  if (user.quoteBalance.kind === BORROW) {
    return -mulDivCeil(scaled, spot.cumulativeBorrowInterest, SPOT_BALANCE_TO_TOKEN);
  }
  return mulDivFloor(scaled, spot.cumulativeDepositInterest, SPOT_BALANCE_TO_TOKEN);
}

/** The base margin counts: the worse of the base plus every bid filled (resting orders and the
 * LP's share of the AMM) or minus every ask filled. */
function worstCaseBase(position: PerpPosition, priced: PricedMarket): bigint {
  const orders = lpOpenOrders(lpSizing(priced.market), position.lp.shares);
  const long = position.baseAssetAmount + orders.bids + position.openBids;
  const short = position.baseAssetAmount - orders.asks - position.openAsks;
  return i64(abs(long) >= abs(short) ? long : short);
}

/** Unrealized P&L at the oracle, unsettled funding included: a long's value rounds down, a
 * short's toward −∞. precision: QUOTE */
function positionPnl(position: PerpPosition, priced: PricedMarket): bigint {
  const delta = i64(
    priced.market.funding.cumulativeFundingRate - position.lastCumulativeFundingRate,
  );
  const value = floorDiv(position.baseAssetAmount * priced.oraclePrice, BASE_TIMES_PRICE_TO_QUOTE);
  return value + position.quoteAssetAmount + fundingPayment(position.baseAssetAmount, delta);
}

/** The protocol's own inventory: the AMM's, less what LPs hold settled or not (their unsettled
 * sub-units rounded toward −∞). precision: BASE */
function protocolBase(market: PricedMarket["market"]): bigint {
  const unsettled = floorDiv(market.lp.unsettledBase, LP_AGG_PRECISION);
  return -(market.amm.baseAssetAmountWithAmm + market.lp.settledBase + unsettled);
}

/** What the market's winners could not be paid at `price`: the users' P&L as a whole (their
 * base at the price and the market's book of their quote, both rounded up) beyond the P&L pool
 * (`math::margin::gain_shortfall`). precision: QUOTE */
export function gainShortfall(market: PricedMarket["market"], price: bigint): bigint {
  const value = -floorDiv(-(-protocolBase(market) * price), BASE_TIMES_PRICE_TO_QUOTE);
  const quote = -floorDiv(-market.usersQuote, LP_AGG_PRECISION);
  const short = value + quote - market.pnlPool;
  return short > 0n ? short : 0n;
}

/** Losses count in full; a gain less the market's shortfall (never below zero), then at its
 * asset weight, rounded down (`math::margin::payable_pnl`). */
function payablePnl(pnl: bigint, shortfall: bigint, weight: number): bigint {
  if (pnl <= 0n) {
    return pnl;
  }
  const payable = pnl > shortfall ? pnl - shortfall : 0n;
  return (payable * BigInt(weight)) / PERCENTAGE_PRECISION;
}

/** The ratio `kind` applies in `market` for `user`. precision: MARGIN */
function ratioFor(kind: MarginType, market: PricedMarket["market"], user: User): number {
  switch (kind) {
    case "initial":
    case "withdrawal":
      return Math.max(market.marginRatioInitial, user.customMarginRatio);
    case "maintenance":
      return market.marginRatioMaintenance;
    case "liquidation":
      return Math.min(
        market.marginRatioMaintenance + LIQUIDATION_MARGIN_BUFFER,
        market.marginRatioInitial,
      );
  }
}

/** `|base| × price × ratio`, each step rounded up, plus the per-position minimum. */
function marginRequirement(base: bigint, price: bigint, ratio: number): bigint {
  if (base === 0n) {
    return 0n;
  }
  const notional = mulDivCeil(abs(base), price, BASE_TIMES_PRICE_TO_QUOTE);
  return mulDivCeil(notional, BigInt(ratio), MARGIN_PRECISION) + MARGIN_PER_POSITION;
}

function pricedFor(markets: readonly PricedMarket[], marketIndex: number): PricedMarket {
  const priced = markets.find((m) => m.market.marketIndex === marketIndex);
  if (!priced) {
    throw new ReadError("marginAccountMissing");
  }
  return priced;
}

/** The program's `margin_summary`: every active position, as `settle_lp` would leave it, needs
 * its market in `markets`. */
function marginSummary(
  user: User,
  spot: SpotMarket,
  markets: readonly PricedMarket[],
  kind: MarginType,
): MarginSummary {
  let collateral = signedTokenAmount(user, spot);
  let requirement = 0n;
  for (const stored of user.perpPositions.filter((p) => p.active === 1)) {
    const priced = pricedFor(markets, stored.marketIndex);
    const position = simulatedPosition(stored, accumulatorsOf(priced.market));
    let pnl = positionPnl(position, priced);
    const twap = priced.market.amm.oracleTwap5min;
    if (kind === "withdrawal" && twap > 0n) {
      const atTwap = positionPnl(position, { ...priced, oraclePrice: twap });
      pnl = atTwap < pnl ? atTwap : pnl;
    }
    collateral += payablePnl(
      pnl,
      gainShortfall(priced.market, priced.oraclePrice),
      priced.market.unrealizedPnlAssetWeight,
    );
    const ratio = ratioFor(kind, priced.market, user);
    requirement += marginRequirement(worstCaseBase(position, priced), priced.oraclePrice, ratio);
    if (position.lp.shares > 0n) {
      requirement += LP_MARGIN_BUFFER;
    }
  }
  return { collateral, requirement };
}

/** The LP's open orders in `market`: bids (what it buys when traders sell) and asks (what it
 * sells when traders buy), as the margin engine counts them, rounded down. precision: BASE */
export function openOrders(user: User, market: PricedMarket): LpOpenOrders {
  const position = findPosition(user, market.market.marketIndex);
  return lpOpenOrders(lpSizing(market.market), position?.lp.shares ?? 0n);
}

/** The account's margin of `kind` over `markets` (every market it holds a position in);
 * `null` when a market is missing or the program's arithmetic would refuse. What a withdrawal
 * lets out is the `withdrawal` report's free collateral. */
export function margin(
  user: User,
  spot: SpotMarket,
  markets: readonly PricedMarket[],
  kind: MarginType,
): MarginReport | null {
  return orNull(() => {
    const summary = marginSummary(user, spot, markets, kind);
    // Σ |worst-case base| × oracle price, each rounded down. precision: QUOTE
    let worstNotional = 0n;
    for (const stored of user.perpPositions.filter((p) => p.active === 1)) {
      const priced = pricedFor(markets, stored.marketIndex);
      const settled = simulatedPosition(stored, accumulatorsOf(priced.market));
      worstNotional += (abs(worstCaseBase(settled, priced)) * priced.oraclePrice) / BASE_PRECISION;
    }
    return {
      summary,
      freeCollateral: summary.collateral - summary.requirement,
      leverage:
        summary.collateral > 0n ? (worstNotional * MARGIN_PRECISION) / summary.collateral : null,
    };
  });
}

/** Collateral above the requirement of `kind` with `markets[index]` at `price`. */
function marginAt(
  user: User,
  spot: SpotMarket,
  markets: readonly PricedMarket[],
  index: number,
  kind: MarginType,
  price: bigint,
): bigint {
  const priced = markets.map((m, i) => (i === index ? { ...m, oraclePrice: price } : m));
  const summary = marginSummary(user, spot, priced, kind);
  return summary.collateral - summary.requirement;
}

/**
 * The oracle price of `markets[index]` (others held) at which the account stops meeting its
 * margin of `kind`: found by bisection between the current price and the side where the
 * account loses (down for a net long worst case, up for a net short), as `read.rs` does.
 * `null` when it meets the requirement across that whole range, or already fails it.
 * precision: PRICE
 */
export function thresholdPrice(
  user: User,
  spot: SpotMarket,
  markets: readonly PricedMarket[],
  index: number,
  kind: MarginType,
): bigint | null {
  const now = markets[index]?.oraclePrice;
  if (now === undefined) {
    return null;
  }
  return orNull(() => {
    const at = (price: bigint) => marginAt(user, spot, markets, index, kind, price);
    const meetsAt = (price: bigint) => at(price) >= 0n;
    if (!meetsAt(now)) {
      return null;
    }
    // Which way hurts: the worse of 10% down or 10% up.
    const fallingHurts = at(now - now / 10n) <= at(now + now / 10n);
    let good = now;
    let bad = fallingHurts ? 1n : saturatingU64(now * 100n);
    if (meetsAt(bad)) {
      return null;
    }
    while (abs(good - bad) > 1n) {
      const mid = good / 2n + bad / 2n + ((good % 2n) + (bad % 2n)) / 2n;
      if (meetsAt(mid)) {
        good = mid;
      } else {
        bad = mid;
      }
    }
    return bad;
  });
}

const U64_MAX = (1n << 64n) - 1n;
const saturatingU64 = (v: bigint): bigint => (v > U64_MAX ? U64_MAX : v);

/** The price of `markets[index]` past which an LP would be de-risked: where the account falls
 * below its initial margin. */
export const deriskPrice = (
  user: User,
  spot: SpotMarket,
  markets: readonly PricedMarket[],
  index: number,
) => thresholdPrice(user, spot, markets, index, "initial");

/** The price of `markets[index]` at which the account could be liquidated: where it falls
 * below its maintenance margin. */
export const liquidationPrice = (
  user: User,
  spot: SpotMarket,
  markets: readonly PricedMarket[],
  index: number,
) => thresholdPrice(user, spot, markets, index, "maintenance");
