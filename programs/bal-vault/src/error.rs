use anchor_lang::prelude::*;

/// Codes from 9000, so that a failure reads unambiguously as the vault's rather than BAL's own
/// (which start at 6000 and pass through a CPI unchanged).
#[error_code(offset = 9000)]
pub enum VaultError {
    #[msg("The amount or number of shares must be positive")]
    ZeroAmount,
    #[msg("The BAL subaccount passed is not this vault's")]
    NotVaultUser,
    #[msg("The perp market passed is not the vault's market")]
    WrongMarket,
    #[msg("The depositor holds fewer shares than asked")]
    InsufficientShares,
    #[msg("The vault's net value is not positive: no shares can be priced")]
    VaultInsolvent,
    #[msg("The deposit is too small to buy one vault share")]
    DepositTooSmall,
    #[msg("The shares redeem for nothing")]
    NothingToWithdraw,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("Shares outstanding would be fewer than the minimum (and not zero)")]
    BelowMinimumShares,
    #[msg("Liquidity was added less than two BAL cooldowns ago: the exit window is open")]
    InvestTooSoon,
    #[msg("The vault already holds the liquidity its shares carry")]
    NothingToInvest,
    #[msg(
        "The vault's settled cash does not cover the payout yet: settle, or redeem fewer shares"
    )]
    CashNotSettled,
    #[msg("The AMM cannot take the redeemed part of the position within the exit band")]
    ExitOutsideBand,
    #[msg("The deposit would buy fewer shares than the depositor's minimum")]
    SharesBelowMinimum,
    #[msg(
        "The curve is off the oracle (now or at the start of this second): shares cannot be priced"
    )]
    CurveOffOracle,
    #[msg("The market's oracle is stale or too uncertain: shares cannot be priced")]
    OracleUnusable,
    #[msg("The vault's market is settling: shares are redeemed for settled cash, none are sold")]
    MarketSettling,
    #[msg("The vault's claim in its settling market is not paid yet: the last shares wait for it")]
    ClaimPending,
    #[msg("The redemption would pay less than the depositor's minimum")]
    PayoutBelowMinimum,
}
