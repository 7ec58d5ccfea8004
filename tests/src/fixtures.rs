//! Ready-made exchange states that tests and the benchmark build on.
use crate::TestEnv;
use bal::instructions::InitializeParams;
use bal::state::FeeSchedule;
use bal_client::instructions;
use solana_signer::Signer;

/// The fee schedule tests assume unless they say otherwise: 10 bps taker, 2 bps maker rebate.
pub fn default_params() -> InitializeParams {
    InitializeParams {
        lp_cooldown_seconds: 3_600,
        fees: FeeSchedule {
            taker_fee_rate: 1_000,
            maker_rebate_rate: 200,
            filler_reward_rate: 100_000,
            liquidator_share_rate: 500_000,
        },
        paused_operations: 0,
    }
}

/// Initializes the global state with `default_params`, signed by the upgrade authority.
pub async fn initialize_state(env: &mut TestEnv) {
    let admin = env.upgrade_authority.insecure_clone();
    env.send(
        "initialize",
        &[instructions::initialize(admin.pubkey(), default_params())],
        &[&admin],
    )
    .await
    .expect("initialize");
}
