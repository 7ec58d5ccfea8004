use anchor_lang::error::ErrorCode;
use bal::error::BalError;
use bal::state::User;
use bal_client::instructions::{self, UserSetting};
use bal_client::pda;
use bal_tests::errors::{assert_anchor_error, assert_bal_error};
use bal_tests::fixtures::{new_trader, setup_exchange};
use bal_tests::TestEnv;
use solana_signer::Signer;

fn name(text: &str) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    bytes[..text.len()].copy_from_slice(text.as_bytes());
    bytes
}

#[tokio::test]
async fn a_wallet_holds_several_named_subaccounts() {
    let mut env = TestEnv::start().await;
    let wallet = env.funded_wallet().await;
    for (id, label) in [(0u16, "main"), (1, "BAL")] {
        env.send(
            "initialize_user",
            &[instructions::initialize_user(
                wallet.pubkey(),
                id,
                name(label),
            )],
            &[&wallet],
        )
        .await
        .expect("initialize_user");
    }
    let bal_account: User = env.load(pda::user(&wallet.pubkey(), 1)).await;
    assert_eq!(bal_account.authority, wallet.pubkey());
    assert_eq!(bal_account.sub_account_id, 1);
    assert_eq!(&bal_account.name[..3], b"BAL");

    let failure = env
        .send(
            "initialize_user",
            &[instructions::initialize_user(
                wallet.pubkey(),
                1,
                name("again"),
            )],
            &[&wallet],
        )
        .await
        .expect_err("same subaccount twice");
    assert_bal_error(&failure, BalError::AccountAlreadyInitialized);
}

#[tokio::test]
async fn a_name_must_be_utf8() {
    let mut env = TestEnv::start().await;
    let wallet = env.funded_wallet().await;
    let mut bad = name("ok");
    bad[0] = 0xff;
    let failure = env
        .send(
            "initialize_user",
            &[instructions::initialize_user(wallet.pubkey(), 0, bad)],
            &[&wallet],
        )
        .await
        .expect_err("invalid UTF-8");
    assert_bal_error(&failure, BalError::InvalidUserName);
    assert!(env
        .raw_account(pda::user(&wallet.pubkey(), 0))
        .await
        .is_none());
}

#[tokio::test]
async fn settings_change_and_are_validated() {
    let mut env = TestEnv::start().await;
    let wallet = env.funded_wallet().await;
    env.send(
        "initialize_user",
        &[instructions::initialize_user(wallet.pubkey(), 0, name("a"))],
        &[&wallet],
    )
    .await
    .expect("initialize_user");
    let delegate = env.funded_wallet().await;
    let settings = [
        ("update_user_name", UserSetting::Name(name("renamed"))),
        (
            "update_user_delegate",
            UserSetting::Delegate(delegate.pubkey()),
        ),
        (
            "update_user_custom_margin_ratio",
            UserSetting::CustomMarginRatio(2_000),
        ),
        (
            "update_user_derisk_opt_out",
            UserSetting::DeriskOptOut(true),
        ),
    ];
    for (label, setting) in settings {
        env.send(
            label,
            &[instructions::update_user(wallet.pubkey(), 0, setting)],
            &[&wallet],
        )
        .await
        .unwrap_or_else(|f| panic!("{label}: {f:?}"));
    }
    let user: User = env.load(pda::user(&wallet.pubkey(), 0)).await;
    assert_eq!(&user.name[..7], b"renamed");
    assert_eq!(user.delegate, delegate.pubkey());
    assert_eq!(user.custom_margin_ratio, 2_000);
    assert_eq!(user.derisk_opt_out, 1);

    let before = env.raw_account(pda::user(&wallet.pubkey(), 0)).await;
    for ratio in [1u32, 10_001] {
        let failure = env
            .send(
                "update_user_custom_margin_ratio",
                &[instructions::update_user(
                    wallet.pubkey(),
                    0,
                    UserSetting::CustomMarginRatio(ratio),
                )],
                &[&wallet],
            )
            .await
            .expect_err("ratio out of range");
        assert_bal_error(&failure, BalError::InvalidMarginRatio);
    }
    assert_eq!(
        env.raw_account(pda::user(&wallet.pubkey(), 0)).await,
        before
    );
}

#[tokio::test]
async fn only_the_authority_changes_settings() {
    let mut env = TestEnv::start().await;
    let wallet = env.funded_wallet().await;
    env.send(
        "initialize_user",
        &[instructions::initialize_user(wallet.pubkey(), 0, name("a"))],
        &[&wallet],
    )
    .await
    .expect("initialize_user");
    let stranger = env.funded_wallet().await;
    // The stranger signs for the owner's account: the PDA of (stranger, 0) is not this account.
    let mut ix = instructions::update_user(wallet.pubkey(), 0, UserSetting::DeriskOptOut(true));
    ix.accounts[0].pubkey = stranger.pubkey();
    let failure = env
        .send("update_user_derisk_opt_out", &[ix], &[&stranger])
        .await
        .expect_err("stranger");
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);
    let user: User = env.load(pda::user(&wallet.pubkey(), 0)).await;
    assert_eq!(user.derisk_opt_out, 0);
}

#[tokio::test]
async fn only_an_empty_subaccount_can_be_deleted() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000, 0).await;
    let failure = env
        .send(
            "delete_user",
            &[instructions::delete_user(trader.wallet.pubkey(), 0)],
            &[&trader.wallet],
        )
        .await
        .expect_err("holds a deposit");
    assert_bal_error(&failure, BalError::UserNotEmpty);

    env.send(
        "withdraw",
        &[instructions::withdraw(
            &trader.collateral(&exchange),
            1_000_000,
            false,
            &[],
        )],
        &[&trader.wallet],
    )
    .await
    .expect("withdraw all");
    let rent_back = env.raw_account(trader.user).await.expect("user").lamports;
    let before = env
        .raw_account(trader.wallet.pubkey())
        .await
        .expect("wallet")
        .lamports;
    env.send(
        "delete_user",
        &[instructions::delete_user(trader.wallet.pubkey(), 0)],
        &[&trader.wallet],
    )
    .await
    .expect("delete empty user");
    assert!(env.raw_account(trader.user).await.is_none());
    let after = env
        .raw_account(trader.wallet.pubkey())
        .await
        .expect("wallet")
        .lamports;
    assert!(after + 10_000 >= before + rent_back, "rent returned");
}
