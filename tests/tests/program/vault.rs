//! The example integrator (`programs/bal-vault`) drives BAL through CPI signed by its PDA: a
//! vault adds and removes liquidity pro rata to its depositors' shares and settles, and a wrong
//! PDA or a subaccount that is not the vault's is refused with nothing changed.
use anchor_lang::error::ErrorCode;
use anchor_lang::prelude::Pubkey;
use bal::controller::amm_fill::PositionDirection::Long;
use bal::controller::margin::{MarketView, MarketViews};
use bal::error::BalError;
use bal::math::constants::BASE_PRECISION;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::pda;
use bal_tests::errors::{
    assert_anchor_error, assert_bal_error, custom_code, failing_program, refused,
};
use bal_tests::fixtures::{new_trader, order, set_oracle_price, setup_trading, trade};
use bal_tests::vault::{
    self, buy_shares, create_vault, depositor, redeem_shares, VaultAddresses, LP_PER_SHARE,
};
use bal_tests::{TestEnv, TxFailure};
use bal_vault::equity::lp_target;
use bal_vault::error::VaultError;
use bal_vault::state::{Depositor, Vault};
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;

/// The vault's total shares, its BAL subaccount and the LP shares it holds.
async fn vault_state(env: &mut TestEnv, vault: &VaultAddresses) -> (Vault, User, u64) {
    let account: Vault = env.account(vault.vault).await;
    let user: User = env.load(vault.bal_user).await;
    let lp = user
        .perp_positions
        .iter()
        .find(|p| p.is_active())
        .map_or(0, |p| p.lp.shares.get() as u64);
    (account, user, lp)
}

/// The vault's net value at `oracle_price`, from the accounts as stored. precision: QUOTE
async fn net_value(env: &mut TestEnv, vault: &VaultAddresses, oracle_price: u64) -> i128 {
    let user: User = env.load(vault.bal_user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    let views = MarketViews(vec![MarketView::current(&market, oracle_price).unwrap()]);
    bal::controller::margin::net_value(&user, &spot, &views).unwrap()
}

#[track_caller]
fn assert_vault_error(failure: &TxFailure, expected: VaultError) {
    assert_eq!(
        failing_program(failure),
        Some(bal_vault::ID.to_string()),
        "the vault refuses, not BAL"
    );
    let want = u32::from(expected);
    assert_eq!(custom_code(failure), Some(want), "{:?}", failure.logs);
}

#[tokio::test]
async fn depositors_add_and_remove_liquidity_pro_rata_through_cpi() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let user: User = env.load(vault.bal_user).await;
    assert_eq!(user.authority, vault.authority, "BAL knows the vault's PDA");
    let step = env
        .load::<PerpMarket>(pda::perp_market(0))
        .await
        .order_step_size;

    let alice = depositor(&mut env, &exchange, 20_000 * DOLLAR).await;
    let bob = depositor(&mut env, &exchange, 20_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &vault, &alice, 10_000 * DOLLAR)
        .await
        .expect("first deposit");
    buy_shares(&mut env, &exchange, &vault, &bob, 5_000 * DOLLAR)
        .await
        .expect("second deposit");
    let (account, user, lp) = vault_state(&mut env, &vault).await;
    assert_eq!(
        account.total_shares,
        15_000 * DOLLAR,
        "both bought at $1 a share"
    );
    assert_eq!(lp, 150 * BASE, "liquidity added pro rata to the shares");
    assert_eq!(
        lp,
        lp_target(account.total_shares, LP_PER_SHARE, step).unwrap()
    );
    assert_eq!(user.total_deposits, 15_000 * DOLLAR);
    assert_eq!(
        env.token_balance(vault.tokens).await,
        0,
        "every token went on to BAL"
    );

    // A trader buys from the AMM: the vault, an LP, takes part of the short. Settling through
    // the vault (a CPI its PDA signs) moves that into its BAL position.
    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 20 * BASE))
        .await
        .expect("trade");
    env.send(
        "vault_settle",
        &[vault::settle(&vault, &exchange)],
        &[&manager],
    )
    .await
    .expect("settle through the vault");
    let (_, user, _) = vault_state(&mut env, &vault).await;
    let position = user.perp_positions.iter().find(|p| p.is_active()).unwrap();
    assert!(
        position.base_asset_amount < 0,
        "the vault is short: {position:?}"
    );

    // Within BAL's cooldown the removal is BAL's to refuse, and nothing moves.
    let alice_depositor = vault.depositor(&alice.wallet.pubkey());
    let watched = [
        vault.vault,
        vault.bal_user,
        alice_depositor,
        alice.accounts.token_account,
    ];
    let early = refused(
        &mut env,
        vault::withdraw(&vault, &exchange, &alice.accounts, DOLLAR),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&early, BalError::LpCooldown);

    // The price rises; Alice redeems half her shares. She gets her part of the net value, the
    // vault keeps the liquidity target for the shares left, and Bob's claim does not shrink.
    env.advance(3_600, 100).await;
    let price = 101 * DOLLAR;
    set_oracle_price(&mut env, &exchange, price as i64).await;
    let value = net_value(&mut env, &vault, price).await;
    let (account, _, _) = vault_state(&mut env, &vault).await;
    let bob_claim_before = value * 5_000 / 15_000;
    let alice_tokens = env.token_balance(alice.accounts.token_account).await;
    redeem_shares(&mut env, &exchange, &vault, &alice, 5_000 * DOLLAR)
        .await
        .expect("withdraw");
    let paid = (env.token_balance(alice.accounts.token_account).await - alice_tokens) as i128;
    let fair = value * 5_000 / 15_000;
    assert!(paid <= fair && paid >= fair - 2, "paid {paid}, fair {fair}");
    let (after, _, lp) = vault_state(&mut env, &vault).await;
    assert_eq!(after.total_shares, account.total_shares - 5_000 * DOLLAR);
    assert_eq!(
        lp,
        lp_target(after.total_shares, LP_PER_SHARE, step).unwrap()
    );
    assert_eq!(lp, 100 * BASE);
    let depositor: Depositor = env.account(alice_depositor).await;
    assert_eq!(depositor.shares, 5_000 * DOLLAR);
    assert_eq!(env.token_balance(vault.tokens).await, 0);
    let bob_claim_after = net_value(&mut env, &vault, price).await * 5_000 / 10_000;
    assert!(
        bob_claim_after >= bob_claim_before - 2,
        "Bob's claim {bob_claim_before} -> {bob_claim_after}"
    );

    // More than she holds is the vault's to refuse.
    let greedy = refused(
        &mut env,
        vault::withdraw(&vault, &exchange, &alice.accounts, 5_000 * DOLLAR + 1),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_vault_error(&greedy, VaultError::InsufficientShares);
}

#[tokio::test]
async fn a_wrong_pda_or_a_foreign_subaccount_is_refused() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let ours = create_vault(&mut env, &exchange, &manager, 0).await;
    let theirs = create_vault(&mut env, &exchange, &manager, 1).await;
    let alice = depositor(&mut env, &exchange, 1_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &theirs, &alice, 100 * DOLLAR)
        .await
        .expect("deposit into the other vault");
    let watched = [
        ours.vault,
        ours.bal_user,
        theirs.vault,
        theirs.bal_user,
        alice.accounts.token_account,
    ];

    // Another vault's PDA as our authority: the seeds do not match.
    let mut wrong_pda = ours;
    wrong_pda.authority = theirs.authority;
    let failure = refused(
        &mut env,
        vault::deposit(&wrong_pda, &exchange, &alice.accounts, 10 * DOLLAR),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_eq!(failing_program(&failure), Some(bal_vault::ID.to_string()));
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);

    // Our PDA with the other vault's BAL subaccount: its value is not ours to price shares by.
    let mut foreign_user = ours;
    foreign_user.bal_user = theirs.bal_user;
    let failure = refused(
        &mut env,
        vault::withdraw(&foreign_user, &exchange, &alice.accounts, DOLLAR),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_vault_error(&failure, VaultError::NotVaultUser);
}

/// A program can sign only for its own PDAs: a vault cannot make BAL create (or take over) a
/// subaccount under another authority's seeds.
#[tokio::test]
async fn bal_refuses_a_subaccount_the_signing_pda_does_not_own() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let victim = new_trader(&mut env, &exchange, 100 * DOLLAR, 0).await;
    let manager = env.funded_wallet().await;
    let mut hostile = VaultAddresses::new(manager.pubkey(), 0);
    hostile.bal_user = victim.user;
    let failure = refused(
        &mut env,
        vault::initialize_vault(&hostile, &exchange, LP_PER_SHARE),
        &[&manager],
        &[hostile.vault, hostile.authority, victim.user],
    )
    .await;
    assert_eq!(
        failing_program(&failure),
        Some(bal::ID.to_string()),
        "BAL refuses: {:?}",
        failure.logs
    );
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);

    // An address no one owns yet is refused the same way: BAL derives it from the signer.
    hostile.bal_user = Pubkey::new_unique();
    let failure = refused(
        &mut env,
        vault::initialize_vault(&hostile, &exchange, LP_PER_SHARE),
        &[&manager],
        &[hostile.vault, hostile.authority, hostile.bal_user],
    )
    .await;
    assert_eq!(failing_program(&failure), Some(bal::ID.to_string()));
    assert_anchor_error(&failure, ErrorCode::ConstraintSeeds);
}
