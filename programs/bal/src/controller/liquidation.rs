//! Liquidation below maintenance margin, in steps that stop as soon as the account is safe
//! again (it meets `MarginType::Liquidation`: maintenance plus a buffer): its resting orders
//! are cancelled, then its LP shares in the market burned (as many as the exit rule allows),
//! then its position is transferred to the liquidator at the oracle price, only as much as
//! that takes, rounded to the step. The user pays the liquidation fee on what moved (the
//! liquidator's part first, the rest to the insurance fund), never more than it still has; the
//! insurance fund pays the part of the liquidator's reward a bankrupt account cannot.
//! Nothing trades against the AMM, so nothing the liquidator does earlier in a transaction
//! changes the price it takes over at or what it earns. An account left with nothing but debt
//! is bankrupt (`controller::bankruptcy`).
use crate::controller::bankruptcy::{resolve_bankruptcy, Bankruptcy};
use crate::controller::fees::liquidation_fee;
use crate::controller::insurance;
use crate::controller::lp::settle_lp_before_trading;
use crate::controller::orders::cancel_all_orders;
use crate::controller::pnl::{commit_settle_pnl, plan_settle_pnl};
use crate::controller::position::{book_fill, Booking};
use crate::controller::spot_balance::update_quote_balance;
use crate::error::BalError;
use crate::math::constants::BASE_PRECISION;
use crate::math::liquidation::{base_to_cover, transfer_size, TransferSize};
use crate::math::lp_books::{burnable_shares, remove_shares};
use crate::math::position::largest_fill_base;
use crate::math::position::release_if_empty;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::read::margin::{
    margin_summary, validate_initial_margin, MarginSummary, MarginType, MarketView, MarketViews,
};
use crate::read::position::find_position;
use crate::read::position::holds_only_claims;
use crate::state::{PerpMarket, PositionDirection, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// The accounts a liquidation writes, held together so each step takes one reference (the
/// v0 VM passes at most five argument registers).
pub struct LiquidationBooks<'a> {
    pub user: &'a mut User,
    pub liquidator: &'a mut User,
    pub spot: &'a mut SpotMarket,
    pub market: &'a mut PerpMarket,
}

/// What the liquidator asked for and what the liquidation is priced at.
#[derive(Clone, Copy, Debug)]
pub struct LiquidationTerms {
    /// Fresh and certain (staleness and confidence checked). precision: PRICE
    pub price: u64,
    /// The most the liquidator takes over. precision: BASE
    pub max_base: u64,
    /// The liquidator's part of the fee. precision: PERCENTAGE
    pub liquidator_share_rate: u32,
    /// Unix time: which shortfall snapshot is this second's.
    pub now: i64,
}

/// A liquidation fee and where it went. precision: QUOTE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FeeTransfer {
    /// Paid by the liquidated account.
    pub fee: u64,
    /// Earned by the liquidator, `from_insurance_fund` included.
    pub to_liquidator: u64,
    /// The insurance fund's top-up of a reward the account could not pay.
    pub from_insurance_fund: u64,
    /// The account's fee beyond the liquidator's reward.
    pub to_insurance_fund: u64,
}

/// What a liquidation did, for its record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationOutcome {
    /// The account's maintenance margin before anything moved.
    pub before: MarginSummary,
    /// Resting orders cancelled (in every market).
    pub orders_cancelled: u8,
    /// precision: BASE
    pub shares_burned: u128,
    /// Base that moved to the liquidator. precision: BASE
    pub base_transferred: u64,
    /// What that base was worth at the price. precision: QUOTE
    pub quote_transferred: u64,
    pub fee: FeeTransfer,
    pub bankruptcy: Option<Bankruptcy>,
}

/// Whether the account meets the margin a liquidation stops at.
fn is_safe(books: &LiquidationBooks, views: &MarketViews) -> Result<bool> {
    Ok(margin_summary(books.user, books.spot, views, MarginType::Liquidation)?.meets_requirement())
}

/// Liquidates `books.user` in `books.market`, step by step (see the module). `views` holds
/// every market either party has a position in; the acted market's view is refreshed after
/// each change. Refuses (`NotLiquidatable`) an account at or above maintenance, and
/// (`NoPosition`) one with nothing here to act on.
pub fn liquidate(
    books: &mut LiquidationBooks,
    views: &mut MarketViews,
    terms: &LiquidationTerms,
) -> Result<LiquidationOutcome> {
    let before = margin_summary(books.user, books.spot, views, MarginType::Maintenance)?;
    validate!(
        !before.meets_requirement(),
        BalError::NotLiquidatable,
        "collateral {} >= maintenance {}",
        before.collateral,
        before.requirement
    );
    let mut outcome = LiquidationOutcome {
        before,
        ..LiquidationOutcome::default()
    };
    // Resting orders first: a liquidated account may not add risk, and if their share of the
    // requirement was what put it below, that is the whole liquidation.
    outcome.orders_cancelled = cancel_all_orders(books.user)?;
    if is_safe(books, views)? {
        return Ok(outcome);
    }
    outcome.shares_burned = burn_shares(books)?;
    views.set(MarketView::new(books.market, terms.price, terms.now)?);
    if is_safe(books, views)? {
        return finish(books, views, outcome);
    }
    let index = books.market.market_index;
    let held = find_position(books.user, index)
        .map_or(0, |slot| books.user.perp_positions[slot].base_asset_amount);
    if held == 0 {
        validate!(
            outcome.orders_cancelled > 0 || outcome.shares_burned > 0,
            BalError::NoPosition
        );
        return finish(books, views, outcome);
    }
    let base = size_transfer(books, views, terms, held)?;
    outcome.quote_transferred = transfer_position(books, held, base, terms.price)?;
    outcome.base_transferred = base;
    outcome.fee = charge_fee(books, views, terms, outcome.quote_transferred)?;
    // A loss settles into the balance at once (what a bankruptcy looks at); a gain waits for
    // a `settle_pnl` at a price that also passes the TWAP check.
    let view = *views.find(index)?;
    if let Some(plan) = plan_settle_pnl(books.user, books.market, &view)? {
        if plan.amount < 0 {
            commit_settle_pnl(&plan, books.user, books.spot, books.market)?;
        }
    }
    finish(books, views, outcome)
}

/// The last checks of a liquidation that burned or transferred: the liquidator can carry what
/// it took, and an account left holding nothing but debt is resolved.
fn finish(
    books: &mut LiquidationBooks,
    views: &MarketViews,
    mut outcome: LiquidationOutcome,
) -> Result<LiquidationOutcome> {
    if outcome.base_transferred > 0 {
        validate_initial_margin(books.liquidator, books.spot, views)?;
    }
    if holds_only_claims(books.user) {
        outcome.bankruptcy = resolve_bankruptcy(books.user, books.spot, books.market)?;
    }
    Ok(outcome)
}

/// Settles the user's LP entitlement here (so what follows sees everything it holds, even
/// when no share can be burned) and burns as many of its shares as the exit rule allows;
/// returns how many.
fn burn_shares(books: &mut LiquidationBooks) -> Result<u128> {
    settle_lp_before_trading(books.user, books.market)?;
    let Some(slot) = find_position(books.user, books.market.market_index) else {
        return Ok(0);
    };
    let shares = books.user.perp_positions[slot].lp.shares.get();
    let burned = burnable_shares(books.market, shares)?;
    if burned > 0 {
        let position = &mut books.user.perp_positions[slot];
        remove_shares(position, books.market, burned)?;
        release_if_empty(position);
    }
    Ok(burned)
}

/// How much of a position of `held` base to transfer: what brings the account to the
/// liquidation margin, within the liquidator's `max_base`. precision: BASE
fn size_transfer(
    books: &LiquidationBooks,
    views: &MarketViews,
    terms: &LiquidationTerms,
    held: i64,
) -> Result<u64> {
    let target = margin_summary(books.user, books.spot, views, MarginType::Liquidation)?;
    let shortage = (target.requirement as i128)
        .safe_sub(target.collateral)?
        .max(0) as u128;
    let market = &*books.market;
    let view = views.find(market.market_index)?;
    let needed = base_to_cover(
        shortage,
        terms.price,
        MarginType::Liquidation.ratio(view, books.user),
        market.liquidation_fee,
    )?;
    transfer_size(&TransferSize {
        needed,
        held: held.unsigned_abs(),
        // However large the position, one transfer carries at most a fill's worth of quote.
        max_base: terms.max_base.min(largest_fill_base(terms.price)),
        step: market.order_step_size,
        min_size: market.min_order_size,
    })
}

/// Moves `base` of the user's position (`held`) to the liquidator at `price`: the user sells a
/// long (receiving the quote rounded down) or buys back a short (paying it rounded up), and
/// the liquidator books the opposite side for the same quote. Returns that quote.
/// precision: QUOTE
fn transfer_position(
    books: &mut LiquidationBooks,
    held: i64,
    base: u64,
    price: u64,
) -> Result<u64> {
    let (a, b, one) = (base as u128, price as u128, BASE_PRECISION);
    let (user_side, quote) = if held > 0 {
        (PositionDirection::Short, mul_div_floor(a, b, one)?)
    } else {
        (PositionDirection::Long, mul_div_ceil(a, b, one)?)
    };
    let quote = quote.cast::<u64>()?;
    let user_side = Booking {
        side: user_side,
        base,
        quote,
    };
    let booked = book_fill(books.user, books.market, &user_side)?;
    release_if_empty(&mut books.user.perp_positions[booked.slot]);
    let liquidator_side = Booking {
        side: user_side.side.opposite(),
        ..user_side
    };
    book_fill(books.liquidator, books.market, &liquidator_side)?;
    Ok(quote)
}

/// Charges the liquidation fee on `quote` of notional: the market's rate, rounded up, but
/// never more than the account still has (its maintenance collateral after the transfer,
/// gains counted by the start-of-second shortfall), so a liquidator earns nothing from an
/// account's debt nor from a trade placed earlier in its transaction. The liquidator's part of
/// the full fee (rounded down) is paid first, the insurance fund topping up what the account
/// cannot pay, so a bankrupt account is worth liquidating to anyone; what the account pays
/// beyond it goes to the insurance fund.
fn charge_fee(
    books: &mut LiquidationBooks,
    views: &MarketViews,
    terms: &LiquidationTerms,
    quote: u64,
) -> Result<FeeTransfer> {
    let (nominal, reward) = liquidation_fee(books.market, quote, terms.liquidator_share_rate)?;
    let left = margin_summary(books.user, books.spot, views, MarginType::Maintenance)?
        .collateral
        .max(0) as u128;
    let fee = (u128::from(nominal).min(left)).cast::<u64>()?;
    let from_account = reward.min(fee);
    let from_insurance_fund =
        insurance::cover_loss(&mut books.spot.insurance, (reward - from_account) as u128)?;
    let to_liquidator = from_account.safe_add(from_insurance_fund)?;
    update_quote_balance(&mut books.user.quote_balance, books.spot, -(fee as i128))?;
    update_quote_balance(
        &mut books.liquidator.quote_balance,
        books.spot,
        to_liquidator as i128,
    )?;
    let to_insurance_fund = fee.safe_sub(from_account)?;
    insurance::receive(&mut books.spot.insurance, to_insurance_fund, terms.now)?;
    Ok(FeeTransfer {
        fee,
        to_liquidator,
        from_insurance_fund,
        to_insurance_fund,
    })
}
