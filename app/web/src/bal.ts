/**
 * What the BAL page shows, computed from decoded accounts with the client's read side (the
 * program's own arithmetic): market summaries, the Add and Remove previews, positions with
 * their unsettled LP part, the account's margin, the removal cooldown and the performance
 * series. Pure: no DOM, no RPC, so every number the page shows is unit-tested.
 */
import type { Address } from "@solana/kit";
import {
  accumulatorsOf,
  balError,
  BASE_PRECISION,
  deriskPrice,
  errorCode,
  findPosition,
  liquidationPrice,
  lpEntitlement,
  lpOpenOrders,
  lpReturn,
  lpSizing,
  margin,
  MARGIN_PRECISION,
  newestFirst,
  PERCENTAGE_PRECISION,
  projectAddLiquidity,
  ReadError,
  sharesForLeverage,
  sharesForMargin,
  signedTokenAmount,
  simulatedPosition,
  type LpHistory,
  type LpSettlement,
  type PerpMarket,
  type PricedMarket,
  type SpotMarket,
  type State,
  type User,
} from "@bal/sdk";
import { decodeName, formatDuration, formatUsd } from "./format.js";

/** A perp market with its oracle price and display name. */
export interface MarketData extends PricedMarket {
  name: string;
}

/** One of the wallet's subaccounts. */
export interface Subaccount {
  address: Address;
  user: User;
}

/** Everything the page reads in one refresh. */
export interface Snapshot {
  /** The chain's clock (unix seconds), which the cooldown is measured against. */
  now: bigint;
  slot: bigint;
  state: State;
  spot: SpotMarket;
  /** The configured markets, then any other market a subaccount holds a position in. */
  markets: MarketData[];
  /** The connected wallet's subaccounts by id; empty without a wallet. */
  subaccounts: Subaccount[];
  /** Quote tokens in the wallet's associated token account; `null` when it has none. */
  walletQuote: bigint | null;
}

export const marketData = (market: PerpMarket, oraclePrice: bigint): MarketData => ({
  market,
  oraclePrice,
  name: decodeName(market.name),
});

/** The message of the program error the read side predicts. */
export const readErrorMessage = (error: ReadError): string =>
  balError(errorCode(error.reason))?.msg ?? error.reason;

/** `value × part / whole` as a share (precision: PERCENTAGE); 0 of nothing. */
const shareOf = (part: bigint, whole: bigint): bigint =>
  whole === 0n ? 0n : (part * PERCENTAGE_PRECISION) / whole;

/** Base (precision: BASE) at `price` (precision: PRICE) in quote (precision: QUOTE), toward −∞. */
export function baseValue(base: bigint, price: bigint): bigint {
  const product = base * price;
  const quotient = product / BASE_PRECISION;
  return product < 0n && quotient * BASE_PRECISION !== product ? quotient - 1n : quotient;
}

const sharesIn = (user: User | null, marketIndex: number): bigint =>
  (user && findPosition(user, marketIndex)?.lp.shares) || 0n;

export interface MarketSummary {
  marketIndex: number;
  name: string;
  oraclePrice: bigint;
  /** Shares users hold (the rest of `sqrt_k` is protocol-owned). precision: BASE */
  totalShares: bigint;
  /** Those shares valued as base at the oracle. precision: QUOTE */
  totalValue: bigint;
  /** Users' part of `sqrt_k`. precision: PERCENTAGE */
  userPartOfK: bigint;
  yourShares: bigint;
  /** Your part of the users' shares. precision: PERCENTAGE */
  yourPart: bigint;
  /** One share's return over the last 7 / 30 days; `null` without that much history. */
  return7d: bigint | null;
  return30d: bigint | null;
}

export function marketSummary(data: MarketData, user: User | null): MarketSummary {
  const { market, oraclePrice } = data;
  const totalShares = market.lp.userLpShares;
  const yourShares = sharesIn(user, market.marketIndex);
  return {
    marketIndex: market.marketIndex,
    name: data.name,
    oraclePrice,
    totalShares,
    totalValue: baseValue(totalShares, oraclePrice),
    userPartOfK: shareOf(totalShares, market.amm.sqrtK),
    yourShares,
    yourPart: shareOf(yourShares, totalShares),
    return7d: lpReturn(market.lpHistory, 7),
    return30d: lpReturn(market.lpHistory, 30),
  };
}

/** The subaccount's money and margin: quote balance, collateral against its initial
 * requirement, what is free, and its leverage. `null` where a position's market is missing. */
export interface AccountSummary {
  quote: bigint;
  collateral: bigint;
  initialRequirement: bigint;
  freeCollateral: bigint;
  maintenanceRequirement: bigint;
  leverage: bigint | null;
  /** What `withdraw` lets out without borrowing: the deposit, capped by free collateral. */
  withdrawable: bigint;
}

export function accountSummary(
  user: User,
  spot: SpotMarket,
  markets: readonly MarketData[],
): AccountSummary | null {
  const initial = margin(user, spot, markets, "initial");
  const maintenance = margin(user, spot, markets, "maintenance");
  const withdrawal = margin(user, spot, markets, "withdrawal");
  if (!initial || !maintenance || !withdrawal) {
    return null;
  }
  const quote = signedTokenAmount(user, spot);
  const free = initial.freeCollateral;
  // A withdrawal values gains at the worse of the oracle and its TWAP.
  const out = withdrawal.freeCollateral;
  return {
    quote,
    collateral: initial.summary.collateral,
    initialRequirement: initial.summary.requirement,
    freeCollateral: free,
    maintenanceRequirement: maintenance.summary.requirement,
    leverage: initial.leverage,
    withdrawable: quote > 0n && out > 0n ? (quote < out ? quote : out) : 0n,
  };
}

export type AddMode = "amount" | "leverage";

export interface AddRequest {
  user: User;
  spot: SpotMarket;
  markets: readonly MarketData[];
  marketIndex: number;
  now: bigint;
  /** `amount`: margin to commit (precision: QUOTE); `leverage`: the LP orders' notional over
   * the account's collateral (precision: MARGIN, 20,000 = 2x). */
  mode: AddMode;
  value: bigint;
}

export interface AddPreview {
  shares: bigint;
  /** Initial margin the new shares take. precision: QUOTE */
  marginUsed: bigint;
  freeCollateralAfter: bigint | null;
  leverageBefore: bigint | null;
  leverageAfter: bigint | null;
  /** Where the account would fall below initial margin after the add: past this price the
   * next P&L settle de-risks it (unless opted out). precision: PRICE */
  deriskPrice: bigint | null;
  liquidationPrice: bigint | null;
  /** Your part of the users' shares after the add. precision: PERCENTAGE */
  yourPartAfter: bigint;
  /** More than half of the market's user liquidity would be yours. */
  concentrated: boolean;
  /** Why the add would be refused; `null` when it would pass. */
  problem: string | null;
}

const emptyPreview = (shares: bigint, problem: string): AddPreview => ({
  shares,
  marginUsed: 0n,
  freeCollateralAfter: null,
  leverageBefore: null,
  leverageAfter: null,
  deriskPrice: null,
  liquidationPrice: null,
  yourPartAfter: 0n,
  concentrated: false,
  problem,
});

/** The shares an input buys and the account as `add_liquidity` would leave it. */
export function addPreview(request: AddRequest): AddPreview {
  const { user, spot, markets, marketIndex } = request;
  const index = markets.findIndex((m) => m.market.marketIndex === marketIndex);
  const data = markets[index];
  if (!data) {
    return emptyPreview(0n, "This market is not loaded");
  }
  const before = margin(user, spot, markets, "initial");
  if (!before) {
    return emptyPreview(0n, "A market this subaccount holds a position in is not loaded");
  }
  const sizing = lpSizing(data.market);
  const ratio = BigInt(Math.max(data.market.marginRatioInitial, user.customMarginRatio));
  const shares =
    request.mode === "amount"
      ? sharesForMargin(sizing, request.value, data.oraclePrice, ratio)
      : sharesForLeverage(
          sizing,
          before.summary.collateral > 0n ? before.summary.collateral : 0n,
          request.value,
          data.oraclePrice,
        );
  if (shares === 0n) {
    return emptyPreview(0n, "Less than one step of shares: enter more");
  }
  let projected: ReturnType<typeof projectAddLiquidity>;
  try {
    projected = projectAddLiquidity(user, data.market, shares, request.now);
  } catch (error) {
    if (error instanceof ReadError) {
      return emptyPreview(shares, readErrorMessage(error));
    }
    throw error;
  }
  const after = markets.map((m, i) => (i === index ? { ...m, market: projected.market } : m));
  const report = margin(projected.user, spot, after, "initial");
  if (!report) {
    return emptyPreview(shares, "The add cannot be valued at the current prices");
  }
  const yours = sharesIn(projected.user, marketIndex);
  const total = projected.market.lp.userLpShares;
  const short = report.freeCollateral < 0n;
  return {
    shares,
    marginUsed: report.summary.requirement - before.summary.requirement,
    freeCollateralAfter: report.freeCollateral,
    leverageBefore: before.leverage,
    leverageAfter: report.leverage,
    deriskPrice: deriskPrice(projected.user, spot, after, index),
    liquidationPrice: liquidationPrice(projected.user, spot, after, index),
    yourPartAfter: shareOf(yours, total),
    concentrated: yours * 2n > total,
    problem: short
      ? `${balError(errorCode("insufficientCollateral"))!.msg}: ${formatUsd(-report.freeCollateral)} short`
      : null,
  };
}

/** Seconds until the subaccount may remove liquidity: its last add plus the exchange's LP
 * cooldown, against the chain's clock; 0 once it has passed. */
export function cooldownLeft(state: State, user: User, now: bigint): number {
  const ready = user.lastAddLiquidityTs + state.lpCooldownSeconds;
  return ready > now ? Number(ready - now) : 0;
}

/** The chain's clock now: the snapshot's, plus the wall-clock time since it was read. */
export const chainNow = (snapshot: Snapshot, readAtMs: number, nowMs: number): bigint =>
  snapshot.now + BigInt(Math.floor(Math.max(0, nowMs - readAtMs) / 1_000));

export interface RemovePreview {
  held: bigint;
  /** Shares that would burn. */
  burn: bigint;
  /** What settling moves into the position first. precision: BASE, QUOTE, QUOTE */
  settle: LpSettlement;
  /** The position's base once settled (what stays after the burn). precision: BASE */
  baseAfter: bigint;
  sharesAfter: bigint;
  cooldown: number;
  problem: string | null;
}

/** What `remove_liquidity(shares)` (`null`: all) would do at chain time `now`. */
export function removePreview(
  state: State,
  user: User,
  data: MarketData,
  shares: bigint | null,
  now: bigint,
): RemovePreview {
  const position = findPosition(user, data.market.marketIndex);
  const held = position?.lp.shares ?? 0n;
  const burn = shares ?? held;
  const cooldown = cooldownLeft(state, user, now);
  const nothing = { base: 0n, quote: 0n, funding: 0n };
  const preview = (problem: string | null, settle = nothing, baseAfter = 0n): RemovePreview => ({
    held,
    burn,
    settle,
    baseAfter,
    sharesAfter: burn <= held ? held - burn : held,
    cooldown,
    problem,
  });
  if (!position || held === 0n) {
    return preview("No BAL shares in this market");
  }
  const acc = accumulatorsOf(data.market);
  let settle: LpSettlement;
  let baseAfter: bigint;
  try {
    settle = lpEntitlement(position, acc);
    baseAfter = simulatedPosition(position, acc).baseAssetAmount;
  } catch (error) {
    if (error instanceof ReadError) {
      return preview(readErrorMessage(error));
    }
    throw error;
  }
  if (burn === 0n) {
    return preview("Enter the shares to remove", settle, baseAfter);
  }
  if (burn > held) {
    return preview(readErrorMessage(new ReadError("insufficientLpShares")), settle, baseAfter);
  }
  if (cooldown > 0) {
    return preview(`LP cooldown: removable in ${formatDuration(cooldown)}`, settle, baseAfter);
  }
  return preview(null, settle, baseAfter);
}

export interface PositionRow {
  marketIndex: number;
  name: string;
  /** Settled base, as stored. precision: BASE */
  base: bigint;
  /** The LP's entitlement not yet settled into the position. precision: BASE */
  unsettledBase: bigint;
  /** Settled plus unsettled: what the position holds once settled. precision: BASE */
  totalBase: bigint;
  /** Average entry of the whole position. precision: PRICE */
  entryPrice: bigint | null;
  oraclePrice: bigint;
  /** Unrealized P&L at the oracle, the unsettled part and funding included. precision: QUOTE */
  pnl: bigint;
  lpShares: bigint;
  /** The LP's open orders: what it buys when traders sell (bids) and sells when they buy. */
  bids: bigint;
  asks: bigint;
  deriskPrice: bigint | null;
  liquidationPrice: bigint | null;
}

/** Every active position of `user`, in slot order, as `settle_lp` would leave it. */
export function positionRows(
  user: User,
  spot: SpotMarket,
  markets: readonly MarketData[],
): PositionRow[] {
  return user.perpPositions
    .filter((p) => p.active === 1)
    .flatMap((position) => {
      const index = markets.findIndex((m) => m.market.marketIndex === position.marketIndex);
      const data = markets[index];
      if (!data) {
        return [];
      }
      const settled = simulatedPosition(position, accumulatorsOf(data.market));
      const total = settled.baseAssetAmount;
      const magnitude = (v: bigint) => (v < 0n ? -v : v);
      const orders = lpOpenOrders(lpSizing(data.market), position.lp.shares);
      return [
        {
          marketIndex: position.marketIndex,
          name: data.name,
          base: position.baseAssetAmount,
          unsettledBase: total - position.baseAssetAmount,
          totalBase: total,
          entryPrice:
            total === 0n
              ? null
              : (magnitude(settled.quoteEntryAmount) * BASE_PRECISION) / magnitude(total),
          oraclePrice: data.oraclePrice,
          pnl: baseValue(total, data.oraclePrice) + settled.quoteAssetAmount,
          lpShares: position.lp.shares,
          bids: orders.bids,
          asks: orders.asks,
          deriskPrice: position.lp.shares > 0n ? deriskPrice(user, spot, markets, index) : null,
          liquidationPrice: liquidationPrice(user, spot, markets, index),
        },
      ];
    });
}

export interface PerformancePoint {
  day: bigint;
  /** Return since the series' first day, on that day's capital. precision: PERCENTAGE */
  value: bigint;
}

/** One share's return day by day over the last `days` days (or all the history there is),
 * oldest first; its last point is `lpReturn(history, days)` when the history reaches back. */
export function performanceSeries(history: LpHistory, days: number): PerformancePoint[] {
  const samples = newestFirst(history);
  const [newest] = samples;
  if (!newest) {
    return [];
  }
  const found = samples.findIndex((s) => s.day <= newest.day - BigInt(days));
  const window = samples.slice(0, found < 0 ? samples.length : found + 1).reverse();
  const start = window[0]!;
  if (start.capital === 0n) {
    return [];
  }
  return window.map((s) => ({
    day: s.day,
    value: ((s.value - start.value) * PERCENTAGE_PRECISION) / start.capital,
  }));
}

/** The id `initialize_user` takes next: one past the highest the wallet holds. */
export const nextSubAccountId = (ids: readonly number[]): number =>
  ids.length === 0 ? 0 : Math.max(...ids) + 1;

/** A dedicated BAL subaccount's id: the next one, never 0, where trading goes by default. */
export const balSubAccountId = (ids: readonly number[]): number =>
  Math.max(nextSubAccountId(ids), 1);

/** Whether the Add modal recommends a dedicated subaccount: the wallet has none yet, or adds
 * from subaccount 0, its trading account, so BAL and trading P&L would mix. */
export const recommendsBalSubaccount = (selected: User | null): boolean =>
  selected === null || selected.subAccountId === 0;

/** Max leverage choices for a subaccount (1x–20x); 0 keeps the market's own. */
export const LEVERAGE_CHOICES = [1, 2, 3, 4, 5, 10, 20] as const;

/** The custom margin ratio (precision: MARGIN) for a max leverage of `leverage`x. */
export const marginRatioForLeverage = (leverage: number): number =>
  Math.round(Number(MARGIN_PRECISION) / leverage);

/** The max leverage a custom margin ratio sets (precision: MARGIN); `null` for none. */
export const leverageOfRatio = (ratio: number): bigint | null =>
  ratio === 0 ? null : (MARGIN_PRECISION * MARGIN_PRECISION) / BigInt(ratio);
