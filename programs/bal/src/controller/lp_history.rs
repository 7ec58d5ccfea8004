//! An LP strategy's performance history: once a day, what one share of the market's LP
//! strategy is worth and the capital it needs, so a client can show 7- and 30-day returns
//! from chain data alone.
use crate::math::books::larger_side_depth;
use crate::math::constants::{
    BASE_PRECISION, FUNDING_PAYMENT_DIVISOR, LP_ACC_PRECISION, MARGIN_PRECISION,
};
use crate::math::lp::i256;
use crate::math::safe_math::Cast;
use crate::math::wide::{mul_div_floor, U256};
use crate::state::{LpSample, PerpMarket};
use anchor_lang::prelude::*;

const SECONDS_PER_DAY: u64 = 86_400;

/// One share's strategy value and the capital it needs, for the performance history.
/// precision: QUOTE per 1.0 share
pub fn lp_sample(market: &PerpMarket, oracle_price: u64, day: i64) -> Result<LpSample> {
    let lp = &market.lp;
    // In 256 bits, saturating into the sample: a performance figure must never stop the
    // instruction that records it (every oracle read records one a day).
    let funding = i256::div_floor(
        lp.funding_per_share.get(),
        U256::from(FUNDING_PAYMENT_DIVISOR as u128),
    );
    let base_value = i256::div_floor(
        i256::mul(lp.base_per_share.get(), oracle_price.cast()?),
        U256::from(BASE_PRECISION),
    );
    let per_unit = i256::sub(
        i256::add(i256::from_i128(lp.quote_per_share.get()), base_value),
        funding,
    );
    let value = i256::div_floor(per_unit, U256::from(LP_ACC_PRECISION / BASE_PRECISION));
    let depth = larger_side_depth(market);
    let orders = mul_div_floor(depth, BASE_PRECISION, market.amm.sqrt_k.get().max(1))?;
    let notional = mul_div_floor(orders, oracle_price as u128, BASE_PRECISION)?;
    let capital = mul_div_floor(
        notional,
        market.margin_ratio_initial as u128,
        MARGIN_PRECISION as u128,
    )?;
    Ok(LpSample {
        day,
        value: i256::saturating_i64(value),
        capital: u64::try_from(capital).unwrap_or(u64::MAX),
        padding: 0,
    })
}

/// Records a sample when the day has turned since the last one (and the curve exists).
pub fn record_lp_sample(market: &mut PerpMarket, oracle_price: u64, now: i64) -> Result<()> {
    if market.amm.sqrt_k.get() == 0 {
        return Ok(());
    }
    let day = (now.max(0) as u64 / SECONDS_PER_DAY) as i64;
    if market
        .lp_history
        .latest()
        .is_some_and(|latest| latest.day >= day)
    {
        return Ok(());
    }
    let sample = lp_sample(market, oracle_price, day)?;
    market.lp_history.push(sample);
    Ok(())
}
