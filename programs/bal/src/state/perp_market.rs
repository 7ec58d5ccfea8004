use crate::error::BalError;
use crate::math::amm::Curve;
use crate::math::constants::{
    ACCOUNT_VERSION, MAX_CONCENTRATION_COEF, MIN_CONCENTRATION_COEF, PERCENTAGE_PRECISION,
};
use crate::math::price_band::PriceBand;
use crate::state::lp_history::LpHistory;
use crate::state::market_params::{
    FundingParams, JitParams, MarginRatios, OracleGuards, OrderSizes, RiskParams, SpreadParams,
};
use crate::state::oracle::OracleSource;
use crate::state::second_snapshot::SecondSnapshot;
use crate::state::wide::{WideI128, WideI256, WideU128};
use crate::state::MarketStatus;
use crate::validate;
use anchor_lang::prelude::*;

/// The oracle-pegged constant-product AMM.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Amm {
    /// precision: BASE
    pub base_asset_reserve: WideU128,
    /// precision: BASE
    pub quote_asset_reserve: WideU128,
    /// √k; also the total LP share count. precision: BASE
    pub sqrt_k: WideU128,
    /// Concentration bounds on the base reserve. precision: BASE
    pub min_base_asset_reserve: WideU128,
    /// precision: BASE
    pub max_base_asset_reserve: WideU128,
    /// precision: PRICE
    pub peg_multiplier: u64,
    /// Users' net base position that the AMM is the counterparty to; the AMM's own inventory is
    /// its negation. precision: BASE
    pub base_asset_amount_with_amm: i64,
    /// Last oracle price read by a successful action. precision: PRICE
    pub last_oracle_price: u64,
    /// Five-minute TWAP of the oracle price. precision: PRICE
    pub oracle_twap_5min: u64,
    /// unix seconds
    pub last_oracle_twap_ts: i64,
    /// Half-spread-free base spread each side starts from. precision: PERCENTAGE
    pub base_spread: u32,
    /// Cap on either side's spread. precision: PERCENTAGE
    pub max_spread: u32,
    /// `c` in the concentration bounds `[sqrt_k / c, sqrt_k × c]`. precision: PERCENTAGE
    pub concentration_coef: u32,
    /// How far from the oracle a fill against the curve may average, in the direction it moves
    /// the curve (`math::price_band`); wider than `max_spread`. precision: PERCENTAGE
    pub price_band: u32,
}

impl Amm {
    pub fn curve(&self) -> Curve {
        Curve {
            base: self.base_asset_reserve.get(),
            quote: self.quote_asset_reserve.get(),
            sqrt_k: self.sqrt_k.get(),
        }
    }

    pub fn set_curve(&mut self, curve: &Curve) {
        self.base_asset_reserve.set(curve.base);
        self.quote_asset_reserve.set(curve.quote);
        self.sqrt_k.set(curve.sqrt_k);
    }
}

/// Funding: one cumulative rate for longs and shorts, from the premium of the mark over the
/// oracle, each averaged over the period by how long every price stood, settled lazily by
/// every position.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct FundingState {
    /// Σ of every funding rate so far: a position of one base pays the difference between now
    /// and its snapshot. precision: FUNDING_RATE (quote per base)
    pub cumulative_funding_rate: i64,
    /// precision: FUNDING_RATE
    pub last_funding_rate: i64,
    /// unix seconds
    pub last_funding_ts: i64,
    /// Seconds between funding updates.
    pub funding_period: i64,
    /// The oracle price averaged over the last completed period. precision: PRICE
    pub oracle_twap: u64,
    /// The mark price averaged over the last completed period. precision: PRICE
    pub mark_twap: u64,
    /// The mark price standing since `mark_price_ts`: the curve's reserve price after its last
    /// change, clamped to the band around the oracle (`math::funding::MarkClock`).
    /// precision: PRICE
    pub mark_price: u64,
    /// Since when `mark_price` has stood (up to which `mark_price_seconds` is summed).
    pub mark_price_ts: i64,
    /// Σ mark price × seconds it stood, since `last_funding_ts`. precision: PRICE × seconds
    pub mark_price_seconds: WideU128,
    /// Σ oracle price × seconds it stood (the last read price until the next read), since
    /// `last_funding_ts`. precision: PRICE × seconds
    pub oracle_price_seconds: WideU128,
    /// Cap on one period's rate, as a share of the oracle TWAP. precision: PERCENTAGE
    pub max_funding_rate: u32,
    pub padding: u32,
}

/// BAL: the users' share of `sqrt_k`, the per-share accumulators of what those shares took
/// from the AMM's fills, and the aggregate not yet settled into positions.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct LpState {
    /// Σ users' LP shares; the rest of `sqrt_k` is protocol-owned. precision: BASE
    pub user_lp_shares: WideU128,
    /// Base taken per share, cumulative. precision: LP_ACC
    pub base_per_share: WideI128,
    /// Quote taken per share (fills at the traders' prices plus the LP fee slice).
    /// precision: LP_ACC
    pub quote_per_share: WideI128,
    /// `G`: Σ over funding updates of rate × `base_per_share`. precision: LP_ACC × FUNDING_RATE
    pub funding_per_share: WideI256,
    /// The LPs' base not yet settled into positions. precision: LP_AGG (sub-units of BASE)
    pub unsettled_base: WideI128,
    /// The LPs' quote not yet settled into positions. precision: LP_AGG (sub-units of QUOTE)
    pub unsettled_quote: WideI128,
    /// Base moved from the LPs' share into positions by settles, cumulative. precision: BASE
    pub settled_base: i64,
    /// Share of the net taker fee that goes to LPs, times their share. precision: PERCENTAGE
    pub fee_share: u32,
    pub padding: u32,
}

/// Winding a market down: every position closes at the admin's price; losses are collected at
/// once, gains registered as claims and, once every position has closed and the claim window
/// has passed, paid pro rata to what the P&L pool (topped up from the fee pool) holds.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct SettlementState {
    /// The price every position closes at. precision: PRICE
    pub price: u64,
    /// Unix time settlement began; claims register for `SETTLEMENT_CLAIM_WINDOW` after it.
    /// unix seconds
    pub started_ts: i64,
    /// Registered gains not paid yet. precision: QUOTE
    pub claims: u64,
    /// Fixed when payouts begin: the pool that pays the registered claims, and their total;
    /// each claim is paid `claim × payout_pool / payout_claims` (at most the claim).
    /// precision: QUOTE
    pub payout_pool: u64,
    /// precision: QUOTE
    pub payout_claims: u64,
    /// What the pool could not pay of the registered claims. precision: QUOTE
    pub shortfall: u64,
    /// Largest |settlement price − oracle| / oracle the admin may settle at.
    /// precision: PERCENTAGE
    pub price_band: u32,
    /// 1 once payouts have begun.
    /// 0 or 1
    pub finalized: u8,
    pub padding: [u8; 3],
}

/// A perpetual futures market: its AMM, pools, risk parameters and oracle.
#[account(zero_copy)]
#[derive(Debug)]
pub struct PerpMarket {
    /// UTF-8, zero-padded, e.g. "SOL-PERP".
    /// UTF-8 bytes, zero-padded
    pub name: [u8; 32],
    pub oracle: Pubkey,
    /// Pyth feed id the oracle account must carry (zero for a program oracle).
    pub pyth_feed_id: [u8; 32],
    pub amm: Amm,
    pub funding: FundingState,
    pub lp: LpState,
    pub lp_history: LpHistory,
    pub oracle_guards: OracleGuards,
    /// Quote held to pay repegs, k changes and the AMM's funding. precision: QUOTE
    pub fee_pool: u64,
    /// Quote paid in by losing positions and paid out to winning ones. precision: QUOTE
    pub pnl_pool: u64,
    /// Lifetime fees the market kept: every taker fee less the maker rebates paid from it
    /// (an AMM fill pays no rebate), before the filler rewards and repegs the fee pool pays.
    /// precision: QUOTE
    pub total_fees: u64,
    /// Orders are multiples of this. precision: BASE
    pub order_step_size: u64,
    /// Smallest order. precision: BASE
    pub min_order_size: u64,
    /// precision: MARGIN
    pub margin_ratio_initial: u32,
    /// precision: MARGIN
    pub margin_ratio_maintenance: u32,
    /// Share of a liquidated position's notional charged as the liquidation fee.
    /// precision: PERCENTAGE
    pub liquidation_fee: u32,
    /// Weight of unrealized gains in collateral (losses always count in full).
    /// precision: PERCENTAGE
    pub unrealized_pnl_asset_weight: u32,
    /// Bits of `state::pause` paused on this market only.
    pub paused_operations: u32,
    /// a perp market index (u16 LE in its seeds)
    pub market_index: u16,
    /// `MarketStatus` as u8.
    pub status: u8,
    /// `OracleSource` as u8.
    pub oracle_source: u8,
    /// the layout version (`ACCOUNT_VERSION`)
    pub version: u8,
    /// the PDA bump
    pub bump: u8,
    /// 1 when a funding update's repeg met a curve moved earlier in its second: the next
    /// second's first oracle read makes it, before anything moves the curve again.
    /// 0 or 1
    pub repeg_pending: u8,
    pub padding: [u8; 5],
    pub jit: JitParams,
    /// What every position of this market holds in quote, summed: positions' quote, the LPs'
    /// unsettled quote and the funding all of them owe or are owed (booked in aggregate at each
    /// update), never below the exact sum. With the users' base (the protocol's inventory,
    /// negated) it values the users' unsettled P&L as a whole: see `MarketView::gain_shortfall`.
    /// precision: LP_AGG (sub-units of QUOTE)
    pub users_quote: WideI128,
    /// Positions in this market holding base: a settling market can pay its winners once
    /// this is zero.
    /// count of positions
    pub positions_with_base: u64,
    pub settlement: SettlementState,
    /// The market before the first oracle read of second `ts` (every instruction that changes
    /// the curve or the users' holdings reads the oracle first): margin judges gains by its
    /// shortfall as well as the current one (`MarginType::counted_shortfall`), and the curve
    /// counts as moved this second against its reserve price (`read::second_start::curve_moved`).
    pub second_start: SecondSnapshot,
    pub reserved: [u8; 648],
}

const _: () = assert!(std::mem::size_of::<Amm>() == 136);
const _: () = assert!(std::mem::size_of::<FundingState>() == 104);
const _: () = assert!(std::mem::size_of::<LpState>() == 128);
const _: () = assert!(std::mem::size_of::<SettlementState>() == 56);
const _: () = assert!(std::mem::size_of::<PerpMarket>() == 2384);
const _: () = assert!(std::mem::align_of::<PerpMarket>() == 8);

impl PerpMarket {
    pub const SPACE: usize = 8 + std::mem::size_of::<PerpMarket>();

    pub fn status(&self) -> Result<MarketStatus> {
        MarketStatus::from_u8(self.status)
    }

    pub fn oracle_source(&self) -> Result<OracleSource> {
        OracleSource::from_u8(self.oracle_source)
    }

    /// Whether the market is settling or delisted: its positions close (or closed) at the
    /// settlement price.
    pub fn is_settling(&self) -> Result<bool> {
        Ok(self.status()?.is_settling())
    }

    pub fn funding_params(&self) -> FundingParams {
        FundingParams {
            period: self.funding.funding_period,
            max_rate: self.funding.max_funding_rate,
        }
    }

    pub fn set_funding_params(&mut self, params: &FundingParams) {
        self.funding.funding_period = params.period;
        self.funding.max_funding_rate = params.max_rate;
    }

    pub fn risk_params(&self) -> RiskParams {
        RiskParams {
            liquidation_fee: self.liquidation_fee,
            unrealized_pnl_asset_weight: self.unrealized_pnl_asset_weight,
        }
    }

    pub fn set_risk_params(&mut self, params: &RiskParams) {
        self.liquidation_fee = params.liquidation_fee;
        self.unrealized_pnl_asset_weight = params.unrealized_pnl_asset_weight;
    }

    pub fn spread_params(&self) -> SpreadParams {
        SpreadParams {
            base_spread: self.amm.base_spread,
            max_spread: self.amm.max_spread,
            price_band: self.amm.price_band,
        }
    }

    pub fn set_spread_params(&mut self, params: &SpreadParams) {
        self.amm.base_spread = params.base_spread;
        self.amm.max_spread = params.max_spread;
        self.amm.price_band = params.price_band;
    }

    /// The band fills must keep to around `oracle_price` (`math::price_band`).
    pub fn price_band(&self, oracle_price: u64) -> Result<PriceBand> {
        PriceBand::around(oracle_price, self.amm.price_band)
    }

    pub fn margin_ratios(&self) -> MarginRatios {
        MarginRatios {
            initial: self.margin_ratio_initial,
            maintenance: self.margin_ratio_maintenance,
        }
    }

    pub fn invariant(&self) -> Result<()> {
        validate!(
            self.version == ACCOUNT_VERSION,
            BalError::UnsupportedAccountVersion
        );
        self.status()?;
        self.oracle_source()?;
        self.margin_ratios().validate()?;
        OrderSizes {
            step_size: self.order_step_size,
            min_size: self.min_order_size,
        }
        .validate()?;
        self.spread_params().validate()?;
        self.oracle_guards.validate()?;
        self.funding_params().validate()?;
        self.risk_params().validate(self.margin_ratio_maintenance)?;
        validate!(
            self.lp.fee_share <= PERCENTAGE_PRECISION
                && self.settlement.price_band <= PERCENTAGE_PRECISION / 10
                && self.settlement.finalized <= 1
                && self.repeg_pending <= 1,
            BalError::InvariantViolated
        );
        validate!(
            self.lp.user_lp_shares.get() <= self.amm.sqrt_k.get(),
            BalError::InvariantViolated
        );
        let amm = &self.amm;
        validate!(
            (MIN_CONCENTRATION_COEF..=MAX_CONCENTRATION_COEF).contains(&amm.concentration_coef),
            BalError::InvariantViolated
        );
        let base = amm.base_asset_reserve.get();
        validate!(
            amm.peg_multiplier > 0
                && base >= amm.min_base_asset_reserve.get()
                && base <= amm.max_base_asset_reserve.get()
                && amm.quote_asset_reserve.get() > 0,
            BalError::InvariantViolated
        );
        // The curve holds k: base × quote ≥ sqrt_k², checked without overflow as
        // quote ≥ ⌈sqrt_k² / base⌉.
        let curve = amm.curve();
        validate!(
            curve.quote >= crate::math::wide::square_div_ceil(curve.sqrt_k, curve.base)?,
            BalError::InvariantViolated
        );
        Ok(())
    }
}
