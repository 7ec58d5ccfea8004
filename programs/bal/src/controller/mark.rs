//! The mark price funding averages: the curve's reserve price, observed after every change of
//! the curve (each fill, repeg and `sqrt_k` change) and at each funding update, clamped to the
//! band around the oracle, each weighing exactly the seconds it stood (`math::funding::
//! PriceClock`). An observation is always safe to add: it only closes the standing price's
//! interval at `now`, so observing more often changes no sum. Each observation also widens
//! the second's high and low (`state::SecondSnapshot::note`).
use crate::math::funding::clamp_mark;
use crate::read::oracle::mark_clock;
use crate::read::second_start::current_reserve_price;
use crate::state::PerpMarket;
use anchor_lang::prelude::*;

/// Closes the standing mark's interval at `now` and lets the curve's reserve price, clamped to
/// the maximum spread around the oracle price this instruction read, stand from then on.
pub fn observe_mark_price(market: &mut PerpMarket, now: i64) -> Result<()> {
    let reserve = current_reserve_price(market)?;
    let mark = clamp_mark(reserve, market.amm.last_oracle_price, market.amm.max_spread)?;
    let clock = mark_clock(market).observe(mark, now)?;
    let funding = &mut market.funding;
    funding.mark_price = clock.standing;
    funding.mark_price_ts = clock.since;
    funding.mark_price_seconds.set(clock.price_seconds);
    market.second_start.note(reserve, now);
    Ok(())
}
