//! The insurance fund: quote staked by anyone, held in the quote market's vault, which pays a
//! write-off before any depositor does (see `controller::bankruptcy`). A staker leaves only
//! through a request that waits `unstake_delay` and bears every loss meanwhile, so nobody can
//! step out between an account going under and its write-off.
use crate::error::BalError;
use crate::math::constants::ACCOUNT_VERSION;
use crate::state::wide::WideU128;
use crate::validate;
use anchor_lang::prelude::*;

/// The shortest and longest wait between an unstake request and its payout: long enough that
/// no account visibly going under is resolved before a request made on seeing it matures.
pub const MIN_INSURANCE_UNSTAKE_DELAY: i64 = 24 * 3_600;
pub const MAX_INSURANCE_UNSTAKE_DELAY: i64 = 90 * 24 * 3_600;
/// A new quote market's wait: Drift's thirteen days.
pub const DEFAULT_INSURANCE_UNSTAKE_DELAY: i64 = 13 * 24 * 3_600;
/// How long a matured request may be paid before it lapses: a standing request does not open
/// an exit at a moment of the staker's choosing.
pub const INSURANCE_UNSTAKE_WINDOW: i64 = 24 * 3_600;

/// The fund's books, in the quote `SpotMarket`.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct InsuranceFund {
    /// Tokens the vault holds for the fund. precision: QUOTE
    pub balance: u64,
    /// Seconds between an unstake request and its payout.
    pub unstake_delay: i64,
    /// Σ stakers' shares (requested ones included: they still bear losses).
    /// insurance shares (precision: QUOTE at the first stake, one share per quote unit)
    pub total_shares: WideU128,
    /// Revenue received while stakers hold shares, released into `balance` linearly until
    /// `release_until`: a stake placed just before a payment lands shares in it only as it is
    /// released, bearing losses meanwhile. precision: QUOTE
    pub pending_revenue: u64,
    /// When pending revenue was last released, and when the rest of it will have been.
    /// unix seconds
    pub release_ts: i64,
    /// unix seconds
    pub release_until: i64,
}

impl InsuranceFund {
    pub fn invariant(&self) -> Result<()> {
        validate!(
            (MIN_INSURANCE_UNSTAKE_DELAY..=MAX_INSURANCE_UNSTAKE_DELAY)
                .contains(&self.unstake_delay),
            BalError::InvalidInsuranceUnstakeDelay
        );
        // Tokens with no shares would belong to nobody.
        validate!(
            (self.balance == 0 && self.pending_revenue == 0) || self.total_shares.get() > 0,
            BalError::InvariantViolated
        );
        Ok(())
    }
}

/// One wallet's stake in a quote market's insurance fund:
/// `[INSURANCE_STAKE_SEED, authority, market_index (u16 LE)]`.
#[account(zero_copy)]
#[derive(Debug)]
pub struct InsuranceStake {
    pub authority: Pubkey,
    /// Shares held, requested ones included. precision: the fund's shares
    pub shares: WideU128,
    /// Shares asked to be paid out (0: no request).
    /// insurance shares
    pub requested_shares: WideU128,
    /// What the requested shares were worth at the request: the most they pay, so a request
    /// bears losses but earns nothing. precision: QUOTE
    pub requested_value: u64,
    /// unix seconds
    pub request_ts: i64,
    /// the quote market's index, 0 (u16 LE in its seeds)
    pub market_index: u16,
    /// the layout version (`ACCOUNT_VERSION`)
    pub version: u8,
    /// the PDA bump
    pub bump: u8,
    pub padding: [u8; 4],
    pub reserved: [u8; 32],
}

const _: () = assert!(std::mem::size_of::<InsuranceStake>() == 120);
const _: () = assert!(std::mem::align_of::<InsuranceStake>() == 8);

impl InsuranceStake {
    pub const SPACE: usize = 8 + std::mem::size_of::<InsuranceStake>();

    pub fn has_request(&self) -> bool {
        self.requested_shares.get() > 0
    }

    pub fn invariant(&self) -> Result<()> {
        validate!(
            self.version == ACCOUNT_VERSION,
            BalError::UnsupportedAccountVersion
        );
        validate!(
            self.requested_shares.get() <= self.shares.get(),
            BalError::InvariantViolated
        );
        validate!(
            self.has_request() || (self.requested_value == 0 && self.request_ts == 0),
            BalError::InvariantViolated
        );
        Ok(())
    }
}
