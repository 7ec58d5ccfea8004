//! The program's error codes are part of its interface: clients, indexers and other programs
//! match on the number. Each error keeps its code for good (`BalError` numbers its variants in
//! order from 6000, so a variant inserted or removed in the middle would renumber every one
//! after it); a new error is appended. This is the list as first published; the committed IDL
//! must still give each of these names its code.
use serde_json::Value;

const IDL: &str = include_str!("../../../idl/bal.json");

/// The errors in code order from 6000.
const PUBLISHED: &[&str] = &[
    "MathError",
    "CastError",
    "NotUpgradeAuthority",
    "NotAdmin",
    "InvalidFeeSchedule",
    "InvalidLpCooldown",
    "InvalidPauseBits",
    "UnsupportedAccountVersion",
    "InvariantViolated",
    "AccountAlreadyInitialized",
    "AccountAddressInUse",
    "NotUserAuthority",
    "DelegateNotAllowed",
    "UserNotEmpty",
    "InvalidUserName",
    "InvalidMarginRatio",
    "OperationPaused",
    "ZeroAmount",
    "BorrowNotAllowed",
    "InsufficientCollateral",
    "VaultBalanceShort",
    "InvalidMintDecimals",
    "InvalidInterestCurve",
    "InvalidMarketIndex",
    "InvalidOracle",
    "OracleStale",
    "OracleTooUncertain",
    "OracleNonPositive",
    "OracleTooDivergent",
    "OracleNotVerified",
    "NotOracleUpdater",
    "AmmReserveBounds",
    "InvalidAmmParameters",
    "InvalidSpread",
    "InvalidOrderSize",
    "InvalidOracleGuards",
    "InvalidMarketStatusTransition",
    "FeePoolInsufficient",
    "MarketNotActive",
    "InvalidSpotMarket",
    "InvalidTokenAccount",
    "InvalidRemainingAccounts",
    "MarginAccountMissing",
    "MaxPositionsReached",
    "OrderSizeInvalid",
    "LimitPriceExceeded",
    "ReduceOnlyWouldIncrease",
    "NoPosition",
    "FundingNotDue",
    "NotLiquidatable",
    "SelfAction",
    "InvalidFundingParameters",
    "InvalidRiskParameters",
    "InsufficientLpShares",
    "LpBurnBlocked",
    "LpCooldown",
    "NothingToDerisk",
    "InvalidJitParameters",
    "MaxOpenOrdersReached",
    "InvalidOrderPrice",
    "InvalidOrderExpiry",
    "PostOnlyWouldCross",
    "OrderNotFound",
    "OrderExpired",
    "NotATakerOrder",
    "NotAMakerOrder",
    "SelfTrade",
    "TooManyMakers",
    "NothingToFill",
    "MakerPriceOutsideBand",
    "MaxLiquidityReached",
    "NoBadDebt",
    "AccountNotEmptied",
    "DeriskOptedOut",
    "NotTheLossMarket",
    "SettlementPriceOutOfBand",
    "SettlementNotReady",
    "MarketSettling",
    "OraclePriceTooLarge",
    "AmountTooLarge",
    "InsufficientTokens",
    "WithdrawalExceedsVault",
    "PriceBandExceeded",
    "CurveMovedThisSecond",
    "ReductionWorsensMargin",
    "CurveOutsideBounds",
    "InvalidInsuranceUnstakeDelay",
    "InsufficientInsuranceShares",
    "UnstakeRequestPending",
    "NoUnstakeRequest",
    "UnstakeRequestNotPayable",
    "InsuranceStakeTooSmall",
];

#[test]
fn every_published_error_keeps_its_code() {
    let idl: Value = serde_json::from_str(IDL).expect("IDL");
    let errors = idl["errors"].as_array().expect("errors");
    for (offset, name) in PUBLISHED.iter().enumerate() {
        let code = 6_000 + offset as u64;
        let entry = errors
            .iter()
            .find(|e| e["name"] == *name)
            .unwrap_or_else(|| panic!("{name} ({code}) was removed: retire it, never reuse it"));
        assert_eq!(
            entry["code"].as_u64(),
            Some(code),
            "{name} changed its code: append new errors after the last"
        );
    }
    assert!(errors.len() >= PUBLISHED.len());
}
