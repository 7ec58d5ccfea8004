//! What every instruction acting in a market does first, in one call and one order: the gate
//! (`state::gate::check_market`) says whether the action may run now; the oracle price the
//! action may use is read, checked and recorded (`controller::oracle::oracle_price_for`: the
//! second's snapshot, a pending repeg, the TWAPs and the mark); and the quote market's interest
//! accrues to now, so every balance the instruction reads afterwards is current.
use crate::controller::oracle::oracle_price_for;
use crate::controller::spot_balance::accrue_interest;
use crate::math::oracle::OracleAction;
use crate::state::gate::check_market;
use crate::state::{MarketAction, PerpMarket, SpotMarket, State};
use anchor_lang::prelude::*;

/// The instruction entering a market: what it does there and which oracle price that may use.
pub struct MarketEntry<'a, 'info> {
    pub state: &'a State,
    /// The market's oracle account (`read::oracle::read_oracle` checks it is the market's).
    pub oracle: &'a AccountInfo<'info>,
    pub action: MarketAction,
    pub oracle_action: OracleAction,
    pub clock: &'a Clock,
}

/// Enters `market` for `entry.action`; returns the oracle price the action uses.
/// precision: PRICE
pub fn enter_market(
    market: &mut PerpMarket,
    spot: &mut SpotMarket,
    entry: &MarketEntry,
) -> Result<u64> {
    check_market(entry.state, market, entry.action)?;
    let price = oracle_price_for(market, entry.oracle, entry.oracle_action, entry.clock)?;
    accrue_interest(spot, entry.clock.unix_timestamp)?;
    Ok(price)
}
