use crate::error::BalError;
use crate::math::constants::{
    ACCOUNT_VERSION, MAX_FEE_RATE, MAX_LP_COOLDOWN_SECONDS, PERCENTAGE_PRECISION,
};
use crate::validate;
use anchor_lang::prelude::*;

/// Operations the admin can pause exchange-wide; a market has its own bits too.
pub mod pause {
    pub const DEPOSIT: u32 = 1 << 0;
    pub const WITHDRAW: u32 = 1 << 1;
    pub const TRADE: u32 = 1 << 2;
    pub const FILL: u32 = 1 << 3;
    pub const ADD_LIQUIDITY: u32 = 1 << 4;
    pub const REMOVE_LIQUIDITY: u32 = 1 << 5;
    pub const SETTLE: u32 = 1 << 6;
    pub const FUNDING: u32 = 1 << 7;
    pub const LIQUIDATION: u32 = 1 << 8;
    /// Every bit that names an operation; others are refused.
    pub const ALL: u32 = (1 << 9) - 1;
}

/// Global exchange configuration: the admin, pause bits, the LP cooldown, fees and keeper rewards.
#[account]
#[derive(InitSpace, Debug)]
pub struct State {
    pub version: u8,
    pub bump: u8,
    pub admin: Pubkey,
    /// Bits of `pause::*`: a set bit pauses that operation on every market.
    pub paused_operations: u32,
    /// Seconds after an add before the LP may remove.
    pub lp_cooldown_seconds: i64,
    pub fees: FeeSchedule,
    pub number_of_perp_markets: u16,
    pub number_of_spot_markets: u16,
    pub reserved: [u8; 64],
}

/// Taker fee and what keepers earn. precision: PERCENTAGE (1e6 = 100%).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Fee a taker pays on the quote value of a fill.
    pub taker_fee_rate: u32,
    /// Rebate a resting maker earns on the quote value of its fill.
    pub maker_rebate_rate: u32,
    /// Share of the taker fee paid to the keeper that filled a resting order.
    pub filler_reward_rate: u32,
    /// Share of the liquidation fee paid to the liquidator; the rest goes to insurance.
    pub liquidator_share_rate: u32,
}

impl FeeSchedule {
    pub fn validate(&self) -> Result<()> {
        validate!(
            self.taker_fee_rate <= MAX_FEE_RATE,
            BalError::InvalidFeeSchedule
        );
        validate!(
            self.maker_rebate_rate <= self.taker_fee_rate,
            BalError::InvalidFeeSchedule
        );
        validate!(
            self.filler_reward_rate <= PERCENTAGE_PRECISION,
            BalError::InvalidFeeSchedule
        );
        validate!(
            self.liquidator_share_rate <= PERCENTAGE_PRECISION,
            BalError::InvalidFeeSchedule
        );
        Ok(())
    }
}

impl State {
    /// What must hold after any instruction that writes the state.
    pub fn invariant(&self) -> Result<()> {
        validate!(
            self.version == ACCOUNT_VERSION,
            BalError::UnsupportedAccountVersion
        );
        validate!(
            self.paused_operations & !pause::ALL == 0,
            BalError::InvariantViolated
        );
        validate!(
            (0..=MAX_LP_COOLDOWN_SECONDS).contains(&self.lp_cooldown_seconds),
            BalError::InvariantViolated
        );
        self.fees.validate()
    }
}

pub fn validate_pause_bits(bits: u32) -> Result<()> {
    validate!(bits & !pause::ALL == 0, BalError::InvalidPauseBits);
    Ok(())
}

pub fn validate_lp_cooldown(seconds: i64) -> Result<()> {
    validate!(
        (0..=MAX_LP_COOLDOWN_SECONDS).contains(&seconds),
        BalError::InvalidLpCooldown
    );
    Ok(())
}
