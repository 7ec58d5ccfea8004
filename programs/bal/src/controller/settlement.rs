//! Winding a market down (`state::SettlementState`): the admin fixes a price near the oracle;
//! every position then closes at it, permissionlessly and in batches (its orders cancelled, its
//! LP shares burned without touching the frozen curve, its funding settled); a loss is
//! collected into the P&L pool at once (a balance may go negative: bad debt is resolved as
//! anywhere), a gain is registered as a claim. Once no position holds base or shares and the
//! claim window has passed, the fee pool tops the P&L pool up toward the claims and the
//! registered claims are paid pro rata to what it holds, the shortfall recorded. A market whose
//! positions, shares and registered claims are all gone is delisted, its leftover pools paid
//! to the insurance fund.
use crate::controller::insurance;
use crate::controller::orders::cancel_market_orders;
use crate::controller::pnl::{commit_settle_pnl, SettlePlan};
use crate::error::BalError;
use crate::math::books::add_users_quote;
use crate::math::books::track_base;
use crate::math::constants::SETTLEMENT_CLAIM_WINDOW;
use crate::math::constants::{BASE_PRECISION, LP_AGG_PRECISION, PERCENTAGE_PRECISION};
use crate::math::lp_books::settle_lp_position;
use crate::math::position::{apply_fill, Fill};
use crate::math::position::{release_if_empty, settle_funding};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::read::position::find_position;
use crate::state::MarketAction;
use crate::state::{LpPosition, PerpMarket, PerpPosition, SettlementState, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// Default largest distance of the settlement price from the oracle: 1%.
/// precision: PERCENTAGE
pub const DEFAULT_SETTLEMENT_PRICE_BAND: u32 = 10_000;
/// The widest band an admin may set: 10%. precision: PERCENTAGE
pub const MAX_SETTLEMENT_PRICE_BAND: u32 = 100_000;

/// Refuses (`SettlementPriceOutOfBand`) a settlement price further than the market's band from
/// `oracle_price`, then starts settlement at `price`.
pub fn begin_settlement(
    market: &mut PerpMarket,
    price: u64,
    oracle_price: u64,
    now: i64,
) -> Result<()> {
    market.enter_settlement()?;
    let band = mul_div_floor(
        oracle_price as u128,
        market.settlement.price_band as u128,
        PERCENTAGE_PRECISION as u128,
    )?;
    validate!(
        price > 0 && (price.abs_diff(oracle_price) as u128) <= band,
        BalError::SettlementPriceOutOfBand,
        "price {} oracle {}",
        price,
        oracle_price
    );
    let settlement = &mut market.settlement;
    settlement.price = price;
    settlement.started_ts = now;
    Ok(())
}

/// What settling one position did, for its record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpiredPosition {
    pub orders_cancelled: u8,
    /// precision: BASE
    pub shares_burned: u128,
    /// Signed: positive for a long closed. precision: BASE
    pub base_closed: i64,
    /// The position's P&L once closed, funding included. precision: QUOTE
    pub pnl: i128,
    /// Its gain registered as a claim. precision: QUOTE
    pub claim_registered: u64,
    /// What it was paid (payouts having begun). precision: QUOTE
    pub paid: u64,
}

/// Closes `user`'s position in the settling `market` at the settlement price and collects its
/// loss, registers its gain, or (payouts having begun) pays it. `None` without a position
/// there.
pub fn settle_expired_position(
    user: &mut User,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
    now: i64,
) -> Result<Option<ExpiredPosition>> {
    let index = market.market_index;
    if find_position(user, index).is_none() {
        return Ok(None);
    }
    let mut outcome = ExpiredPosition {
        orders_cancelled: cancel_market_orders(user, index)?,
        ..ExpiredPosition::default()
    };
    let Some(slot) = find_position(user, index) else {
        return Ok(Some(outcome));
    };
    let position = &mut user.perp_positions[slot];
    // Shares burn without touching the curve: it is frozen, and the rest of `sqrt_k` simply
    // becomes protocol-owned.
    let shares = position.lp.shares.get();
    if shares > 0 {
        settle_lp_position(position, market)?;
        let lp = &mut market.lp;
        lp.user_lp_shares
            .set(lp.user_lp_shares.get().safe_sub(shares)?);
        position.lp = LpPosition::default();
        outcome.shares_burned = shares;
    }
    settle_funding(position, market.funding.cumulative_funding_rate)?;
    outcome.base_closed = close_at_settlement_price(position, market)?;
    let pnl = position.quote_asset_amount.get();
    outcome.pnl = pnl;
    if pnl < 0 {
        commit_settle_pnl(&SettlePlan { slot, amount: pnl }, user, spot, market)?;
        // After the delist the pools belong to the insurance fund: a late loss goes there too.
        if market.is_delisted()? {
            pools_to_insurance(market, spot, now)?;
        }
    } else if pnl == 0 {
        release_if_empty(position);
    } else if market.settlement.finalized == 1 {
        outcome.paid = pay_claim(user, slot, spot, market)?;
    } else if position.settlement_claim == 0 {
        let claim: u64 = pnl.cast()?;
        market.settlement.claims = market.settlement.claims.safe_add(claim)?;
        position.settlement_claim = 1;
        outcome.claim_registered = claim;
    }
    Ok(Some(outcome))
}

/// Closes the position's base at the settlement price against the protocol: a long receives
/// the quote rounded down, a short pays it rounded up. Returns the base closed.
fn close_at_settlement_price(position: &mut PerpPosition, market: &mut PerpMarket) -> Result<i64> {
    let base = position.base_asset_amount;
    if base == 0 {
        return Ok(0);
    }
    let (amount, price) = (base.unsigned_abs() as u128, market.settlement.price as u128);
    let quote = if base > 0 {
        mul_div_floor(amount, price, BASE_PRECISION)? as i128
    } else {
        -(mul_div_ceil(amount, price, BASE_PRECISION)? as i128)
    };
    apply_fill(
        position,
        &Fill {
            base: base.safe_mul(-1)?,
            quote,
        },
    )?;
    track_base(market, base, 0)?;
    let amm = &mut market.amm;
    amm.base_asset_amount_with_amm = amm.base_asset_amount_with_amm.safe_sub(base)?;
    add_users_quote(market, quote.safe_mul(LP_AGG_PRECISION as i128)?)?;
    Ok(base)
}

/// Pays the claim in `slot` once payouts have begun: a registered claim its pro-rata part
/// (`claim × payout_pool / payout_claims`, rounded down, at most the claim); a claim nobody
/// registered in the window the same part, but only from what the registered claims do not
/// still need. The rest of the claim is forfeited. Returns what was paid.
fn pay_claim(
    user: &mut User,
    slot: usize,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
) -> Result<u64> {
    let position = user.perp_positions[slot];
    let claim: u64 = position.quote_asset_amount.get().cast()?;
    let settlement = market.settlement;
    let mut paid = payout_part(claim, &settlement)?;
    if position.settlement_claim == 1 {
        market.settlement.claims = settlement.claims.safe_sub(claim)?;
    } else {
        let still_needed = payout_part(settlement.claims, &settlement)?;
        paid = paid.min(market.pnl_pool.saturating_sub(still_needed));
    }
    paid = paid.min(market.pnl_pool);
    // The forfeited rest leaves the position (and the books of what positions hold) too.
    let forfeited = claim.safe_sub(paid)?;
    let position = &mut user.perp_positions[slot];
    let quote = &mut position.quote_asset_amount;
    quote.set(quote.get().safe_sub(forfeited as i128)?);
    position.settlement_claim = 0;
    add_users_quote(
        market,
        (forfeited as i128).safe_mul(-(LP_AGG_PRECISION as i128))?,
    )?;
    commit_settle_pnl(
        &SettlePlan {
            slot,
            amount: paid as i128,
        },
        user,
        spot,
        market,
    )?;
    Ok(paid)
}

/// A claim's pro-rata part of the fixed payout: `amount × payout_pool / payout_claims`,
/// rounded down, at most the amount. precision: QUOTE
fn payout_part(amount: u64, settlement: &SettlementState) -> Result<u64> {
    if settlement.payout_pool >= settlement.payout_claims {
        return Ok(amount);
    }
    let part = mul_div_floor(
        amount as u128,
        settlement.payout_pool as u128,
        settlement.payout_claims as u128,
    )?;
    part.cast::<u64>()
}

/// What fixing the payout did, for its record. precision: QUOTE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Payout {
    /// Moved from the fee pool into the P&L pool toward the claims.
    pub from_fee_pool: u64,
    pub pool: u64,
    pub claims: u64,
    pub shortfall: u64,
}

/// Starts payouts once every position has closed, every share is gone and the claim window has
/// passed: the fee pool (insurance) tops the P&L pool up toward the registered claims, and the
/// pool and claims are fixed for the pro-rata payout. Refuses (`SettlementNotReady`) before.
pub fn finalize_settlement(market: &mut PerpMarket, now: i64) -> Result<Payout> {
    let settlement = &market.settlement;
    market.status()?.check(MarketAction::FinalizeSettlement)?;
    validate!(settlement.finalized == 0, BalError::MarketNotActive);
    validate!(
        market.positions_with_base == 0
            && market.lp.user_lp_shares.get() == 0
            && now >= settlement.started_ts.safe_add(SETTLEMENT_CLAIM_WINDOW)?,
        BalError::SettlementNotReady,
        "{} positions with base, {} LP shares, window ends at {}",
        market.positions_with_base,
        market.lp.user_lp_shares.get(),
        settlement
            .started_ts
            .saturating_add(SETTLEMENT_CLAIM_WINDOW)
    );
    let claims = settlement.claims;
    let from_fee_pool = claims.saturating_sub(market.pnl_pool).min(market.fee_pool);
    market.fee_pool = market.fee_pool.safe_sub(from_fee_pool)?;
    market.pnl_pool = market.pnl_pool.safe_add(from_fee_pool)?;
    let settlement = &mut market.settlement;
    settlement.payout_pool = market.pnl_pool;
    settlement.payout_claims = claims;
    settlement.shortfall = claims.saturating_sub(market.pnl_pool);
    settlement.finalized = 1;
    Ok(Payout {
        from_fee_pool,
        pool: settlement.payout_pool,
        claims,
        shortfall: settlement.shortfall,
    })
}

/// Delists a settled market whose positions, shares and registered claims are all gone: its
/// leftover fee and P&L pools go to the insurance fund, not to whoever is deposited at that
/// moment. Part of the leftover may be a loser's loss still owed as a debt; when that debt is
/// written off, the insurance fund (the waterfall's first tier) pays it back out of what it
/// received here; a loss collected after the delist follows the leftover there. Returns what
/// was moved. precision: QUOTE
pub fn delist(market: &mut PerpMarket, spot: &mut SpotMarket, now: i64) -> Result<u64> {
    market.enter_delisted()?;
    validate!(
        market.settlement.finalized == 1
            && market.positions_with_base == 0
            && market.lp.user_lp_shares.get() == 0
            && market.settlement.claims == 0,
        BalError::SettlementNotReady
    );
    pools_to_insurance(market, spot, now)
}

/// Moves what `market`'s fee and P&L pools hold to the insurance fund at `now`. Returns the
/// amount. precision: QUOTE
fn pools_to_insurance(market: &mut PerpMarket, spot: &mut SpotMarket, now: i64) -> Result<u64> {
    let leftover = market.fee_pool.safe_add(market.pnl_pool)?;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_sub(leftover)?;
    insurance::receive(&mut spot.insurance, leftover, now)?;
    market.fee_pool = 0;
    market.pnl_pool = 0;
    Ok(leftover)
}
