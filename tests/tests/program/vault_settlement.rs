//! The example vault while its market settles: BAL neither removes liquidity nor trades there,
//! so a redemption first closes the vault's position at the settlement price, then pays its
//! part of the vault's settled cash now; a gain still waiting as a claim counts for nothing (its
//! payout is unknown until the claim window ends) and stays with the shares that stay, which
//! take it once it is paid. Nothing is bought while the market settles.
use bal::math::constants::BASE_PRECISION;
use bal::read::balances::signed_token_amount;
use bal::state::PositionDirection::Long;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::fixtures::{market, new_trader, order, setup_trading, trade};
use bal_tests::markets::walk_oracle;
use bal_tests::vault::{
    assert_vault_error, buy_shares, create_vault, depositor, redeem_shares, run_invest,
};
use bal_tests::TestEnv;
use bal_vault::error::VaultError;
use bal_vault::state::Vault;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;

#[tokio::test]
async fn a_vault_pays_its_settled_cash_while_its_market_settles_and_keeps_the_claim_for_the_rest() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let admin = exchange.admin.insecure_clone();
    let keeper = env.funded_wallet().await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let early = depositor(&mut env, &exchange, 10_000 * DOLLAR).await;
    let late = depositor(&mut env, &exchange, 10_000 * DOLLAR).await;
    for who in [&early, &late] {
        buy_shares(&mut env, &exchange, &vault, who, 10_000 * DOLLAR)
            .await
            .expect("a deposit");
    }
    run_invest(&mut env, &exchange, &vault, &keeper)
        .await
        .expect("the vault's liquidity");
    // A trader buys from the AMM and the price falls: the LPs, the vault among them, are short
    // and gain; the trader's loss pays the P&L pool only part of what the LPs are owed.
    let trader = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 30 * BASE))
        .await
        .expect("a long");
    walk_oracle(&mut env, &exchange, trader.user, &[97_000_000, 95_000_000]).await;
    let begin = instructions::begin_settlement(admin.pubkey(), &market(&exchange), 95_000_000);
    env.send("begin_settlement", &[begin], &[&admin])
        .await
        .expect("settle at $95");

    // Nothing is bought while the market settles.
    let refused = buy_shares(&mut env, &exchange, &vault, &late, 1_000 * DOLLAR)
        .await
        .expect_err("no deposit while settling");
    assert_vault_error(&refused, VaultError::MarketSettling);

    // The early depositor redeems everything now: the vault's position closes at $95 and the
    // shares are paid half the vault's cash, the claim left out.
    let account: Vault = env.account(vault.vault).await;
    let shares = env
        .account::<bal_vault::state::Depositor>(vault.depositor(&early.accounts.owner))
        .await
        .shares;
    let redeemed = redeem_shares(&mut env, &exchange, &vault, &early, shares)
        .await
        .expect("a redemption while the market settles");
    assert_eq!(redeemed, shares);
    let user: User = env.load(vault.bal_user).await;
    let position = user
        .perp_positions
        .iter()
        .find(|p| p.is_active())
        .copied()
        .expect("the vault's claim");
    assert_eq!(
        position.base_asset_amount, 0,
        "closed at the settlement price"
    );
    let claim = position.quote_asset_amount.get();
    assert!(claim > 0, "a gain waiting as a claim: {claim}");
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let cash_left = signed_token_amount(&user.quote_balance, &spot).unwrap();
    let paid = i128::from(env.token_balance(early.accounts.token_account).await);
    // Half the cash the close left (rounded down): what was paid plus what is left is that
    // cash, and the paid half is the smaller.
    assert!(
        paid <= cash_left && cash_left - paid <= 1,
        "paid {paid}, left {cash_left}"
    );
    assert_eq!(
        env.account::<Vault>(vault.vault).await.total_shares,
        account.total_shares - shares
    );

    // The last shares cannot leave before the claim is paid: it would be paid to nobody.
    let late_shares = env
        .account::<bal_vault::state::Depositor>(vault.depositor(&late.accounts.owner))
        .await
        .shares;
    let early_exit = redeem_shares(&mut env, &exchange, &vault, &late, late_shares)
        .await
        .expect_err("the claim is not paid yet");
    assert_vault_error(&early_exit, VaultError::ClaimPending);

    // The trader's long closed, payouts fixed a day later and the claim paid: the depositor
    // who stayed takes the cash and the paid claim.
    let users = [vault.bal_user, trader.user];
    env.send(
        "settle_expired_positions",
        &[instructions::settle_expired_positions(&users, 0, true)],
        &[&keeper],
    )
    .await
    .expect("close the trader's long");
    env.advance(24 * 3_600, 10).await;
    env.send(
        "finalize_settlement",
        &[instructions::finalize_settlement(0)],
        &[&keeper],
    )
    .await
    .expect("fix the payouts");
    env.send(
        "settle_expired_positions",
        &[instructions::settle_expired_positions(&users, 0, true)],
        &[&keeper],
    )
    .await
    .expect("pay the claims");
    let perp: PerpMarket = env.load(pda::perp_market(0)).await;
    assert_eq!(perp.settlement.finalized, 1);
    redeem_shares(&mut env, &exchange, &vault, &late, late_shares)
        .await
        .expect("the last redemption");
    let late_paid = i128::from(env.token_balance(late.accounts.token_account).await);
    assert!(
        late_paid > paid,
        "the shares that stayed took the claim: {late_paid} vs {paid}"
    );
    assert_eq!(env.account::<Vault>(vault.vault).await.total_shares, 0);
}
