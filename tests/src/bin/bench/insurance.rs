//! The insurance fund's instructions: a stake opened and added to, a request made, withdrawn
//! and made again, paid after the delay; the admin's change of the delay.
use bal::state::DEFAULT_INSURANCE_UNSTAKE_DELAY;
use bal_client::instructions;
use bal_tests::fixtures::setup_trading;
use bal_tests::insurance::staker;
use bal_tests::TestEnv;
use solana_signer::Signer;

pub async fn insurance_round_trip() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let admin = exchange.admin.insecure_clone();
    env.send(
        "update_insurance_unstake_delay",
        &[instructions::update_insurance_unstake_delay(
            admin.pubkey(),
            DEFAULT_INSURANCE_UNSTAKE_DELAY,
        )],
        &[&admin],
    )
    .await
    .expect("update_insurance_unstake_delay");
    let fund = staker(&mut env, &exchange, 1_000_000_000).await;
    let me = fund.wallet.pubkey();
    let request = instructions::request_insurance_unstake(me, 500_000_000);
    for (label, ix) in [
        ("request_insurance_unstake", request.clone()),
        (
            "cancel_insurance_unstake",
            instructions::cancel_insurance_unstake(me),
        ),
        ("request_insurance_unstake", request),
    ] {
        env.send(label, &[ix], &[&fund.wallet]).await.expect(label);
    }
    env.advance(DEFAULT_INSURANCE_UNSTAKE_DELAY, 10).await;
    env.send(
        "remove_insurance_stake",
        &[instructions::remove_insurance_stake(
            &fund.accounts(&exchange),
        )],
        &[&fund.wallet],
    )
    .await
    .expect("remove_insurance_stake");
}
