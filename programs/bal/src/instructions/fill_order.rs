//! `fill_order`: a keeper fills a resting taker order against makers' resting orders, in price
//! order, with the AMM as backstop wherever it quotes better and once makers run out.
use crate::controller::amm_fill::PositionDirection;
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::margin::{MarginType, MarketView, MarketViews};
use crate::controller::market_views::load_market_views;
use crate::controller::matching::{
    run_match, FillContext, MakerQuote, MatchInput, Matcher, TakerFill,
};
use crate::controller::oracle::oracle_price_for;
use crate::controller::orders::{find_order, reduce_only_cap, remove_order};
use crate::controller::position::find_position;
use crate::controller::second_start::curve_moved_against;
use crate::controller::spot_balance::{accrue_interest, update_quote_balance};
use crate::controller::trade::{validate_after_fill, BeforeFill, FillSide, FilledParty};
use crate::error::BalError;
use crate::events::{order_action, OrderFillRecord};
use crate::instructions::orders::order_record;
use crate::math::constants::MARGIN_PRECISION;
use crate::math::oracle::OracleAction;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::mul_div_floor;
use crate::state::gate::{check_market, MarketAction};
use crate::state::{
    PerpMarket, SpotMarket, State, User, PERP_MARKET_SEED, SPOT_MARKET_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;

/// Most makers one fill may take.
pub const MAX_MAKERS: usize = 8;

/// Remaining accounts: the makers' `User`s (writable, in the order of `maker_order_ids`), then
/// a `(PerpMarket, oracle)` pair for every other market in which the taker or a maker holds a
/// position.
#[event_cpi]
#[derive(Accounts)]
pub struct FillOrder<'info> {
    pub filler: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    /// The filler's subaccount, credited with the filler reward.
    #[account(mut)]
    pub filler_user: AccountLoader<'info, User>,
    #[account(mut)]
    pub taker: AccountLoader<'info, User>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, &spot_market.load()?.market_index.to_le_bytes()],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &perp_market.load()?.market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: must be the market's oracle; `oracle_price_for` checks key, owner and layout.
    pub oracle: UncheckedAccount<'info>,
}

/// A maker passed in, with its order.
struct Maker<'info> {
    loader: AccountLoader<'info, User>,
    order_id: u32,
    quote: MakerQuote,
}

/// The wallets that sign for `user`: its authority and, if it has one, its delegate.
fn signers_of(user: &User) -> [Pubkey; 2] {
    [user.authority, user.delegate]
}

fn position_base(user: &User, market_index: u16) -> i64 {
    find_position(user, market_index).map_or(0, |i| user.perp_positions[i].base_asset_amount)
}

/// The taker's order as a fill sees it, and whether it is stale: expired, or reduce-only with
/// nothing left to reduce.
fn taker_order(
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
fn cancel_stale(ctx: &Context<FillOrder>, slot: usize, now: i64) -> Result<()> {
    let order = {
        let mut taker = ctx.accounts.taker.load_mut()?;
        let order = taker.orders[slot];
        remove_order(&mut taker, slot)?;
        taker.invariant()?;
        order
    };
    emit_cpi!(order_record(
        ctx.accounts.taker.key(),
        &order,
        order_action::CANCEL,
        now
    ));
    Ok(())
}

/// The prices a maker may fill at: within the market's initial margin ratio of the oracle
/// price this fill read (the band rounded down, so never wider), since a fill further away
/// could move more value between the parties than their margin covers. precision: PRICE
fn price_band(market: &PerpMarket) -> Result<std::ops::RangeInclusive<u64>> {
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
fn load_makers<'info>(
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
        let market = ctx.accounts.perp_market.load()?;
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
            &mut *ctx.accounts.perp_market.load_mut()?,
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
fn check_margins(
    ctx: &Context<FillOrder>,
    taker: &User,
    befores: &[BeforeFill],
    makers: &[Maker],
    views: &MarketViews,
) -> Result<()> {
    let spot = ctx.accounts.spot_market.load()?;
    let market = ctx.accounts.perp_market.load()?;
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
fn parties_before(
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
    let spot = ctx.accounts.spot_market.load()?;
    let market = ctx.accounts.perp_market.load()?;
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

/// Fills the taker's resting order `taker_order_id` against the makers' orders
/// `maker_order_ids` (their `User`s first among the remaining accounts), and against the AMM
/// wherever it quotes better and once makers run out. Part of a maker's fill may go to the AMM
/// (protocol-owned JIT, when it cuts the protocol's inventory) and to the LPs (LP JIT, toward
/// the market's target) at the maker's price. The filler's subaccount earns the filler reward.
pub fn handler<'info>(
    ctx: Context<'info, FillOrder<'info>>,
    taker_order_id: u32,
    maker_order_ids: Vec<u32>,
) -> Result<()> {
    let accounts = &ctx.accounts;
    validate!(
        accounts.filler_user.load()?.authority == accounts.filler.key(),
        BalError::NotUserAuthority
    );
    let clock = Clock::get()?;
    let now = clock.unix_timestamp;
    let (oracle_price, market_index) = {
        let mut market = accounts.perp_market.load_mut()?;
        check_market(&accounts.state, &market, MarketAction::Fill)?;
        let price = oracle_price_for(
            &mut market,
            &accounts.oracle.to_account_info(),
            OracleAction::Fill,
            &clock,
        )?;
        accrue_interest(&mut *accounts.spot_market.load_mut()?, now)?;
        settle_lp_before_trading(&mut *accounts.taker.load_mut()?, &mut market)?;
        (price, market.market_index)
    };
    let (order, stale) = taker_order(&*accounts.taker.load()?, taker_order_id, market_index, now)?;
    if stale {
        return cancel_stale(&ctx, order.slot, now);
    }
    // A filler chooses the moment: it may not push the curve against the taker first and then
    // route the order into the push (to the AMM, or to a maker the push made look better).
    validate!(
        !curve_moved_against(&*accounts.perp_market.load()?, order.direction, now)?,
        BalError::CurveMovedThisSecond
    );
    let makers = load_makers(&ctx, &maker_order_ids, &order)?;
    let (mut views, befores) = parties_before(&ctx, &makers, &order, now)?;

    let mut taker = accounts.taker.load_mut()?;
    let mut pieces = {
        let mut spot = accounts.spot_market.load_mut()?;
        let mut market = accounts.perp_market.load_mut()?;
        let mut matcher = Matcher {
            spot: &mut spot,
            market: &mut market,
            ctx: FillContext {
                direction: order.direction,
                taker_slot: order.slot,
                oracle_price,
                fees: accounts.state.fees,
                now,
            },
            pieces: Vec::new(),
        };
        let quotes: Vec<MakerQuote> = makers.iter().map(|m| m.quote).collect();
        let input = MatchInput {
            order: &order,
            makers: &quotes,
        };
        run_match(&mut taker, &input, &mut matcher, |i| {
            makers[i].loader.load_mut()
        })?;
        matcher.pieces
    };
    views.set(MarketView::new(
        &*accounts.perp_market.load()?,
        oracle_price,
        now,
    )?);
    check_margins(&ctx, &taker, &befores, &makers, &views)?;
    taker.invariant()?;
    drop(taker);

    // A filler that is party to the fill (the taker's or a maker's wallet, from any of its
    // subaccounts, or its delegate) earns nothing: the reward stays in the fee pool.
    let mut parties = signers_of(&*accounts.taker.load()?).to_vec();
    for maker in makers.iter() {
        parties.extend(signers_of(&*maker.loader.load()?));
    }
    if parties.contains(&accounts.filler.key()) {
        for piece in pieces.iter_mut() {
            piece.filler_reward = 0;
        }
    }
    let reward = pieces
        .iter()
        .try_fold(0u64, |sum, piece| sum.safe_add(piece.filler_reward))?;
    {
        let mut spot = accounts.spot_market.load_mut()?;
        let mut market = accounts.perp_market.load_mut()?;
        let mut filler = accounts.filler_user.load_mut()?;
        market.fee_pool = market.fee_pool.safe_sub(reward)?;
        spot.perp_pools_balance = spot.perp_pools_balance.safe_sub(reward)?;
        update_quote_balance(&mut filler.quote_balance, &mut spot, reward as i128)?;
        filler.invariant()?;
        spot.invariant()?;
        market.invariant()?;
    }
    for piece in pieces.iter() {
        let maker = piece.maker.map(|i| &makers[i as usize]);
        emit_cpi!(OrderFillRecord {
            ts: now,
            market_index,
            taker: ctx.accounts.taker.key(),
            taker_order_id,
            maker: maker.map_or(Pubkey::default(), |m| m.loader.key()),
            maker_order_id: maker.map_or(0, |m| m.order_id),
            filler: ctx.accounts.filler.key(),
            liquidity: piece.liquidity,
            direction: order.direction.to_u8(),
            base: piece.base,
            quote: piece.quote,
            taker_fee: piece.taker_fee,
            maker_rebate: piece.maker_rebate,
            filler_reward: piece.filler_reward,
            oracle_price,
        });
    }
    Ok(())
}
