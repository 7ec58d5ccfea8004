//! `fill_order`'s parties: the makers loaded and checked, best price first, within the band a
//! maker may fill at; a stale taker order removed; and each party's margin before and after the
//! fill by the one rule for fills.
use super::{FillOrder, MAX_MAKERS};
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::matching::{MakerQuote, TakerFill};
use crate::controller::orders::{find_order, reduce_only_cap, remove_order};
use crate::controller::trade::{validate_after_fill, BeforeFill, FillSide, FilledParty};
use crate::error::BalError;
use crate::events::{OrderAction, OrderRecord};
use crate::math::constants::MARGIN_PRECISION;
use crate::math::oracle::OracleAction;
use crate::math::safe_math::Cast;
use crate::math::wide::mul_div_floor;
use crate::read::margin::{MarginType, MarketView, MarketViews};
use crate::read::market_views::load_market_views;
use crate::read::position::find_position;
use crate::state::PositionDirection;
use crate::state::{PerpMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// A maker passed in, with its order.
pub(super) struct Maker<'info> {
    pub(super) loader: AccountLoader<'info, User>,
    pub(super) order_id: u32,
    pub(super) quote: MakerQuote,
}

/// The wallets that sign for `user`: its authority and, if it has one, its delegate.
pub(super) fn signers_of(user: &User) -> [Pubkey; 2] {
    [user.authority, user.delegate]
}

pub(super) fn position_base(user: &User, market_index: u16) -> i64 {
    find_position(user, market_index).map_or(0, |i| user.perp_positions[i].base_asset_amount)
}

/// The taker's order as a fill sees it, and whether it is stale: expired, or reduce-only with
/// nothing left to reduce.
pub(super) fn taker_order(
    taker: &User,
    order_id: u32,
    market_index: u16,
    now: i64,
) -> Result<(TakerFill, bool)> {
    let slot = find_order(taker, order_id)?;
    let order = taker.orders[slot];
    validate!(
        order.post_only == 0 && order.market_index == market_index,
        BalError::NotATakerOrder
    );
    let base_before = position_base(taker, market_index);
    let fillable = if order.reduce_only == 1 {
        reduce_only_cap(&order, base_before)
    } else {
        order.remaining()
    };
    let fill = TakerFill {
        slot,
        direction: order.direction(),
        limit: order.price,
        fillable,
        base_before,
        now,
    };
    Ok((fill, order.is_expired(now) || fillable == 0))
}

/// Removes a stale taker order (expired, or reduce-only with nothing to reduce) so it stops
/// counting in margin; the fill then ends without trading.
pub(super) fn cancel_stale(ctx: &Context<FillOrder>, slot: usize, now: i64) -> Result<()> {
    let order = {
        let mut taker = ctx.accounts.taker.load_mut()?;
        let order = taker.orders[slot];
        remove_order(&mut taker, slot)?;
        taker.invariant()?;
        order
    };
    emit_cpi!(OrderRecord::of(
        ctx.accounts.taker.key(),
        &order,
        OrderAction::Cancel,
        now
    ));
    Ok(())
}

/// The prices a maker may fill at: within the market's initial margin ratio of the oracle
/// price this fill read (the band rounded down, so never wider), since a fill further away
/// could move more value between the parties than their margin covers. precision: PRICE
pub(super) fn price_band(market: &PerpMarket) -> Result<std::ops::RangeInclusive<u64>> {
    let oracle = market.amm.last_oracle_price;
    let band = mul_div_floor(
        oracle as u128,
        market.margin_ratio_initial as u128,
        MARGIN_PRECISION as u128,
    )?
    .cast::<u64>()?;
    Ok(oracle.saturating_sub(band)..=oracle.saturating_add(band))
}

/// Loads and checks the makers, best price for the taker first.
pub(super) fn load_makers<'info>(
    ctx: &Context<'info, FillOrder<'info>>,
    maker_order_ids: &[u32],
    taker: &TakerFill,
) -> Result<Vec<Maker<'info>>> {
    let now = taker.now;
    validate!(
        maker_order_ids.len() <= MAX_MAKERS
            && ctx.remaining_accounts.len() >= maker_order_ids.len(),
        BalError::TooManyMakers
    );
    let taker_key = ctx.accounts.taker.key();
    let taker_authority = ctx.accounts.taker.load()?.authority;
    let (market_index, band) = {
        let market = ctx.accounts.market.perp_market.load()?;
        (market.market_index, price_band(&market)?)
    };
    let mut makers: Vec<Maker> = Vec::with_capacity(maker_order_ids.len());
    for (info, order_id) in ctx.remaining_accounts.iter().zip(maker_order_ids) {
        let loader = AccountLoader::<User>::try_from(info)?;
        validate!(info.is_writable, BalError::InvalidRemainingAccounts);
        validate!(
            info.key() != taker_key
                && info.key() != ctx.accounts.filler_user.key()
                && makers.iter().all(|m| m.loader.key() != info.key()),
            BalError::SelfTrade
        );
        // Settled first, like the taker: whether the fill adds to its risk is judged on all
        // it holds.
        settle_lp_before_trading(
            &mut *loader.load_mut()?,
            &mut *ctx.accounts.market.perp_market.load_mut()?,
        )?;
        let maker = loader.load()?;
        validate!(maker.authority != taker_authority, BalError::SelfTrade);
        let slot = find_order(&maker, *order_id)?;
        let order = maker.orders[slot];
        validate!(
            order.post_only == 1
                && order.market_index == market_index
                && order.direction() == taker.direction.opposite(),
            BalError::NotAMakerOrder
        );
        validate!(!order.is_expired(now), BalError::OrderExpired);
        validate!(band.contains(&order.price), BalError::MakerPriceOutsideBand);
        let base_before = position_base(&maker, market_index);
        drop(maker);
        makers.push(Maker {
            loader,
            order_id: *order_id,
            quote: MakerQuote {
                slot,
                price: order.price,
                base_before,
            },
        });
    }
    // Best price for the taker first; equal prices keep the order they were passed in (the
    // position is part of the key: the stable sort's scratch buffer would not fit the stack).
    let mut keyed: Vec<(u64, usize, Maker)> = makers
        .into_iter()
        .enumerate()
        .map(|(i, m)| match taker.direction {
            PositionDirection::Long => (m.quote.price, i, m),
            PositionDirection::Short => (u64::MAX - m.quote.price, i, m),
        })
        .collect();
    keyed.sort_unstable_by_key(|(price, i, _)| (*price, *i));
    Ok(keyed.into_iter().map(|(_, _, m)| m).collect())
}

/// After the fill, each party by the one rule for fills (`controller::trade::
/// validate_after_fill`): a taker whose risk grew needs initial margin, a maker whose risk grew
/// maintenance (its order already counted at placement), and a party whose risk did not grow
/// may not have been left in debt.
pub(super) fn check_margins(
    ctx: &Context<FillOrder>,
    taker: &User,
    befores: &[BeforeFill],
    makers: &[Maker],
    views: &MarketViews,
) -> Result<()> {
    let spot = ctx.accounts.market.spot_market.load()?;
    let market = ctx.accounts.market.perp_market.load()?;
    validate_after_fill(
        &FilledParty {
            user: taker,
            before: &befores[0],
            grown: MarginType::Initial,
        },
        &spot,
        views,
        &market,
    )?;
    for (maker, before) in makers.iter().zip(&befores[1..]) {
        let user = maker.loader.load()?;
        validate_after_fill(
            &FilledParty {
                user: &user,
                before,
                grown: MarginType::Maintenance,
            },
            &spot,
            views,
            &market,
        )?;
        user.invariant()?;
    }
    Ok(())
}

/// Every market a party of the fill holds (the remaining accounts after the makers) and this
/// one as it stands; and each party (the taker first) as its margin rule needs it before.
pub(super) fn parties_before(
    ctx: &Context<FillOrder>,
    makers: &[Maker],
    order: &TakerFill,
    now: i64,
) -> Result<(MarketViews, Vec<BeforeFill>)> {
    let clock = Clock::get()?;
    let mut views = load_market_views(
        &ctx.remaining_accounts[makers.len()..],
        OracleAction::Margin,
        &clock,
    )?;
    let spot = ctx.accounts.market.spot_market.load()?;
    let market = ctx.accounts.market.perp_market.load()?;
    views.set(MarketView::new(&market, market.amm.last_oracle_price, now)?);
    let taker_side = FillSide {
        market_index: market.market_index,
        direction: order.direction,
    };
    let maker_side = FillSide {
        direction: order.direction.opposite(),
        ..taker_side
    };
    let mut befores = Vec::with_capacity(makers.len() + 1);
    befores.push(BeforeFill::of(
        &*ctx.accounts.taker.load()?,
        &spot,
        &views,
        &taker_side,
    )?);
    for maker in makers {
        befores.push(BeforeFill::of(
            &*maker.loader.load()?,
            &spot,
            &views,
            &maker_side,
        )?);
    }
    Ok((views, befores))
}
