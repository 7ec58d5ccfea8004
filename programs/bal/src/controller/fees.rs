//! Every fee in one place: what a taker pays and a maker is rebated, what a filler earns, the
//! LPs' slice of a taker fee and its backing, where the rest of a fee goes (one booking of the
//! AMM's side for a trade and for `fill_order`, one for a maker's fill), and the liquidation
//! fee's rates. A charge rounds up; a payout rounds down.
use crate::controller::lp::{record_amm_delta, AmmDelta};
use crate::math::constants::{LP_AGG_PRECISION, PERCENTAGE_PRECISION};
use crate::math::lp_books::{take_shares, LpTake};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::{FeeSchedule, PerpMarket, SpotMarket};
use anchor_lang::prelude::*;

/// `amount` at `rate` (precision: PERCENTAGE), rounded up: what a fee charges.
pub fn charge(amount: u64, rate: u32) -> Result<u64> {
    mul_div_ceil(amount as u128, rate as u128, PERCENTAGE_PRECISION as u128)?.cast::<u64>()
}

/// `amount` at `rate` (precision: PERCENTAGE), rounded down: what a rebate, reward or share
/// pays out.
pub fn share(amount: u64, rate: u32) -> Result<u64> {
    mul_div_floor(amount as u128, rate as u128, PERCENTAGE_PRECISION as u128)?.cast::<u64>()
}

/// A maker's rebate on `quote` of notional: the schedule's rate, rounded down, never more
/// than the taker's `fee` it comes out of. precision: QUOTE
pub fn maker_rebate(fees: &FeeSchedule, quote: u64, fee: u64) -> Result<u64> {
    Ok(share(quote, fees.maker_rebate_rate)?.min(fee))
}

/// The filler's share of a piece's taker fee, capped at what the protocol keeps of it.
/// precision: QUOTE
pub fn filler_reward(fees: &FeeSchedule, fee: u64, kept: u64) -> Result<u64> {
    Ok(share(fee, fees.filler_reward_rate)?.min(kept))
}

/// The LPs' slice of a taker fee: the fee share times the users' part of `sqrt_k` (or all of
/// it for an LP-owned fill), kept at `LP_AGG_PRECISION` sub-units (rounded down) so LPs lose no
/// whole unit to it per fill. precision: LP_AGG
pub fn lp_fee_slice(fee: u64, market: &PerpMarket, take: LpTake) -> Result<u128> {
    let shares = take_shares(market, take);
    if shares.user == 0 {
        return Ok(0);
    }
    let to_lps = mul_div_floor(
        fee as u128 * LP_AGG_PRECISION,
        market.lp.fee_share as u128,
        PERCENTAGE_PRECISION as u128,
    )?;
    mul_div_floor(to_lps, shares.user, shares.total)
}

/// Quote the P&L pool must receive to back a fee slice: the slice rounded up to a whole unit.
/// precision: QUOTE
pub fn lp_fee_backing(slice: u128) -> Result<u64> {
    (slice.div_ceil(LP_AGG_PRECISION)).cast::<u64>()
}

/// A taker's fill the AMM took the other side of, and its fee.
pub struct AmmSide {
    /// What the trader received (positive) or gave, signed as the trader's fill is.
    /// precision: BASE
    pub trader_base: i128,
    /// precision: QUOTE
    pub trader_quote: i128,
    /// The taker fee. precision: QUOTE
    pub fee: u64,
    /// Which LPs share the AMM's side: `Shared` for the curve, `LpOwned` for LP JIT, `None`
    /// for a protocol-owned piece (the LPs take no part).
    pub take: Option<LpTake>,
}

/// Books the AMM's side of a taker's fill: the LPs' part with their fee slice on their
/// accumulators, the slice's backing into the P&L pool, the rest of the fee into the fee
/// pool, the whole fee into `total_fees` (no rebate on an AMM fill) and the pools' balance.
/// Returns what the fee pool kept. precision: QUOTE
pub fn book_amm_side(
    market: &mut PerpMarket,
    spot: &mut SpotMarket,
    side: &AmmSide,
) -> Result<u64> {
    let mut backing = 0;
    if let Some(take) = side.take {
        let lp_fee = lp_fee_slice(side.fee, market, take)?;
        record_amm_delta(
            market,
            &AmmDelta {
                base: -side.trader_base,
                quote: -side.trader_quote,
                lp_fee,
                take,
            },
        )?;
        backing = lp_fee_backing(lp_fee)?;
    }
    market.pnl_pool = market.pnl_pool.safe_add(backing)?;
    let kept = side.fee.safe_sub(backing)?;
    market.fee_pool = market.fee_pool.safe_add(kept)?;
    market.total_fees = market.total_fees.safe_add(side.fee)?;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_add(side.fee)?;
    Ok(kept)
}

/// Books a maker's fill's fees: the taker's `fee` less the maker's `rebate` stays in the fee
/// pool and counts in `total_fees`. Returns what the fee pool kept. precision: QUOTE
pub fn book_maker_fill(
    market: &mut PerpMarket,
    spot: &mut SpotMarket,
    fee: u64,
    rebate: u64,
) -> Result<u64> {
    let kept = fee.safe_sub(rebate)?;
    market.fee_pool = market.fee_pool.safe_add(kept)?;
    market.total_fees = market.total_fees.safe_add(kept)?;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_add(kept)?;
    Ok(kept)
}

/// The liquidation fee on `quote` of notional moved: the market's rate, rounded up, before it
/// is capped at what the account still has; and the liquidator's part of that full fee,
/// rounded down. precision: QUOTE
pub fn liquidation_fee(
    market: &PerpMarket,
    quote: u64,
    liquidator_share_rate: u32,
) -> Result<(u64, u64)> {
    let nominal = charge(quote, market.liquidation_fee)?;
    Ok((nominal, share(nominal, liquidator_share_rate)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_round_up_and_payouts_down() {
        // 0.1% of 1,001 units is 1.001.
        assert_eq!(charge(1_001, 1_000).unwrap(), 2);
        assert_eq!(share(1_001, 1_000).unwrap(), 1);
        assert_eq!(charge(1_000, 1_000).unwrap(), 1);
    }

    #[test]
    fn a_rebate_never_exceeds_the_fee_and_a_reward_what_is_kept() {
        let fees = FeeSchedule {
            taker_fee_rate: 1_000,
            maker_rebate_rate: 2_000,
            filler_reward_rate: 500_000,
            liquidator_share_rate: 0,
        };
        assert_eq!(maker_rebate(&fees, 1_000_000, 1_000).unwrap(), 1_000);
        assert_eq!(maker_rebate(&fees, 100_000, 1_000).unwrap(), 200);
        assert_eq!(filler_reward(&fees, 1_000, 300).unwrap(), 300);
        assert_eq!(filler_reward(&fees, 1_000, 900).unwrap(), 500);
    }
}
