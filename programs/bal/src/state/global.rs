use crate::error::BalError;
use crate::math::constants::{
    ACCOUNT_VERSION, MAX_FEE_RATE, MAX_LP_COOLDOWN_SECONDS, PERCENTAGE_PRECISION,
};
use crate::validate;
use anchor_lang::prelude::*;

// Operations the admin can pause: exchange-wide (`State::paused_operations`) or in one market
// (`PerpMarket::paused_operations`); `MarketAction::pause_bits` says which bits stop what.
/// Deposits into the quote market (exchange-wide only).
#[anchor_lang::constant]
pub const PAUSE_DEPOSIT: u32 = 1 << 0;
/// Withdrawals and borrows (exchange-wide only).
#[anchor_lang::constant]
pub const PAUSE_WITHDRAW: u32 = 1 << 1;
/// Taker orders, resting orders, `fill_order` and a de-risk's reduction.
#[anchor_lang::constant]
pub const PAUSE_TRADE: u32 = 1 << 2;
/// `fill_order` (a `TRADE` pause stops it too).
#[anchor_lang::constant]
pub const PAUSE_FILL: u32 = 1 << 3;
/// `add_liquidity`.
#[anchor_lang::constant]
pub const PAUSE_ADD_LIQUIDITY: u32 = 1 << 4;
/// `remove_liquidity`.
#[anchor_lang::constant]
pub const PAUSE_REMOVE_LIQUIDITY: u32 = 1 << 5;
/// LP and P&L settles, de-risks, expired positions and the settlement's finalization.
#[anchor_lang::constant]
pub const PAUSE_SETTLE: u32 = 1 << 6;
/// `update_funding_rate`.
#[anchor_lang::constant]
pub const PAUSE_FUNDING: u32 = 1 << 7;
/// `liquidate_perp` and `resolve_bad_debt`.
#[anchor_lang::constant]
pub const PAUSE_LIQUIDATION: u32 = 1 << 8;
/// Every bit that names an operation; others are refused.
#[anchor_lang::constant]
pub const PAUSE_ALL: u32 = (1 << 9) - 1;

/// Global exchange configuration: the admin, pause bits, the LP cooldown, fees and keeper rewards.
#[account]
#[derive(InitSpace, Debug)]
pub struct State {
    /// the layout version (`ACCOUNT_VERSION`)
    pub version: u8,
    /// the PDA bump
    pub bump: u8,
    pub admin: Pubkey,
    /// Bits of `pause::*`: a set bit pauses that operation on every market.
    pub paused_operations: u32,
    /// Seconds after an add before the LP may remove.
    pub lp_cooldown_seconds: i64,
    pub fees: FeeSchedule,
    /// count
    pub number_of_perp_markets: u16,
    /// count
    pub number_of_spot_markets: u16,
    pub reserved: [u8; 64],
}

/// Taker fee and what keepers earn. precision: PERCENTAGE (1e6 = 100%).
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeSchedule {
    /// Fee a taker pays on the quote value of a fill.
    /// precision: PERCENTAGE
    pub taker_fee_rate: u32,
    /// Rebate a resting maker earns on the quote value of its fill.
    /// precision: PERCENTAGE
    pub maker_rebate_rate: u32,
    /// Share of the taker fee paid to the keeper that filled a resting order.
    /// precision: PERCENTAGE
    pub filler_reward_rate: u32,
    /// Share of the liquidation fee paid to the liquidator; the rest goes to insurance.
    /// precision: PERCENTAGE
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
            self.paused_operations & !PAUSE_ALL == 0,
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
    validate!(bits & !PAUSE_ALL == 0, BalError::InvalidPauseBits);
    Ok(())
}

pub fn validate_lp_cooldown(seconds: i64) -> Result<()> {
    validate!(
        (0..=MAX_LP_COOLDOWN_SECONDS).contains(&seconds),
        BalError::InvalidLpCooldown
    );
    Ok(())
}
