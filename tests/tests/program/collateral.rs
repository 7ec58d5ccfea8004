use anchor_lang::error::ErrorCode;
use anchor_spl::token_2022::spl_token_2022;
use bal::error::BalError;
use bal::instructions::UpdateStateParams;
use bal::state::{SpotBalanceKind, SpotMarket, User, PAUSE_DEPOSIT};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_anchor_error, assert_bal_error};
use bal_tests::fixtures::{
    create_token_account, new_trader, setup_exchange, setup_exchange_with, Exchange, Trader,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

async fn quote_balance(env: &mut TestEnv, trader: &Trader) -> (u128, SpotBalanceKind) {
    let user: User = env.load(trader.user).await;
    (
        user.quote_balance.scaled_balance.get(),
        user.quote_balance.kind(),
    )
}

async fn deposit_and_withdraw_round_trip(env: &mut TestEnv, exchange: &Exchange) {
    let trader = new_trader(env, exchange, 0, 5_000_000).await;
    env.send(
        "deposit",
        &[instructions::deposit(
            &trader.collateral(exchange),
            5_000_000,
        )],
        &[&trader.wallet],
    )
    .await
    .expect("deposit");
    assert_eq!(env.token_balance(pda::spot_vault(0)).await, 5_000_000);
    assert_eq!(env.token_balance(trader.token_account).await, 0);
    // At index 1.0 a token is 1,000 scaled units.
    assert_eq!(
        quote_balance(env, &trader).await,
        (5_000_000_000, SpotBalanceKind::Deposit)
    );
    let market: SpotMarket = env.load(pda::spot_market(0)).await;
    assert_eq!(market.deposit_balance.get(), 5_000_000_000);

    env.send(
        "withdraw",
        &[instructions::withdraw(
            &trader.collateral(exchange),
            2_000_000,
            false,
            &[],
        )],
        &[&trader.wallet],
    )
    .await
    .expect("withdraw");
    assert_eq!(env.token_balance(trader.token_account).await, 2_000_000);
    assert_eq!(env.token_balance(pda::spot_vault(0)).await, 3_000_000);
    let user: User = env.load(trader.user).await;
    assert_eq!(user.total_deposits, 5_000_000);
    assert_eq!(user.total_withdrawals, 2_000_000);
}

#[tokio::test]
async fn deposit_and_withdraw_with_spl_token() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    deposit_and_withdraw_round_trip(&mut env, &exchange).await;
}

#[tokio::test]
async fn deposit_and_withdraw_with_token_2022() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange_with(&mut env, spl_token_2022::ID).await;
    deposit_and_withdraw_round_trip(&mut env, &exchange).await;
}

#[tokio::test]
async fn withdrawing_beyond_the_deposit_needs_allow_borrow_and_collateral() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000, 0).await;
    // Someone else's deposit, so the vault could lend.
    new_trader(&mut env, &exchange, 5_000_000, 0).await;
    let before = env.raw_account(trader.user).await;

    let failure = env
        .send(
            "withdraw",
            &[instructions::withdraw(
                &trader.collateral(&exchange),
                1_000_001,
                false,
                &[],
            )],
            &[&trader.wallet],
        )
        .await
        .expect_err("would borrow");
    assert_bal_error(&failure, BalError::BorrowNotAllowed);

    // Asked to borrow, but nothing backs the loan.
    let failure = env
        .send(
            "withdraw",
            &[instructions::withdraw(
                &trader.collateral(&exchange),
                1_000_001,
                true,
                &[],
            )],
            &[&trader.wallet],
        )
        .await
        .expect_err("no collateral for a borrow");
    assert_bal_error(&failure, BalError::InsufficientCollateral);
    assert_eq!(env.raw_account(trader.user).await, before);
    assert_eq!(env.token_balance(pda::spot_vault(0)).await, 6_000_000);
}

#[tokio::test]
async fn deposits_refuse_zero_pauses_and_strangers() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 0, 1_000_000).await;

    let failure = env
        .send(
            "deposit",
            &[instructions::deposit(&trader.collateral(&exchange), 0)],
            &[&trader.wallet],
        )
        .await
        .expect_err("zero");
    assert_bal_error(&failure, BalError::ZeroAmount);

    // A stranger deposits its own tokens into someone else's subaccount: refused.
    let stranger = env.funded_wallet().await;
    let stranger_tokens = create_token_account(&mut env, &exchange, &stranger, 1_000_000).await;
    let mut accounts = trader.collateral(&exchange);
    accounts.signer = stranger.pubkey();
    accounts.token_account = stranger_tokens;
    let failure = env
        .send(
            "deposit",
            &[instructions::deposit(&accounts, 1_000_000)],
            &[&stranger],
        )
        .await
        .expect_err("stranger");
    assert_bal_error(&failure, BalError::NotUserAuthority);

    let paused = UpdateStateParams {
        paused_operations: Some(PAUSE_DEPOSIT),
        ..Default::default()
    };
    env.send(
        "update_state",
        &[instructions::update_state(exchange.admin.pubkey(), paused)],
        &[&exchange.admin],
    )
    .await
    .expect("pause deposits");
    let failure = env
        .send(
            "deposit",
            &[instructions::deposit(
                &trader.collateral(&exchange),
                1_000_000,
            )],
            &[&trader.wallet],
        )
        .await
        .expect_err("paused");
    assert_bal_error(&failure, BalError::OperationPaused);
    assert_eq!(env.token_balance(pda::spot_vault(0)).await, 0);
}

#[tokio::test]
async fn withdrawals_refuse_delegates_and_substituted_accounts() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000, 0).await;

    // A delegate may deposit but never withdraw.
    let delegate = env.funded_wallet().await;
    env.send(
        "update_user_delegate",
        &[instructions::update_user(
            trader.wallet.pubkey(),
            0,
            instructions::UserSetting::Delegate(delegate.pubkey()),
        )],
        &[&trader.wallet],
    )
    .await
    .expect("set delegate");
    let delegate_tokens = create_token_account(&mut env, &exchange, &delegate, 0).await;
    let mut accounts = trader.collateral(&exchange);
    accounts.signer = delegate.pubkey();
    accounts.token_account = delegate_tokens;
    let failure = env
        .send(
            "withdraw",
            &[instructions::withdraw(&accounts, 1_000_000, false, &[])],
            &[&delegate],
        )
        .await
        .expect_err("delegate withdraw");
    assert_bal_error(&failure, BalError::NotUserAuthority);

    // A vault that is not the market's: not at the vault's seeds.
    let fake_vault = create_token_account(&mut env, &exchange, &trader.wallet, 0).await;
    let mut ix = instructions::withdraw(&trader.collateral(&exchange), 1_000_000, false, &[]);
    ix.accounts[4].pubkey = fake_vault;
    let failure = env
        .send("withdraw", &[ix], &[&trader.wallet])
        .await
        .expect_err("fake vault");
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);

    // A spot market address that is not the market's PDA.
    let mut ix = instructions::withdraw(&trader.collateral(&exchange), 1_000_000, false, &[]);
    ix.accounts[3].pubkey = trader.user;
    let failure = env
        .send("withdraw", &[ix], &[&trader.wallet])
        .await
        .expect_err("fake market");
    assert_anchor_error(&failure, ErrorCode::AccountDiscriminatorMismatch);
    assert_eq!(env.token_balance(pda::spot_vault(0)).await, 1_000_000);
}
