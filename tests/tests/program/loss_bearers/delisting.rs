//! Delisting pays a market's leftover pools to the insurance fund, so a deposit parked for the
//! delist takes nothing, and the debt still hidden in the leftover is paid back by the same
//! fund when it is written off, not by whoever is deposited then.
use super::{spot, BASE};

const DOLLAR: u64 = 1_000_000;
use bal::events::{BankruptcyRecord, ExpiredPositionsRecord, SettlementRecord};
use bal::state::PositionDirection::Long;
use bal::state::DEFAULT_INSURANCE_UNSTAKE_DELAY;
use bal_client::instructions;
use bal_tests::fixtures::{market, new_trader, order, setup_trading, trade, Exchange, Trader};
use bal_tests::inspect::quote_balance;
use bal_tests::insurance::staker;
use bal_tests::markets::walk_oracle;
use bal_tests::TestEnv;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A day on, the claim window closed: the payouts fixed.
async fn fix_payouts(env: &mut TestEnv, keeper: &Keypair) {
    env.advance(24 * 3_600, 10).await;
    env.send(
        "finalize_settlement",
        &[instructions::finalize_settlement(0)],
        &[keeper],
    )
    .await
    .expect("fix the payouts");
}

/// A market settled at $88 after a 9x long lost more than its deposit, every position closed
/// and the payouts fixed: ready to delist, with its leftover pools holding the long's loss.
struct ReadyToDelist {
    exchange: Exchange,
    admin: Keypair,
    keeper: Keypair,
    saver: Trader,
    levered: Trader,
    /// The long's debt. precision: QUOTE
    debt: i128,
}

async fn ready_to_delist(env: &mut TestEnv) -> ReadyToDelist {
    let exchange = setup_trading(env).await;
    let admin = exchange.admin.insecure_clone();
    let keeper = env.funded_wallet().await;
    let saver = new_trader(env, &exchange, 10_000_000_000, 0).await;
    let levered = new_trader(env, &exchange, 100_000_000, 0).await;
    trade(env, &exchange, &levered, order(Long, 9 * BASE))
        .await
        .expect("a 9x long, the AMM its counterparty");
    walk_oracle(
        env,
        &exchange,
        levered.user,
        &[95_000_000, 90_000_000, 88_000_000],
    )
    .await;
    let begin = instructions::begin_settlement(admin.pubkey(), &market(&exchange), 88_000_000);
    env.send("begin_settlement", &[begin], &[&admin])
        .await
        .expect("settle at $88");
    let everyone = [saver.user, levered.user];
    env.send(
        "settle_expired_positions",
        &[instructions::settle_expired_positions(&everyone, 0, true)],
        &[&keeper],
    )
    .await
    .expect("close the long at $88");
    let debt = -quote_balance(env, levered.user).await;
    assert!(debt > 0, "the long lost more than it had: {debt}");
    fix_payouts(env, &keeper).await;
    ReadyToDelist {
        exchange,
        admin,
        keeper,
        saver,
        levered,
        debt,
    }
}

/// Delists market 0; what it paid the insurance fund.
async fn delist(env: &mut TestEnv, admin: &Keypair) -> u64 {
    let delisted = env
        .send_capturing_events(
            "delist_market",
            &[instructions::delist_market(admin.pubkey(), 0)],
            &[admin],
        )
        .await
        .expect("delist");
    delisted.events::<SettlementRecord>()[0].to_insurance_fund
}

#[tokio::test]
async fn a_deposit_parked_for_a_delist_takes_nothing_and_the_leftover_pays_the_markets_debt() {
    let mut env = TestEnv::start().await;
    let ReadyToDelist {
        exchange,
        admin,
        keeper,
        saver,
        levered,
        debt,
    } = ready_to_delist(&mut env).await;

    // $1M parked for the delist and taken out right after.
    let parker = new_trader(&mut env, &exchange, 1_000_000_000_000, 0).await;
    let saver_before = quote_balance(&mut env, saver.user).await;
    let fund_before = spot(&mut env).await.insurance.balance;
    let leftover = delist(&mut env, &admin).await;
    assert!(
        leftover as i128 > debt,
        "the leftover holds the long's whole loss: {leftover}"
    );
    assert_eq!(
        spot(&mut env).await.insurance.balance,
        fund_before + leftover
    );
    let parked = 1_000_000_000_000;
    let held = quote_balance(&mut env, parker.user).await;
    assert!(
        (parked - 1..=parked).contains(&held),
        "the parked deposit took nothing: {held}"
    );
    assert_eq!(quote_balance(&mut env, saver.user).await, saver_before);

    // The long's debt, still part of that leftover, is paid back by the fund that received it.
    let landed = env
        .send_capturing_events(
            "resolve_bad_debt",
            &[instructions::resolve_bad_debt(levered.user, 0)],
            &[&keeper],
        )
        .await
        .expect("write off the debt");
    let record = landed.events::<BankruptcyRecord>().remove(0);
    // The debt has accrued borrow interest since it was measured.
    let debt = record.debt as i128;
    assert_eq!(record.covered_by_insurance_fund as i128, debt);
    assert_eq!(record.socialized, 0);
    assert_eq!(quote_balance(&mut env, saver.user).await, saver_before);
    assert_eq!(quote_balance(&mut env, parker.user).await, held);
    assert_eq!(
        spot(&mut env).await.insurance.balance as i128,
        (fund_before + leftover) as i128 - debt
    );
}

#[tokio::test]
async fn a_loss_collected_after_the_delist_goes_to_the_insurance_fund_not_a_stranded_pool() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let admin = exchange.admin.insecure_clone();
    let keeper = env.funded_wallet().await;
    let late = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    trade(&mut env, &exchange, &late, order(Long, BASE))
        .await
        .expect("a long");
    // Closed at once, its fees and spread a loss left unsettled on the position: nothing
    // holds base at the delist.
    env.send(
        "close_position",
        &[instructions::close_position(
            late.wallet.pubkey(),
            late.user,
            &market(&exchange),
            &[],
            None,
        )],
        &[&late.wallet],
    )
    .await
    .expect("close");
    let begin = instructions::begin_settlement(admin.pubkey(), &market(&exchange), 100_000_000);
    env.send("begin_settlement", &[begin], &[&admin])
        .await
        .expect("settle at $100");
    fix_payouts(&mut env, &keeper).await;
    env.send(
        "delist_market",
        &[instructions::delist_market(admin.pubkey(), 0)],
        &[&admin],
    )
    .await
    .expect("delist");
    let fund_before = spot(&mut env).await.insurance.balance;
    let landed = env
        .send_capturing_events(
            "settle_expired_positions",
            &[instructions::settle_expired_positions(
                &[late.user],
                0,
                true,
            )],
            &[&keeper],
        )
        .await
        .expect("the late loss collected");
    let loss = -landed.events::<ExpiredPositionsRecord>()[0].closed[0].pnl;
    assert!(loss > 0, "a loss: {loss}");
    let perp: bal::state::PerpMarket = env.load(bal_client::pda::perp_market(0)).await;
    assert_eq!((perp.fee_pool, perp.pnl_pool), (0, 0), "nothing stranded");
    let fund = spot(&mut env).await.insurance;
    assert_eq!(
        (fund.balance + fund.pending_revenue) as i128,
        fund_before as i128 + loss,
        "the fund's, released over its delay"
    );
}

#[tokio::test]
async fn a_stake_placed_just_before_a_delist_shares_its_leftover_only_as_it_is_released() {
    let mut env = TestEnv::start().await;
    let ReadyToDelist {
        exchange, admin, ..
    } = ready_to_delist(&mut env).await;
    // A staker of long standing, and one who stakes as much just before the delist, asks out
    // right after and is paid when its delay has passed.
    let standing = staker(&mut env, &exchange, 1_000 * DOLLAR).await;
    env.advance(3_600, 10).await;
    let sniper = staker(&mut env, &exchange, 1_000 * DOLLAR).await;
    let leftover = delist(&mut env, &admin).await;
    assert!(leftover > 100 * DOLLAR, "{leftover}");
    let fund = spot(&mut env).await.insurance;
    assert_eq!(
        fund.pending_revenue, leftover,
        "released over the delay, not at once"
    );
    let shares = sniper.stake(&mut env).await.shares.get();
    env.send(
        "request_insurance_unstake",
        &[instructions::request_insurance_unstake(
            sniper.wallet.pubkey(),
            shares,
        )],
        &[&sniper.wallet],
    )
    .await
    .expect("ask out at once");
    assert_eq!(
        sniper.stake(&mut env).await.requested_value,
        1_000 * DOLLAR,
        "nothing of the leftover released yet"
    );
    env.advance(DEFAULT_INSURANCE_UNSTAKE_DELAY, 10).await;
    env.send(
        "remove_insurance_stake",
        &[instructions::remove_insurance_stake(
            &sniper.accounts(&exchange),
        )],
        &[&sniper.wallet],
    )
    .await
    .expect("paid");
    assert_eq!(
        env.token_balance(sniper.token_account).await,
        1_000 * DOLLAR,
        "its stake back, none of the leftover"
    );
    // The staker who stayed holds the whole leftover, a unit of rounding aside.
    assert_eq!(
        spot(&mut env).await.insurance.pending_revenue,
        0,
        "all released"
    );
    let value = standing.value(&mut env).await;
    assert!(
        (1_000 * DOLLAR + leftover - 2..=1_000 * DOLLAR + leftover).contains(&value),
        "{value} vs {}",
        1_000 * DOLLAR + leftover
    );
}
