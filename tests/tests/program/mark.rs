//! The mark price and fills no small trade can game: every order meets the step and minimum
//! sizes, a mark price weighs the seconds it stood (so trading inside one transaction moves no
//! funding rate, and a price held moves it by its clamped gap times the time it stood), risk
//! is judged on an LP's whole position, and a party to a fill earns no filler reward.
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal::events::OrderFillRecord;
use bal::math::constants::{BASE_PRECISION, PRICE_TO_FUNDING_RATE};
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, fill_order, market, new_trader, next_second, order, place_order, resting,
    set_oracle_price, settle_lp, setup_trading, trade, Exchange, Trader, START_PRICE,
};
use bal_tests::inspect::{position_in, quote_balance};
use bal_tests::markets::widest_price_band;
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

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
async fn a_dust_reduce_only_order_is_refused() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let holder = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &holder, order(Long, 10 * BASE))
        .await
        .expect("a long of 10");
    // One base unit reduce-only: its quote would round to nothing.
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
}

/// Seconds in the fixtures' funding period.
const PERIOD: i64 = 3_600;

/// The oracle republished at the start price `seconds` later (a read must find it fresh).
async fn wait(env: &mut TestEnv, exchange: &Exchange, seconds: i64) {
    env.advance(seconds, 10).await;
    set_oracle_price(env, exchange, START_PRICE).await;
}

/// A sale of `base` and its purchase back, in one transaction, around `middle`.
fn round_trip(
    exchange: &Exchange,
    who: &Trader,
    base: u64,
    middle: &[Instruction],
) -> Vec<Instruction> {
    let mut ixs = vec![trade_ix(exchange, who, order(Short, base))];
    ixs.extend_from_slice(middle);
    ixs.push(trade_ix(exchange, who, order(Long, base)));
    ixs
}

#[tokio::test]
async fn a_price_held_a_quarter_of_the_period_moves_the_mark_a_quarter_of_its_clamped_gap() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let pusher = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    wait(&mut env, &exchange, PERIOD / 2).await;
    // 40 base sold into a curve of 1,000: its price falls about 7.5%, which the mark counts as
    // the 5% the maximum spread allows, for the 900 seconds it stands.
    trade(&mut env, &exchange, &pusher, order(Short, 40 * BASE))
        .await
        .expect("the push");
    let pushed = env.perp_market(0).await;
    assert_eq!(pushed.funding.mark_price, 95_000_000, "clamped to the band");
    wait(&mut env, &exchange, PERIOD / 4).await;
    trade(&mut env, &exchange, &pusher, order(Long, 40 * BASE))
        .await
        .expect("and back");
    wait(&mut env, &exchange, PERIOD / 4).await;
    env.send(
        "update_funding_rate",
        &[instructions::update_funding_rate(&market(&exchange))],
        &[&keeper],
    )
    .await
    .expect("funding");
    let funding = env.perp_market(0).await.funding;
    // (2,700 s × $100 + 900 s × $95) / 3,600 s.
    assert_eq!(funding.mark_twap, 98_750_000);
    assert_eq!(funding.oracle_twap, START_PRICE as u64);
    // The $1.25 premium over a day of periods.
    assert_eq!(
        funding.last_funding_rate,
        -1_250_000 * PRICE_TO_FUNDING_RATE as i64 / 24
    );
}

/// The funding rate a keeper's update sets an hour into a quiet market, with or without an
/// attacker selling 50 base just before it and buying them back just after, all in one
/// transaction.
async fn quiet_hour_rate(sandwich: bool) -> i64 {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let attacker = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    wait(&mut env, &exchange, PERIOD).await;
    let update = instructions::update_funding_rate(&market(&exchange));
    let ixs = if sandwich {
        round_trip(&exchange, &attacker, 50 * BASE, &[update])
    } else {
        vec![update]
    };
    env.send_unmetered(&ixs, &[&attacker.wallet])
        .await
        .expect("funding");
    env.perp_market(0).await.funding.last_funding_rate
}

#[tokio::test]
async fn trading_around_a_funding_update_in_one_transaction_leaves_its_rate_exactly() {
    assert_eq!(quiet_hour_rate(true).await, quiet_hour_rate(false).await);
}

#[tokio::test]
async fn round_trips_inside_transactions_leave_every_rate_where_the_honest_market_sets_it() {
    // The attack on a mark that weighed each new price by the seconds since the last one:
    // a short of 20 base, then twelve round trips of 50 base in the first hour, two in each
    // period after, and one in the same transaction as every funding update. It held the rate
    // at its cap for five periods; now a price that stood no second weighs nothing.
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let attacker = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let honest = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    trade(&mut env, &exchange, &attacker, order(Short, 20 * BASE))
        .await
        .expect("the short that would collect");
    trade(&mut env, &exchange, &honest, order(Long, 20 * BASE))
        .await
        .expect("the long that would pay");
    let cumulative_before = env.perp_market(0).await.funding.cumulative_funding_rate;
    for period in 0..5 {
        let trips = if period == 0 { 12 } else { 2 };
        let gap = PERIOD / (trips + 1);
        for _ in 0..trips {
            wait(&mut env, &exchange, gap).await;
            env.send_unmetered(
                &round_trip(&exchange, &attacker, 50 * BASE, &[]),
                &[&attacker.wallet],
            )
            .await
            .expect("a round trip");
        }
        wait(&mut env, &exchange, PERIOD - gap * trips).await;
        let update = instructions::update_funding_rate(&market(&exchange));
        env.send_unmetered(
            &round_trip(&exchange, &attacker, 50 * BASE, &[update]),
            &[&attacker.wallet],
        )
        .await
        .expect("a round trip around the update");
        let funding = env.perp_market(0).await.funding;
        assert_eq!(
            (funding.mark_twap, funding.last_funding_rate),
            (START_PRICE as u64, 0),
            "period {period}"
        );
    }
    // Nothing for the attacker's short to collect from the honest long.
    assert_eq!(
        env.perp_market(0).await.funding.cumulative_funding_rate,
        cumulative_before
    );
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
    // Fills 11% off the oracle on average: beyond the fixtures' band.
    widest_price_band(&mut env, &exchange, 0).await;
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
    // A wallet of its own that the taker made its delegate: it signs for the taker too.
    let delegate = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    env.send_setup(
        &[instructions::update_user(
            taker.wallet.pubkey(),
            0,
            instructions::UserSetting::Delegate(delegate.wallet.pubkey()),
        )],
        &[&taker.wallet],
    )
    .await;
    let fill_by = |filler: &Trader| filler.user;
    let fillers = [
        (&taker, false),
        (&taker_other, false),
        (&delegate, false),
        (&stranger, true),
    ];
    for (filler, paid) in fillers {
        // Each fill in a second of its own: a fill refuses a curve moved against its taker
        // earlier in the same second (the fill before it).
        next_second(&mut env, &exchange).await;
        let id = place_order(
            &mut env,
            &exchange,
            &taker,
            resting(Long, BASE, 110_000_000, false),
        )
        .await
        .expect("a taker order crossing the AMM");
        let fee_pool = env.perp_market(0).await.fee_pool;
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
        let kept = env.perp_market(0).await.fee_pool - fee_pool;
        assert_eq!(kept + reward, fees);
    }
}
