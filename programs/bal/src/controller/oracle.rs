//! Reading a market's oracle account, validating the price for an action, and recording it.
use crate::controller::amm::follow_oracle;
use crate::controller::lp_history::record_lp_sample;
use crate::controller::mark::observe_mark_price;
use crate::controller::second_start::take_snapshot;
use crate::math::constants::ORACLE_TWAP_5MIN_SECONDS;
use crate::math::oracle::{updated_twap, OracleAction, TwapUpdate};
use crate::read::oracle::checked_oracle_price;
use crate::read::oracle::oracle_clock;
use crate::state::PerpMarket;
use anchor_lang::prelude::*;

/// The oracle price `action` may use (PRICE precision), recorded (`record_oracle_price`).
pub fn oracle_price_for(
    market: &mut PerpMarket,
    oracle: &AccountInfo,
    action: OracleAction,
    clock: &Clock,
) -> Result<u64> {
    let price = checked_oracle_price(market, oracle, action, clock)?;
    record_oracle_price(market, price, clock.unix_timestamp)?;
    Ok(price)
}

/// Records a validated oracle `price` (precision: PRICE) read at `now`. At the second's first
/// read a repeg a funding update put off is made (nothing can have moved the curve yet this
/// second: every instruction that moves it reads the oracle first) and the second's snapshot
/// taken. Then the price read last closes the interval it stood for, in the five-minute TWAP
/// and the funding period's sum, this price stands until the next read, and the standing mark
/// is clamped around it (an idle curve counts no further from the oracle than a fill would).
pub fn record_oracle_price(market: &mut PerpMarket, price: u64, now: i64) -> Result<()> {
    if market.second_start.ts != now && market.repeg_pending == 1 {
        if market.is_settling()? {
            market.repeg_pending = 0;
        } else {
            follow_oracle(market, now)?;
        }
    }
    take_snapshot(market, price, now)?;
    let standing = oracle_clock(market).observe(price, now)?;
    let amm = &mut market.amm;
    amm.oracle_twap_5min = updated_twap(&TwapUpdate {
        twap: amm.oracle_twap_5min,
        last_ts: amm.last_oracle_twap_ts,
        standing: amm.last_oracle_price,
        price,
        now,
        window: ORACLE_TWAP_5MIN_SECONDS,
        max_divergence: market.oracle_guards.max_twap_divergence,
    })?;
    amm.last_oracle_twap_ts = standing.since;
    amm.last_oracle_price = price;
    market
        .funding
        .oracle_price_seconds
        .set(standing.price_seconds);
    observe_mark_price(market, now)?;
    record_lp_sample(market, price, now)
}
