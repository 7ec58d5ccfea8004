//! Reading a market's oracle account and checking its price for an action; the clocks of the
//! oracle and mark prices as the market holds them. Nothing is recorded here
//! (`controller::oracle::record_oracle_price` does that).
use crate::error::BalError;
use crate::math::funding::PriceClock;
use crate::math::oracle::{validate_oracle_price, OracleAction, OracleCheck};
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

/// `market`'s oracle price as `action` may use it (PRICE precision), read and checked against
/// the market's guards and five-minute TWAP at `clock`; nothing recorded.
pub fn checked_oracle_price(
    market: &PerpMarket,
    oracle: &AccountInfo,
    action: OracleAction,
    clock: &Clock,
) -> Result<u64> {
    let observed = read_oracle(market, oracle)?;
    validate_oracle_price(
        &OracleCheck {
            price: &observed,
            guards: &market.oracle_guards,
            twap_5min: market.amm.oracle_twap_5min,
            now: clock.unix_timestamp,
            slot: clock.slot,
        },
        action,
    )
}

/// The mark's clock as the market holds it.
pub fn mark_clock(market: &PerpMarket) -> PriceClock {
    let funding = &market.funding;
    PriceClock {
        standing: funding.mark_price,
        since: funding.mark_price_ts,
        price_seconds: funding.mark_price_seconds.get(),
    }
}

/// The oracle's clock as the market holds it: the last price read stands until the next read.
pub fn oracle_clock(market: &PerpMarket) -> PriceClock {
    PriceClock {
        standing: market.amm.last_oracle_price,
        since: market.amm.last_oracle_twap_ts,
        price_seconds: market.funding.oracle_price_seconds.get(),
    }
}
