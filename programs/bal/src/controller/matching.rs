//! Filling a resting taker order: against a maker at the maker's price (with the AMM and the
//! LPs optionally taking part of the maker's side just in time), and against the AMM's curve
//! as a backstop. Every piece is booked with the same quote on both sides, so base and quote
//! are conserved; fees are taken from the taker's quote balance when booked.
use crate::controller::amm_fill::book_amm_fill;
use crate::controller::fees::{
    book_amm_side, book_maker_fill, charge, filler_reward, maker_rebate, AmmSide,
};
use crate::controller::jit::{amm_jit_base, lp_jit_base, swap_direction, JitRoom, JitSide};
use crate::controller::orders::{record_order_fill, reduce_only_cap};
use crate::controller::position::{book_fill, Booking};
use crate::controller::spot_balance::update_quote_balance;
use crate::controller::trade::{trade_against_amm, TakerOrder};
use crate::error::BalError;
use crate::events::FillLiquidity;
use crate::math::amm::swap_base;
use crate::math::constants::BASE_PRECISION;
use crate::math::lp_books::LpTake;
use crate::math::position::{add_to_break_even, release_if_empty};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::read::amm_quote::{amm_base_within, AmmFill};
use crate::state::PositionDirection;
use crate::state::{FeeSchedule, PerpMarket, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;
use std::cell::RefMut;

/// What every piece of one `fill_order` shares.
#[derive(Clone, Copy, Debug)]
pub struct FillContext {
    pub direction: PositionDirection,
    /// The taker's order slot.
    pub taker_slot: usize,
    /// precision: PRICE
    pub oracle_price: u64,
    pub fees: FeeSchedule,
    pub now: i64,
}

/// One booked piece of a fill, for its record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FillPiece {
    pub liquidity: FillLiquidity,
    /// The maker's index among the fill's makers (pieces against the AMM or LPs carry the
    /// maker whose order they filled alongside, if any).
    pub maker: Option<u8>,
    /// precision: BASE
    pub base: u64,
    /// precision: QUOTE
    pub quote: u64,
    /// precision: QUOTE
    pub taker_fee: u64,
    /// precision: QUOTE
    pub maker_rebate: u64,
    /// What the filler earns for this piece: its share of the taker fee, at most what the
    /// protocol keeps of it. precision: QUOTE
    pub filler_reward: u64,
}

/// `base × price`, rounded down: the one quote amount both sides of a piece book.
/// precision: QUOTE
fn quote_for(base: u64, price: u64) -> Result<u64> {
    let quote = mul_div_floor(base as u128, price as u128, BASE_PRECISION)?;
    quote.cast::<u64>()
}

/// Moves `amount` (signed: positive is paid to the user) between `user`'s quote balance and the
/// position's break-even, the way fees and rebates are booked.
fn book_fee(user: &mut User, spot: &mut SpotMarket, market_index: u16, amount: i128) -> Result<()> {
    if let Some(index) = crate::read::position::find_position(user, market_index) {
        let position = &mut user.perp_positions[index];
        add_to_break_even(position, amount)?;
        release_if_empty(position);
    }
    update_quote_balance(&mut user.quote_balance, spot, amount)
}

/// The books one `fill_order` writes besides its users, and the pieces booked so far.
pub struct Matcher<'a> {
    pub spot: &'a mut SpotMarket,
    pub market: &'a mut PerpMarket,
    pub ctx: FillContext,
    pub pieces: Vec<FillPiece>,
}

/// Fills up to `max_base` of the taker's order against the AMM's curve without its marginal
/// price passing `limit` or the edge of the market's price band (a Shared fill: LPs take their
/// pro-rata part). Returns the base filled: 0 when the AMM has nothing within both.
pub fn fill_against_amm(
    taker: &mut User,
    matcher: &mut Matcher,
    limit: u64,
    max_base: u64,
) -> Result<u64> {
    let ctx = matcher.ctx;
    let (spot, market) = (&mut *matcher.spot, &mut *matcher.market);
    let edge = market
        .price_band(ctx.oracle_price)?
        .worst_for(ctx.direction);
    let limit = match ctx.direction {
        PositionDirection::Long => limit.min(edge),
        PositionDirection::Short => limit.max(edge),
    };
    let base = amm_base_within(market, ctx.direction, limit, ctx.oracle_price)?.min(max_base);
    if base == 0 {
        return Ok(0);
    }
    let outcome = trade_against_amm(
        taker,
        spot,
        market,
        &TakerOrder {
            direction: ctx.direction,
            base,
            limit_price: None,
            oracle_price: ctx.oracle_price,
            fee_rate: ctx.fees.taker_fee_rate,
            now: ctx.now,
        },
    )?;
    record_order_fill(taker, ctx.taker_slot, base)?;
    matcher.pieces.push(FillPiece {
        liquidity: FillLiquidity::Amm,
        maker: None,
        base,
        quote: outcome.quote,
        taker_fee: outcome.fee,
        maker_rebate: 0,
        filler_reward: filler_reward(&ctx.fees, outcome.fee, outcome.fee_kept)?,
    });
    Ok(base)
}

/// Part of a maker's order to fill against.
pub struct MakerFill {
    /// The maker's index among the fill's makers.
    pub index: u8,
    /// The order's slot in the maker's `User`.
    pub slot: usize,
    /// precision: PRICE
    pub price: u64,
    /// precision: BASE
    pub base: u64,
}

/// Fills `order.base` of the taker's order at the maker's price: the AMM (protocol-owned)
/// and the LPs (LP-owned) first take what JIT allows, the maker the rest.
pub fn fill_against_maker(
    taker: &mut User,
    maker: &mut User,
    matcher: &mut Matcher,
    order: &MakerFill,
) -> Result<()> {
    let ctx = &matcher.ctx;
    let (base, price) = (order.base, order.price);
    let side = JitSide {
        direction: ctx.direction,
        oracle_price: ctx.oracle_price,
    };
    let amm_jit = amm_jit_base(matcher.market, &side, base, price)?;
    let lp_jit = lp_jit_base(
        matcher.market,
        &side,
        &JitRoom {
            base: base.safe_sub(amm_jit)?,
            already: amm_jit,
            price,
        },
    )?;
    let maker_base = base.safe_sub(amm_jit)?.safe_sub(lp_jit)?;
    for (jit, take) in [(amm_jit, None), (lp_jit, Some(LpTake::LpOwned))] {
        if jit > 0 {
            let mut piece = book_jit(
                taker,
                matcher,
                &JitPiece {
                    base: jit,
                    price,
                    take,
                },
            )?;
            piece.maker = Some(order.index);
            matcher.pieces.push(piece);
        }
    }
    let ctx = matcher.ctx;
    let (spot, market) = (&mut *matcher.spot, &mut *matcher.market);
    if maker_base > 0 {
        let quote = quote_for(maker_base, price)?;
        let booking = Booking {
            side: ctx.direction,
            base: maker_base,
            quote,
        };
        book_fill(taker, market, &booking)?;
        let opposite = Booking {
            side: ctx.direction.opposite(),
            ..booking
        };
        book_fill(maker, market, &opposite)?;
        let fee = charge(quote, ctx.fees.taker_fee_rate)?;
        let rebate = maker_rebate(&ctx.fees, quote, fee)?;
        book_fee(taker, spot, market.market_index, -(fee as i128))?;
        book_fee(maker, spot, market.market_index, rebate as i128)?;
        let kept = book_maker_fill(market, spot, fee, rebate)?;
        record_order_fill(maker, order.slot, maker_base)?;
        matcher.pieces.push(FillPiece {
            liquidity: FillLiquidity::Maker,
            maker: Some(order.index),
            base: maker_base,
            quote,
            taker_fee: fee,
            maker_rebate: rebate,
            filler_reward: filler_reward(&ctx.fees, fee, kept)?,
        });
    }
    record_order_fill(taker, ctx.taker_slot, base)
}

/// A JIT piece: `base` at the maker's `price`, taken by the protocol (`take` is `None`: LPs get
/// nothing) or by the LPs as a group (`LpOwned`: all of it and the LP slice of its fee).
#[derive(Clone, Copy)]
struct JitPiece {
    base: u64,
    price: u64,
    take: Option<LpTake>,
}

/// Books a JIT piece against the AMM: the curve moves as if the AMM had filled it (so its
/// inventory and prices stay consistent) and the taker pays the maker's price.
fn book_jit(taker: &mut User, matcher: &mut Matcher, piece: &JitPiece) -> Result<FillPiece> {
    let ctx = matcher.ctx;
    let (spot, market) = (&mut *matcher.spot, &mut *matcher.market);
    let JitPiece { base, price, take } = *piece;
    let quote = quote_for(base, price)?;
    let curve = swap_base(
        &market.amm.curve(),
        base as u128,
        swap_direction(ctx.direction),
    )?;
    book_amm_fill(
        market,
        ctx.direction,
        &AmmFill { base, quote, curve },
        ctx.now,
    )?;
    let booking = Booking {
        side: ctx.direction,
        base,
        quote,
    };
    let trader = book_fill(taker, market, &booking)?.fill;
    let fee = charge(quote, ctx.fees.taker_fee_rate)?;
    book_fee(taker, spot, market.market_index, -(fee as i128))?;
    let kept = book_amm_side(
        market,
        spot,
        &AmmSide {
            trader_base: trader.base as i128,
            trader_quote: trader.quote as i128,
            fee,
            take,
        },
    )?;
    Ok(FillPiece {
        liquidity: if take.is_some() {
            FillLiquidity::LpJit
        } else {
            FillLiquidity::AmmJit
        },
        maker: None,
        base,
        quote,
        taker_fee: fee,
        maker_rebate: 0,
        filler_reward: filler_reward(&ctx.fees, fee, kept)?,
    })
}

/// The taker's order and what a fill needs to know of it.
#[derive(Clone, Copy, Debug)]
pub struct TakerFill {
    pub slot: usize,
    pub direction: PositionDirection,
    /// precision: PRICE
    pub limit: u64,
    /// What may fill: the order's remaining size, capped at the position for reduce-only.
    /// precision: BASE
    pub fillable: u64,
    /// The taker's position before the fill. precision: BASE
    pub base_before: i64,
    pub now: i64,
}

/// A maker's order as the match sees it.
#[derive(Clone, Copy, Debug)]
pub struct MakerQuote {
    /// The order's slot in the maker's `User`.
    pub slot: usize,
    /// precision: PRICE
    pub price: u64,
    /// The maker's position before the fill. precision: BASE
    pub base_before: i64,
}

/// Whether a maker at `price` is within the taker's `limit`.
fn crosses(direction: PositionDirection, price: u64, limit: u64) -> bool {
    match direction {
        PositionDirection::Long => price <= limit,
        PositionDirection::Short => price >= limit,
    }
}

/// What a match fills: the taker's order and the makers' orders, best price for the taker
/// first.
#[derive(Clone, Copy)]
pub struct MatchInput<'a> {
    pub order: &'a TakerFill,
    pub makers: &'a [MakerQuote],
}

/// Runs a match: the makers in the order given, the AMM ahead of any maker it beats and after
/// the last one, up to the taker's limit. `maker_user(i)` borrows maker `i`'s account. Refuses
/// (`NothingToFill`) when nothing could fill.
pub fn run_match<'a, F>(
    taker: &mut User,
    input: &MatchInput,
    matcher: &mut Matcher,
    mut maker_user: F,
) -> Result<()>
where
    F: FnMut(usize) -> Result<RefMut<'a, User>>,
{
    let MatchInput { order, makers } = *input;
    let mut left = order.fillable;
    for (index, maker) in makers.iter().enumerate() {
        if left == 0 || !crosses(order.direction, maker.price, order.limit) {
            break;
        }
        left = left.safe_sub(fill_against_amm(taker, matcher, maker.price, left)?)?;
        if left == 0 {
            break;
        }
        let mut maker_account = maker_user(index)?;
        let maker_order = maker_account.orders[maker.slot];
        let fillable = if maker_order.reduce_only == 1 {
            reduce_only_cap(&maker_order, maker.base_before)
        } else {
            maker_order.remaining()
        };
        let base = left.min(fillable);
        if base == 0 {
            continue;
        }
        fill_against_maker(
            taker,
            &mut maker_account,
            matcher,
            &MakerFill {
                index: index as u8,
                slot: maker.slot,
                price: maker.price,
                base,
            },
        )?;
        left = left.safe_sub(base)?;
    }
    if left > 0 {
        fill_against_amm(taker, matcher, order.limit, left)?;
    }
    validate!(!matcher.pieces.is_empty(), BalError::NothingToFill);
    Ok(())
}
