//! Who bears a write-off cannot be chosen by acting around it: the insurance fund's stakers pay
//! first and can leave only through a request that waits and bears losses meanwhile; the fee
//! pool pays next, above what it keeps for repegs; depositors only last. A bankrupt account is
//! worth liquidating to anyone; a delisted market's leftover goes to the insurance fund.
mod delisting;
mod stakers;

use bal::events::BankruptcyRecord;
use bal::math::constants::{BASE_PRECISION, SPOT_BALANCE_TO_TOKEN};
use bal::state::PositionDirection::Long;
use bal::state::SpotMarket;
use bal_client::instructions;
use bal_client::pda;
use bal_tests::fixtures::{
    market, new_trader, order, set_oracle_price, setup_trading, trade, Exchange, Trader,
};
use bal_tests::inspect::quote_balance;
use bal_tests::insurance::staker;
use bal_tests::markets::{allow_divergence, close_underwater};
use bal_tests::TestEnv;

const BASE: u64 = BASE_PRECISION as u64;

/// A $10,000 saver, a $90,000 whale, and a 9x long closed under water after a 15% fall, its
/// loss settled into a debt nothing backs: waiting for anyone to resolve it.
struct PendingDebt {
    exchange: Exchange,
    saver: Trader,
    whale: Trader,
    debtor: Trader,
    debt: u64,
}

async fn pending_debt(env: &mut TestEnv) -> PendingDebt {
    let exchange = setup_trading(env).await;
    allow_divergence(env, &exchange, 0, 500_000).await;
    let saver = new_trader(env, &exchange, 10_000_000_000, 0).await;
    let whale = new_trader(env, &exchange, 90_000_000_000, 0).await;
    let debtor = new_trader(env, &exchange, 100_000_000, 0).await;
    trade(env, &exchange, &debtor, order(Long, 9 * BASE))
        .await
        .expect("a 9x long");
    set_oracle_price(env, &exchange, 85_000_000).await;
    close_underwater(env, &exchange, &debtor, &saver).await;
    let keeper = env.funded_wallet().await;
    env.send(
        "settle_pnl_many",
        &[
            instructions::settle_pnl_many(&[debtor.user], &market(&exchange), false)
                .expect("a batch of users"),
        ],
        &[&keeper],
    )
    .await
    .expect("settle the loss");
    let debt = -quote_balance(env, debtor.user).await;
    assert!(debt > 30_000_000, "a debt of ${}", debt as f64 / 1e6);
    PendingDebt {
        exchange,
        saver,
        whale,
        debtor,
        debt: debt as u64,
    }
}

async fn spot(env: &mut TestEnv) -> SpotMarket {
    env.load(pda::spot_market(0)).await
}

/// The whale steps out of the quote market around the write-off: withdraws everything,
/// resolves the debt, deposits again; in one transaction or in three consecutive slots.
async fn step_out_around_the_write_off(
    env: &mut TestEnv,
    case: &PendingDebt,
    atomic: bool,
) -> BankruptcyRecord {
    let whale = &case.whale;
    let all = quote_balance(env, whale.user).await as u64;
    let collateral = whale.collateral(&case.exchange);
    let withdraw = instructions::withdraw(&collateral, all, false, &[]);
    let resolve = instructions::resolve_bad_debt(case.debtor.user, 0);
    let deposit = instructions::deposit(&collateral, all);
    if atomic {
        let landed = env
            .send_unmetered_capturing_events(&[withdraw, resolve, deposit], &[&whale.wallet])
            .await
            .expect("withdraw, resolve, deposit");
        return landed.events::<BankruptcyRecord>().remove(0);
    }
    let mut record = None;
    for (label, step) in [
        ("withdraw", withdraw),
        ("resolve_bad_debt", resolve),
        ("deposit", deposit),
    ] {
        env.advance(0, 1).await;
        let landed = env
            .send_capturing_events(label, &[step], &[&whale.wallet])
            .await
            .expect("each step alone");
        record = record.or(landed.events::<BankruptcyRecord>().pop());
    }
    record.expect("the write-off")
}

async fn a_depositor_steps_out_of_a_write_off_for_nothing(atomic: bool) {
    let mut env = TestEnv::start().await;
    let case = pending_debt(&mut env).await;
    let fund = staker(&mut env, &case.exchange, 1_000_000_000).await;
    let saver_before = quote_balance(&mut env, case.saver.user).await;
    let whale_before = quote_balance(&mut env, case.whale.user).await;
    let fee_pool_before = env.perp_market(0).await.fee_pool;
    let index_before = spot(&mut env).await.cumulative_deposit_interest.get();

    let record = step_out_around_the_write_off(&mut env, &case, atomic).await;

    assert_eq!(record.debt, case.debt as u128);
    assert_eq!(
        record.covered_by_insurance_fund, case.debt,
        "the stakers pay it all"
    );
    assert_eq!((record.covered_by_fee_pool, record.socialized), (0, 0));
    assert_eq!(env.perp_market(0).await.fee_pool, fee_pool_before);
    assert_eq!(
        spot(&mut env).await.cumulative_deposit_interest.get(),
        index_before
    );
    // Neither depositor bears any of it: the saver who stayed loses nothing, and the whale
    // who stepped out gained nothing by it (a unit of rounding on the way out and back).
    assert_eq!(quote_balance(&mut env, case.saver.user).await, saver_before);
    let whale_after = quote_balance(&mut env, case.whale.user).await;
    assert!(
        (whale_before - 1..=whale_before).contains(&whale_after),
        "{whale_before} -> {whale_after}"
    );
    assert_eq!(fund.value(&mut env).await, 1_000_000_000 - case.debt);
    assert_eq!(quote_balance(&mut env, case.debtor.user).await, 0);
}

#[tokio::test]
async fn a_depositor_stepping_out_around_a_write_off_in_one_transaction_saves_nothing() {
    a_depositor_steps_out_of_a_write_off_for_nothing(true).await;
}

#[tokio::test]
async fn a_depositor_stepping_out_around_a_write_off_over_three_slots_saves_nothing() {
    a_depositor_steps_out_of_a_write_off_for_nothing(false).await;
}

#[tokio::test]
async fn past_the_insurance_fund_the_fee_pool_pays_above_its_repeg_reserve_then_depositors() {
    let mut env = TestEnv::start().await;
    let case = pending_debt(&mut env).await;
    // A fund of $5, exhausted by a debt of more than $30.
    let fund = staker(&mut env, &case.exchange, 5_000_000).await;
    let market = env.perp_market(0).await;
    let reserve = bal::read::repeg::repeg_reserve(&market);
    assert!(reserve > 0, "a repeg would cost something");
    let spare = market.fee_pool.saturating_sub(reserve);
    let saver_before = quote_balance(&mut env, case.saver.user).await;
    let before = spot(&mut env).await;
    let deposits = (before.deposit_balance.get() * before.cumulative_deposit_interest.get()
        / SPOT_BALANCE_TO_TOKEN) as i128;
    let keeper = env.funded_wallet().await;
    let landed = env
        .send_capturing_events(
            "resolve_bad_debt",
            &[instructions::resolve_bad_debt(case.debtor.user, 0)],
            &[&keeper],
        )
        .await
        .expect("resolve");
    let record = landed.events::<BankruptcyRecord>().remove(0);
    assert_eq!(record.covered_by_insurance_fund, 5_000_000);
    let rest = case.debt - 5_000_000;
    assert_eq!(record.covered_by_fee_pool, rest.min(spare));
    assert_eq!(
        env.perp_market(0).await.fee_pool,
        market.fee_pool - rest.min(spare),
        "the fee pool keeps its repeg reserve"
    );
    assert!(env.perp_market(0).await.fee_pool >= reserve.min(market.fee_pool));
    let socialized = (rest - rest.min(spare)) as i128;
    assert_eq!(record.socialized as i128, socialized);
    assert!(socialized > 0, "the rest reaches depositors");
    assert_eq!(fund.value(&mut env).await, 0);
    // Depositors bear the rest pro rata to what each held at the write-off (the last resort:
    // one who withdrew first would escape it), rounded against them.
    let saver_lost = saver_before - quote_balance(&mut env, case.saver.user).await;
    let share = socialized * saver_before / deposits;
    assert!(
        (share..=share + 2).contains(&saver_lost),
        "saver lost {saver_lost}, its share {share}"
    );
}
