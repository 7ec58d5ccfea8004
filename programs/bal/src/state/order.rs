//! Resting limit orders, kept in a fixed number of slots inside each `User`.
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionDirection {
    Long,
    Short,
}

impl PositionDirection {
    pub fn opposite(self) -> Self {
        match self {
            PositionDirection::Long => PositionDirection::Short,
            PositionDirection::Short => PositionDirection::Long,
        }
    }

    /// The `Order::direction` byte: 0 long, 1 short.
    pub fn to_u8(self) -> u8 {
        match self {
            PositionDirection::Long => 0,
            PositionDirection::Short => 1,
        }
    }
}

/// Order slots per subaccount.
pub const MAX_OPEN_ORDERS: usize = 8;

/// A resting limit order. A slot is in use only when `open == 1`.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Order {
    /// precision: BASE
    pub base_asset_amount: u64,
    /// precision: BASE
    pub base_asset_amount_filled: u64,
    /// The worst price the order trades at. precision: PRICE
    pub price: u64,
    /// Unix time from which the order can no longer fill; 0 when it never expires.
    /// unix seconds (0: none)
    pub expiry_ts: i64,
    /// Unique within the subaccount, from `User::next_order_id`.
    /// an order id, per user
    pub order_id: u32,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// 0 or 1
    pub open: u8,
    /// 0 long (a bid), 1 short (an ask).
    /// `PositionDirection` as u8
    pub direction: u8,
    /// 1: a maker order, refused when placed if it would cross the AMM, filled only as a maker.
    /// 0: a taker order, filled by `fill_order` against makers and the AMM.
    /// 0 or 1
    pub post_only: u8,
    /// 1: fills only reduce the position (capped at its size when filled).
    /// 0 or 1
    pub reduce_only: u8,
    pub padding: [u8; 6],
}

const _: () = assert!(std::mem::size_of::<Order>() == 48);

impl Order {
    pub fn is_open(&self) -> bool {
        self.open == 1
    }

    /// Base still to fill. precision: BASE
    pub fn remaining(&self) -> u64 {
        self.base_asset_amount
            .saturating_sub(self.base_asset_amount_filled)
    }

    pub fn direction(&self) -> PositionDirection {
        if self.direction == 0 {
            PositionDirection::Long
        } else {
            PositionDirection::Short
        }
    }

    /// Whether the order can no longer fill at `now`.
    pub fn is_expired(&self, now: i64) -> bool {
        self.expiry_ts != 0 && now >= self.expiry_ts
    }
}

/// An order as asked for, before it has a slot and an id.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestingOrderParams {
    pub direction: PositionDirection,
    /// precision: BASE; a multiple of the market's step, at least its minimum size.
    pub base_amount: u64,
    /// The worst price the order trades at. precision: PRICE
    pub price: u64,
    /// A maker order: refused if it would cross the AMM now, and only ever filled as a maker.
    pub post_only: bool,
    /// Fills only reduce the position.
    pub reduce_only: bool,
    /// Unix time from which the order can no longer fill; 0 for none.
    /// unix seconds (0: none)
    pub expiry_ts: i64,
}

/// The reserve prices within which a caller accepts to add liquidity. precision: PRICE
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PriceBounds {
    /// precision: PRICE
    pub min: u64,
    /// precision: PRICE
    pub max: u64,
}

impl PriceBounds {
    /// No bound of the caller's own: only the market's band and the second's rule apply.
    pub const UNBOUNDED: PriceBounds = PriceBounds {
        min: 0,
        max: u64::MAX,
    };
}
