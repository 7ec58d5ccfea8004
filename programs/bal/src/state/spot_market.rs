use crate::error::BalError;
use crate::math::constants::{
    ACCOUNT_VERSION, PERCENTAGE_PRECISION, SPOT_CUMULATIVE_INTEREST_PRECISION,
};
use crate::state::insurance::InsuranceFund;
use crate::state::wide::WideU128;
use crate::validate;
use anchor_lang::prelude::*;

/// Whether a `SpotBalance` is a deposit (earns interest) or a borrow (pays it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpotBalanceKind {
    Deposit,
    Borrow,
}

/// A balance in the quote spot market, stored scaled so interest accrues without touching it.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct SpotBalance {
    /// Token amount = scaled_balance × the market's cumulative index of `kind`. 128 bits, so
    /// no deposit or debt the token's u64 supply can reach, at any index, overflows it.
    /// precision: SPOT_BALANCE
    pub scaled_balance: WideU128,
    /// `SpotBalanceKind` as u8.
    pub kind: u8,
    pub padding: [u8; 7],
}

impl SpotBalance {
    pub fn kind(&self) -> SpotBalanceKind {
        match self.kind {
            1 => SpotBalanceKind::Borrow,
            _ => SpotBalanceKind::Deposit,
        }
    }

    pub fn invariant(&self) -> Result<()> {
        validate!(self.kind <= 1, BalError::InvariantViolated);
        // Zero is always a deposit, so a balance has one representation.
        validate!(
            self.scaled_balance.get() != 0 || self.kind == SpotBalanceKind::Deposit as u8,
            BalError::InvariantViolated
        );
        Ok(())
    }
}

/// Borrow rate as a function of utilization: linear to the optimal point, steeper after it.
/// Rates are annual. precision: PERCENTAGE
/// Plain `Pod` with borsh (not `#[zero_copy]`): it is an instruction argument too, and its
/// borsh and in-account layouts are the same (no padding).
#[derive(
    Default,
    Debug,
    PartialEq,
    Eq,
    Clone,
    Copy,
    AnchorSerialize,
    AnchorDeserialize,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
#[repr(C)]
pub struct InterestCurve {
    /// precision: PERCENTAGE
    pub optimal_utilization: u32,
    /// precision: PERCENTAGE (a yearly rate)
    pub optimal_borrow_rate: u32,
    /// precision: PERCENTAGE (a yearly rate)
    pub max_borrow_rate: u32,
    pub padding: u32,
}

impl InterestCurve {
    pub fn validate(&self) -> Result<()> {
        validate!(
            self.optimal_utilization > 0 && self.optimal_utilization < PERCENTAGE_PRECISION,
            BalError::InvalidInterestCurve
        );
        validate!(
            self.optimal_borrow_rate <= self.max_borrow_rate,
            BalError::InvalidInterestCurve
        );
        // 1000% a year is far beyond any sane market; it bounds the accrual arithmetic.
        validate!(
            self.max_borrow_rate <= 10 * PERCENTAGE_PRECISION,
            BalError::InvalidInterestCurve
        );
        validate!(self.padding == 0, BalError::InvalidInterestCurve);
        Ok(())
    }
}

/// The quote collateral market: its vault, everyone's scaled deposits and borrows, and the
/// interest indices that turn them into token amounts.
#[account(zero_copy)]
#[derive(Debug)]
pub struct SpotMarket {
    pub mint: Pubkey,
    /// Token account holding every deposit; its authority is this market's PDA.
    pub vault: Pubkey,
    /// SPL Token or Token-2022, whichever owns `mint`.
    pub token_program: Pubkey,
    /// Σ users' deposit scaled balances. precision: SPOT_BALANCE
    pub deposit_balance: WideU128,
    /// Σ users' borrow scaled balances. precision: SPOT_BALANCE
    pub borrow_balance: WideU128,
    /// precision: SPOT_CUMULATIVE_INTEREST
    pub cumulative_deposit_interest: WideU128,
    /// precision: SPOT_CUMULATIVE_INTEREST
    pub cumulative_borrow_interest: WideU128,
    /// Tokens the vault holds for perp markets' fee and P&L pools. precision: QUOTE
    pub perp_pools_balance: u64,
    /// unix seconds
    pub last_interest_ts: i64,
    pub interest_curve: InterestCurve,
    /// the quote market's index, 0 (u16 LE in its seeds)
    pub market_index: u16,
    /// the mint's decimals
    pub decimals: u8,
    /// the layout version (`ACCOUNT_VERSION`)
    pub version: u8,
    /// the PDA bump
    pub bump: u8,
    /// the vault PDA bump
    pub vault_bump: u8,
    pub padding: [u8; 2],
    /// The borrow index's growth below one index unit, carried to the next accrual (see
    /// `math::interest::accrue`).
    pub borrow_interest_carry: u64,
    /// Pays a write-off before any depositor does.
    pub insurance: InsuranceFund,
    pub reserved: [u8; 64],
}

const _: () = assert!(std::mem::size_of::<SpotMarket>() == 328);
const _: () = assert!(std::mem::align_of::<SpotMarket>() == 8);

impl SpotMarket {
    pub const SPACE: usize = 8 + std::mem::size_of::<SpotMarket>();

    pub fn cumulative_interest(&self, kind: SpotBalanceKind) -> u128 {
        match kind {
            SpotBalanceKind::Deposit => self.cumulative_deposit_interest.get(),
            SpotBalanceKind::Borrow => self.cumulative_borrow_interest.get(),
        }
    }

    pub fn invariant(&self) -> Result<()> {
        validate!(
            self.version == ACCOUNT_VERSION,
            BalError::UnsupportedAccountVersion
        );
        // The deposit index can fall below 1.0 when a bankruptcy is socialized; never to zero.
        validate!(
            self.cumulative_deposit_interest.get() > 0
                && self.cumulative_borrow_interest.get() >= SPOT_CUMULATIVE_INTEREST_PRECISION,
            BalError::InvariantViolated
        );
        self.interest_curve.validate()?;
        self.insurance.invariant()
    }
}
