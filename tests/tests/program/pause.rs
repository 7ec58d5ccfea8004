//! Every keeper instruction honours its pause bits (`state::gate::MarketAction::pause_bits`),
//! exchange-wide and in the market alone: while paused it is refused with `OperationPaused` and
//! changes nothing; once lifted, the pause no longer refuses it.
use anchor_lang::error::ERROR_CODE_OFFSET;
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal::instructions::{UpdatePerpMarketParams, UpdateStateParams};
use bal::math::constants::{BASE_PRECISION, PRICE_PRECISION};
use bal::state::PositionDirection::{Long, Short};
use bal::state::{PAUSE_FILL, PAUSE_FUNDING, PAUSE_LIQUIDATION, PAUSE_SETTLE, PAUSE_TRADE};
use bal_client::instructions::{self, MakerOrderRef};
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, custom_code, refused};
use bal_tests::fixtures::{
    add_liquidity, leveraged_long, market, new_trader, place_order, resting, update_market,
    Exchange,
};
use bal_tests::{TestEnv, TxFailure};
use solana_keypair::Keypair;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

/// Pauses `bits` exchange-wide (0 lifts every pause).
async fn pause_exchange(env: &mut TestEnv, exchange: &Exchange, bits: u32) {
    let params = UpdateStateParams {
        paused_operations: Some(bits),
        ..Default::default()
    };
    env.send(
        "update_state",
        &[instructions::update_state(exchange.admin.pubkey(), params)],
        &[&exchange.admin],
    )
    .await
    .expect("update_state");
}

/// Pauses `bits` in market 0 only (0 lifts every pause there).
async fn pause_market(env: &mut TestEnv, exchange: &Exchange, bits: u32) {
    let params = UpdatePerpMarketParams {
        paused_operations: Some(bits),
        ..Default::default()
    };
    update_market(env, exchange, params)
        .await
        .expect("update_perp_market");
}

#[tokio::test]
async fn every_keeper_instruction_honours_its_pause_bit() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, keeper) = leveraged_long(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    add_liquidity(&mut env, &exchange, &lp, 10 * BASE)
        .await
        .expect("an LP");
    let taker_order = place_order(
        &mut env,
        &exchange,
        &trader,
        resting(Short, BASE, 90 * PRICE_PRECISION as u64, false),
    )
    .await
    .expect("a resting order");
    let maker = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let maker_order = place_order(
        &mut env,
        &exchange,
        &maker,
        resting(Long, BASE, 90 * PRICE_PRECISION as u64, true),
    )
    .await
    .expect("a maker order");
    let m = market(&exchange);
    let k = keeper.wallet.pubkey();
    let cases: Vec<(&str, u32, Instruction)> = vec![
        (
            "settle_lp",
            PAUSE_SETTLE,
            instructions::settle_lp(k, lp.user, 0),
        ),
        (
            "settle_lp_many",
            PAUSE_SETTLE,
            instructions::settle_lp_many(k, &[lp.user], 0, false).expect("a batch of users"),
        ),
        (
            "settle_pnl",
            PAUSE_SETTLE,
            instructions::settle_pnl(trader.user, &m, &[]),
        ),
        (
            "settle_pnl_many",
            PAUSE_SETTLE,
            instructions::settle_pnl_many(&[trader.user], &m, false).expect("a batch of users"),
        ),
        (
            "derisk_lp",
            PAUSE_SETTLE,
            instructions::derisk_lp(lp.user, &m, &[]),
        ),
        (
            "settle_expired_positions",
            PAUSE_SETTLE,
            instructions::settle_expired_positions(&[trader.user], 0, false),
        ),
        (
            "finalize_settlement",
            PAUSE_SETTLE,
            instructions::finalize_settlement(0),
        ),
        (
            "update_funding_rate",
            PAUSE_FUNDING,
            instructions::update_funding_rate(&m),
        ),
        (
            "fill_order",
            PAUSE_FILL,
            instructions::fill_order(
                k,
                keeper.user,
                (trader.user, taker_order),
                &[MakerOrderRef {
                    user: maker.user,
                    order_id: maker_order,
                }],
                &m,
                &[],
            ),
        ),
        // A trading pause stops every trade: a filler's match too (a de-risk's reduction:
        // `bal::derisk_and_history::a_trading_pause_leaves_a_derisk_its_burns_but_not_its_reduction`).
        (
            "fill_order",
            PAUSE_TRADE,
            instructions::fill_order(
                k,
                keeper.user,
                (trader.user, taker_order),
                &[MakerOrderRef {
                    user: maker.user,
                    order_id: maker_order,
                }],
                &m,
                &[],
            ),
        ),
        (
            "liquidate_perp",
            PAUSE_LIQUIDATION,
            instructions::liquidate_perp(k, keeper.user, trader.user, &m, &[], BASE),
        ),
        (
            "resolve_bad_debt",
            PAUSE_LIQUIDATION,
            instructions::resolve_bad_debt(trader.user, 0),
        ),
    ];
    let watched = [
        trader.user,
        lp.user,
        maker.user,
        keeper.user,
        pda::perp_market(0),
        pda::spot_market(0),
    ];
    for (name, bit, ix) in cases {
        pause_exchange(&mut env, &exchange, bit).await;
        let failure = refused(&mut env, ix.clone(), &[&keeper.wallet], &watched).await;
        assert_paused(&failure, name, "exchange-wide");
        pause_exchange(&mut env, &exchange, 0).await;

        pause_market(&mut env, &exchange, bit).await;
        let failure = refused(&mut env, ix.clone(), &[&keeper.wallet], &watched).await;
        assert_paused(&failure, name, "in the market");
        pause_market(&mut env, &exchange, 0).await;

        lifted(&mut env, ix, &keeper.wallet, name).await;
    }
}

#[track_caller]
fn assert_paused(failure: &TxFailure, name: &str, scope: &str) {
    eprintln!("{name}: refused while paused {scope}");
    assert_bal_error(failure, BalError::OperationPaused);
}

/// With the pause lifted the instruction runs or fails for a reason of its own.
async fn lifted(env: &mut TestEnv, ix: Instruction, signer: &Keypair, name: &str) {
    if let Err(failure) = env.send_unmetered(&[ix], &[signer]).await {
        assert_ne!(
            custom_code(&failure),
            Some(ERROR_CODE_OFFSET + BalError::OperationPaused as u32),
            "{name} still refused as paused"
        );
    }
}
