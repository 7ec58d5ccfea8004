//! Resting limit orders: `place_order` (maker post-only or taker), `cancel_order` and
//! `cancel_orders`. Placing uses the taker accounts (`Trade`); cancelling needs only the user.
// The composite's generated plumbing (`__client_accounts_*`, its bumps) comes with the glob.
use crate::contexts::acting_user::*;
use crate::contexts::Trade;
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::orders::{
    add_order, find_order, remove_order, validate_new_order, OrderCheck,
};
use crate::error::BalError;
use crate::events::{OrderAction, OrderRecord};
use crate::math::oracle::OracleAction;
use crate::read::margin::{validate_initial_margin, MarketView};
use crate::read::market_views::load_market_views;
use crate::read::position::find_position;
use crate::state::MarketAction;
use crate::state::Order;
use crate::state::RestingOrderParams;
use crate::validate;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::set_return_data;

#[event_cpi]
#[derive(Accounts)]
pub struct CancelOrders<'info> {
    pub acting: ActingUser<'info>,
}

/// Rests a limit order in the user's account; its id is the return data (u32, little-endian).
/// The account must meet its initial margin with every resting order counted as filled on its
/// worse side. Remaining accounts: a
/// `(PerpMarket, oracle)` pair for every other active position of the user, in slot order.
pub fn place_order<'info>(
    ctx: Context<'info, Trade<'info>>,
    params: RestingOrderParams,
) -> Result<()> {
    let accounts = &ctx.accounts;
    let clock = Clock::get()?;
    let (order, order_id) = {
        let mut user = accounts.acting.user.load_mut()?;
        let action = if params.reduce_only {
            MarketAction::Reduce
        } else {
            MarketAction::OpenRisk
        };
        let (spot, mut market, oracle_price) =
            accounts.market.enter(action, OracleAction::Fill, &clock)?;
        settle_lp_before_trading(&mut user, &mut market)?;
        let position_base = find_position(&user, market.market_index)
            .map(|i| user.perp_positions[i].base_asset_amount)
            .unwrap_or(0);
        let check = OrderCheck {
            position_base,
            oracle_price,
            now: clock.unix_timestamp,
            by_delegate: accounts.acting.by_delegate(&user),
        };
        validate_new_order(&params, &market, &check)?;
        let order_id = add_order(&mut user, &market, &params)?;
        let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
        views.0.push(MarketView::new(
            &market,
            oracle_price,
            clock.unix_timestamp,
        )?);
        validate_initial_margin(&user, &spot, &views)?;
        user.invariant()?;
        spot.invariant()?;
        market.invariant()?;
        let slot = find_order(&user, order_id)?;
        (user.orders[slot], order_id)
    };
    emit_cpi!(OrderRecord::of(
        ctx.accounts.acting.user.key(),
        &order,
        OrderAction::Place,
        clock.unix_timestamp
    ));
    // The new order's id, for the caller (after the record's self-CPI, which clears it).
    set_return_data(&order_id.to_le_bytes());
    Ok(())
}

/// Cancels the user's open orders that `selected` picks, emitting a record for each; refuses
/// with `OrderNotFound` when there are none.
fn cancel_where(ctx: &Context<CancelOrders>, selected: impl Fn(&Order) -> bool) -> Result<()> {
    let clock = Clock::get()?;
    let mut cancelled = Vec::new();
    {
        let mut user = ctx.accounts.acting.user.load_mut()?;
        for slot in 0..user.orders.len() {
            let order = user.orders[slot];
            if order.is_open() && selected(&order) {
                remove_order(&mut user, slot)?;
                cancelled.push(order);
            }
        }
        validate!(!cancelled.is_empty(), BalError::OrderNotFound);
        user.invariant()?;
    }
    for order in cancelled.iter() {
        emit_cpi!(OrderRecord::of(
            ctx.accounts.acting.user.key(),
            order,
            OrderAction::Cancel,
            clock.unix_timestamp
        ));
    }
    Ok(())
}

/// Cancels one open order by id.
pub fn cancel_order(ctx: Context<CancelOrders>, order_id: u32) -> Result<()> {
    cancel_where(&ctx, |order| order.order_id == order_id)
}

/// Cancels every open order, or every open order in one market.
pub fn cancel_orders(ctx: Context<CancelOrders>, market_index: Option<u16>) -> Result<()> {
    cancel_where(&ctx, |order| {
        market_index.is_none_or(|index| order.market_index == index)
    })
}
