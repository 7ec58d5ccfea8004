use anchor_spl::token::spl_token;
use bal::error::BalError;
use bal::state::{InterestCurve, SpotMarket};
use bal_client::instructions::{self, QuoteMint};
use bal_client::pda;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{create_mint, default_interest_curve, initialize_state, setup_exchange};
use bal_tests::TestEnv;
use solana_signer::Signer;

#[tokio::test]
async fn the_quote_market_needs_the_admin_six_decimals_and_index_zero() {
    let mut env = TestEnv::start().await;
    let admin = initialize_state(&mut env).await;
    let (nine_decimals, _) = create_mint(&mut env, spl_token::ID, 9).await;
    let quote = QuoteMint {
        mint: nine_decimals,
        token_program: spl_token::ID,
    };
    let failure = env
        .send(
            "initialize_spot_market",
            &[instructions::initialize_spot_market(
                admin.pubkey(),
                quote,
                default_interest_curve(),
            )],
            &[&admin],
        )
        .await
        .expect_err("nine decimals");
    assert_bal_error(&failure, BalError::InvalidMintDecimals);

    let (mint, _) = create_mint(&mut env, spl_token::ID, 6).await;
    let quote = QuoteMint {
        mint,
        token_program: spl_token::ID,
    };
    let stranger = env.funded_wallet().await;
    let failure = env
        .send(
            "initialize_spot_market",
            &[instructions::initialize_spot_market(
                stranger.pubkey(),
                quote,
                default_interest_curve(),
            )],
            &[&stranger],
        )
        .await
        .expect_err("not admin");
    assert_bal_error(&failure, BalError::NotAdmin);

    let bad_curve = InterestCurve {
        optimal_utilization: 0,
        ..default_interest_curve()
    };
    let failure = env
        .send(
            "initialize_spot_market",
            &[instructions::initialize_spot_market(
                admin.pubkey(),
                quote,
                bad_curve,
            )],
            &[&admin],
        )
        .await
        .expect_err("bad curve");
    assert_bal_error(&failure, BalError::InvalidInterestCurve);
    assert!(env.raw_account(pda::spot_market(0)).await.is_none());

    env.send(
        "initialize_spot_market",
        &[instructions::initialize_spot_market(
            admin.pubkey(),
            quote,
            default_interest_curve(),
        )],
        &[&admin],
    )
    .await
    .expect("initialize_spot_market");
    let market: SpotMarket = env.load(pda::spot_market(0)).await;
    assert_eq!(market.mint, mint);
    assert_eq!(market.vault, pda::spot_vault(0));
    assert_eq!(market.decimals, 6);
}

#[tokio::test]
async fn the_admin_changes_the_interest_curve() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    let steeper = InterestCurve {
        optimal_borrow_rate: 200_000,
        ..default_interest_curve()
    };
    env.send(
        "update_spot_market_interest",
        &[instructions::update_spot_market_interest(
            exchange.admin.pubkey(),
            steeper,
        )],
        &[&exchange.admin],
    )
    .await
    .expect("update interest");
    let market: SpotMarket = env.load(pda::spot_market(0)).await;
    assert_eq!(market.interest_curve, steeper);

    let inverted = InterestCurve {
        optimal_borrow_rate: 2_000_000,
        ..default_interest_curve()
    };
    let failure = env
        .send(
            "update_spot_market_interest",
            &[instructions::update_spot_market_interest(
                exchange.admin.pubkey(),
                inverted,
            )],
            &[&exchange.admin],
        )
        .await
        .expect_err("optimal above max");
    assert_bal_error(&failure, BalError::InvalidInterestCurve);
}
