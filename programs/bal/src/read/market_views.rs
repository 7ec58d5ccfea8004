//! The other markets a margin read looks at, from the remaining accounts: `(PerpMarket,
//! oracle)` pairs, each market checked for owner and type and each oracle for being its
//! market's. A market whose oracle is stale or too uncertain does not refuse the read: it is
//! valued at the last price it read and marked `stale`, and each margin counts it as
//! `MarginType::guards_stale` says, so one feed that stops cannot freeze liquidations, de-risks
//! and closes in every other market of the accounts holding it.
use crate::error::BalError;
use crate::math::oracle::OracleAction;
use crate::read::margin::{MarketView, MarketViews};
use crate::read::oracle::checked_oracle_price;
use crate::state::PerpMarket;
use crate::validate;
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

/// Oracle refusals a margin read answers with the market's last price instead.
fn last_price_stands_in(error: &Error) -> bool {
    *error == BalError::OracleStale.into() || *error == BalError::OracleTooUncertain.into()
}

/// Reads the `(PerpMarket, oracle)` pairs of the remaining accounts, with prices valid for
/// `action`, or, for a stale or uncertain oracle, the market's last read price (never zero).
pub fn load_market_views(
    remaining: &[AccountInfo],
    action: OracleAction,
    clock: &Clock,
) -> Result<MarketViews> {
    validate!(
        remaining.len().is_multiple_of(2),
        BalError::InvalidRemainingAccounts
    );
    let mut views = Vec::with_capacity(remaining.len() / 2);
    for pair in remaining.chunks_exact(2) {
        let (market_info, oracle_info) = (&pair[0], &pair[1]);
        validate!(
            *market_info.owner == crate::ID,
            BalError::InvalidRemainingAccounts
        );
        let data = market_info.try_borrow_data()?;
        let start = PerpMarket::DISCRIMINATOR.len();
        validate!(
            data.len() >= PerpMarket::SPACE && data[..start] == *PerpMarket::DISCRIMINATOR,
            BalError::InvalidRemainingAccounts
        );
        let market: &PerpMarket = bytemuck::from_bytes(&data[start..PerpMarket::SPACE]);
        validate!(oracle_info.key() == market.oracle, BalError::InvalidOracle);
        // A settling or delisted market is worth its settlement price, whatever its oracle says.
        let (price, stale) = if market.is_settling()? {
            (market.settlement.price, false)
        } else {
            match checked_oracle_price(market, oracle_info, action, clock) {
                Ok(price) => (price, false),
                Err(error) if last_price_stands_in(&error) && market.amm.last_oracle_price > 0 => {
                    (market.amm.last_oracle_price, true)
                }
                Err(error) => return Err(error),
            }
        };
        let mut view = MarketView::new(market, price, clock.unix_timestamp)?;
        view.stale = stale;
        views.push(view);
    }
    Ok(MarketViews(views))
}
