//! Typed records, emitted through `emit_cpi!` (a self-CPI whose data truncated or spoofed
//! program logs cannot hide or forge). Every record is fixed-size but a keeper batch's, which
//! lists the users it settled, at most `BATCH_RECORD_USERS` to a record.
use crate::state::{Order, PositionDirection};
use anchor_lang::prelude::*;

/// Which liquidity filled (part of) an order: the split it was booked under.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FillLiquidity {
    /// The AMM's curve, shared pro rata between protocol-owned and LP shares ("Shared").
    #[default]
    Amm,
    /// A resting maker order.
    Maker,
    /// The AMM alongside a maker, at the maker's price, protocol-owned ("ProtocolOwned").
    AmmJit,
    /// The LPs as a group alongside a maker, at the maker's price ("LPOwned").
    LpJit,
}

#[event]
pub struct FillRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    pub direction: PositionDirection,
    pub liquidity: FillLiquidity,
    /// precision: BASE
    pub base: u64,
    /// precision: QUOTE
    pub quote: u64,
    /// precision: QUOTE
    pub fee: u64,
    /// Average fill price. precision: PRICE
    pub price: u64,
    /// precision: PRICE
    pub oracle_price: u64,
    /// precision: QUOTE
    pub realized_pnl: i128,
    /// The AMM side: users' net base against it after the fill. precision: BASE
    pub amm_base_after: i64,
}

#[event]
pub struct FundingRecord {
    /// unix seconds
    pub ts: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// precision: FUNDING_RATE
    pub rate: i64,
    /// precision: FUNDING_RATE
    pub cumulative_funding_rate: i64,
    /// precision: PRICE
    pub mark_twap: u64,
    /// precision: PRICE
    pub oracle_twap: u64,
    /// What the AMM paid from the fee pool. precision: QUOTE
    pub amm_paid: u64,
    /// Users' net base against the AMM. precision: BASE
    pub base_asset_amount_with_amm: i64,
    /// The peg after the update (moved to the oracle's five-minute TWAP when the curve had
    /// drifted from it and the fee pool could pay). precision: PRICE
    pub peg_multiplier: u64,
    /// What that repeg cost the fee pool (negative: what it gained). precision: QUOTE
    pub repeg_cost: i64,
}

#[event]
pub struct SettlePnlRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// Moved into the quote balance; negative for a loss. precision: QUOTE
    pub amount: i128,
    /// precision: PRICE
    pub oracle_price: u64,
}

/// One `liquidate_perp`, whatever it came to: orders cancelled, shares burned, base moved to
/// the liquidator (0 when an earlier step already made the account safe).
#[event]
pub struct LiquidationRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    pub liquidator: Pubkey,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// precision: PRICE
    pub oracle_price: u64,
    /// The account's maintenance margin before anything moved. precision: QUOTE
    pub collateral_before: i128,
    /// precision: QUOTE
    pub requirement_before: u128,
    /// Resting orders cancelled (in every market).
    /// count
    pub orders_cancelled: u8,
    /// precision: BASE
    pub shares_burned: u128,
    /// Base transferred to the liquidator at the oracle price. precision: BASE
    pub base_transferred: u64,
    /// precision: QUOTE
    pub quote_transferred: u64,
    /// What the liquidator earned, the insurance fund's top-up included. precision: QUOTE
    pub fee_to_liquidator: u64,
    /// The account's fee beyond the liquidator's part, to the insurance fund. precision: QUOTE
    pub fee_to_insurance: u64,
    /// The part of the liquidator's reward the insurance fund paid because the account could
    /// not. precision: QUOTE
    pub reward_from_insurance: u64,
}

/// Bad debt resolved, by a liquidation or by `resolve_bad_debt`: the negative balance, the
/// part its own claims still back (left on the account), and how the rest was written off.
#[event]
pub struct BankruptcyRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    /// The market whose fee pool paid after the insurance fund.
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// precision: QUOTE
    pub debt: u128,
    /// precision: QUOTE
    pub claims_netted: u128,
    /// Paid by the insurance fund's stakers. precision: QUOTE
    pub covered_by_insurance_fund: u64,
    /// Paid by the market's fee pool, above what it keeps for repegs. precision: QUOTE
    pub covered_by_fee_pool: u64,
    /// Taken from depositors by lowering the deposit index. precision: QUOTE
    pub socialized: u128,
    /// precision: SPOT_CUMULATIVE_INTEREST
    pub deposit_index_after: u128,
}

/// What an LP action did.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiquidityAction {
    Add,
    Remove,
    Settle,
}

#[event]
pub struct LiquidityRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    pub action: LiquidityAction,
    /// Shares added (positive) or removed (negative). precision: BASE
    pub shares_delta: i128,
    /// precision: BASE
    pub shares_after: u128,
    /// precision: BASE
    pub sqrt_k_after: u128,
    /// Entitlement settled into the position. precision: BASE
    pub base_settled: i64,
    /// precision: QUOTE
    pub quote_settled: i128,
    /// Funding on the unsettled inventory. precision: QUOTE
    pub funding_settled: i128,
}

/// Users listed in one batch record: 100 LP settles are 7,200 bytes of record, inside the
/// runtime's 10 KiB limit on a CPI's data (and one record per batch keeps a batch of any size
/// within the 64 inner instructions a transaction may make).
pub const BATCH_RECORD_USERS: usize = 100;

/// What `settle_lp_many` moved for one LP (one with nothing to move is not listed).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LpSettled {
    pub user: Pubkey,
    /// Entitlement settled into the position. precision: BASE
    pub base_settled: i64,
    /// precision: QUOTE
    pub quote_settled: i128,
    /// Funding on the unsettled inventory. precision: QUOTE
    pub funding_settled: i128,
}

/// One `settle_lp_many` (or a part of it, `BATCH_RECORD_USERS` LPs at a time).
#[event]
pub struct LpSettleBatchRecord {
    /// unix seconds
    pub ts: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    pub settled: Vec<LpSettled>,
}

/// What `settle_pnl_many` moved into one user's quote balance (one with nothing to move is not
/// listed).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PnlSettled {
    pub user: Pubkey,
    /// Negative for a loss. precision: QUOTE
    pub amount: i128,
}

/// One `settle_pnl_many` (or a part of it, `BATCH_RECORD_USERS` users at a time); an LP it
/// de-risked first has its own `DeriskRecord`.
#[event]
pub struct SettlePnlBatchRecord {
    /// unix seconds
    pub ts: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// precision: PRICE
    pub oracle_price: u64,
    pub settled: Vec<PnlSettled>,
}

#[event]
pub struct DeriskRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// precision: BASE
    pub shares_burned: u128,
    /// Resting orders cancelled first.
    /// count
    pub orders_cancelled: u8,
    /// Base taken off the position through the AMM after every share burned. precision: BASE
    pub base_reduced: u64,
    /// Initial requirement minus collateral before acting. precision: QUOTE
    pub shortage: i128,
}

/// What happened to a resting order.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderAction {
    Place,
    Cancel,
}

#[event]
pub struct OrderRecord {
    /// unix seconds
    pub ts: i64,
    pub user: Pubkey,
    /// an order id, per user
    pub order_id: u32,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    pub action: OrderAction,
    pub direction: PositionDirection,
    pub post_only: bool,
    /// precision: BASE (what was left to fill, for a cancel)
    pub base: u64,
    /// precision: PRICE
    pub price: u64,
}

impl OrderRecord {
    /// The record of `action` on `order` of `user`.
    pub fn of(user: Pubkey, order: &Order, action: OrderAction, ts: i64) -> OrderRecord {
        OrderRecord {
            ts,
            user,
            order_id: order.order_id,
            market_index: order.market_index,
            action,
            direction: order.direction(),
            post_only: order.post_only == 1,
            base: order.remaining(),
            price: order.price,
        }
    }
}

/// One piece of a `fill_order`: a maker's part, the AMM's or the LPs' JIT part alongside a
/// maker, or a fill against the AMM's curve. `liquidity` names the split.
#[event]
pub struct OrderFillRecord {
    /// unix seconds
    pub ts: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    pub taker: Pubkey,
    /// an order id, per user
    pub taker_order_id: u32,
    /// The maker whose order this piece filled (or filled alongside); the default key for a
    /// fill against the AMM's curve.
    pub maker: Pubkey,
    /// an order id, per user
    pub maker_order_id: u32,
    pub filler: Pubkey,
    pub liquidity: FillLiquidity,
    /// The taker's side.
    pub direction: PositionDirection,
    /// precision: BASE
    pub base: u64,
    /// precision: QUOTE
    pub quote: u64,
    /// precision: QUOTE
    pub taker_fee: u64,
    /// precision: QUOTE
    pub maker_rebate: u64,
    /// precision: QUOTE
    pub filler_reward: u64,
    /// precision: PRICE
    pub oracle_price: u64,
}

/// A market's settlement step.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SettlementAction {
    #[default]
    Begin,
    Finalize,
    Delist,
}

/// A market moving through settlement: begun at a price, payouts fixed, delisted.
#[event]
#[derive(Default)]
pub struct SettlementRecord {
    /// unix seconds
    pub ts: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    pub action: SettlementAction,
    /// precision: PRICE
    pub price: u64,
    /// The oracle when settlement began. precision: PRICE
    pub oracle_price: u64,
    /// Registered claims when payouts were fixed. precision: QUOTE
    pub claims: u64,
    /// The P&L pool that pays them. precision: QUOTE
    pub pool: u64,
    /// Moved from the fee pool into the P&L pool toward the claims. precision: QUOTE
    pub from_fee_pool: u64,
    /// What the pool could not pay. precision: QUOTE
    pub shortfall: u64,
    /// Leftover pools paid to the insurance fund at delisting. precision: QUOTE
    pub to_insurance_fund: u64,
}

/// One `settle_expired_positions` (or a part of it, `BATCH_RECORD_USERS` positions at a time):
/// the positions it closed at the settling market's price. 100 entries are 8,900 bytes.
#[event]
pub struct ExpiredPositionsRecord {
    /// unix seconds
    pub ts: i64,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// The settlement price every position closed at. precision: PRICE
    pub price: u64,
    pub closed: Vec<ExpiredPosition>,
}

/// One position `settle_expired_positions` closed (a user with none in the market is not
/// listed).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiredPosition {
    pub user: Pubkey,
    /// count
    pub orders_cancelled: u8,
    /// precision: BASE
    pub shares_burned: u128,
    /// Positive for a long closed. precision: BASE
    pub base_closed: i64,
    /// The position's P&L once closed (a loss is collected at once). precision: QUOTE
    pub pnl: i128,
    /// precision: QUOTE
    pub claim_registered: u64,
    /// precision: QUOTE
    pub paid: u64,
}

/// What an insurance stake action did.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsuranceAction {
    Stake,
    RequestUnstake,
    CancelRequest,
    Unstake,
}

/// A stake, an unstake request, its cancellation or its payout, with the fund after it.
#[event]
pub struct InsuranceStakeRecord {
    /// unix seconds
    pub ts: i64,
    pub authority: Pubkey,
    /// the quote market's index, 0 (u16 LE in its seeds)
    pub market_index: u16,
    pub action: InsuranceAction,
    /// Shares bought, requested, released from a request or paid out.
    /// insurance shares
    pub shares: u128,
    /// Staked, the request's cap, or paid out (0 for a cancellation). precision: QUOTE
    pub amount: u64,
    /// precision: QUOTE
    pub fund_balance_after: u64,
    /// insurance shares
    pub total_shares_after: u128,
}
