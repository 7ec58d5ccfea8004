/** Precisions of the program's quantities (see `programs/bal/src/math/constants.rs`). */
/** Base amounts, AMM reserves, `sqrt_k` and LP shares. */
export const BASE_PRECISION = 1_000_000_000n;
/** Margin ratios and leverage: 10_000 = 100% (1x). */
export const MARGIN_PRECISION = 10_000n;
/** Prices and quote amounts carry 6 decimals. */
export const PRICE_PRECISION = 1_000_000n;
export const QUOTE_PRECISION = 1_000_000n;
