//! One test per classic hole: each hostile transaction gets its specific error and leaves every
//! account it named exactly as it was.
use anchor_lang::error::ErrorCode;
use anchor_lang::prelude::Pubkey;
use bal::error::BalError;
use bal::math::constants::{BASE_PRECISION, PRICE_PRECISION};
use bal::state::PositionDirection::Long;
use bal::state::PriceBounds;
use bal_client::instructions::{self, MarketAccounts};
use bal_client::pda;
use bal_tests::errors::{assert_anchor_error, assert_bal_error, refused};
use bal_tests::fixtures::{
    add_liquidity, market, new_trader, order, resting, setup_trading, trade, Exchange, Trader,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

/// `signer` buys 1.0 base for `user` in `market` (no other positions).
fn buy_one(
    signer: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
) -> anchor_lang::solana_program::instruction::Instruction {
    instructions::place_perp_order(signer, user, market, &[], order(Long, BASE))
}

async fn trading_pair(env: &mut TestEnv) -> (Exchange, Trader, Trader) {
    let exchange = setup_trading(env).await;
    let alice = new_trader(env, &exchange, 10_000_000_000, 0).await;
    let mallory = new_trader(env, &exchange, 10_000_000_000, 0).await;
    (exchange, alice, mallory)
}

#[tokio::test]
async fn an_authority_that_did_not_sign_is_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, mallory) = trading_pair(&mut env).await;
    // Mallory pays and submits an order on Alice's account with Alice's key unsigned.
    let mut ix = buy_one(alice.wallet.pubkey(), alice.user, &market(&exchange));
    ix.accounts[0].is_signer = false;
    let failure = refused(
        &mut env,
        ix,
        &[&mallory.wallet],
        &[alice.user, pda::perp_market(0)],
    )
    .await;
    assert_anchor_error(&failure, ErrorCode::AccountNotSigner);
}

#[tokio::test]
async fn another_wallet_cannot_act_on_a_users_account() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, mallory) = trading_pair(&mut env).await;
    let ix = buy_one(mallory.wallet.pubkey(), alice.user, &market(&exchange));
    let failure = refused(&mut env, ix, &[&mallory.wallet], &[alice.user]).await;
    assert_bal_error(&failure, BalError::NotUserAuthority);
    let mut ix = instructions::withdraw(&mallory.collateral(&exchange), 1, false, &[]);
    ix.accounts[2].pubkey = alice.user;
    let failure = refused(
        &mut env,
        ix,
        &[&mallory.wallet],
        &[alice.user, mallory.token_account],
    )
    .await;
    assert_bal_error(&failure, BalError::NotUserAuthority);
}

#[tokio::test]
async fn an_account_of_the_wrong_owner_or_type_is_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, mallory) = trading_pair(&mut env).await;
    // A wallet (system-owned) where a User must be.
    let ix = buy_one(
        mallory.wallet.pubkey(),
        mallory.wallet.pubkey(),
        &market(&exchange),
    );
    let failure = refused(&mut env, ix, &[&mallory.wallet], &[mallory.user]).await;
    assert_anchor_error(&failure, ErrorCode::AccountOwnedByWrongProgram);
    // The spot market (right owner, wrong type) where a User must be.
    let ix = buy_one(
        alice.wallet.pubkey(),
        pda::spot_market(0),
        &market(&exchange),
    );
    let failure = refused(&mut env, ix, &[&alice.wallet], &[pda::spot_market(0)]).await;
    assert_anchor_error(&failure, ErrorCode::AccountDiscriminatorMismatch);
}

#[tokio::test]
async fn a_substituted_oracle_is_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    // Another program oracle the attacker controls, at a price of its choosing.
    let fake = pda::program_oracle(7);
    env.send_setup(
        &[instructions::initialize_program_oracle(
            exchange.admin.pubkey(),
            7,
            alice.wallet.pubkey(),
        )],
        &[&exchange.admin],
    )
    .await;
    let substituted = MarketAccounts {
        market_index: 0,
        oracle: fake,
    };
    let ix = buy_one(alice.wallet.pubkey(), alice.user, &substituted);
    let failure = refused(
        &mut env,
        ix,
        &[&alice.wallet],
        &[alice.user, pda::perp_market(0)],
    )
    .await;
    assert_bal_error(&failure, BalError::InvalidOracle);
}

#[tokio::test]
async fn a_market_passed_under_another_index_is_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    // The spot market where the perp market must be: its seeds and type do not match.
    let mut ix = buy_one(alice.wallet.pubkey(), alice.user, &market(&exchange));
    ix.accounts[4].pubkey = pda::spot_market(0);
    let failure = refused(&mut env, ix, &[&alice.wallet], &[alice.user]).await;
    assert_anchor_error(&failure, ErrorCode::AccountDiscriminatorMismatch);
}

#[tokio::test]
async fn liquidating_yourself_is_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    trade(&mut env, &exchange, &alice, order(Long, BASE))
        .await
        .expect("a long");
    let ix = instructions::liquidate_perp(
        alice.wallet.pubkey(),
        alice.user,
        alice.user,
        &market(&exchange),
        &[],
        u64::MAX,
    );
    let failure = refused(&mut env, ix, &[&alice.wallet], &[alice.user]).await;
    assert_bal_error(&failure, BalError::SelfAction);
}

#[tokio::test]
async fn a_subaccount_address_cannot_be_created_under_other_seeds() {
    let mut env = TestEnv::start().await;
    let (_, alice, mallory) = trading_pair(&mut env).await;
    // Mallory asks for subaccount 1 at the address of Alice's subaccount 1.
    let mut ix = instructions::initialize_user(mallory.wallet.pubkey(), 1, [0; 32]);
    ix.accounts[1].pubkey = pda::user(&alice.wallet.pubkey(), 1);
    let failure = refused(
        &mut env,
        ix,
        &[&mallory.wallet],
        &[pda::user(&alice.wallet.pubkey(), 1)],
    )
    .await;
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);
    // Re-creating an existing subaccount is refused too.
    let ix = instructions::initialize_user(alice.wallet.pubkey(), 0, [0; 32]);
    let failure = refused(&mut env, ix, &[&alice.wallet], &[alice.user]).await;
    assert_bal_error(&failure, BalError::AccountAlreadyInitialized);
}

#[tokio::test]
async fn a_deleted_subaccount_stays_closed() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let bob = new_trader(&mut env, &exchange, 0, 0).await;
    env.send(
        "delete_user",
        &[instructions::delete_user(bob.wallet.pubkey(), 0)],
        &[&bob.wallet],
    )
    .await
    .expect("delete");
    // Depositing into the closed address (the system program's again) does not revive it.
    let ix = instructions::deposit(&bob.collateral(&exchange), 1);
    let failure = refused(&mut env, ix, &[&bob.wallet], &[bob.user]).await;
    assert_anchor_error(&failure, ErrorCode::AccountOwnedByWrongProgram);
}

#[tokio::test]
async fn margin_accounts_in_the_wrong_order_or_of_the_wrong_type_are_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    add_liquidity(&mut env, &exchange, &alice, 10 * BASE)
        .await
        .expect("a position");
    // `withdraw` names no market: it needs the (market, oracle) pair of every position.
    let mut swapped =
        instructions::withdraw(&alice.collateral(&exchange), 1, false, &[market(&exchange)]);
    let n = swapped.accounts.len();
    swapped.accounts.swap(n - 1, n - 2);
    let failure = refused(&mut env, swapped, &[&alice.wallet], &[alice.user]).await;
    assert_bal_error(&failure, BalError::InvalidRemainingAccounts);
    let missing = instructions::withdraw(&alice.collateral(&exchange), 1, false, &[]);
    let failure = refused(&mut env, missing, &[&alice.wallet], &[alice.user]).await;
    assert_bal_error(&failure, BalError::MarginAccountMissing);
}

#[tokio::test]
async fn amounts_at_the_extremes_get_typed_errors() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    let ix = instructions::place_perp_order(
        alice.wallet.pubkey(),
        alice.user,
        &market(&exchange),
        &[],
        order(Long, u64::MAX / 1_000_000 * 1_000_000),
    );
    let failure = refused(
        &mut env,
        ix,
        &[&alice.wallet],
        &[alice.user, pda::perp_market(0)],
    )
    .await;
    assert_bal_error(&failure, BalError::AmmReserveBounds);
    // A resting order carrying more than one fill's quote ($1e12): 1e9 base at $10,000.
    let ix = instructions::place_order(
        alice.wallet.pubkey(),
        alice.user,
        &market(&exchange),
        &[],
        resting(
            Long,
            1_000_000_000 * BASE,
            10_000 * PRICE_PRECISION as u64,
            false,
        ),
    );
    let failure = refused(
        &mut env,
        ix,
        &[&alice.wallet],
        &[alice.user, pda::perp_market(0)],
    )
    .await;
    assert_bal_error(&failure, BalError::AmountTooLarge);
    let ix = instructions::add_liquidity(
        alice.wallet.pubkey(),
        alice.user,
        &market(&exchange),
        &[],
        u64::MAX,
        PriceBounds::UNBOUNDED,
    );
    let failure = refused(
        &mut env,
        ix,
        &[&alice.wallet],
        &[alice.user, pda::perp_market(0)],
    )
    .await;
    assert_bal_error(&failure, BalError::MaxLiquidityReached);
}

/// The sizes a careless or hostile client sends (a million base, every token there is, as a
/// deposit or a borrow) are refused with an error that names the problem, not an arithmetic
/// one, and change nothing.
#[tokio::test]
async fn oversized_amounts_get_errors_that_name_them() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    let watched = [
        alice.user,
        alice.token_account,
        pda::perp_market(0),
        pda::spot_market(0),
        pda::spot_vault(0),
    ];
    let order_ix = instructions::place_perp_order(
        alice.wallet.pubkey(),
        alice.user,
        &market(&exchange),
        &[],
        order(Long, 1_000_000 * BASE),
    );
    let failure = refused(&mut env, order_ix, &[&alice.wallet], &watched).await;
    assert_bal_error(&failure, BalError::AmmReserveBounds);
    let deposit = instructions::deposit(&alice.collateral(&exchange), u64::MAX);
    let failure = refused(&mut env, deposit, &[&alice.wallet], &watched).await;
    assert_bal_error(&failure, BalError::InsufficientTokens);
    let borrow = instructions::withdraw(
        &alice.collateral(&exchange),
        u64::MAX,
        true,
        &[market(&exchange)],
    );
    let failure = refused(&mut env, borrow, &[&alice.wallet], &watched).await;
    assert_bal_error(&failure, BalError::WithdrawalExceedsVault);
}

/// The argument a PDA's seeds are read from must name the account passed: a trade whose
/// `market_index` names another market than its accounts, or a setting whose `sub_account_id`
/// names another subaccount, is refused and changes nothing.
#[tokio::test]
async fn an_argument_naming_another_market_or_subaccount_than_its_accounts_is_refused() {
    let mut env = TestEnv::start().await;
    let (exchange, alice, _) = trading_pair(&mut env).await;
    let mut ix = instructions::place_perp_order(
        alice.wallet.pubkey(),
        alice.user,
        &market(&exchange),
        &[],
        order(Long, BASE_PRECISION as u64),
    );
    // The first argument, after the 8-byte discriminator: market 1 with market 0's accounts.
    ix.data[8..10].copy_from_slice(&1u16.to_le_bytes());
    let touched = [alice.user, pda::perp_market(0), pda::spot_market(0)];
    let failure = refused(&mut env, ix, &[&alice.wallet], &touched).await;
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);

    let mut ix = instructions::update_user(
        alice.wallet.pubkey(),
        0,
        instructions::UserSetting::CustomMarginRatio(5_000),
    );
    ix.data[8..10].copy_from_slice(&1u16.to_le_bytes());
    let failure = refused(&mut env, ix, &[&alice.wallet], &[alice.user]).await;
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);
}
