//! The insurance fund's stakers: nobody leaves it between an account going under and its
//! write-off, and it pays a bankrupt account's liquidator.
use super::{pending_debt, spot};
use bal::error::BalError;
use bal::events::{BankruptcyRecord, LiquidationRecord};
use bal::state::{
    DEFAULT_INSURANCE_UNSTAKE_DELAY, INSURANCE_UNSTAKE_WINDOW, MAX_INSURANCE_UNSTAKE_DELAY,
    MIN_INSURANCE_UNSTAKE_DELAY,
};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_anchor_error, assert_bal_error, refused};
use bal_tests::fixtures::{leveraged_long, market, set_oracle_price, LIQUIDATOR_DEPOSIT};
use bal_tests::inspect::quote_balance;
use bal_tests::insurance::staker;
use bal_tests::markets::allow_divergence;
use bal_tests::TestEnv;
use solana_signer::Signer;

const STAKE: u64 = 1_000_000_000;
const DAY: i64 = 24 * 3_600;

#[tokio::test]
async fn a_staker_who_asks_out_on_seeing_an_account_go_under_still_bears_its_write_off() {
    let mut env = TestEnv::start().await;
    let case = pending_debt(&mut env).await;
    let fund = staker(&mut env, &case.exchange, STAKE).await;
    let other = staker(&mut env, &case.exchange, STAKE).await;
    let me = fund.wallet.pubkey();
    let shares = fund.stake(&mut env).await.shares.get();
    let stake = pda::insurance_stake(&me, 0);

    // Seeing the debt, the staker asks for everything back at once.
    env.send(
        "request_insurance_unstake",
        &[instructions::request_insurance_unstake(me, shares)],
        &[&fund.wallet],
    )
    .await
    .expect("request");
    assert_eq!(fund.stake(&mut env).await.requested_value, STAKE);
    // Not payable before its delay.
    let remove = instructions::remove_insurance_stake(&fund.accounts(&case.exchange));
    let watched = [stake, pda::spot_market(0), fund.token_account];
    let failure = refused(&mut env, remove.clone(), &[&fund.wallet], &watched).await;
    assert_bal_error(&failure, BalError::UnstakeRequestNotPayable);

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
    assert_eq!(record.covered_by_insurance_fund, case.debt);

    env.advance(DEFAULT_INSURANCE_UNSTAKE_DELAY, 10).await;
    env.send(
        "remove_insurance_stake",
        std::slice::from_ref(&remove),
        &[&fund.wallet],
    )
    .await
    .expect("paid once the delay has passed");
    // Half the write-off, rounded against the staker: the request bore it like any share.
    let paid = env.token_balance(fund.token_account).await;
    let half = STAKE - case.debt.div_ceil(2);
    assert!(
        (half - 1..=half).contains(&paid),
        "paid {paid}, half {half}"
    );
    assert_eq!(fund.stake(&mut env).await.shares.get(), 0);
    let left = other.value(&mut env).await;
    assert!(left + paid <= 2 * STAKE - case.debt, "{left} + {paid}");
    assert_eq!(
        spot(&mut env).await.insurance.balance,
        2 * STAKE - case.debt - paid
    );
}

#[tokio::test]
async fn an_unstake_request_pays_only_inside_its_window_and_at_most_its_value_when_asked() {
    let mut env = TestEnv::start().await;
    let case = pending_debt(&mut env).await;
    let fund = staker(&mut env, &case.exchange, STAKE).await;
    let me = fund.wallet.pubkey();
    let shares = fund.stake(&mut env).await.shares.get();
    let request = instructions::request_insurance_unstake(me, shares / 2);
    let stake = pda::insurance_stake(&me, 0);
    let watched = [stake, pda::spot_market(0), fund.token_account];

    let failure = refused(
        &mut env,
        instructions::request_insurance_unstake(me, shares + 1),
        &[&fund.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::InsufficientInsuranceShares);
    env.send(
        "request_insurance_unstake",
        std::slice::from_ref(&request),
        &[&fund.wallet],
    )
    .await
    .expect("request half");
    let failure = refused(&mut env, request.clone(), &[&fund.wallet], &watched).await;
    assert_bal_error(&failure, BalError::UnstakeRequestPending);

    // A request left standing lapses a day after its delay.
    let remove = instructions::remove_insurance_stake(&fund.accounts(&case.exchange));
    env.advance(
        DEFAULT_INSURANCE_UNSTAKE_DELAY + INSURANCE_UNSTAKE_WINDOW,
        10,
    )
    .await;
    let failure = refused(&mut env, remove.clone(), &[&fund.wallet], &watched).await;
    assert_bal_error(&failure, BalError::UnstakeRequestNotPayable);
    env.send(
        "cancel_insurance_unstake",
        &[instructions::cancel_insurance_unstake(me)],
        &[&fund.wallet],
    )
    .await
    .expect("cancel");
    assert!(!fund.stake(&mut env).await.has_request());

    // Another wallet can neither ask for these shares nor be paid them.
    let thief = staker(&mut env, &case.exchange, 1_000_000).await;
    let mut stolen = instructions::request_insurance_unstake(thief.wallet.pubkey(), shares / 2);
    stolen.accounts[2].pubkey = stake;
    let failure = refused(&mut env, stolen, &[&thief.wallet], &watched).await;
    assert_anchor_error(&failure, anchor_lang::error::ErrorCode::ConstraintSeeds);

    // Asked again, then a write-off: the request pays the lesser of what it was worth when
    // asked and what it is worth when paid.
    env.send("request_insurance_unstake", &[request], &[&fund.wallet])
        .await
        .expect("request again");
    let asked = fund.stake(&mut env).await.requested_value;
    assert_eq!(asked, STAKE / 2);
    let keeper = env.funded_wallet().await;
    env.send(
        "resolve_bad_debt",
        &[instructions::resolve_bad_debt(case.debtor.user, 0)],
        &[&keeper],
    )
    .await
    .expect("resolve");
    env.advance(DEFAULT_INSURANCE_UNSTAKE_DELAY, 10).await;
    let now = spot(&mut env).await.insurance;
    let worth = (shares / 2) * now.balance as u128 / now.total_shares.get();
    assert!(worth < asked as u128, "the write-off lowered it");
    env.send("remove_insurance_stake", &[remove], &[&fund.wallet])
        .await
        .expect("paid inside the window");
    let paid = env.token_balance(fund.token_account).await;
    assert_eq!(paid as u128, worth, "the lesser of then and now");
}

#[tokio::test]
async fn a_bankrupt_account_pays_its_liquidator_from_the_insurance_fund() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    allow_divergence(&mut env, &exchange, 0, 500_000).await;
    let fund = staker(&mut env, &exchange, STAKE).await;
    set_oracle_price(&mut env, &exchange, 85_000_000).await;
    let success = env
        .send_capturing_events(
            "liquidate_perp",
            &[instructions::liquidate_perp(
                liquidator.wallet.pubkey(),
                liquidator.user,
                trader.user,
                &market(&exchange),
                &[],
                u64::MAX,
            )],
            &[&liquidator.wallet],
        )
        .await
        .expect("liquidate");
    let liquidation = success.events::<LiquidationRecord>().remove(0);
    let bankruptcy = success.events::<BankruptcyRecord>().remove(0);
    // 9 base at $85: $765 of notional, a 1% fee, half of it the liquidator's, which the
    // account, with nothing left, could not pay.
    assert_eq!(liquidation.quote_transferred, 765_000_000);
    assert_eq!(liquidation.fee_to_liquidator, 3_825_000);
    assert_eq!(liquidation.reward_from_insurance, 3_825_000);
    assert_eq!(liquidation.fee_to_insurance, 0);
    assert_eq!(
        quote_balance(&mut env, liquidator.user).await,
        (LIQUIDATOR_DEPOSIT + 3_825_000) as i128,
        "earned its reward, bore no write-off"
    );
    assert_eq!(bankruptcy.socialized, 0);
    assert_eq!(
        fund.value(&mut env).await as u128,
        STAKE as u128 - 3_825_000 - u128::from(bankruptcy.covered_by_insurance_fund),
    );
}

#[tokio::test]
async fn only_the_admin_sets_the_unstake_delay_and_only_within_its_range() {
    let mut env = TestEnv::start().await;
    let case = pending_debt(&mut env).await;
    let admin = case.exchange.admin.insecure_clone();
    let stranger = env.funded_wallet().await;
    let watched = [pda::spot_market(0)];
    let set = |who, delay| instructions::update_insurance_unstake_delay(who, delay);
    let failure = refused(
        &mut env,
        set(stranger.pubkey(), 2 * DAY),
        &[&stranger],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::NotAdmin);
    for delay in [
        MIN_INSURANCE_UNSTAKE_DELAY - 1,
        MAX_INSURANCE_UNSTAKE_DELAY + 1,
        -DAY,
    ] {
        let failure = refused(&mut env, set(admin.pubkey(), delay), &[&admin], &watched).await;
        assert_bal_error(&failure, BalError::InvalidInsuranceUnstakeDelay);
    }
    env.send(
        "update_insurance_unstake_delay",
        &[set(admin.pubkey(), 2 * DAY)],
        &[&admin],
    )
    .await
    .expect("two days");
    assert_eq!(spot(&mut env).await.insurance.unstake_delay, 2 * DAY);

    // A pending request waits the delay in force when it is paid.
    let fund = staker(&mut env, &case.exchange, STAKE).await;
    let me = fund.wallet.pubkey();
    env.send(
        "request_insurance_unstake",
        &[instructions::request_insurance_unstake(me, 1_000)],
        &[&fund.wallet],
    )
    .await
    .expect("request");
    env.advance(2 * DAY, 10).await;
    let remove = instructions::remove_insurance_stake(&fund.accounts(&case.exchange));
    env.send(
        "remove_insurance_stake",
        std::slice::from_ref(&remove),
        &[&fund.wallet],
    )
    .await
    .expect("paid after two days");
    assert_eq!(env.token_balance(fund.token_account).await, 1_000);
}
