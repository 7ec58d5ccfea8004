use bal::error::BalError;
use bal::instructions::InitializeParams;
use bal::math::constants::ACCOUNT_VERSION;
use bal::state::{State, PAUSE_ADD_LIQUIDITY, PAUSE_TRADE};
use bal_client::{instructions, pda};
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::default_params;
use bal_tests::TestEnv;
use solana_signer::Signer;

/// The fixtures' parameters with adding liquidity paused, so the pause bits show in the state.
fn params() -> InitializeParams {
    InitializeParams {
        paused_operations: PAUSE_ADD_LIQUIDITY,
        ..default_params()
    }
}

#[tokio::test]
async fn initialize_creates_the_state() {
    let mut env = TestEnv::start().await;
    let admin = env.upgrade_authority.insecure_clone();
    env.send(
        "initialize",
        &[instructions::initialize(admin.pubkey(), params())],
        &[&admin],
    )
    .await
    .expect("initialize");

    let state: State = env.account(pda::state()).await;
    assert_eq!(state.version, ACCOUNT_VERSION);
    assert_eq!(state.admin, admin.pubkey());
    assert_eq!(state.lp_cooldown_seconds, 3_600);
    assert_eq!(state.fees, params().fees);
    assert_ne!(state.paused_operations & PAUSE_ADD_LIQUIDITY, 0);
    assert_eq!(state.paused_operations & PAUSE_TRADE, 0);
}

#[tokio::test]
async fn initialize_refuses_a_signer_that_is_not_the_upgrade_authority() {
    let mut env = TestEnv::start().await;
    let intruder = env.funded_wallet().await;
    let failure = env
        .send(
            "initialize",
            &[instructions::initialize(intruder.pubkey(), params())],
            &[&intruder],
        )
        .await
        .expect_err("a stranger must not initialize");
    assert_bal_error(&failure, BalError::NotUpgradeAuthority);
    assert!(env.raw_account(pda::state()).await.is_none());
}

#[tokio::test]
async fn initialize_twice_is_refused_and_keeps_the_first_state() {
    let mut env = TestEnv::start().await;
    let admin = env.upgrade_authority.insecure_clone();
    env.send(
        "initialize",
        &[instructions::initialize(admin.pubkey(), params())],
        &[&admin],
    )
    .await
    .expect("first initialize");
    let before = env.raw_account(pda::state()).await.expect("state");

    let mut again = params();
    again.lp_cooldown_seconds = 60;
    let failure = env
        .send(
            "initialize",
            &[instructions::initialize(admin.pubkey(), again)],
            &[&admin],
        )
        .await
        .expect_err("second initialize");
    assert_bal_error(&failure, BalError::AccountAlreadyInitialized);
    assert_eq!(env.raw_account(pda::state()).await.expect("state"), before);
}

#[tokio::test]
async fn initialize_refuses_out_of_range_parameters() {
    let mut env = TestEnv::start().await;
    let admin = env.upgrade_authority.insecure_clone();
    let mut bad = params();
    bad.fees.taker_fee_rate = 1_000_000;
    let failure = env
        .send(
            "initialize",
            &[instructions::initialize(admin.pubkey(), bad)],
            &[&admin],
        )
        .await
        .expect_err("fee above the maximum");
    assert_bal_error(&failure, BalError::InvalidFeeSchedule);

    let mut bad = params();
    bad.paused_operations = 1 << 31;
    let failure = env
        .send(
            "initialize",
            &[instructions::initialize(admin.pubkey(), bad)],
            &[&admin],
        )
        .await
        .expect_err("unknown pause bit");
    assert_bal_error(&failure, BalError::InvalidPauseBits);
    assert!(env.raw_account(pda::state()).await.is_none());
}

#[tokio::test]
async fn initialize_creates_the_state_even_when_its_address_was_prefunded() {
    let mut env = TestEnv::start().await;
    let admin = env.upgrade_authority.insecure_clone();
    let griefer = env.funded_wallet().await;
    let transfer = anchor_lang::solana_program::system_instruction::transfer(
        &griefer.pubkey(),
        &pda::state(),
        1_000_000,
    );
    env.send_setup(&[transfer], &[&griefer]).await;

    env.send(
        "initialize",
        &[instructions::initialize(admin.pubkey(), params())],
        &[&admin],
    )
    .await
    .expect("initialize over a prefunded address");
    let state: State = env.account(pda::state()).await;
    assert_eq!(state.admin, admin.pubkey());
}
