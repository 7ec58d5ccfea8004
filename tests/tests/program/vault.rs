//! The example integrator (`programs/bal-vault`) drives BAL through CPI signed by its PDA: a
//! vault adds and removes liquidity pro rata to its depositors' shares and settles, and a wrong
//! PDA or a subaccount that is not the vault's is refused with nothing changed.
use anchor_lang::error::ErrorCode;
use anchor_lang::prelude::Pubkey;
use bal::error::BalError;
use bal::math::constants::BASE_PRECISION;
use bal::read::margin::{MarketView, MarketViews};
use bal::state::PerpPosition;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::instructions::{self, CollateralAccounts};
use bal_client::pda;
use bal_tests::errors::{assert_anchor_error, assert_bal_error, failing_program, refused};
use bal_tests::fixtures::{
    market, new_trader, order, set_oracle_price, setup_trading, trade, Exchange, START_PRICE,
};
use bal_tests::markets::walk_oracle;
use bal_tests::vault::{
    self, assert_vault_error, buy_shares, create_vault, depositor, redeem_shares, run_invest,
    Investor, VaultAddresses, LP_PER_SHARE,
};
use bal_tests::TestEnv;
use bal_vault::equity::lp_target;
use bal_vault::error::VaultError;
use bal_vault::state::{Depositor, Vault, MIN_SHARES};
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
    bal::read::margin::net_value(&user, &spot, &views).unwrap()
}

/// The vault's BAL position in market 0, if any.
async fn vault_position(env: &mut TestEnv, vault: &VaultAddresses) -> Option<PerpPosition> {
    let user: User = env.load(vault.bal_user).await;
    user.perp_positions.iter().find(|p| p.is_active()).copied()
}

/// The AMM's mid price: the oracle tests set after traders moved the curve, so a vault's
/// redemption is priced near where the AMM quotes. precision: PRICE
async fn curve_price(env: &mut TestEnv) -> u64 {
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier).unwrap()
}

/// An hour later (one BAL cooldown), the oracle walked to `price` in steps read every five
/// minutes (through a settle of `reader`), so its TWAP follows and spreads are calm.
async fn an_hour_later(env: &mut TestEnv, exchange: &Exchange, reader: Pubkey, price: u64) {
    let from = env
        .load::<PerpMarket>(pda::perp_market(0))
        .await
        .amm
        .last_oracle_price as i64;
    let to = price as i64;
    let steps: Vec<i64> = (1..=12)
        .map(|i| from + (to - from) * i.min(6) / 6)
        .collect();
    walk_oracle(env, exchange, reader, &steps).await;
}

/// `who` redeems `shares` at `price`: what it was paid, its part of the vault's value before
/// (`value · shares / total`), and the shares the vault redeemed.
async fn redeem_measured(
    env: &mut TestEnv,
    exchange: &Exchange,
    vault: &VaultAddresses,
    who: &Investor,
    (shares, price): (u64, u64),
) -> (i128, i128, u64) {
    let value = net_value(env, vault, price).await;
    let (account, _, _) = vault_state(env, vault).await;
    let tokens = env.token_balance(who.accounts.token_account).await;
    let redeemed = redeem_shares(env, exchange, vault, who, shares)
        .await
        .expect("redeem");
    let paid = (env.token_balance(who.accounts.token_account).await - tokens) as i128;
    let part = value * redeemed as i128 / account.total_shares as i128;
    (paid, part, redeemed)
}

#[tokio::test]
async fn deposits_wait_as_cash_until_the_crank_adds_their_liquidity() {
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
    assert_eq!(account.total_shares, 15_000 * DOLLAR, "both at $1 a share");
    assert_eq!(
        lp, 0,
        "a deposit adds no liquidity (it would restart the cooldown)"
    );
    assert_eq!(user.total_deposits, 15_000 * DOLLAR);
    assert_eq!(
        env.token_balance(vault.tokens).await,
        0,
        "every token went on to BAL"
    );

    // Anyone runs the crank: the liquidity the shares carry, once per two cooldowns.
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("invest");
    let (account, _, lp) = vault_state(&mut env, &vault).await;
    assert_eq!(lp, 150 * BASE);
    assert_eq!(
        lp,
        lp_target(account.total_shares, LP_PER_SHARE, step).unwrap()
    );
    let watched = [vault.vault, vault.bal_user];
    let again = refused(
        &mut env,
        vault::invest(&vault, &exchange),
        &[&manager],
        &watched,
    )
    .await;
    assert_vault_error(&again, VaultError::InvestTooSoon);

    // A trader buys from the AMM: the vault, an LP, takes part of the short.
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
    let short = vault_position(&mut env, &vault)
        .await
        .unwrap()
        .base_asset_amount;
    assert!(short < 0, "the vault is short: {short}");

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
        vault::withdraw(&vault, &exchange, &alice.accounts, DOLLAR, 0),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&early, BalError::LpCooldown);

    // An hour on, the oracle where the AMM quotes, Alice redeems a third of the shares: a
    // third of the LP shares burn, a third of the short is bought back, she is paid her part
    // less her closing costs, and Bob's claim does not shrink.
    let price = curve_price(&mut env).await;
    an_hour_later(&mut env, &exchange, trader.user, price).await;
    let bob_claim_before = net_value(&mut env, &vault, price).await * 5_000 / 15_000;
    let (paid, part, redeemed) =
        redeem_measured(&mut env, &exchange, &vault, &alice, (5_000 * DOLLAR, price)).await;
    assert_eq!(redeemed, 5_000 * DOLLAR);
    assert!(
        paid <= part && paid >= part * 995 / 1_000,
        "paid {paid}, part {part}"
    );
    let (after, _, lp) = vault_state(&mut env, &vault).await;
    assert_eq!(after.total_shares, 10_000 * DOLLAR);
    assert_eq!(lp, 100 * BASE, "a third of the LP shares burned");
    let left = vault_position(&mut env, &vault)
        .await
        .unwrap()
        .base_asset_amount;
    assert!(
        left > short && left < short * 2 / 3 + BASE as i64 / 10,
        "{short} -> {left}"
    );
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
        vault::withdraw(&vault, &exchange, &alice.accounts, 5_000 * DOLLAR + 1, 0),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_vault_error(&greedy, VaultError::InsufficientShares);
}

/// A griefer deposits $2 every ten minutes and runs the crank each time: no deposit adds
/// liquidity, the crank is refused until two cooldowns have passed, and Alice, who asked to
/// leave a minute after the last add, leaves one cooldown after it.
#[tokio::test]
async fn no_deposit_delays_a_withdrawal_beyond_one_cooldown() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let alice = depositor(&mut env, &exchange, 10_000 * DOLLAR).await;
    let griefer = depositor(&mut env, &exchange, 100 * DOLLAR).await;
    // The smallest holding a deposit may leave is a million shares: $1 and a bit.
    let small = 2 * DOLLAR;
    buy_shares(&mut env, &exchange, &vault, &alice, 10_000 * DOLLAR)
        .await
        .expect("deposit");
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("invest");
    let invested_at = env.clock().await.unix_timestamp;
    env.advance(60, 10).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    let shares = 10_000 * DOLLAR;
    let watched = [vault.vault, vault.bal_user, alice.accounts.token_account];
    let asked = refused(
        &mut env,
        vault::withdraw(&vault, &exchange, &alice.accounts, shares, 0),
        &[&alice.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&asked, BalError::LpCooldown);
    for _ in 0..5 {
        env.advance(600, 100).await;
        set_oracle_price(&mut env, &exchange, START_PRICE).await;
        buy_shares(&mut env, &exchange, &vault, &griefer, small)
            .await
            .expect("a small deposit");
        let crank = refused(
            &mut env,
            vault::invest(&vault, &exchange),
            &[&griefer.wallet],
            &[vault.vault, vault.bal_user],
        )
        .await;
        assert_vault_error(&crank, VaultError::InvestTooSoon);
    }
    let now = env.clock().await.unix_timestamp;
    env.advance(invested_at + 3_600 - now, 100).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    let redeemed = redeem_shares(&mut env, &exchange, &vault, &alice, shares)
        .await
        .expect("Alice leaves one cooldown after the add");
    assert_eq!(redeemed, shares);
    // The crank runs again only once the exit window has passed.
    let crank = refused(
        &mut env,
        vault::invest(&vault, &exchange),
        &[&griefer.wallet],
        &[vault.vault, vault.bal_user],
    )
    .await;
    assert_vault_error(&crank, VaultError::InvestTooSoon);
    env.advance(3_600, 100).await;
    set_oracle_price(&mut env, &exchange, START_PRICE).await;
    buy_shares(&mut env, &exchange, &vault, &griefer, 50 * DOLLAR)
        .await
        .expect("a deposit to invest");
    run_invest(&mut env, &exchange, &vault, &griefer.wallet)
        .await
        .expect("after the window");
}

#[tokio::test]
async fn every_depositor_redeems_in_turn_and_the_last_empties_the_vault() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let mut investors = Vec::new();
    for amount in [10_000 * DOLLAR, 5_000 * DOLLAR, 2_000 * DOLLAR] {
        let investor = depositor(&mut env, &exchange, amount).await;
        buy_shares(&mut env, &exchange, &vault, &investor, amount)
            .await
            .expect("deposit");
        investors.push((investor, amount));
    }
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("invest");
    // Traders leave the vault holding inventory and P&L; their losses are settled into the
    // pool so the vault's gains are cash.
    let long = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    let short = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &long, order(Long, 30 * BASE))
        .await
        .expect("long");
    trade(&mut env, &exchange, &short, order(Short, 10 * BASE))
        .await
        .expect("short");
    let price = curve_price(&mut env).await;
    an_hour_later(&mut env, &exchange, long.user, price).await;
    for trader in [&long, &short] {
        env.send(
            "settle_pnl",
            &[instructions::settle_pnl(
                trader.user,
                &market(&exchange),
                &[],
            )],
            &[&manager],
        )
        .await
        .expect("settle a trader");
    }
    assert!(vault_position(&mut env, &vault).await.is_some());
    for (investor, _) in &investors {
        let shares: Depositor = env
            .account(vault.depositor(&investor.wallet.pubkey()))
            .await;
        let (paid, part, redeemed) = redeem_measured(
            &mut env,
            &exchange,
            &vault,
            investor,
            (shares.shares, price),
        )
        .await;
        assert_eq!(redeemed, shares.shares);
        // Never more than its part; less only by its own closing costs (fee and spread).
        assert!(paid <= part, "paid {paid} > part {part}");
        assert!(paid >= part * 99 / 100, "paid {paid} for a part of {part}");
    }
    let (account, user, lp) = vault_state(&mut env, &vault).await;
    assert_eq!(account.total_shares, 0);
    assert_eq!(lp, 0);
    assert!(
        user.perp_positions.iter().all(|p| !p.is_active()),
        "no position left"
    );
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let dust = bal::read::balances::signed_token_amount(&user.quote_balance, &spot).unwrap();
    assert!((0..=10).contains(&dust), "the vault keeps {dust} units");
    assert_eq!(env.token_balance(vault.tokens).await, 0);
}

/// A share price nobody can inflate: the first deposit buys at least a million shares, no
/// redemption leaves fewer (and more than none), and nobody but the vault can pay into its BAL
/// subaccount, so the next depositor's shares are worth what it paid.
#[tokio::test]
async fn the_share_price_cannot_be_inflated_against_the_next_depositor() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let attacker = depositor(&mut env, &exchange, 1_000 * DOLLAR).await;
    let victim = depositor(&mut env, &exchange, 1_000 * DOLLAR).await;
    let watched = [vault.vault, vault.bal_user, attacker.accounts.token_account];
    let tiny = refused(
        &mut env,
        vault::deposit(&vault, &exchange, &attacker.accounts, MIN_SHARES - 1, 0),
        &[&attacker.wallet],
        &watched,
    )
    .await;
    assert_vault_error(&tiny, VaultError::BelowMinimumShares);
    buy_shares(&mut env, &exchange, &vault, &attacker, MIN_SHARES + 1)
        .await
        .expect("the smallest first deposit");
    let dust = refused(
        &mut env,
        vault::withdraw(&vault, &exchange, &attacker.accounts, MIN_SHARES, 0),
        &[&attacker.wallet],
        &watched,
    )
    .await;
    assert_vault_error(&dust, VaultError::BelowMinimumShares);
    // A gift straight into the vault's BAL subaccount: BAL takes deposits from its authority
    // only.
    let gift = CollateralAccounts {
        signer: attacker.wallet.pubkey(),
        user: vault.bal_user,
        token_account: attacker.accounts.token_account,
        quote: exchange.quote,
    };
    let failure = refused(
        &mut env,
        instructions::deposit(&gift, 500 * DOLLAR),
        &[&attacker.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::NotUserAuthority);
    buy_shares(&mut env, &exchange, &vault, &victim, 1_000 * DOLLAR)
        .await
        .expect("the next deposit");
    let shares: Depositor = env.account(vault.depositor(&victim.wallet.pubkey())).await;
    let (account, _, _) = vault_state(&mut env, &vault).await;
    let value = net_value(&mut env, &vault, START_PRICE as u64).await;
    let worth = value * shares.shares as i128 / account.total_shares as i128;
    assert!(worth >= (1_000 * DOLLAR) as i128 - 1, "worth {worth}");
}

/// When the AMM cannot take a redemption's part of the position within the band, the vault
/// redeems fewer shares and says so; the depositor keeps the rest.
#[tokio::test]
async fn a_redemption_the_band_cannot_take_is_partial() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let whale = depositor(&mut env, &exchange, 100_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &vault, &whale, 100_000 * DOLLAR)
        .await
        .expect("deposit");
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("invest: half the curve");
    let trader = new_trader(&mut env, &exchange, 50_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 100 * BASE))
        .await
        .expect("a large buy");
    // The oracle follows the curve up, so only the size of the buy-back is out of band.
    let price = curve_price(&mut env).await;
    an_hour_later(&mut env, &exchange, trader.user, price).await;
    let asked = 90_000 * DOLLAR;
    let (paid, part, redeemed) =
        redeem_measured(&mut env, &exchange, &vault, &whale, (asked, price)).await;
    assert!(
        redeemed < asked && redeemed > 0,
        "redeemed {redeemed} of {asked}"
    );
    assert!(paid <= part && paid > 0, "paid {paid} part {part}");
    let shares: Depositor = env.account(vault.depositor(&whale.wallet.pubkey())).await;
    assert_eq!(shares.shares, 100_000 * DOLLAR - redeemed);
}

#[tokio::test]
async fn a_redemption_too_small_to_close_its_part_pays_what_closing_it_would_cost() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let whale = depositor(&mut env, &exchange, 10_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &vault, &whale, 10_000 * DOLLAR)
        .await
        .expect("deposit");
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("invest");
    let trader = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 2 * BASE))
        .await
        .expect("the vault's LPs take a short");
    let price = curve_price(&mut env).await;
    an_hour_later(&mut env, &exchange, trader.user, price).await;
    // 1% of the shares: a part of the vault's short well under BAL's minimum order, so nothing
    // is traded for it, and the redeemer pays what closing it at the exit band would cost.
    let account: Vault = env.account(vault.vault).await;
    let position = vault_position(&mut env, &vault).await.expect("a position");
    let perp: PerpMarket = env.load(pda::perp_market(0)).await;
    let view = MarketView::current(&perp, price).unwrap();
    let settled = bal::read::margin::simulated_position(&position, &view).unwrap();
    let shares = account.total_shares / 100;
    let unclosed = u128::from(settled.base_asset_amount.unsigned_abs()) * u128::from(shares)
        / u128::from(account.total_shares);
    assert!(
        unclosed > 0 && unclosed < u128::from(perp.min_order_size),
        "{unclosed}"
    );
    let (paid, part, redeemed) =
        redeem_measured(&mut env, &exchange, &vault, &whale, (shares, price)).await;
    assert_eq!(redeemed, shares);
    assert_eq!(
        vault_position(&mut env, &vault)
            .await
            .map(|p| p.base_asset_amount),
        Some(settled.base_asset_amount),
        "settled and burned, nothing traded"
    );
    // The exit band is 2% of the price (BAL's de-risk limit).
    let cost = (unclosed * u128::from(price) * 2 / 100).div_ceil(BASE_PRECISION) as i128;
    assert!(
        part - paid >= cost && part - paid <= cost + 2,
        "paid {paid}, part {part}, closing {cost}"
    );
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
        vault::deposit(&wrong_pda, &exchange, &alice.accounts, 10 * DOLLAR, 0),
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
        vault::withdraw(&foreign_user, &exchange, &alice.accounts, DOLLAR, 0),
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
