use bal::error::BalError;
use bal::instructions::InitializePerpMarketParams;
use bal::state::pyth::PYTH_RECEIVER_PROGRAM_ID;
use bal::state::{OracleSource, PerpMarket, ProgramOracle};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{
    default_perp_market, repeg, set_oracle_price, setup_exchange, setup_exchange_with_market,
    Exchange,
};
use bal_tests::TestEnv;
use solana_account::Account;
use solana_signer::Signer;

async fn init_market(
    env: &mut TestEnv,
    exchange: &Exchange,
    oracle: anchor_lang::prelude::Pubkey,
    params: InitializePerpMarketParams,
) -> Result<(), bal_tests::TxFailure> {
    env.send(
        "initialize_perp_market",
        &[instructions::initialize_perp_market(
            exchange.admin.pubkey(),
            oracle,
            0,
            params,
        )],
        &[&exchange.admin],
    )
    .await
    .map(|_| ())
}

#[tokio::test]
async fn only_the_updater_writes_a_program_oracle() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    set_oracle_price(&mut env, &exchange, 123_000_000).await;
    let oracle: ProgramOracle = env.load(exchange.oracle).await;
    assert_eq!(oracle.price, 123_000_000);
    assert_eq!(oracle.updater, exchange.oracle_updater.pubkey());

    let stranger = env.funded_wallet().await;
    let failure = env
        .send(
            "update_program_oracle",
            &[instructions::update_program_oracle(
                stranger.pubkey(),
                exchange.oracle,
                1,
                0,
            )],
            &[&stranger],
        )
        .await
        .expect_err("not the updater");
    assert_bal_error(&failure, BalError::NotOracleUpdater);
}

#[tokio::test]
async fn each_bad_oracle_state_has_its_own_refusal() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;

    set_oracle_price(&mut env, &exchange, 0).await;
    let failure = init_market(&mut env, &exchange, exchange.oracle, default_perp_market())
        .await
        .unwrap_err();
    assert_bal_error(&failure, BalError::OracleNonPositive);

    // Confidence of 5% against a 2% limit.
    env.send(
        "update_program_oracle",
        &[instructions::update_program_oracle(
            exchange.oracle_updater.pubkey(),
            exchange.oracle,
            100_000_000,
            5_000_000,
        )],
        &[&exchange.oracle_updater],
    )
    .await
    .expect("uncertain price");
    let failure = init_market(&mut env, &exchange, exchange.oracle, default_perp_market())
        .await
        .unwrap_err();
    assert_bal_error(&failure, BalError::OracleTooUncertain);

    set_oracle_price(&mut env, &exchange, 100_000_000).await;
    env.advance(30, 100).await;
    let failure = init_market(&mut env, &exchange, exchange.oracle, default_perp_market())
        .await
        .unwrap_err();
    assert_bal_error(&failure, BalError::OracleStale);

    // An account that is not a program oracle of this program.
    let failure = init_market(&mut env, &exchange, pda::state(), default_perp_market())
        .await
        .unwrap_err();
    assert_bal_error(&failure, BalError::InvalidOracle);
    assert!(env.raw_account(pda::perp_market(0)).await.is_none());
}

#[tokio::test]
async fn a_jump_away_from_the_twap_is_refused_for_a_repeg() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange_with_market(&mut env).await;
    set_oracle_price(&mut env, &exchange, 150_000_000).await;
    let failure = repeg(&mut env, &exchange).await.expect_err("50% jump");
    assert_bal_error(&failure, BalError::OracleTooDivergent);

    // A different, valid oracle is still not the market's oracle.
    env.send(
        "initialize_program_oracle",
        &[instructions::initialize_program_oracle(
            exchange.admin.pubkey(),
            1,
            exchange.oracle_updater.pubkey(),
        )],
        &[&exchange.admin],
    )
    .await
    .expect("second oracle");
    let other = pda::program_oracle(1);
    env.send(
        "update_program_oracle",
        &[instructions::update_program_oracle(
            exchange.oracle_updater.pubkey(),
            other,
            100_000_000,
            0,
        )],
        &[&exchange.oracle_updater],
    )
    .await
    .expect("price on second oracle");
    let failure = env
        .send(
            "repeg_amm",
            &[instructions::repeg_amm(exchange.admin.pubkey(), 0, other)],
            &[&exchange.admin],
        )
        .await
        .expect_err("substituted oracle");
    assert_bal_error(&failure, BalError::InvalidOracle);
}

/// BONK/USD, fully verified, from drift-labs/protocol-v2's oracle tests.
const BONK_PRICE_UPDATE: &str = "22f123639d7ef4cdb4eacbe402ae9165c2ab7dfcdbe5044d27f284106f88a90bfddefa5fbff60ca00172b021217ca3fe68922a19aaf990109cb9d84e9ad004b4d2025ad6f529314419b6450500000000000502000000000000f6ffffffc578586600000000c578586600000000931f0500000000009f01000000000000053306100000000000";

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A market on a real Pyth `PriceUpdateV2` account: listed when fresh and owned by Pyth's
/// receiver, refused when owned by anyone else.
#[tokio::test]
async fn a_market_reads_a_pyth_price_update() {
    let mut env = TestEnv::start().await;
    let exchange = setup_exchange(&mut env).await;
    let data = hex(BONK_PRICE_UPDATE);
    let feed_id: [u8; 32] = data[41..73].try_into().unwrap();
    let forged = anchor_lang::prelude::Pubkey::new_unique();
    let genuine = anchor_lang::prelude::Pubkey::new_unique();
    for (address, owner) in [(forged, bal::ID), (genuine, PYTH_RECEIVER_PROGRAM_ID)] {
        env.set_account(
            address,
            Account {
                lamports: 10_000_000,
                data: data.clone(),
                owner,
                executable: false,
                rent_epoch: 0,
            },
        );
    }
    // The update was published at unix time 1_717_074_117, slot 268_841_733.
    env.set_clock(1_717_074_120, 268_841_740).await;
    let params = InitializePerpMarketParams {
        oracle_source: OracleSource::PythPull,
        pyth_feed_id: feed_id,
        ..default_perp_market()
    };
    let failure = init_market(&mut env, &exchange, forged, params)
        .await
        .unwrap_err();
    assert_bal_error(&failure, BalError::InvalidOracle);

    let wrong_feed = InitializePerpMarketParams {
        pyth_feed_id: [7; 32],
        ..params
    };
    let failure = init_market(&mut env, &exchange, genuine, wrong_feed)
        .await
        .unwrap_err();
    assert_bal_error(&failure, BalError::InvalidOracle);

    init_market(&mut env, &exchange, genuine, params)
        .await
        .expect("pyth market");
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    // 0.0000345526 USD in six decimals.
    assert_eq!(market.amm.last_oracle_price, 34);
    assert_eq!(market.amm.peg_multiplier, 34);
}
