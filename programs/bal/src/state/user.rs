use crate::error::BalError;
use crate::math::constants::{ACCOUNT_VERSION, MARGIN_PRECISION};
use crate::state::order::{Order, PositionDirection, MAX_OPEN_ORDERS};
use crate::state::spot_market::SpotBalance;
use crate::state::wide::{WideI128, WideI256, WideU128};
use crate::validate;
use anchor_lang::prelude::*;

/// Perp position slots per subaccount.
pub const MAX_PERP_POSITIONS: usize = 8;

/// A position's LP shares and the market's accumulators when they were last settled.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct LpPosition {
    /// precision: BASE
    pub shares: WideU128,
    /// precision: LP_ACC
    pub base_per_share: WideI128,
    /// precision: LP_ACC
    pub quote_per_share: WideI128,
    /// precision: LP_ACC × FUNDING_RATE
    pub funding_per_share: WideI256,
    /// The market's cumulative funding rate at the last settle. precision: FUNDING_RATE
    pub cumulative_funding_rate: i64,
}

/// One perp market's position inside a `User`. A slot is in use only when `active == 1`.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct PerpPosition {
    /// Signed position size; positive is long. precision: BASE
    pub base_asset_amount: i64,
    /// Quote owed (negative) or due (positive) for the position, including realized P&L, fees
    /// and funding not yet settled into the quote balance. 128 bits: ten years of funding at
    /// the largest cap and price stay representable. precision: QUOTE
    pub quote_asset_amount: WideI128,
    /// Quote paid to open the current base, excluding fees. precision: QUOTE
    pub quote_entry_amount: WideI128,
    /// Quote paid to open the current base, including fees and funding. precision: QUOTE
    pub quote_break_even_amount: WideI128,
    /// The market's cumulative funding rate when funding was last settled. precision: FUNDING_RATE
    pub last_cumulative_funding_rate: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// 1 when the slot holds a position (of any size, LP shares included), 0 when free.
    pub active: u8,
    /// Open orders in this market.
    /// count of resting orders
    pub open_orders: u8,
    /// 1 when the market is settling and this position's quote (a gain at the settlement
    /// price) is registered among the market's claims.
    /// 0 or 1
    pub settlement_claim: u8,
    pub padding: [u8; 3],
    /// Base still to fill on the open long orders in this market. precision: BASE
    pub open_bids: u64,
    /// Base still to fill on the open short orders in this market. precision: BASE
    pub open_asks: u64,
    pub lp: LpPosition,
}

impl PerpPosition {
    pub fn is_active(&self) -> bool {
        self.active == 1
    }

    /// A position with nothing in it: no base, no quote, no orders, no LP shares.
    pub fn is_empty(&self) -> bool {
        self.base_asset_amount == 0
            && self.quote_asset_amount.get() == 0
            && self.open_orders == 0
            && self.lp.shares.get() == 0
    }
}

/// A subaccount: one per `(authority, sub_account_id)`. Holds the quote balance (deposit or
/// borrow), the perp positions and the account's risk settings.
#[account(zero_copy)]
#[derive(Debug)]
pub struct User {
    pub authority: Pubkey,
    /// May trade and manage liquidity for the authority, but never withdraw.
    pub delegate: Pubkey,
    /// UTF-8, zero-padded.
    /// UTF-8 bytes, zero-padded
    pub name: [u8; 32],
    pub quote_balance: SpotBalance,
    /// Lifetime deposits. precision: QUOTE
    pub total_deposits: u64,
    /// Lifetime withdrawals. precision: QUOTE
    pub total_withdrawals: u64,
    /// Unix time of the last `add_liquidity`; removal waits `State::lp_cooldown_seconds`.
    pub last_add_liquidity_ts: i64,
    pub perp_positions: [PerpPosition; MAX_PERP_POSITIONS],
    /// The account's own initial margin ratio (a max leverage); 0 uses each market's.
    /// precision: MARGIN
    pub custom_margin_ratio: u32,
    /// the subaccount id (u16 LE in its seeds)
    pub sub_account_id: u16,
    /// the layout version (`ACCOUNT_VERSION`)
    pub version: u8,
    /// the PDA bump
    pub bump: u8,
    /// Reserved: always 0 (a code kept for a later status).
    pub status: u8,
    /// 1 when no one may de-risk this account's LP positions (it is liquidated instead).
    /// 0 or 1
    pub derisk_opt_out: u8,
    /// The market whose loss was last settled into the balance: if that leaves bad debt, this
    /// market's fee pool pays first (`resolve_bad_debt` takes no other).
    /// a perp market index
    pub last_loss_market: u16,
    /// The id the next order placed gets.
    pub next_order_id: u32,
    pub orders: [Order; MAX_OPEN_ORDERS],
    pub reserved: [u8; 128],
}

const _: () = assert!(std::mem::size_of::<PerpPosition>() == 176);
const _: () = assert!(std::mem::size_of::<User>() == 2080);
const _: () = assert!(std::mem::align_of::<User>() == 8);

impl User {
    pub const SPACE: usize = 8 + std::mem::size_of::<User>();

    /// Whether `signer` may act for this account (trade, manage liquidity, change settings that
    /// do not move funds out).
    pub fn is_authority_or_delegate(&self, signer: &Pubkey) -> bool {
        *signer == self.authority
            || (*signer == self.delegate && self.delegate != Pubkey::default())
    }

    /// Nothing left: no balance, no position, no orders, no LP shares.
    pub fn is_empty(&self) -> bool {
        self.quote_balance.scaled_balance.get() == 0
            && self.perp_positions.iter().all(|p| !p.is_active())
    }

    pub fn invariant(&self) -> Result<()> {
        validate!(
            self.version == ACCOUNT_VERSION,
            BalError::UnsupportedAccountVersion
        );
        validate!(self.derisk_opt_out <= 1, BalError::InvariantViolated);
        validate!(
            self.custom_margin_ratio <= MARGIN_PRECISION,
            BalError::InvariantViolated
        );
        self.quote_balance.invariant()?;
        for position in self.perp_positions.iter() {
            validate!(position.active <= 1, BalError::InvariantViolated);
            validate!(
                position.is_active() || *position == PerpPosition::default(),
                BalError::InvariantViolated
            );
            if position.is_active() {
                self.validate_open_orders(position)?;
            }
        }
        for order in self.orders.iter() {
            validate!(
                order.is_open() || *order == Order::default(),
                BalError::InvariantViolated
            );
            validate!(
                !order.is_open() || self.position_of(order.market_index).is_some(),
                BalError::InvariantViolated
            );
        }
        Ok(())
    }

    fn position_of(&self, market_index: u16) -> Option<&PerpPosition> {
        self.perp_positions
            .iter()
            .find(|p| p.is_active() && p.market_index == market_index)
    }

    /// A position's order aggregates equal what its market's open orders still have to fill.
    fn validate_open_orders(&self, position: &PerpPosition) -> Result<()> {
        let (mut count, mut bids, mut asks) = (0u8, 0u64, 0u64);
        for order in self
            .orders
            .iter()
            .filter(|o| o.is_open() && o.market_index == position.market_index)
        {
            validate!(
                order.remaining() > 0 && order.direction <= 1,
                BalError::InvariantViolated
            );
            count += 1;
            match order.direction() {
                PositionDirection::Long => bids += order.remaining(),
                PositionDirection::Short => asks += order.remaining(),
            }
        }
        validate!(
            position.open_orders == count
                && position.open_bids == bids
                && position.open_asks == asks,
            BalError::InvariantViolated
        );
        Ok(())
    }
}

/// A subaccount name: UTF-8 in 32 zero-padded bytes.
pub fn validate_name(name: &[u8; 32]) -> Result<()> {
    let end = name.iter().position(|b| *b == 0).unwrap_or(name.len());
    validate!(
        std::str::from_utf8(&name[..end]).is_ok() && name[end..].iter().all(|b| *b == 0),
        BalError::InvalidUserName
    );
    Ok(())
}
