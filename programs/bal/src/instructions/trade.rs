//! Taker orders against the AMM: `place_perp_order` (market, limit, reduce-only) and
//! `close_position` (any size, steps or not). They share one accounts struct.
use crate::contexts::Trade;
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::trade::{
    trade_against_amm, validate_after_fill, BeforeFill, FillSide, FilledParty, TakerOrder,
    TradeOutcome,
};
use crate::error::BalError;
use crate::events::{FillLiquidity, FillRecord};
use crate::math::oracle::OracleAction;
use crate::read::margin::{MarginType, MarketView};
use crate::read::market_views::load_market_views;
use crate::read::position::find_position;
use crate::read::second_start::curve_moved_against;
use crate::state::MarketAction;
use crate::state::PerpMarket;
use crate::state::PositionDirection;
use crate::validate;
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct OrderParams {
    pub direction: PositionDirection,
    /// precision: BASE; a multiple of the market's step, at least its minimum size.
    pub base_amount: u64,
    /// `None` for a market order; otherwise the worst acceptable average price (the order
    /// fills in full within it or not at all). precision: PRICE
    pub limit_price: Option<u64>,
    /// Only reduce the position: the size is capped at the position's.
    pub reduce_only: bool,
}

/// The base an order trades after its market's rules: every order a step multiple of at
/// least the minimum size; a reduce-only one then capped at (and required to shrink) the
/// position. (`close_position` closes any size: a fill under the minimum never moves the
/// mark TWAP.)
fn resolve_size(params: &OrderParams, market: &PerpMarket, position_base: i64) -> Result<u64> {
    let base = params.base_amount;
    validate!(
        base >= market.min_order_size && base.is_multiple_of(market.order_step_size),
        BalError::OrderSizeInvalid
    );
    if !params.reduce_only {
        return Ok(base);
    }
    let reduces = match params.direction {
        PositionDirection::Long => position_base < 0,
        PositionDirection::Short => position_base > 0,
    };
    validate!(reduces, BalError::ReduceOnlyWouldIncrease);
    Ok(base.min(position_base.unsigned_abs()))
}

/// The order after the market's rules: direction, size and limit.
fn resolve_order(
    params: &OrderParams,
    close: bool,
    market: &PerpMarket,
    position_base: i64,
) -> Result<(PositionDirection, u64)> {
    if !close {
        return Ok((
            params.direction,
            resolve_size(params, market, position_base)?,
        ));
    }
    validate!(position_base != 0, BalError::NoPosition);
    let direction = if position_base > 0 {
        PositionDirection::Short
    } else {
        PositionDirection::Long
    };
    Ok((direction, position_base.unsigned_abs()))
}

fn execute<'info>(
    ctx: Context<'info, Trade<'info>>,
    params: OrderParams,
    close: bool,
) -> Result<()> {
    let accounts = &ctx.accounts;
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    let fee_rate = accounts.market.state.fees.taker_fee_rate;
    let user_key = accounts.acting.user.key();
    let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
    let (outcome, oracle_price, market_index, amm_base_after) = {
        let mut user = accounts.acting.user.load_mut()?;
        let (mut spot, mut market, oracle_price) =
            accounts
                .market
                .enter(MarketAction::Reduce, OracleAction::Fill, &clock)?;
        settle_lp_before_trading(&mut user, &mut market)?;
        let position_base = find_position(&user, market.market_index)
            .map(|i| user.perp_positions[i].base_asset_amount)
            .unwrap_or(0);
        let (direction, base) = resolve_order(&params, close, &market, position_base)?;
        // A delegate trades for its principal only on a curve nothing earlier in this second
        // moved against the trade: it cannot push from its own account and fill the principal
        // into the push.
        validate!(
            !accounts.acting.by_delegate(&user) || !curve_moved_against(&market, direction, now)?,
            BalError::CurveMovedThisSecond
        );
        views.set(MarketView::new(&market, oracle_price, now)?);
        let side = FillSide {
            market_index: market.market_index,
            direction,
        };
        let before = BeforeFill::of(&user, &spot, &views, &side)?;
        let order = TakerOrder {
            direction,
            base,
            limit_price: params.limit_price,
            oracle_price,
            fee_rate,
            now,
        };
        let outcome: TradeOutcome = trade_against_amm(&mut user, &mut spot, &mut market, &order)?;
        views.set(MarketView::new(&market, oracle_price, now)?);
        validate_after_fill(
            &FilledParty {
                user: &user,
                before: &before,
                grown: MarginType::Initial,
            },
            &spot,
            &views,
            &market,
        )?;
        user.invariant()?;
        spot.invariant()?;
        market.invariant()?;
        (
            outcome,
            oracle_price,
            market.market_index,
            market.amm.base_asset_amount_with_amm,
        )
    };
    emit_cpi!(FillRecord {
        ts: now,
        user: user_key,
        market_index,
        direction: if outcome.base_after > outcome.base_before {
            PositionDirection::Long
        } else {
            PositionDirection::Short
        },
        liquidity: FillLiquidity::Amm,
        base: outcome.base,
        quote: outcome.quote,
        fee: outcome.fee,
        price: outcome.price,
        oracle_price,
        realized_pnl: outcome.realized_pnl,
        amm_base_after,
    });
    Ok(())
}

/// Fills a taker order against the AMM within its limit and the market's price band; see
/// `controller::trade::validate_after_fill` for the margin it must leave.
pub fn place_perp_order<'info>(
    ctx: Context<'info, Trade<'info>>,
    params: OrderParams,
) -> Result<()> {
    execute(ctx, params, false)
}

/// Closes the whole position against the AMM, whatever its size, no worse on average than
/// `limit_price` (if given) and the market's price band.
pub fn close_position<'info>(
    ctx: Context<'info, Trade<'info>>,
    limit_price: Option<u64>,
) -> Result<()> {
    let params = OrderParams {
        direction: PositionDirection::Long,
        base_amount: 0,
        limit_price,
        reduce_only: true,
    };
    execute(ctx, params, true)
}
