//! Reading a market's oracle account, validating the price for an action, and recording it.
use crate::controller::lp::record_lp_sample;
use crate::controller::margin::snapshot_gain_shortfall;
use crate::error::BalError;
use crate::math::constants::ORACLE_TWAP_5MIN_SECONDS;
use crate::math::oracle::{
    updated_twap, validate_oracle_price, OracleAction, OracleCheck, TwapUpdate,
};
use crate::state::pyth::{parse_price_update, PYTH_RECEIVER_PROGRAM_ID};
use crate::state::{OraclePrice, OracleSource, PerpMarket, ProgramOracle};
use crate::validate;
use anchor_lang::prelude::*;

/// Reads `oracle`, refusing any account other than the market's own oracle of its source.
pub fn read_oracle(market: &PerpMarket, oracle: &AccountInfo) -> Result<OraclePrice> {
    validate!(oracle.key() == market.oracle, BalError::InvalidOracle);
    match market.oracle_source()? {
        OracleSource::Program => ProgramOracle::read_from(oracle),
        OracleSource::PythPull => {
            validate!(
                *oracle.owner == PYTH_RECEIVER_PROGRAM_ID,
                BalError::InvalidOracle
            );
            let data = oracle.try_borrow_data()?;
            let update = parse_price_update(&data)?;
            validate!(
                update.feed_id == market.pyth_feed_id,
                BalError::InvalidOracle
            );
            update.to_oracle_price()
        }
    }
}

/// The oracle price `action` may use (PRICE precision), after which the market's last price and
/// five-minute TWAP include it.
pub fn oracle_price_for(
    market: &mut PerpMarket,
    oracle: &AccountInfo,
    action: OracleAction,
    clock: &Clock,
) -> Result<u64> {
    let observed = read_oracle(market, oracle)?;
    let price = validate_oracle_price(
        &OracleCheck {
            price: &observed,
            guards: &market.oracle_guards,
            twap_5min: market.amm.oracle_twap_5min,
            now: clock.unix_timestamp,
            slot: clock.slot,
        },
        action,
    )?;
    snapshot_gain_shortfall(market, price, clock.unix_timestamp)?;
    let amm = &mut market.amm;
    amm.oracle_twap_5min = updated_twap(&TwapUpdate {
        twap: amm.oracle_twap_5min,
        last_ts: amm.last_oracle_twap_ts,
        price,
        now: clock.unix_timestamp,
        window: ORACLE_TWAP_5MIN_SECONDS,
        max_divergence: market.oracle_guards.max_twap_divergence,
    })?;
    let funding = &mut market.funding;
    funding.oracle_twap = updated_twap(&TwapUpdate {
        twap: funding.oracle_twap,
        last_ts: amm.last_oracle_twap_ts,
        price,
        now: clock.unix_timestamp,
        window: funding.funding_period,
        max_divergence: market.oracle_guards.max_twap_divergence,
    })?;
    amm.last_oracle_twap_ts = clock.unix_timestamp;
    amm.last_oracle_price = price;
    record_lp_sample(market, price, clock.unix_timestamp)?;
    Ok(price)
}
