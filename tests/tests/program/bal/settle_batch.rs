//! `settle_pnl_many` de-risks LPs as `settle_pnl` does; settling and de-risking both need a
//! fresh, certain price near its TWAP.
use super::{after_cooldown, initial_margin, position, set_derisk_opt_out, set_max_leverage, BASE};
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal::events::{LiquidityRecord, LpSettleBatchRecord, SettlePnlBatchRecord, SettlePnlRecord};
use bal::math::constants::BASE_PRECISION;
use bal::state::PerpMarket;
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::env::TxSuccess;
use bal_tests::errors::{assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, compute_limit, market, new_trader, order, setup_trading, trade, Exchange,
};
use bal_tests::TestEnv;
use solana_keypair::Keypair;
use solana_signer::Signer;

fn codes(success: &TxSuccess) -> Vec<u32> {
    success
        .return_data
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// Sends `batch` signed by `keeper` with the compute limit raised to 1.4M and requires each of
/// its `count` users settled (result code 0).
async fn send_whole_batch(
    env: &mut TestEnv,
    keeper: &Keypair,
    batch: Instruction,
    count: usize,
) -> TxSuccess {
    let success = env
        .send_unmetered_capturing_events(&[compute_limit(1_400_000), batch], &[keeper])
        .await
        .expect("the batch");
    let codes = codes(&success);
    assert!(codes.iter().all(|c| *c == 0), "{codes:?}");
    assert_eq!(codes.len(), count);
    success
}

/// Publishes `price` on the market's program oracle with a confidence interval of `bps`.
async fn publish(env: &mut TestEnv, exchange: &Exchange, price: i64, bps: u64) {
    env.send(
        "update_program_oracle",
        &[instructions::update_program_oracle(
            exchange.oracle_updater.pubkey(),
            exchange.oracle,
            price,
            price.unsigned_abs() * bps / 10_000,
        )],
        &[&exchange.oracle_updater],
    )
    .await
    .expect("update_program_oracle");
}

#[tokio::test]
async fn settle_pnl_many_derisks_lps_below_initial_margin_and_respects_the_opt_out() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let short_lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let opted_out = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let healthy = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    for lp in [&short_lp, &opted_out, &healthy] {
        add_liquidity(&mut env, &exchange, lp, 200 * BASE)
            .await
            .expect("add");
        set_max_leverage(&mut env, lp, 2_000).await;
    }
    after_cooldown(&mut env, &exchange).await;
    set_derisk_opt_out(&mut env, &opted_out, true).await;
    assert!(!initial_margin(&mut env, &short_lp)
        .await
        .meets_requirement());
    assert!(initial_margin(&mut env, &healthy).await.meets_requirement());

    let keeper = env.funded_wallet().await;
    let users = [short_lp.user, opted_out.user, healthy.user];
    let success = env
        .send(
            "settle_pnl_many_with_derisk",
            &[
                instructions::settle_pnl_many(&users, &market(&exchange), true)
                    .expect("a batch of users"),
            ],
            &[&keeper],
        )
        .await
        .expect("batch");
    assert_eq!(codes(&success), vec![0, 0, 0]);
    let burned = 200 * BASE_PRECISION - position(&mut env, &short_lp).await.lp.shares.get();
    assert!(burned > 0, "de-risked");
    assert!(initial_margin(&mut env, &short_lp)
        .await
        .meets_requirement());
    assert_eq!(
        position(&mut env, &opted_out).await.lp.shares.get(),
        200 * BASE_PRECISION,
        "opted out"
    );
    assert_eq!(
        position(&mut env, &healthy).await.lp.shares.get(),
        200 * BASE_PRECISION,
        "meets its margin"
    );
    assert_eq!(
        env.perp_market(0).await.lp.user_lp_shares.get(),
        600 * BASE_PRECISION - burned
    );
}

#[tokio::test]
async fn an_uncertain_oracle_refuses_settles_and_derisks_alike() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let bystander = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 20 * BASE)
        .await
        .expect("add");
    trade(&mut env, &exchange, &lp, order(Long, 50 * BASE))
        .await
        .expect("a long the account carries at 10x");
    trade(&mut env, &exchange, &bystander, order(Short, BASE))
        .await
        .expect("a small short");
    // At 5x, burning every share no longer restores initial margin: the position must be
    // reduced through the AMM too.
    set_max_leverage(&mut env, &lp, 2_000).await;
    after_cooldown(&mut env, &exchange).await;
    publish(&mut env, &exchange, 100_000_000, 500).await;

    let keeper = env.funded_wallet().await;
    let users = [lp.user, bystander.user];
    let ix = || {
        instructions::settle_pnl_many(&users, &market(&exchange), true).expect("a batch of users")
    };
    // Neither burning shares nor realizing P&L happens on an uncertain price.
    let failure = refused_derisk(&mut env, &exchange, &lp, &keeper).await;
    assert_bal_error(&failure, BalError::OracleTooUncertain);
    let watched = [
        lp.user,
        bystander.user,
        pda::perp_market(0),
        pda::spot_market(0),
    ];
    let failure = refused(&mut env, ix(), &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::OracleTooUncertain);

    // A certain oracle lets the same batch de-risk (burn and reduce) and settle.
    publish(&mut env, &exchange, 100_000_000, 1).await;
    let success = env
        .send("settle_pnl_many_with_derisk", &[ix()], &[&keeper])
        .await
        .expect("try mode");
    assert_eq!(codes(&success), vec![0, 0]);
    let after = position(&mut env, &lp).await;
    assert_eq!(after.lp.shares.get(), 0);
    assert!(after.base_asset_amount < 50 * BASE as i64, "reduced");
    assert!(initial_margin(&mut env, &lp).await.meets_requirement());
}

/// A keeper's `derisk_lp` for `lp`, expected to be refused with nothing changed.
async fn refused_derisk(
    env: &mut TestEnv,
    exchange: &Exchange,
    lp: &bal_tests::fixtures::Trader,
    keeper: &solana_keypair::Keypair,
) -> bal_tests::TxFailure {
    let before = env.raw_account(lp.user).await;
    let failure = env
        .send(
            "derisk_lp",
            &[instructions::derisk_lp(lp.user, &market(exchange), &[])],
            &[keeper],
        )
        .await
        .expect_err("refused");
    assert_eq!(env.raw_account(lp.user).await, before, "unchanged");
    failure
}

#[tokio::test]
async fn settling_pnl_needs_a_fresh_certain_price_near_its_twap() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 10 * BASE))
        .await
        .expect("a long");
    let keeper = env.funded_wallet().await;
    let settle = instructions::settle_pnl(trader.user, &market(&exchange), &[]);
    let watched = [trader.user, pda::perp_market(0), pda::spot_market(0)];
    // An outlier print: a gain realized on it could be withdrawn.
    publish(&mut env, &exchange, 100_000_000, 500).await;
    let failure = refused(&mut env, settle.clone(), &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::OracleTooUncertain);
    publish(&mut env, &exchange, 115_000_000, 1).await;
    let failure = refused(&mut env, settle.clone(), &[&keeper], &watched).await;
    assert_bal_error(&failure, BalError::OracleTooDivergent);
    publish(&mut env, &exchange, 101_000_000, 1).await;
    env.send("settle_pnl", &[settle], &[&keeper])
        .await
        .expect("a fresh, certain price near its TWAP");
}

#[tokio::test]
async fn a_derisk_cancels_resting_orders_first_and_burns_nothing_if_that_suffices() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    add_liquidity(&mut env, &exchange, &lp, 150 * BASE)
        .await
        .expect("add");
    bal_tests::fixtures::place_order(
        &mut env,
        &exchange,
        &lp,
        bal_tests::fixtures::resting(Long, 20 * BASE, 90_000_000, true),
    )
    .await
    .expect("a resting bid");
    // At 8x the bid tips the account below initial margin; without it, it fits.
    set_max_leverage(&mut env, &lp, 1_250).await;
    after_cooldown(&mut env, &exchange).await;
    assert!(!initial_margin(&mut env, &lp).await.meets_requirement());
    env.send(
        "derisk_lp",
        &[instructions::derisk_lp(lp.user, &market(&exchange), &[])],
        &[&keeper],
    )
    .await
    .expect("derisk");
    let user: bal::state::User = env.load(lp.user).await;
    assert!(
        user.orders.iter().all(|o| !o.is_open()),
        "the bid is cancelled"
    );
    assert_eq!(
        position(&mut env, &lp).await.lp.shares.get(),
        150 * BASE_PRECISION,
        "no share burned"
    );
    assert!(initial_margin(&mut env, &lp).await.meets_requirement());
}

/// Thirty LPs, each holding an entitlement and a position: one `settle_lp_many` and one
/// `settle_pnl_many` carry them all within the compute limit, none refused and no panic (the
/// heap a batch uses does not grow with it).
#[tokio::test]
async fn thirty_lps_settle_in_one_batch_with_one_record_each_time() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let mut lps = Vec::new();
    for _ in 0..30 {
        let lp = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
        add_liquidity(&mut env, &exchange, &lp, 10 * BASE)
            .await
            .expect("an LP");
        lps.push(lp);
    }
    let users: Vec<_> = lps.iter().map(|lp| lp.user).collect();
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 50 * BASE))
        .await
        .expect("a trade every LP takes part of");
    let batch =
        instructions::settle_lp_many(keeper.pubkey(), &users, 0, true).expect("a batch of users");
    let success = send_whole_batch(&mut env, &keeper, batch.clone(), 30).await;
    eprintln!("settle_lp_many, 30 LPs: {} CU", success.compute_units);
    // One record for the batch, listing every LP with what it moved; the LPs' shares of the
    // 50 base the trader bought add up to what the LPs as a group took.
    let records = success.events::<LpSettleBatchRecord>();
    assert_eq!(records.len(), 1, "one record for the batch");
    let listed: Vec<_> = records[0].settled.iter().map(|s| s.user).collect();
    assert_eq!(listed, users);
    let base: i64 = records[0].settled.iter().map(|s| s.base_settled).sum();
    let market_after: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(base, market_after.lp.settled_base);
    assert!(success.events::<LiquidityRecord>().is_empty());
    // The same batch again moves nothing, and says nothing.
    env.advance(1, 1).await;
    let again = send_whole_batch(&mut env, &keeper, batch, 30).await;
    assert!(again.events::<LpSettleBatchRecord>().is_empty());

    trade(&mut env, &exchange, &trader, order(Long, 10 * BASE))
        .await
        .expect("more to settle");
    let batch =
        instructions::settle_pnl_many(&users, &market(&exchange), true).expect("a batch of users");
    let success = send_whole_batch(&mut env, &keeper, batch, 30).await;
    let lp = position(&mut env, &lps[29]).await;
    assert!(
        lp.base_asset_amount < 0,
        "settled into the position: {lp:?}"
    );
    let records = success.events::<SettlePnlBatchRecord>();
    assert_eq!(records.len(), 1, "one record for the batch");
    assert!(records[0].settled.iter().all(|s| s.amount != 0));
    assert!(success.events::<SettlePnlRecord>().is_empty());
    eprintln!("30 LPs: {} CU", success.compute_units);
}

/// Twelve LPs below their initial margin, each de-risked in one `settle_pnl_many`: no panic,
/// every one settled.
#[tokio::test]
async fn twelve_lps_derisked_in_one_batch() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let mut lps = Vec::new();
    for _ in 0..12 {
        let lp = new_trader(&mut env, &exchange, 100_000_000, 0).await;
        add_liquidity(&mut env, &exchange, &lp, 20 * BASE)
            .await
            .expect("an LP");
        set_max_leverage(&mut env, &lp, 2_000).await;
        lps.push(lp);
    }
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 50 * BASE))
        .await
        .expect("a trade every LP takes part of");
    after_cooldown(&mut env, &exchange).await;
    assert!(!initial_margin(&mut env, &lps[0]).await.meets_requirement());
    let users: Vec<_> = lps.iter().map(|lp| lp.user).collect();
    let batch =
        instructions::settle_pnl_many(&users, &market(&exchange), true).expect("a batch of users");
    let success = send_whole_batch(&mut env, &keeper, batch, 12).await;
    for lp in &lps {
        assert!(initial_margin(&mut env, lp).await.meets_requirement());
    }
    eprintln!("12 LPs de-risked: {} CU", success.compute_units);
}
