use anchor_lang::prelude::*;

/// Every way an instruction can refuse. Each has its own code so clients show a readable reason.
#[error_code]
pub enum BalError {
    #[msg("Arithmetic overflow or underflow")]
    MathError,
    #[msg("A value could not be converted without loss")]
    CastError,
    #[msg("Signer is not the program's upgrade authority")]
    NotUpgradeAuthority,
    #[msg("Signer is not the admin")]
    NotAdmin,
    #[msg("Fee schedule is invalid")]
    InvalidFeeSchedule,
    #[msg("LP cooldown is out of range")]
    InvalidLpCooldown,
    #[msg("Unknown pause bits")]
    InvalidPauseBits,
    #[msg("Account version is not supported by this program")]
    UnsupportedAccountVersion,
    #[msg("Account invariant violated")]
    InvariantViolated,
    #[msg("Account is already initialized")]
    AccountAlreadyInitialized,
    #[msg("Address is held by an account this program did not create")]
    AccountAddressInUse,
    #[msg("Signer may not act for this user")]
    NotUserAuthority,
    #[msg("Only the user's authority may do this, not its delegate")]
    DelegateNotAllowed,
    #[msg("User account still holds a balance, a position or LP shares")]
    UserNotEmpty,
    #[msg("Subaccount name is not valid UTF-8 of at most 32 bytes")]
    InvalidUserName,
    #[msg("Custom margin ratio is outside the allowed range")]
    InvalidMarginRatio,
    #[msg("Operation is paused")]
    OperationPaused,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("Withdrawal would borrow; pass allow_borrow to borrow")]
    BorrowNotAllowed,
    #[msg("Account would fall below its initial margin requirement")]
    InsufficientCollateral,
    #[msg("Vault balance does not cover deposits, borrows and pools")]
    VaultBalanceShort,
    #[msg("Mint must have 6 decimals")]
    InvalidMintDecimals,
    #[msg("Interest curve parameters are invalid")]
    InvalidInterestCurve,
    #[msg("Market index is not the next free index")]
    InvalidMarketIndex,
    #[msg("Oracle account does not match the market's oracle")]
    InvalidOracle,
    #[msg("Oracle price is stale")]
    OracleStale,
    #[msg("Oracle confidence interval is too wide")]
    OracleTooUncertain,
    #[msg("Oracle price is not positive")]
    OracleNonPositive,
    #[msg("Oracle price diverges too far from its TWAP")]
    OracleTooDivergent,
    #[msg("Oracle update is not fully verified")]
    OracleNotVerified,
    #[msg("Signer is not the oracle's updater")]
    NotOracleUpdater,
    #[msg("AMM reserves would leave their concentration bounds")]
    AmmReserveBounds,
    #[msg("AMM parameters are invalid")]
    InvalidAmmParameters,
    #[msg("Spread parameters are invalid")]
    InvalidSpread,
    #[msg("Order step or minimum size is invalid")]
    InvalidOrderSize,
    #[msg("Oracle guard parameters are invalid")]
    InvalidOracleGuards,
    #[msg("Market status change is not allowed")]
    InvalidMarketStatusTransition,
    #[msg("Fee pool cannot pay for this change")]
    FeePoolInsufficient,
    #[msg("Market is not active")]
    MarketNotActive,
    #[msg("Spot market does not match")]
    InvalidSpotMarket,
    #[msg("Token account or mint does not match the spot market")]
    InvalidTokenAccount,
    #[msg("Remaining accounts must be (PerpMarket, oracle) pairs of this program")]
    InvalidRemainingAccounts,
    #[msg("A position's market is missing from the remaining accounts")]
    MarginAccountMissing,
    #[msg("Every position slot is in use")]
    MaxPositionsReached,
    #[msg("Order size is not a multiple of the step or below the minimum")]
    OrderSizeInvalid,
    #[msg("Fill price is worse than the order's limit price")]
    LimitPriceExceeded,
    #[msg("Reduce-only order would not reduce a position")]
    ReduceOnlyWouldIncrease,
    #[msg("No position in this market")]
    NoPosition,
    #[msg("Funding is not due yet")]
    FundingNotDue,
    #[msg("Account is not below its maintenance margin")]
    NotLiquidatable,
    #[msg("A user may not act on itself here")]
    SelfAction,
    #[msg("Funding parameters are invalid")]
    InvalidFundingParameters,
    #[msg("Risk parameters are invalid")]
    InvalidRiskParameters,
    #[msg("Position holds fewer LP shares than asked")]
    InsufficientLpShares,
    #[msg("Burn would leave sqrt_k below the protocol's own inventory")]
    LpBurnBlocked,
    #[msg("LP shares cannot be removed before the cooldown ends")]
    LpCooldown,
    #[msg("Account is not below its initial margin or holds no LP shares: nothing to de-risk")]
    NothingToDerisk,
    #[msg("JIT parameters are invalid")]
    InvalidJitParameters,
    #[msg("Every order slot is in use")]
    MaxOpenOrdersReached,
    #[msg("Order price must be positive")]
    InvalidOrderPrice,
    #[msg("Order expiry is in the past")]
    InvalidOrderExpiry,
    #[msg("Post-only order would cross the AMM")]
    PostOnlyWouldCross,
    #[msg("No open order with this id")]
    OrderNotFound,
    #[msg("Order has expired")]
    OrderExpired,
    #[msg("Order is not a taker order")]
    NotATakerOrder,
    #[msg("Order is not a maker order on the other side of this market")]
    NotAMakerOrder,
    #[msg("A maker may not trade with itself or appear twice")]
    SelfTrade,
    #[msg("Too many makers for one fill")]
    TooManyMakers,
    #[msg("Nothing could be filled within the order's limit")]
    NothingToFill,
    #[msg("Maker price is further from the oracle than the market's initial margin ratio")]
    MakerPriceOutsideBand,
    #[msg("Liquidity would exceed the largest sqrt_k a market may have")]
    MaxLiquidityReached,
    #[msg("Account has no debt that nothing stands behind: nothing to write off")]
    NoBadDebt,
    #[msg("Account still holds positions, LP shares or orders")]
    AccountNotEmptied,
    #[msg("Account opted out of de-risking; below maintenance margin it is liquidated")]
    DeriskOptedOut,
    #[msg("Bad debt is resolved against the market whose loss the account last settled")]
    NotTheLossMarket,
    #[msg("Settlement price is further from the oracle than the market allows")]
    SettlementPriceOutOfBand,
    #[msg("Settlement cannot move on yet: positions, shares or claims remain, or the claim window runs")]
    SettlementNotReady,
    #[msg("Market is settling: use settle_expired_positions")]
    MarketSettling,
    #[msg("Oracle price is above the largest the program supports")]
    OraclePriceTooLarge,
    #[msg("Amount is larger than an account can hold")]
    AmountTooLarge,
    #[msg("Token account holds less than the amount to deposit")]
    InsufficientTokens,
    #[msg("Withdrawal is larger than the vault holds")]
    WithdrawalExceedsVault,
    #[msg("Fill would average further from the oracle than the market's price band")]
    PriceBandExceeded,
    #[msg("The curve was moved against this action earlier in the same second: retry in the next")]
    CurveMovedThisSecond,
    #[msg("A reducing fill may not leave the account below maintenance with a larger shortfall or in debt")]
    ReductionWorsensMargin,
    #[msg("The curve's price is outside the price band of the oracle or the caller's bounds")]
    CurveOutsideBounds,
    #[msg("Insurance unstake delay is outside the range the program allows")]
    InvalidInsuranceUnstakeDelay,
    #[msg("Stake holds fewer insurance shares than asked, or none")]
    InsufficientInsuranceShares,
    #[msg("An unstake request is already pending: cancel it first")]
    UnstakeRequestPending,
    #[msg("No unstake request is pending")]
    NoUnstakeRequest,
    #[msg("The unstake request is not payable now: it waits its delay and lapses a day after")]
    UnstakeRequestNotPayable,
    #[msg("Amount is too small to buy one insurance share")]
    InsuranceStakeTooSmall,
}
