//! Random sequences of trades, settlements, funding updates and oracle moves, run on the
//! controllers the instructions use: base is never lost (users' base equals the AMM's
//! counterparty base) and quote is never created (the vault covers every deposit, borrow and
//! pool after every step).
mod common;

use bal::controller::funding::update_funding;
use bal::controller::lp::add_shares;
use bal::controller::oracle::record_oracle_price;
use bal::controller::pnl::{commit_settle_pnl, plan_settle_pnl};
use bal::controller::position::open_position;
use bal::controller::trade::{trade_against_amm, TakerOrder};
use bal::error::BalError;
use bal::math::constants::{BASE_PRECISION, LP_AGG_PRECISION};
use bal::math::lp_books::{remove_shares, settle_lp_position};
use bal::math::position::release_if_empty;
use bal::read::balances::validate_vault_covers;
use bal::read::margin::{simulated_position, MarketView};
use bal::read::position::find_position;
use bal::state::PositionDirection;
use common::{funded_users, new_market, new_spot};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Trade { user: usize, long: bool, steps: u64 },
    AddLiquidity { user: usize, base: u64 },
    RemoveLiquidity { user: usize },
    SettleLp { user: usize },
    Settle { user: usize },
    Oracle { price: u64 },
    Funding,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..4, any::<bool>(), 10u64..200_000).prop_map(|(user, long, steps)| Step::Trade { user, long, steps }),
        2 => (0usize..4, 1u64..500).prop_map(|(user, base)| Step::AddLiquidity { user, base }),
        1 => (0usize..4).prop_map(|user| Step::RemoveLiquidity { user }),
        2 => (0usize..4).prop_map(|user| Step::SettleLp { user }),
        2 => (0usize..4).prop_map(|user| Step::Settle { user }),
        1 => (90_000_000u64..110_000_000).prop_map(|price| Step::Oracle { price }),
        1 => Just(Step::Funding),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn base_is_conserved_and_quote_is_never_created(steps in prop::collection::vec(step(), 1..40)) {
        let mut market = new_market();
        let mut spot = new_spot();
        let (mut users, vault) = funded_users(&mut spot, 4);
        let mut price = 100_000_000u64;
        let mut now = 0i64;
        for step in steps {
            // Every instruction reads the oracle first.
            record_oracle_price(&mut market, price, now).unwrap();
            match step {
                Step::Trade { user, long, steps } => {
                    let order = TakerOrder {
                        direction: if long { PositionDirection::Long } else { PositionDirection::Short },
                        base: steps * market.order_step_size,
                        limit_price: None,
                        oracle_price: price,
                        fee_rate: 1_000,
                        now,
                    };
                    // A fill that would leave the curve's bounds is refused and changes nothing.
                    let before = (*market, spot, users[user]);
                    if let Err(error) = trade_against_amm(&mut users[user], &mut spot, &mut market, &order) {
                        prop_assert!(
                            error == BalError::AmmReserveBounds.into()
                                || error == BalError::PriceBandExceeded.into(),
                            "{:?}", error
                        );
                        prop_assert_eq!(before.0.amm, market.amm);
                        prop_assert_eq!(before.1.deposit_balance, spot.deposit_balance);
                        prop_assert_eq!(before.2.quote_balance, users[user].quote_balance);
                    }
                }
                Step::AddLiquidity { user, base } => {
                    let funding = market.funding.cumulative_funding_rate;
                    let slot = open_position(&mut users[user], 0, funding).unwrap();
                    let before = *market;
                    if let Err(error) = add_shares(&mut users[user].perp_positions[slot], &mut market, base as u128 * BASE_PRECISION) {
                        prop_assert_eq!(error, BalError::AmmReserveBounds.into());
                        *market = before;
                    }
                    release_if_empty(&mut users[user].perp_positions[slot]);
                }
                Step::RemoveLiquidity { user } => {
                    if let Some(slot) = find_position(&users[user], 0) {
                        let shares = users[user].perp_positions[slot].lp.shares.get();
                        let before = (*market, users[user].perp_positions[slot]);
                        if shares > 0 {
                            if let Err(error) = remove_shares(&mut users[user].perp_positions[slot], &mut market, shares) {
                                prop_assert!(
                                    error == BalError::LpBurnBlocked.into() || error == BalError::AmmReserveBounds.into(),
                                    "{:?}", error
                                );
                                *market = before.0;
                                users[user].perp_positions[slot] = before.1;
                            }
                        }
                        release_if_empty(&mut users[user].perp_positions[slot]);
                    }
                }
                Step::SettleLp { user } => {
                    if let Some(slot) = find_position(&users[user], 0) {
                        settle_lp_position(&mut users[user].perp_positions[slot], &mut market).unwrap();
                    }
                }
                Step::Settle { user } => {
                    let view = MarketView::current(&market, price).unwrap();
                    if let Some(plan) = plan_settle_pnl(&users[user], &market, &view).unwrap() {
                        commit_settle_pnl(&plan, &mut users[user], &mut spot, &mut market).unwrap();
                    }
                }
                Step::Oracle { price: next } => {
                    price = next;
                }
                Step::Funding => {
                    now += market.funding.funding_period;
                    update_funding(&mut market, now).unwrap();
                }
            }
            let users_base: i64 = users
                .iter()
                .flat_map(|u| u.perp_positions.iter())
                .filter(|p| p.is_active())
                .map(|p| p.base_asset_amount)
                .sum();
            prop_assert_eq!(users_base, market.amm.base_asset_amount_with_amm + market.lp.settled_base);
            prop_assert!(validate_vault_covers(&spot, vault).is_ok());
            prop_assert_eq!(spot.perp_pools_balance, market.fee_pool + market.pnl_pool);
            // Shares: the users' sum is the market's, and never above sqrt_k.
            let user_shares: u128 = users
                .iter()
                .flat_map(|u| u.perp_positions.iter())
                .map(|p| p.lp.shares.get())
                .sum();
            prop_assert_eq!(user_shares, market.lp.user_lp_shares.get());
            // The market's book of what all positions hold in quote (funding booked in aggregate)
            // never counts less than they hold, each settled as it would be, and only rounding
            // more: the users' P&L it values can only be overstated, so winners count less.
            let view = MarketView::current(&market, price).unwrap();
            let held: i128 = users
                .iter()
                .flat_map(|u| u.perp_positions.iter())
                .filter(|p| p.is_active())
                .map(|p| simulated_position(p, &view).unwrap().quote_asset_amount.get())
                .sum();
            let booked = market.users_quote.get();
            let agg = LP_AGG_PRECISION as i128;
            prop_assert!(held * agg <= booked, "held {} > booked {}", held * agg, booked);
            prop_assert!(booked - held * agg <= 100 * agg, "held {} booked {}", held * agg, booked);
            // The LPs' unsettled aggregate is never negative beyond what settles can draw.
            market.invariant().unwrap();
        }
    }
}
