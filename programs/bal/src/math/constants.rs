//! Units and precisions. Every numeric state field names one of these in its doc comment.

/// Base amounts, AMM reserves, `sqrt_k` and LP shares.
#[anchor_lang::constant]
pub const BASE_PRECISION: u128 = 1_000_000_000;
/// Quote amounts: the collateral token has 6 decimals.
#[anchor_lang::constant]
pub const QUOTE_PRECISION: u128 = 1_000_000;
/// The only mint decimals the quote spot market accepts.
#[anchor_lang::constant]
pub const QUOTE_DECIMALS: u8 = 6;
/// Prices and the peg multiplier.
#[anchor_lang::constant]
pub const PRICE_PRECISION: u128 = 1_000_000;
/// Funding rates, in quote per base.
#[anchor_lang::constant]
pub const FUNDING_RATE_PRECISION: u128 = 1_000_000_000;
/// Margin ratios: 1_000 = 10%.
#[anchor_lang::constant]
pub const MARGIN_PRECISION: u32 = 10_000;
/// Percentages, fee rates and spreads: 1_000_000 = 100%.
#[anchor_lang::constant]
pub const PERCENTAGE_PRECISION: u32 = 1_000_000;

/// Scaled spot balances (deposits and borrows divided by their cumulative index).
#[anchor_lang::constant]
pub const SPOT_BALANCE_PRECISION: u128 = 1_000_000_000;
/// Cumulative interest indices; they start at 1.0.
#[anchor_lang::constant]
pub const SPOT_CUMULATIVE_INTEREST_PRECISION: u128 = 10_000_000_000_u128;
/// scaled balance × index / this = token amount (1e9 × 1e10 / 1e13 = 1e6).
pub const SPOT_BALANCE_TO_TOKEN: u128 =
    SPOT_BALANCE_PRECISION * SPOT_CUMULATIVE_INTEREST_PRECISION / QUOTE_PRECISION;
pub const ONE_YEAR_SECONDS: u128 = 365 * 24 * 3_600;

/// reserve (BASE) × peg (PRICE) / this = quote (QUOTE): 1e9 × 1e6 / 1e9 = 1e6.
pub const RESERVE_TIMES_PEG_TO_QUOTE: u128 = BASE_PRECISION * PRICE_PRECISION / QUOTE_PRECISION;

/// Version byte written into every account this program creates.
#[anchor_lang::constant]
pub const ACCOUNT_VERSION: u8 = 4;

/// Upper bound for the LP cooldown an admin may set: one week.
#[anchor_lang::constant]
pub const MAX_LP_COOLDOWN_SECONDS: i64 = 7 * 24 * 3_600;
/// Upper bound for any fee rate: 5%.
#[anchor_lang::constant]
pub const MAX_FEE_RATE: u32 = 50_000;

/// Bounds for the AMM's liquidity: `sqrt_k` between 1 and 900 million base units of the asset.
/// The upper bound keeps every base amount in an `i64`: the base reserve stays within
/// `sqrt_k × MAX_CONCENTRATION_COEF` (9e18 BASE units, under `i64::MAX`), and no position or
/// LP entitlement can hold more base than the curve can move.
#[anchor_lang::constant]
pub const MIN_SQRT_K: u128 = BASE_PRECISION;
#[anchor_lang::constant]
pub const MAX_SQRT_K: u128 = 900_000_000 * BASE_PRECISION;
/// The largest oracle price any action accepts: $1,000,000 (`OraclePriceTooLarge` above it).
/// With the funding cap bounded per hour (`MAX_FUNDING_RATE_PER_HOUR`), the cumulative funding
/// rate (an `i64`) then holds over ten years of funding at the cap: 87,600 hours × 10% ×
/// $1,000,000 = 8.76e18 FUNDING_RATE units, under `i64::MAX`. precision: PRICE
#[anchor_lang::constant]
pub const MAX_ORACLE_PRICE: u64 = 1_000_000 * PRICE_PRECISION as u64;
/// The most funding may charge per hour of its period, whatever the period: 10% of the price.
/// A shorter period's cap scales down with it. precision: PERCENTAGE
#[anchor_lang::constant]
pub const MAX_FUNDING_RATE_PER_HOUR: u32 = PERCENTAGE_PRECISION / 10;
/// Concentration coefficient bounds (precision: PERCENTAGE): the base reserve may move between
/// `sqrt_k / c` and `sqrt_k × c`. 1.0 would allow no trading at all.
#[anchor_lang::constant]
pub const MIN_CONCENTRATION_COEF: u32 = 1_000_001;
#[anchor_lang::constant]
pub const MAX_CONCENTRATION_COEF: u32 = 10_000_000;
/// Upper bound for any spread: 10%.
#[anchor_lang::constant]
pub const MAX_SPREAD: u32 = 100_000;
/// Upper bound for a market's price band (`math::price_band`): 25%. precision: PERCENTAGE
#[anchor_lang::constant]
pub const MAX_PRICE_BAND: u32 = 250_000;
/// Window of the short oracle TWAP that divergence is measured against.
#[anchor_lang::constant]
pub const ORACLE_TWAP_5MIN_SECONDS: i64 = 300;

/// base (BASE) × funding rate (FUNDING_RATE) / this = quote (QUOTE): 1e9 × 1e9 / 1e12 = 1e6.
pub const FUNDING_PAYMENT_DIVISOR: i128 =
    (BASE_PRECISION * FUNDING_RATE_PRECISION / QUOTE_PRECISION) as i128;
/// price (PRICE) × this = funding rate (FUNDING_RATE): quote per base at 1e9.
pub const PRICE_TO_FUNDING_RATE: i128 = (FUNDING_RATE_PRECISION / PRICE_PRECISION) as i128;
/// The premium is spread over a day of periods: a one-hour period pays 1/24 of it.
pub const FUNDING_PERIODS_PER_PREMIUM: i128 = 24;
/// base (BASE) × price (PRICE) / this = quote (QUOTE).
pub const BASE_TIMES_PRICE_TO_QUOTE: i128 =
    (BASE_PRECISION * PRICE_PRECISION / QUOTE_PRECISION) as i128;
/// Margin every open position needs on top of its ratio, so dust positions are not free.
/// precision: QUOTE
#[anchor_lang::constant]
pub const MARGIN_PER_POSITION: u128 = 10_000;
/// How fast a spread widens with the AMM's inventory: the widening side's half spread grows by
/// this many times the inventory's share of `sqrt_k` (10 doubles it at 10%).
pub const INVENTORY_SPREAD_SCALE: u128 = 10;

/// Per-share LP accumulators (base and quote per share, and the funding accumulator `G`) carry
/// this precision. Why it holds: a fill adds `lp_part × LP_ACC / user_lp_shares` to a per-share
/// accumulator, rounded down, so the LPs as a group lose less than
/// `user_lp_shares / LP_ACC` base units a fill: under 0.001 of a base unit at the largest
/// `sqrt_k` (1e21), and 3.5e-8 units in a market with `sqrt_k` ≈ 3.5e16. A settle then rounds
/// each LP's whole entitlement down once: at most one base unit and one quote unit. Magnitudes:
/// one fill moves an accumulator by at most `c × LP_ACC` (≈1.4e24) in base and a price's worth
/// of that in quote, leaving i128 headroom for ~1e14 fills; `G` is kept in 256 bits.
#[anchor_lang::constant]
pub const LP_ACC_PRECISION: u128 = 1_000_000_000_000_000_000_000_000_u128;
/// The market's aggregate of LPs' unsettled base and quote keeps this many sub-units per unit,
/// so the group's share of each fill is booked exactly enough that settles never draw more
/// than the aggregate holds.
#[anchor_lang::constant]
pub const LP_AGG_PRECISION: u128 = 1_000_000_000;
/// Default share of the net taker fee that goes to LPs (times their share of the AMM).
/// precision: PERCENTAGE
#[anchor_lang::constant]
pub const DEFAULT_LP_FEE_SHARE: u32 = 800_000;
/// Extra margin an LP position needs on top of its worst case. precision: QUOTE
#[anchor_lang::constant]
pub const LP_MARGIN_BUFFER: u128 = 100_000;
/// A liquidation stops once the account meets its maintenance ratio plus this (capped at the
/// initial ratio), so one liquidation leaves room for the next price tick instead of leaving
/// the account a unit above the line. precision: MARGIN (100 = 1%)
#[anchor_lang::constant]
pub const LIQUIDATION_MARGIN_BUFFER: u32 = 100;

/// The most quote one fill may carry: $1e12. A trade or resting order above it is refused
/// (`AmountTooLarge`); a liquidation or de-risk moves at most this much per call and the next
/// call goes on. It leaves every fill's quote, fee and a band's worth of price slippage far
/// inside a u64. precision: QUOTE
#[anchor_lang::constant]
pub const MAX_FILL_QUOTE: u64 = 1_000_000_000_000_000_000_u64;

/// The most one settle moves between a position and the quote balance: $1e9. A balance is a
/// scaled u64 (about $1.8e10 at an index of 1.0), so a settle of any size always fits; a larger
/// P&L settles over several. precision: QUOTE
#[anchor_lang::constant]
pub const MAX_SETTLE_AMOUNT: u64 = 1_000_000_000_000_000_u64;

/// How long after settlement begins positions register their claims before payouts may start
/// (keepers settle every position well within it). seconds
#[anchor_lang::constant]
pub const SETTLEMENT_CLAIM_WINDOW: i64 = 24 * 3_600;

/// How far the reserve price may drift from the oracle's five-minute TWAP before a funding
/// update repegs the curve to it. precision: PERCENTAGE
#[anchor_lang::constant]
pub const REPEG_THRESHOLD: u32 = 5_000;

/// The most one funding update's repeg moves the price, so a TWAP that one print dominated
/// (after minutes without reads) cannot drag the peg far. precision: PERCENTAGE
#[anchor_lang::constant]
pub const REPEG_MAX_STEP: u32 = 10_000;
