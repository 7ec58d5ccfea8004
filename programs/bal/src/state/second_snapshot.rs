//! The market as it stood at the start of one second (`PerpMarket::second_start`).
use crate::state::wide::WideU128;
use anchor_lang::prelude::*;

/// The market as it stood at the start of one second, before any instruction of that second
/// changed it: what margin, routing and the cranks judge by, so that nothing earlier in the
/// same transaction moves what they decide.
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct SecondSnapshot {
    /// Unix time of the second it was taken in.
    /// unix seconds
    pub ts: i64,
    /// The gain shortfall (`read::second_start::current_gain_shortfall`). precision: QUOTE
    pub shortfall: WideU128,
    /// The curve's reserve price. precision: PRICE
    pub reserve_price: u64,
    /// The highest and lowest reserve price the curve has stood at since, in this second: a
    /// fill acting for someone else is judged against the best its side saw
    /// (`read::second_start::curve_moved_against`). precision: PRICE
    pub high: u64,
    /// precision: PRICE
    pub low: u64,
}

impl SecondSnapshot {
    /// The curve stands at `price` (precision: PRICE) at unix time `now`: widens this second's
    /// high and low to it (a snapshot of an earlier second is left for the next first read).
    pub fn note(&mut self, price: u64, now: i64) {
        if self.ts == now {
            self.high = self.high.max(price);
            self.low = self.low.min(price);
        }
    }
}
