//! Markets at the extremes of every parameter the program allows — the largest oracle price,
//! the funding cap, the largest `sqrt_k` and concentration, the highest leverage — with an LP
//! holding the whole curve's inventory unsettled for up to ten years of hourly funding at the
//! cap (the accumulators set as those periods would leave them, not iterated). Whatever the
//! state, no account is locked by arithmetic: each can still be settled, margin-checked,
//! de-risked and liquidated, and the market can still update funding. Refusals there may only
//! be the typed ones the rules call for, never `MathError` or `CastError`.
mod common;

use bal::controller::derisk::{derisk, DeriskBooks, DeriskTerms};
use bal::controller::funding::update_funding;
use bal::controller::liquidation::{liquidate, LiquidationBooks, LiquidationTerms};
use bal::controller::lp::add_shares;
use bal::controller::pnl::{commit_settle_pnl, plan_settle_pnl};
use bal::controller::position::open_position;
use bal::controller::spot_balance::update_quote_balance;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::error::BalError;
use bal::math::books::{protocol_base, refresh_derived_reserves};
use bal::math::constants::{
    FUNDING_PAYMENT_DIVISOR, LP_AGG_PRECISION, MARGIN_PRECISION, MAX_CONCENTRATION_COEF,
    MAX_FUNDING_RATE_PER_HOUR, MAX_ORACLE_PRICE, MAX_SQRT_K, MIN_SQRT_K, PERCENTAGE_PRECISION,
    PRICE_TO_FUNDING_RATE,
};
use bal::math::lp::i256;
use bal::math::lp_books::settle_lp_position;
use bal::math::position::largest_fill_base;
use bal::read::derisk_decision::{derisk_decision, DeriskDecision, DeriskJudge};
use bal::read::margin::{margin_summary, MarginType, MarketView, MarketViews};
use bal::read::position::find_position;
use bal::read::second_start::current_reserve_price;
use bal::state::PositionDirection;
use bal::state::{FundingParams, MarginRatios, PerpMarket, RiskParams, SpotMarket, User};
use bytemuck::Zeroable;
use common::{new_market, new_spot};
use proptest::prelude::*;

/// Ten years of hourly funding periods.
const TEN_YEARS_OF_HOURS: i64 = 10 * 365 * 24;
/// A quarter of the largest token amount: three accounts' deposits fit one vault. precision: QUOTE
const LARGEST_DEPOSIT: u64 = u64::MAX / 4;

/// A value at either end of `[min, max]` or anywhere between.
fn extreme(min: u64, max: u64) -> impl Strategy<Value = u64> {
    prop_oneof![Just(min), Just(max), min..=max]
}

#[derive(Clone, Copy, Debug)]
struct Extremes {
    /// The price the curve was pegged at and traded at. precision: PRICE
    trade_price: u64,
    /// The oracle afterwards. precision: PRICE
    price: u64,
    /// precision: BASE
    sqrt_k: u64,
    /// Of the curve's depth in the trader's direction. precision: PERCENTAGE
    depth_used: u32,
    long: bool,
    /// precision: MARGIN
    initial: u32,
    /// precision: MARGIN
    maintenance: u32,
    /// Hourly periods at the cap since the positions last settled funding.
    periods: i64,
    /// Whether the cap's sign favours longs (shorts pay).
    longs_receive: bool,
    /// precision: QUOTE
    trader_deposit: u64,
    /// precision: QUOTE
    lp_deposit: u64,
}

fn extremes() -> impl Strategy<Value = Extremes> {
    let prices = (extreme(1, MAX_ORACLE_PRICE), extreme(1, MAX_ORACLE_PRICE));
    let curve = (
        extreme(2 * MIN_SQRT_K as u64, MAX_SQRT_K as u64),
        prop_oneof![
            Just(PERCENTAGE_PRECISION * 99 / 100),
            0..PERCENTAGE_PRECISION
        ],
        any::<bool>(),
    );
    let ratios = (
        extreme(100, MARGIN_PRECISION as u64),
        1u32..=PERCENTAGE_PRECISION,
    )
        .prop_map(|(initial, part)| {
            let initial = initial as u32;
            let maintenance = ((initial as u64 * part as u64) / PERCENTAGE_PRECISION as u64)
                .clamp(1, initial as u64 - 1) as u32;
            (initial, maintenance)
        });
    let funding = (
        prop_oneof![Just(TEN_YEARS_OF_HOURS - 1), 0..TEN_YEARS_OF_HOURS],
        any::<bool>(),
    );
    let deposits = (extreme(0, LARGEST_DEPOSIT), extreme(0, LARGEST_DEPOSIT));
    (prices, curve, ratios, funding, deposits).prop_map(
        |(
            (trade_price, price),
            (sqrt_k, depth_used, long),
            (initial, maintenance),
            (periods, longs_receive),
            (trader_deposit, lp_deposit),
        )| Extremes {
            trade_price,
            price,
            sqrt_k,
            depth_used,
            long,
            initial,
            maintenance,
            periods,
            longs_receive,
            trader_deposit,
            lp_deposit,
        },
    )
}

/// A market at `x`'s curve, leverage and funding cap, pegged at the trade price; the protocol
/// holds the smallest share of the curve it may, an LP the rest.
fn market_at(x: &Extremes) -> Box<PerpMarket> {
    let mut market = new_market();
    let protocol = MIN_SQRT_K;
    let amm = &mut market.amm;
    amm.sqrt_k.set(protocol);
    amm.base_asset_reserve.set(protocol);
    amm.quote_asset_reserve.set(protocol);
    amm.peg_multiplier = x.trade_price;
    amm.concentration_coef = MAX_CONCENTRATION_COEF;
    amm.oracle_twap_5min = x.price;
    refresh_derived_reserves(&mut market).unwrap();
    let ratios = MarginRatios {
        initial: x.initial,
        maintenance: x.maintenance,
    };
    ratios.validate().unwrap();
    market.margin_ratio_initial = ratios.initial;
    market.margin_ratio_maintenance = ratios.maintenance;
    let funding = FundingParams {
        period: 3_600,
        max_rate: MAX_FUNDING_RATE_PER_HOUR,
    };
    funding.validate().unwrap();
    market.set_funding_params(&funding);
    // The largest fee the maintenance ratio allows.
    let risk = RiskParams {
        liquidation_fee: (x.maintenance * 100 - 1).min(50_000),
        unrealized_pnl_asset_weight: PERCENTAGE_PRECISION,
    };
    risk.validate(x.maintenance).unwrap();
    market.set_risk_params(&risk);
    market.funding.mark_twap = x.trade_price;
    market.funding.oracle_twap = x.trade_price;
    market
}

fn user_with(spot: &mut SpotMarket, deposit: u64) -> User {
    let mut user: User = Zeroable::zeroed();
    user.version = bal::math::constants::ACCOUNT_VERSION;
    update_quote_balance(&mut user.quote_balance, spot, deposit as i128).unwrap();
    user
}

/// The trader takes `depth_used` of the curve's depth in its direction, in pieces whose quote
/// each fits a fill's u64.
fn trade_into(x: &Extremes, trader: &mut User, spot: &mut SpotMarket, market: &mut PerpMarket) {
    let amm = &market.amm;
    let base = amm.base_asset_reserve.get();
    let depth = if x.long {
        base - amm.min_base_asset_reserve.get()
    } else {
        amm.max_base_asset_reserve.get() - base
    };
    let step = market.order_step_size as u128;
    let mut left = depth * x.depth_used as u128 / PERCENTAGE_PRECISION as u128 / step * step;
    // Each piece at most one fill's quote (at the peg, which the fill stays near); at most 256
    // of them: at the highest prices the trader then takes less than asked, and the state of a
    // position bought cheap and repriced comes from a low trade price and a high oracle.
    let mut piece = (largest_fill_base(x.trade_price) as u128 / 2 / step * step).max(step);
    for _ in 0..256 {
        if left < step {
            break;
        }
        let base = left.min(piece);
        let order = TakerOrder {
            direction: if x.long {
                PositionDirection::Long
            } else {
                PositionDirection::Short
            },
            base: base as u64,
            limit_price: None,
            // The oracle follows the curve: each piece fills within the price band of where
            // the last one left it.
            oracle_price: current_reserve_price(market).unwrap(),
            fee_rate: 0,
            now: 0,
        };
        match trade_against_amm(trader, spot, market, &order) {
            Ok(_) => left -= base,
            // The curve's price moves with each piece: near its bound the last ones may not fit.
            Err(error) if error == BalError::AmmReserveBounds.into() => break,
            // ...and as it rises a piece may carry more than one fill's quote, or move the
            // curve further than the band.
            Err(error)
                if (error == BalError::AmountTooLarge.into()
                    || error == BalError::PriceBandExceeded.into())
                    && piece > step =>
            {
                piece = (piece / 2 / step * step).max(step)
            }
            Err(error) => panic!("setup trade refused: {error:?} at {x:?}"),
        }
    }
}

/// `periods` hourly funding updates at the cap, as they would leave the market: the cumulative
/// rate, the LP funding accumulator `G` and the users' booked quote, with the oracle at `price`.
fn fund_for(x: &Extremes, market: &mut PerpMarket) {
    let per_period =
        MAX_FUNDING_RATE_PER_HOUR as i128 * x.trade_price as i128 * PRICE_TO_FUNDING_RATE
            / PERCENTAGE_PRECISION as i128;
    let sign = if x.longs_receive { -1 } else { 1 };
    let delta = (sign * per_period * x.periods as i128) as i64;
    let counterparty = -protocol_base(market).unwrap();
    let paid_by_users = (counterparty * delta as i128 * LP_AGG_PRECISION as i128)
        .div_euclid(FUNDING_PAYMENT_DIVISOR);
    market
        .users_quote
        .set(market.users_quote.get() - paid_by_users);
    market.funding.cumulative_funding_rate += delta;
    let lp = &mut market.lp;
    let step = i256::mul(lp.base_per_share.get(), delta);
    lp.funding_per_share
        .set(i256::add(lp.funding_per_share.get(), step));
    market.funding.last_funding_ts = x.periods * 3_600;
    market.funding.oracle_twap = x.price;
    market.amm.oracle_twap_5min = x.price;
}

struct World {
    market: Box<PerpMarket>,
    spot: SpotMarket,
    lp: User,
    trader: User,
    liquidator: User,
    now: i64,
}

fn world(x: &Extremes) -> World {
    let mut market = market_at(x);
    let mut spot = new_spot();
    let mut lp = user_with(&mut spot, x.lp_deposit);
    let mut trader = user_with(&mut spot, x.trader_deposit);
    let liquidator = user_with(&mut spot, LARGEST_DEPOSIT);
    let slot = open_position(&mut lp, 0, 0).unwrap();
    add_shares(
        &mut lp.perp_positions[slot],
        &mut market,
        x.sqrt_k as u128 - MIN_SQRT_K,
    )
    .unwrap();
    trade_into(x, &mut trader, &mut spot, &mut market);
    fund_for(x, &mut market);
    let now = market.funding.last_funding_ts;
    World {
        market,
        spot,
        lp,
        trader,
        liquidator,
        now,
    }
}

/// The action succeeded, or was refused with one of `allowed` (a refusal the rules call for);
/// arithmetic that cannot carry the state (`MathError`, `CastError`) or any other refusal fails.
fn acts(
    result: Result<(), anchor_lang::error::Error>,
    allowed: &[BalError],
    what: &str,
    x: &Extremes,
) -> Result<(), TestCaseError> {
    if let Err(error) = result {
        prop_assert!(
            allowed.iter().any(|a| error == (*a).into()),
            "{} refused: {:?} at {:?}",
            what,
            error,
            x
        );
    }
    Ok(())
}

fn views_of(market: &PerpMarket, price: u64) -> MarketViews {
    MarketViews(vec![MarketView::current(market, price).unwrap()])
}

/// Every check on one account of `w`; `w` is a fresh copy for each account.
fn account_can_act(mut w: World, lp_side: bool, x: &Extremes) -> Result<(), TestCaseError> {
    let price = x.price;
    let (user, liquidator) = if lp_side {
        (&mut w.lp, &mut w.liquidator)
    } else {
        (&mut w.trader, &mut w.liquidator)
    };
    // Settle the LP's entitlement.
    let mut settled = *user;
    let mut market = *w.market;
    if let Some(slot) = find_position(&settled, 0) {
        acts(
            settle_lp_position(&mut settled.perp_positions[slot], &mut market).map(|_| ()),
            &[],
            "settle_lp",
            x,
        )?;
    }
    // Margin of every kind.
    let views = views_of(&w.market, price);
    for kind in [
        MarginType::Initial,
        MarginType::Derisk,
        MarginType::Withdrawal,
        MarginType::Maintenance,
        MarginType::Reduction,
        MarginType::Liquidation,
    ] {
        acts(
            margin_summary(user, &w.spot, &views, kind).map(|_| ()),
            &[],
            "margin",
            x,
        )?;
    }
    // Settle P&L.
    let mut settled = *user;
    let mut market = *w.market;
    let mut spot = w.spot;
    let view = MarketView::current(&market, price).unwrap();
    match plan_settle_pnl(&settled, &market, &view) {
        Ok(Some(plan)) => acts(
            commit_settle_pnl(&plan, &mut settled, &mut spot, &mut market),
            &[],
            "settle_pnl",
            x,
        )?,
        Ok(None) => {}
        Err(error) => acts(Err(error), &[], "plan_settle_pnl", x)?,
    }
    // De-risk.
    let decision = derisk_decision(
        user,
        &DeriskJudge {
            spot: &w.spot,
            views: &views,
            market_index: 0,
            now: w.now,
            cooldown_seconds: 0,
        },
    );
    let decision = match decision {
        Ok(decision) => decision,
        Err(error) => return acts(Err(error), &[], "derisk_decision", x),
    };
    if let DeriskDecision::Applies(before) = decision {
        let mut derisked = *user;
        let mut market = *w.market;
        let mut spot = w.spot;
        let mut views = views_of(&market, price);
        let result = derisk(
            &mut DeriskBooks {
                user: &mut derisked,
                spot: &mut spot,
                market: &mut market,
            },
            &mut views,
            &DeriskTerms {
                oracle_price: price,
                fee_rate: 0,
                now: w.now,
                before,
                may_trade: true,
            },
        );
        acts(result.map(|_| ()), &[], "derisk", x)?;
    }
    // Liquidate one minimum order's worth, and as much as the liquidator asks.
    for max_base in [w.market.min_order_size, u64::MAX] {
        let mut liquidated = *user;
        let mut taker = *liquidator;
        let mut market = *w.market;
        let mut spot = w.spot;
        let mut views = views_of(&market, price);
        let result = liquidate(
            &mut LiquidationBooks {
                user: &mut liquidated,
                liquidator: &mut taker,
                spot: &mut spot,
                market: &mut market,
            },
            &mut views,
            &LiquidationTerms {
                price,
                max_base,
                liquidator_share_rate: PERCENTAGE_PRECISION / 2,
                now: w.now,
            },
        );
        // Only an account at or above maintenance is refused.
        acts(
            result.map(|_| ()),
            &[BalError::NotLiquidatable],
            "liquidate",
            x,
        )?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn no_account_or_market_is_locked_by_arithmetic(x in extremes()) {
        let w = world(&x);
        for lp_side in [true, false] {
            let copy = World { market: w.market.clone(), ..w };
            account_can_act(copy, lp_side, &x)?;
        }
        let mut market = w.market.clone();
        let next = w.now + 3_600;
        prop_assert!(update_funding(&mut market, next).is_ok(), "funding at {:?}", x);
    }
}
