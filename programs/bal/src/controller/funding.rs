//! The periodic funding update.
use crate::controller::mark::observe_mark_price;
use crate::error::BalError;
use crate::math::books::{add_users_quote, protocol_base};
use crate::math::constants::{FUNDING_PAYMENT_DIVISOR, LP_AGG_PRECISION};
use crate::math::funding::{funding_rate, period_average, FundingInputs};
use crate::math::lp::i256;
use crate::math::safe_math::{Cast, SafeMath};
use crate::state::PerpMarket;
use crate::validate;
use anchor_lang::prelude::*;

/// The AMM's side of one funding update. precision: QUOTE
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundingUpdate {
    /// precision: FUNDING_RATE
    pub rate: i64,
    /// What the AMM paid from the fee pool (positive) for its inventory; its receipts arrive
    /// in the P&L pool as users settle.
    pub amm_paid: u64,
}

/// Applies one period's funding once the period has passed: the mark and the oracle, each
/// averaged over the period by the seconds every price stood (the oracle's sum is closed at
/// `now` by the oracle read before this), set the rate, which goes into the cumulative rate;
/// when the AMM's inventory pays, the fee pool moves that quote into the P&L pool so the
/// receiving users can be paid. The period's sums start again from zero.
pub fn update_funding(market: &mut PerpMarket, now: i64) -> Result<FundingUpdate> {
    let funding = &market.funding;
    let start = funding.last_funding_ts;
    validate!(
        now >= start.safe_add(funding.funding_period)?,
        BalError::FundingNotDue
    );
    // Closes the standing mark's interval at `now`: a price a trade earlier in this
    // transaction left standing has stood zero seconds.
    observe_mark_price(market, now)?;
    let funding = &mut market.funding;
    let mark_twap = period_average(
        funding.mark_price_seconds.get(),
        start,
        now,
        funding.mark_price,
    )?;
    let oracle_twap = period_average(
        funding.oracle_price_seconds.get(),
        start,
        now,
        market.amm.last_oracle_price,
    )?;
    funding.mark_twap = mark_twap;
    funding.oracle_twap = oracle_twap;
    funding.mark_price_seconds.set(0);
    funding.oracle_price_seconds.set(0);
    let funding = &market.funding;
    // Positions (traders' and LPs' settled base) pay on their base, LPs' unsettled inventory
    // through `G`; the protocol's own inventory is what the fee pool answers for.
    let protocol = protocol_base(market)?;
    let counterparty = (-protocol).cast::<i64>()?;
    let rate = funding_rate(&FundingInputs {
        mark_twap,
        oracle_twap,
        max_funding_rate: funding.max_funding_rate,
    })?;
    // The protocol holding `protocol` base pays when protocol × rate > 0 (rounded up).
    let users_pay = (counterparty as i128).safe_mul(rate as i128)?;
    let amm_paid = if users_pay < 0 {
        let owed = (-users_pay).safe_add(FUNDING_PAYMENT_DIVISOR - 1)? / FUNDING_PAYMENT_DIVISOR;
        owed.cast::<u64>()?.min(market.fee_pool)
    } else {
        0
    };
    market.fee_pool = market.fee_pool.safe_sub(amm_paid)?;
    market.pnl_pool = market.pnl_pool.safe_add(amm_paid)?;

    // What every position pays together, booked at once (rounded toward −∞, so the books never
    // count less than the positions will hold once each settles its own, rounded against it).
    let paid_by_users = users_pay
        .safe_mul(LP_AGG_PRECISION as i128)?
        .div_euclid(FUNDING_PAYMENT_DIVISOR);
    add_users_quote(market, -paid_by_users)?;
    let funding = &mut market.funding;
    funding.cumulative_funding_rate = funding.cumulative_funding_rate.safe_add(rate)?;
    let lp = &mut market.lp;
    // rate × B in 256 bits: the base accumulator times the largest rate outgrows 128.
    let step = i256::mul(lp.base_per_share.get(), rate);
    lp.funding_per_share
        .set(i256::add(lp.funding_per_share.get(), step));
    funding.last_funding_rate = rate;
    funding.last_funding_ts = now;
    Ok(FundingUpdate { rate, amm_paid })
}
