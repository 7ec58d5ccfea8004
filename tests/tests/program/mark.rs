//! The mark price and fills no small trade can game: every order meets the step and minimum
//! sizes, dust never moves the mark TWAP, one transaction moves the next funding rate within a
//! stated bound, risk is judged on an LP's whole position, and a party to a fill earns no
//! filler reward.
use anchor_lang::solana_program::instruction::Instruction;
use bal::controller::amm_fill::PositionDirection::{Long, Short};
use bal::error::BalError;
use bal::events::OrderFillRecord;
use bal::math::constants::{BASE_PRECISION, PRICE_TO_FUNDING_RATE};
use bal::math::funding::MARK_OBSERVATION_MAX_SHARE;
use bal::state::PerpMarket;
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, fill_order, market, new_trader, order, place_order, resting, set_oracle_price,
    settle_lp, setup_trading, trade, Exchange, Trader, START_PRICE,
};
use bal_tests::inspect::{position_in, quote_balance};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

async fn perp(env: &mut TestEnv) -> PerpMarket {
    env.load(pda::perp_market(0)).await
}

fn trade_ix(
    exchange: &Exchange,
    trader: &Trader,
    params: bal::instructions::OrderParams,
) -> Instruction {
    instructions::place_perp_order(
        trader.wallet.pubkey(),
        trader.user,
        &market(exchange),
        &[],
        params,
    )
}

#[tokio::test]
async fn a_dust_reduce_only_order_is_refused_and_a_dust_close_leaves_the_mark_twap() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let holder = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &holder, order(Long, 10 * BASE))
        .await
        .expect("a long of 10");
    env.advance(1_800, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    // One base unit reduce-only: its quote would round to nothing and, weighed by half an hour,
    // drag the mark TWAP (and the next funding rate) to its cap.
    let mut dust = order(Short, 1);
    dust.reduce_only = true;
    let watched = [holder.user, pda::perp_market(0)];
    let failure = refused(
        &mut env,
        trade_ix(&exchange, &holder, dust),
        &[&holder.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::OrderSizeInvalid);

    // A position of a few base units (an LP's settled share of one fill) may still be closed,
    // but its price never enters the mark TWAP.
    let lp = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, BASE / 1_000)
        .await
        .expect("the smallest add");
    trade(&mut env, &exchange, &holder, order(Long, BASE))
        .await
        .expect("a fill the LP takes a millionth of");
    settle_lp(&mut env, &lp).await;
    env.send(
        "remove_liquidity",
        &[instructions::remove_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            0,
            None,
        )],
        &[&lp.wallet],
    )
    .await
    .expect_err("inside the cooldown");
    env.advance(3_600, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    env.send(
        "remove_liquidity",
        &[instructions::remove_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            0,
            None,
        )],
        &[&lp.wallet],
    )
    .await
    .expect("remove");
    let held = position_in(&mut env, lp.user, 0).await.base_asset_amount;
    assert!(held < 0 && held.unsigned_abs() < BASE / 100, "dust: {held}");
    let before = perp(&mut env).await.funding;
    env.send(
        "close_position",
        &[instructions::close_position(
            lp.wallet.pubkey(),
            lp.user,
            &market(&exchange),
        )],
        &[&lp.wallet],
    )
    .await
    .expect("close any size");
    let after = perp(&mut env).await.funding;
    assert_eq!(
        (after.mark_twap, after.last_mark_twap_ts),
        (before.mark_twap, before.last_mark_twap_ts)
    );
}

/// How far one fill of `params` by a holder of a 10-base long, after a quiet half hour, moves the
/// mark TWAP, and how far it may: (|TWAP − oracle| + the market's maximum spread) / 12, plus the
/// unit the average rounds down by.
async fn mark_move_after_a_quiet_half_hour(params: bal::instructions::OrderParams) -> (u64, u64) {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let holder = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    trade(&mut env, &exchange, &holder, order(Long, 10 * BASE))
        .await
        .expect("a long of 10");
    env.advance(1_800, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    let before = perp(&mut env).await;
    env.send(
        "place_perp_order",
        &[trade_ix(&exchange, &holder, params)],
        &[&holder.wallet],
    )
    .await
    .expect("the fill");
    let after = perp(&mut env).await.funding.mark_twap;
    let oracle = START_PRICE as u64;
    let band = oracle * before.amm.max_spread as u64 / 1_000_000;
    let reach =
        (before.funding.mark_twap.abs_diff(oracle) + band) / MARK_OBSERVATION_MAX_SHARE as u64 + 1;
    (before.funding.mark_twap.abs_diff(after), reach)
}

#[tokio::test]
async fn a_minimum_fill_after_a_quiet_half_hour_moves_the_mark_a_twelfth_of_the_way_at_most() {
    let mut minimum = order(Short, BASE / 100);
    minimum.reduce_only = true;
    let (moved, reach) = mark_move_after_a_quiet_half_hour(minimum).await;
    assert!(moved <= reach, "moved {moved} (at most {reach})");
}

#[tokio::test]
async fn a_fill_far_from_the_oracle_counts_in_the_mark_only_up_to_the_maximum_spread() {
    // 200 base against an AMM of sqrt_k 1,000 fills on average more than 10% below the oracle.
    let (moved, reach) = mark_move_after_a_quiet_half_hour(order(Short, 200 * BASE)).await;
    assert!(moved <= reach, "moved {moved} (at most {reach})");
}

/// The funding rate a keeper's update sets an hour into a quiet market, with or without an
/// attacker selling 50 base just before it and buying them back just after, all in one
/// transaction.
async fn quiet_hour_rate(sandwich: bool) -> (i64, u64) {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let attacker = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    env.advance(3_600, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    let mark_before = perp(&mut env).await.funding.mark_twap;
    let update = instructions::update_funding_rate(&market(&exchange));
    let ixs = if sandwich {
        vec![
            trade_ix(&exchange, &attacker, order(Short, 50 * BASE)),
            update,
            trade_ix(&exchange, &attacker, order(Long, 50 * BASE)),
        ]
    } else {
        vec![update]
    };
    env.send_unmetered(&ixs, &[&attacker.wallet])
        .await
        .expect("funding");
    (perp(&mut env).await.funding.last_funding_rate, mark_before)
}

#[tokio::test]
async fn trading_around_a_funding_update_in_one_transaction_moves_its_rate_within_the_bound() {
    let (honest, mark) = quiet_hour_rate(false).await;
    let (sandwiched, _) = quiet_hour_rate(true).await;
    let oracle = START_PRICE as u64;
    // (|mark TWAP − oracle| + 5% of the oracle) / 12, as a rate over 24 periods, twice (the
    // update's own observation and the trade's), plus a unit of rounding.
    let band = oracle / 20;
    let reach = 2 * (mark.abs_diff(oracle) + band) / MARK_OBSERVATION_MAX_SHARE as u64;
    let bound = reach as i64 * PRICE_TO_FUNDING_RATE as i64 / 24 + 1;
    assert!(
        (sandwiched - honest).abs() <= bound,
        "{honest} → {sandwiched} (bound {bound})"
    );
    // The cap is 0.1% of $100 a period: the sandwich does not pin the rate to it.
    assert!(sandwiched.abs() < 100_000_000, "{sandwiched}");
}

#[tokio::test]
async fn an_lp_whose_settled_and_unsettled_base_offset_is_margin_checked_on_a_trade() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 460_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
        .await
        .expect("100 shares, at $414 of initial margin");
    trade(&mut env, &exchange, &trader, order(Long, 110 * BASE))
        .await
        .expect("traders buy: the LP is short about 10");
    settle_lp(&mut env, &lp).await;
    trade(&mut env, &exchange, &trader, order(Short, 110 * BASE))
        .await
        .expect("and sell back: the LP holds about 10 long unsettled");
    let settled = position_in(&mut env, lp.user, 0).await.base_asset_amount;
    assert!(settled < -9 * BASE as i64, "{settled}");
    // Buying 10 looks like closing the settled short, but the account really holds nothing:
    // it opens 10 long on top of its bids, which its collateral does not carry.
    let buy = trade_ix(&exchange, &lp, order(Long, 10 * BASE));
    let watched = [lp.user, pda::perp_market(0), pda::spot_market(0)];
    let failure = refused(&mut env, buy, &[&lp.wallet], &watched).await;
    assert_bal_error(&failure, BalError::InsufficientCollateral);
}

#[tokio::test]
async fn a_party_to_a_fill_earns_no_filler_reward() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let taker = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let stranger = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    env.send_setup(
        &[instructions::initialize_user(
            taker.wallet.pubkey(),
            1,
            [0; 32],
        )],
        &[&taker.wallet],
    )
    .await;
    let taker_other = Trader {
        wallet: taker.wallet.insecure_clone(),
        user: pda::user(&taker.wallet.pubkey(), 1),
        token_account: taker.token_account,
    };
    let fill_by = |filler: &Trader| filler.user;
    for (filler, paid) in [(&taker, false), (&taker_other, false), (&stranger, true)] {
        let id = place_order(
            &mut env,
            &exchange,
            &taker,
            resting(Long, BASE, 110_000_000, false),
        )
        .await
        .expect("a taker order crossing the AMM");
        let fee_pool = perp(&mut env).await.fee_pool;
        let filler_before = quote_balance(&mut env, fill_by(filler)).await;
        let success = fill_order(&mut env, &exchange, filler, (&taker, id), &[])
            .await
            .expect("filled against the AMM");
        let pieces = success.events::<OrderFillRecord>();
        let reward: u64 = pieces.iter().map(|p| p.filler_reward).sum();
        let fees: u64 = pieces.iter().map(|p| p.taker_fee).sum();
        assert_eq!(reward > 0, paid, "{reward}");
        let earned = quote_balance(&mut env, fill_by(filler)).await - filler_before;
        if paid {
            assert_eq!(earned, reward as i128);
        } else if filler.user != taker.user {
            assert_eq!(earned, 0);
        }
        // What the filler does not earn stays in the fee pool.
        let kept = perp(&mut env).await.fee_pool - fee_pool;
        assert_eq!(kept + reward, fees);
    }
}
