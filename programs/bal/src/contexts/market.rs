//! The accounts of one perp market, embedded in every instruction that acts in one: the
//! exchange state, the quote market, the perp market (seeded from the instruction's first
//! argument, `market_index`) and its oracle (a relation of the market). Entering the market is
//! one call (`MarketContext::enter`): the gate, the oracle price the action may use, and the
//! quote market's interest accrued to now.
use crate::controller::market_entry::{enter_market, MarketEntry};
use crate::error::BalError;
use crate::math::oracle::OracleAction;
use crate::state::{
    MarketAction, PerpMarket, SpotMarket, State, PERP_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;
use std::cell::RefMut;

#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct MarketContext<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
        has_one = oracle @ BalError::InvalidOracle,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: the market's oracle (`has_one` above, a relation in the IDL); its owner and
    /// layout are checked where it is read.
    pub oracle: UncheckedAccount<'info>,
}

/// The two markets loaded for writing, and the oracle price the action may use.
/// precision: PRICE
pub type Entered<'a> = (RefMut<'a, SpotMarket>, RefMut<'a, PerpMarket>, u64);

impl MarketContext<'_> {
    /// Enters the market for `action` (`controller::market_entry::enter_market`), reading the
    /// oracle as `oracle_action` may.
    pub fn enter(
        &self,
        action: MarketAction,
        oracle_action: OracleAction,
        clock: &Clock,
    ) -> Result<Entered<'_>> {
        let mut spot = self.spot_market.load_mut()?;
        let mut market = self.perp_market.load_mut()?;
        let price = enter_market(
            &mut market,
            &mut spot,
            &MarketEntry {
                state: &self.state,
                oracle: &self.oracle,
                action,
                oracle_action,
                clock,
            },
        )?;
        Ok((spot, market, price))
    }
}
