/**
 * The program's units, limits and pause bits, read from the IDL's constants (marked
 * `#[constant]` in `programs/bal/src/math/constants.rs` and `state/`), so none is copied here
 * by hand and none can go stale.
 */
import { IDL } from "./idl.js";

type ConstantName = (typeof IDL)["constants"][number]["name"];

function constant(name: ConstantName): bigint {
  const entry = IDL.constants.find((c) => c.name === name);
  if (entry === undefined) {
    throw new Error(`the IDL has no constant ${name}`);
  }
  return BigInt(entry.value);
}

/** Base amounts, AMM reserves, `sqrt_k` and LP shares. */
export const BASE_PRECISION = constant("basePrecision");
/** Margin ratios and leverage: 10_000 = 100% (1x). */
export const MARGIN_PRECISION = constant("marginPrecision");
/** Prices and quote amounts carry 6 decimals. */
export const PRICE_PRECISION = constant("pricePrecision");
export const QUOTE_PRECISION = constant("quotePrecision");
/** Funding rates, in quote per base. */
export const FUNDING_RATE_PRECISION = constant("fundingRatePrecision");
/** Percentages, fee rates, asset weights: 1_000_000 = 100%. */
export const PERCENTAGE_PRECISION = constant("percentagePrecision");
/** Scaled spot balances (token amounts over the cumulative index). */
export const SPOT_BALANCE_PRECISION = constant("spotBalancePrecision");
/** Cumulative interest indices; they start at 1.0. */
export const SPOT_CUMULATIVE_INTEREST_PRECISION = constant("spotCumulativeInterestPrecision");
/** Per-share LP accumulators (base, quote, and with FUNDING_RATE the funding accumulator G). */
export const LP_ACC_PRECISION = constant("lpAccPrecision");
/** The market's aggregates of what LPs and positions hold: sub-units of BASE and QUOTE. */
export const LP_AGG_PRECISION = constant("lpAggPrecision");
/** Where a liquidation stops: maintenance plus this (capped at initial). precision: MARGIN */
export const LIQUIDATION_MARGIN_BUFFER = Number(constant("liquidationMarginBuffer"));
/** Margin every open position needs on top of its ratio. precision: QUOTE */
export const MARGIN_PER_POSITION = constant("marginPerPosition");
/** Extra margin an LP position needs on top of its worst case. precision: QUOTE */
export const LP_MARGIN_BUFFER = constant("lpMarginBuffer");

/** Pause bits (`State.pausedOperations`, `PerpMarket.pausedOperations`). */
export const PAUSE = {
  deposit: Number(constant("pauseDeposit")),
  withdraw: Number(constant("pauseWithdraw")),
  trade: Number(constant("pauseTrade")),
  fill: Number(constant("pauseFill")),
  addLiquidity: Number(constant("pauseAddLiquidity")),
  removeLiquidity: Number(constant("pauseRemoveLiquidity")),
  settle: Number(constant("pauseSettle")),
  funding: Number(constant("pauseFunding")),
  liquidation: Number(constant("pauseLiquidation")),
} as const;
