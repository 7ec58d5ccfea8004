//! Collateral counts only what can be paid: winners' unsettled gains count less the market's
//! shortfall (what its P&L pool will not cover once every loss is in), and a withdrawal values
//! gains at the worse of the oracle price and its five-minute TWAP.
use bal::error::BalError;
use bal::math::constants::{BASE_PRECISION, PERCENTAGE_PRECISION};
use bal::math::margin::payable_pnl;
use bal::read::margin::{position_pnl, simulated_position};
use bal::state::PerpMarket;
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, refused, snapshot};
use bal_tests::fixtures::{
    compute_limit, market, new_trader, order, set_oracle_price, setup_trading, trade, Exchange,
    Trader,
};
use bal_tests::inspect::{position_in, views};
use bal_tests::markets::{walk_oracle, widest_price_band};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

fn withdraw_ix(
    exchange: &Exchange,
    trader: &Trader,
    amount: u64,
) -> anchor_lang::solana_program::instruction::Instruction {
    instructions::withdraw(
        &trader.collateral(exchange),
        amount,
        true,
        &[market(exchange)],
    )
}

/// `who`'s unsettled P&L in market 0 at its oracle, and what of it counts as collateral (at
/// full weight, so only the payable rule applies).
async fn pnl_and_counted(env: &mut TestEnv, who: &Trader) -> (i128, i128) {
    let views = views(env, &[0]).await;
    let view = views.find(0).expect("market 0");
    let stored = position_in(env, who.user, 0).await;
    let position = simulated_position(&stored, view).expect("settle");
    let pnl = position_pnl(&position, view).expect("pnl");
    let counted = payable_pnl(pnl, view.gain_shortfall, PERCENTAGE_PRECISION).expect("counted");
    (pnl, counted)
}

#[tokio::test]
async fn a_gain_the_pool_cannot_pay_is_not_withdrawn_as_a_borrow() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 50 * BASE))
        .await
        .expect("a long the AMM sells");
    // Up 20%, the TWAP along: hundreds of dollars of gain, and nobody's loss to pay it (the
    // AMM is the other side and its P&L pool is empty).
    let prices = [108_000_000, 116_000_000, 120_000_000];
    walk_oracle(&mut env, &exchange, trader.user, &prices).await;
    assert_eq!(
        env.load::<PerpMarket>(pda::perp_market(0)).await.pnl_pool,
        0
    );
    let (pnl, counted) = pnl_and_counted(&mut env, &trader).await;
    assert!(pnl > 500_000_000, "{pnl}");
    assert_eq!(counted, 0, "nothing of it can be paid");
    // $1,000 of deposit carries a 50 base long at $120 (10%: $600): the rest is free, and no
    // more than that, not the unpaid gain.
    let watched = [trader.user, pda::spot_market(0), pda::spot_vault(0)];
    let failure = refused(
        &mut env,
        withdraw_ix(&exchange, &trader, 600_000_000),
        &[&trader.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    env.send(
        "withdraw",
        &[withdraw_ix(&exchange, &trader, 300_000_000)],
        &[&trader.wallet],
    )
    .await
    .expect("what the deposit itself frees");
}

/// A sale away from the oracle just before a withdrawal, unwound just after, in one
/// transaction: while it stands the users' P&L as a whole is lower, so the current shortfall is
/// too, but the withdrawal is judged by the shortfall before the sale and frees nothing the
/// pool will not pay.
#[tokio::test]
async fn a_trade_earlier_in_the_transaction_frees_no_unpayable_gain() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let attacker = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    // The sale 17% below the oracle that the shortfall rule must see through: a band wide
    // enough to let it fill.
    widest_price_band(&mut env, &exchange, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 50 * BASE))
        .await
        .expect("a long the AMM sells");
    walk_oracle(
        &mut env,
        &exchange,
        trader.user,
        &[108_000_000, 116_000_000, 120_000_000],
    )
    .await;
    let (_, counted) = pnl_and_counted(&mut env, &trader).await;
    assert_eq!(counted, 0, "nothing of the gain can be paid");
    let sandwich = |amount| {
        vec![
            compute_limit(1_400_000),
            instructions::place_perp_order(
                attacker.wallet.pubkey(),
                attacker.user,
                &market(&exchange),
                &[],
                order(Short, 60 * BASE),
            ),
            withdraw_ix(&exchange, &trader, amount),
            instructions::close_position(
                attacker.wallet.pubkey(),
                attacker.user,
                &market(&exchange),
                &[],
                None,
            ),
        ]
    };
    let watched = [
        trader.user,
        attacker.user,
        pda::perp_market(0),
        pda::spot_market(0),
    ];
    let before = snapshot(&mut env, &watched).await;
    let failure = env
        .send_unmetered(&sandwich(600_000_000), &[&trader.wallet, &attacker.wallet])
        .await
        .expect_err("the sale frees nothing");
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    assert_eq!(
        snapshot(&mut env, &watched).await,
        before,
        "nothing changed"
    );
    // The same transaction withdrawing what the deposit itself frees goes through: the sale
    // and the unwind are not refused, only the gain is not counted.
    env.send_unmetered(&sandwich(300_000_000), &[&trader.wallet, &attacker.wallet])
        .await
        .expect("what the deposit frees");
}

#[tokio::test]
async fn the_gains_counted_across_winners_never_exceed_what_the_pool_will_pay() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let mut winners = Vec::new();
    for base in [10 * BASE, 20 * BASE, 30 * BASE] {
        let winner = new_trader(&mut env, &exchange, 2_000_000_000, 0).await;
        trade(&mut env, &exchange, &winner, order(Long, base))
            .await
            .expect("a long");
        winners.push(winner);
    }
    let loser = new_trader(&mut env, &exchange, 5_000_000_000, 0).await;
    trade(&mut env, &exchange, &loser, order(Short, 50 * BASE))
        .await
        .expect("a short");
    // Up 16%: the short's loss settles into the pool on the way; the AMM, short the other
    // 10 base, pays nothing in.
    walk_oracle(&mut env, &exchange, loser.user, &[108_000_000, 116_000_000]).await;
    let pool = env.load::<PerpMarket>(pda::perp_market(0)).await.pnl_pool as i128;
    assert!(pool > 0);
    let mut counted_total = 0;
    let mut gains_total = 0;
    for winner in &winners {
        let (pnl, counted) = pnl_and_counted(&mut env, winner).await;
        assert!(pnl > 0 && counted <= pnl);
        gains_total += pnl;
        counted_total += counted;
    }
    // The loser is settled: what the pool holds is all that will ever pay these gains.
    let (loser_pnl, _) = pnl_and_counted(&mut env, &loser).await;
    assert!(loser_pnl.abs() < 1_000_000, "settled: {loser_pnl}");
    // Not all of it can be paid, and what counts stays within what will be.
    assert!(gains_total > pool, "{gains_total} vs {pool}");
    assert!(
        counted_total <= pool,
        "counted {counted_total} > pool {pool}"
    );
}

#[tokio::test]
async fn a_withdrawal_values_gains_at_the_worse_of_the_oracle_and_its_twap() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let loser = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 50 * BASE))
        .await
        .expect("a long");
    trade(&mut env, &exchange, &loser, order(Short, 50 * BASE))
        .await
        .expect("the other side");
    // A print 9% up that nothing has read: the TWAP is still at $100.
    set_oracle_price(&mut env, &exchange, 109_000_000).await;
    let (pnl, counted) = pnl_and_counted(&mut env, &trader).await;
    assert!(
        pnl > 150_000_000 && counted == pnl,
        "payable at the print: {pnl}"
    );
    // At the print the gain frees enough for $500; at the TWAP it does not exist.
    let watched = [trader.user, pda::spot_market(0), pda::spot_vault(0)];
    let failure = refused(
        &mut env,
        withdraw_ix(&exchange, &trader, 500_000_000),
        &[&trader.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    // Once the TWAP has followed, the same withdrawal passes.
    walk_oracle(&mut env, &exchange, loser.user, &[109_000_000]).await;
    env.send(
        "withdraw",
        &[withdraw_ix(&exchange, &trader, 500_000_000)],
        &[&trader.wallet],
    )
    .await
    .expect("the gain is backed by the TWAP now");
}
