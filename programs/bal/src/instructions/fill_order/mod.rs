//! `fill_order`: a keeper fills a resting taker order against makers' resting orders, in price
//! order, with the AMM as backstop wherever it quotes better and once makers run out.
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::matching::{run_match, FillContext, MakerQuote, MatchInput, Matcher};
use crate::controller::spot_balance::update_quote_balance;
use crate::error::BalError;
use crate::events::OrderFillRecord;
use crate::math::oracle::OracleAction;
use crate::math::safe_math::SafeMath;
use crate::read::margin::MarketView;
use crate::read::second_start::curve_moved_against;
use crate::state::MarketAction;
use crate::state::User;
use crate::validate;
// The composite's generated plumbing (`__client_accounts_*`, its bumps) comes with the glob.
use crate::contexts::market::*;
use anchor_lang::prelude::*;
use parties::{cancel_stale, check_margins, load_makers, parties_before, signers_of, taker_order};

mod parties;

/// Most makers one fill may take.
pub const MAX_MAKERS: usize = 8;

/// Remaining accounts: the makers' `User`s (writable, in the order of `maker_order_ids`), then
/// a `(PerpMarket, oracle)` pair for every other market in which the taker or a maker holds a
/// position.
#[event_cpi]
#[derive(Accounts)]
pub struct FillOrder<'info> {
    pub filler: Signer<'info>,
    /// The filler's subaccount, credited with the filler reward.
    #[account(mut)]
    pub filler_user: AccountLoader<'info, User>,
    #[account(mut)]
    pub taker: AccountLoader<'info, User>,
    pub market: MarketContext<'info>,
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
        let (_, mut market, price) =
            accounts
                .market
                .enter(MarketAction::Fill, OracleAction::Fill, &clock)?;
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
        !curve_moved_against(&*accounts.market.perp_market.load()?, order.direction, now)?,
        BalError::CurveMovedThisSecond
    );
    let makers = load_makers(&ctx, &maker_order_ids, &order)?;
    let (mut views, befores) = parties_before(&ctx, &makers, &order, now)?;

    let mut taker = accounts.taker.load_mut()?;
    let mut pieces = {
        let mut spot = accounts.market.spot_market.load_mut()?;
        let mut market = accounts.market.perp_market.load_mut()?;
        let mut matcher = Matcher {
            spot: &mut spot,
            market: &mut market,
            ctx: FillContext {
                direction: order.direction,
                taker_slot: order.slot,
                oracle_price,
                fees: accounts.market.state.fees,
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
        &*accounts.market.perp_market.load()?,
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
        let mut spot = accounts.market.spot_market.load_mut()?;
        let mut market = accounts.market.perp_market.load_mut()?;
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
            direction: order.direction,
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
