//! Units and precisions. Every numeric state field names one of these in its doc comment.

/// Base amounts, AMM reserves, `sqrt_k` and LP shares.
pub const BASE_PRECISION: u128 = 1_000_000_000;
/// Quote amounts: the collateral token has 6 decimals.
pub const QUOTE_PRECISION: u128 = 1_000_000;
/// Prices and the peg multiplier.
pub const PRICE_PRECISION: u128 = 1_000_000;
/// Funding rates, in quote per base.
pub const FUNDING_RATE_PRECISION: u128 = 1_000_000_000;
/// Margin ratios: 1_000 = 10%.
pub const MARGIN_PRECISION: u32 = 10_000;
/// Percentages, fee rates and spreads: 1_000_000 = 100%.
pub const PERCENTAGE_PRECISION: u32 = 1_000_000;

/// Version byte written into every account this program creates.
pub const ACCOUNT_VERSION: u8 = 1;

/// Default time an LP must wait after adding before it may remove.
pub const DEFAULT_LP_COOLDOWN_SECONDS: i64 = 3_600;
/// Upper bound for the LP cooldown an admin may set: one week.
pub const MAX_LP_COOLDOWN_SECONDS: i64 = 7 * 24 * 3_600;
/// Upper bound for any fee rate: 5%.
pub const MAX_FEE_RATE: u32 = 50_000;
