/** Precisions of the program's quantities (see `programs/bal/src/math/constants.rs`). */
/** Base amounts, AMM reserves, `sqrt_k` and LP shares. */
export const BASE_PRECISION = 1_000_000_000n;
/** Margin ratios and leverage: 10_000 = 100% (1x). */
export const MARGIN_PRECISION = 10_000n;
/** Prices and quote amounts carry 6 decimals. */
export const PRICE_PRECISION = 1_000_000n;
export const QUOTE_PRECISION = 1_000_000n;
/** Funding rates, in quote per base. */
export const FUNDING_RATE_PRECISION = 1_000_000_000n;
/** Percentages, fee rates, asset weights: 1_000_000 = 100%. */
export const PERCENTAGE_PRECISION = 1_000_000n;
/** Scaled spot balances (token amounts over the cumulative index). */
export const SPOT_BALANCE_PRECISION = 1_000_000_000n;
/** Cumulative interest indices; they start at 1.0. */
export const SPOT_CUMULATIVE_INTEREST_PRECISION = 10_000_000_000n;
/** Per-share LP accumulators (base, quote, and with FUNDING_RATE the funding accumulator G). */
export const LP_ACC_PRECISION = 1_000_000_000_000_000_000_000_000n;
/** The market's aggregates of what LPs and positions hold: sub-units of BASE and QUOTE. */
export const LP_AGG_PRECISION = 1_000_000_000n;
/** Where a liquidation stops: maintenance plus this (capped at initial). precision: MARGIN */
export const LIQUIDATION_MARGIN_BUFFER = 100;
/** Margin every open position needs on top of its ratio. precision: QUOTE */
export const MARGIN_PER_POSITION = 10_000n;
/** Extra margin an LP position needs on top of its worst case. precision: QUOTE */
export const LP_MARGIN_BUFFER = 100_000n;
