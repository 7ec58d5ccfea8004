//! The market as it stood at the start of each second (`PerpMarket::second_start`), taken at
//! the second's first oracle read, before anything in that second changed it. Every
//! instruction that moves the curve or the users' holdings reads the oracle first, so a
//! snapshot older than the current second means nothing moved yet in it. What is judged by it
//! cannot be moved by a trade placed earlier in the same transaction: the gains margin counts
//! (`MarginType::counted_shortfall`), and whether a crank acting for someone else, a delegate
//! or a liquidity add meets a curve that was pushed first.
use crate::read::second_start::{current_gain_shortfall, current_reserve_price};
use crate::state::PerpMarket;
use anchor_lang::prelude::*;

/// At the first oracle read of a second (`price`, precision: PRICE), before the instruction
/// changes anything: records the market as it stands.
pub fn take_snapshot(market: &mut PerpMarket, price: u64, now: i64) -> Result<()> {
    if market.second_start.ts != now {
        let shortfall = current_gain_shortfall(market, price)?;
        let reserve = current_reserve_price(market)?;
        let snapshot = &mut market.second_start;
        snapshot.shortfall.set(shortfall);
        snapshot.reserve_price = reserve;
        snapshot.high = reserve;
        snapshot.low = reserve;
        snapshot.ts = now;
    }
    Ok(())
}
