//! Liquidity added only where the curve is: an LP's add, the example vault's `invest` crank
//! and a vault deposit, each sandwiched between a push and its unwind in one transaction (as
//! whoever orders transactions could), over the sweep of push sizes.
use super::{code, measured, trade_of, BASE, DOLLAR, PUSHES};
use bal::error::BalError;
use bal::state::PositionDirection::{Long, Short};
use bal::state::PriceBounds;
use bal::state::{PerpMarket, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, custom_code};
use bal_tests::fixtures::{
    add_liquidity, market, new_trader, next_second, setup_trading, Exchange, Trader,
};
use bal_tests::inspect::net_value;
use bal_tests::vault::{self, buy_shares, create_vault, depositor, run_invest, VaultAddresses};
use bal_tests::TestEnv;
use bal_vault::error::VaultError;
use bal_vault::state::Vault;
use solana_signer::Signer;

/// The curve's reserve price now. precision: PRICE
async fn curve_price(env: &mut TestEnv) -> u64 {
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier).unwrap()
}

#[tokio::test]
async fn an_lps_add_between_a_push_and_its_unwind_is_refused_at_every_size() {
    for (push, long) in PUSHES.iter().flat_map(|p| [(*p, true), (*p, false)]) {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let lp = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
        let pusher = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
        next_second(&mut env, &exchange).await;
        let (there, back) = if long { (Long, Short) } else { (Short, Long) };
        let add = instructions::add_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            &market(&exchange),
            &[],
            200 * BASE,
            bal_client::lp::add_bounds(curve_price(&mut env).await, 10_000),
        );
        let ixs = [
            trade_of(&pusher, &exchange, there, push * BASE),
            add,
            trade_of(&pusher, &exchange, back, push * BASE),
        ];
        let pushed = measured(&mut env, &ixs, &[&pusher.wallet, &lp.wallet], &[&pusher]).await;
        assert!(pushed.gain <= 0, "{push} {long}: up {}", pushed.gain);
        let refused = pushed.refused.expect("refused");
        assert!(
            refused == code(BalError::CurveMovedThisSecond)
                || refused == code(BalError::CurveOutsideBounds)
                || refused == code(BalError::PriceBandExceeded),
            "{push} {long}: {refused}"
        );
    }
}

#[tokio::test]
async fn an_add_is_refused_off_its_callers_bounds_or_the_band_and_lands_inside_them() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
    let trader = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
    let seen = curve_price(&mut env).await;
    // The curve moves 2% after the LP read it, in a second before its add lands.
    bal_tests::fixtures::trade(
        &mut env,
        &exchange,
        &trader,
        bal_tests::fixtures::order(Long, 10 * BASE),
    )
    .await
    .expect("the curve moves");
    next_second(&mut env, &exchange).await;
    let add = |bounds: PriceBounds| {
        instructions::add_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            &market(&exchange),
            &[],
            100 * BASE,
            bounds,
        )
    };
    let watched = [lp.user, pda::perp_market(0)];
    let failure = bal_tests::errors::refused(
        &mut env,
        add(bal_client::lp::add_bounds(seen, 10_000)),
        &[&lp.wallet],
        &watched,
    )
    .await;
    assert_bal_error(&failure, BalError::CurveOutsideBounds);
    env.send(
        "add_liquidity",
        &[add(bal_client::lp::add_bounds(seen, 30_000))],
        &[&lp.wallet],
    )
    .await
    .expect("within 3% of what it saw");
}

/// A vault of `investor`'s $10,000 (crank run), and a second investor's $10,000 of deposits
/// waiting for the next crank, two cooldowns later.
async fn vault_with_pending(env: &mut TestEnv, exchange: &Exchange) -> (VaultAddresses, Trader) {
    let manager = env.funded_wallet().await;
    let addresses = create_vault(env, exchange, &manager, 0).await;
    let first = depositor(env, exchange, 10_000 * DOLLAR).await;
    buy_shares(env, exchange, &addresses, &first, 10_000 * DOLLAR)
        .await
        .expect("a deposit");
    run_invest(env, exchange, &addresses, &manager)
        .await
        .expect("the first invest");
    let second = depositor(env, exchange, 10_000 * DOLLAR).await;
    buy_shares(env, exchange, &addresses, &second, 10_000 * DOLLAR)
        .await
        .expect("deposits waiting for the crank");
    env.advance(2 * 3_600, 10).await;
    next_second(env, exchange).await;
    let pusher = new_trader(env, exchange, 50_000 * DOLLAR, 0).await;
    next_second(env, exchange).await;
    (addresses, pusher)
}

#[tokio::test]
async fn the_vaults_crank_between_a_push_and_its_unwind_is_refused_at_every_size() {
    for push in PUSHES {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let (addresses, pusher) = vault_with_pending(&mut env, &exchange).await;
        let ixs = [
            trade_of(&pusher, &exchange, Short, push * BASE),
            vault::invest(&addresses, &exchange),
            trade_of(&pusher, &exchange, Long, push * BASE),
        ];
        let pushed = measured(&mut env, &ixs, &[&pusher.wallet], &[&pusher]).await;
        assert!(pushed.gain <= 0, "{push}: up {}", pushed.gain);
        let refused = pushed.refused.expect("refused");
        assert!(
            refused == u32::from(VaultError::CurveOffOracle)
                || refused == code(BalError::CurveMovedThisSecond),
            "{push}: {refused}"
        );
    }
    // Unpushed, the crank runs.
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let (addresses, pusher) = vault_with_pending(&mut env, &exchange).await;
    env.send(
        "vault_invest",
        &[vault::invest(&addresses, &exchange)],
        &[&pusher.wallet],
    )
    .await
    .expect("the crank on a quiet curve");
}

/// What a vault share is worth at the oracle. precision: QUOTE per share, times 1e6
async fn share_value(env: &mut TestEnv, addresses: &VaultAddresses) -> i128 {
    let account: Vault = env.account(addresses.vault).await;
    net_value(env, addresses.bal_user, &[0]).await * 1_000_000 / account.total_shares as i128
}

#[tokio::test]
async fn a_vault_deposit_between_a_push_and_its_unwind_is_priced_within_its_bound_or_refused() {
    // The victim asks for the shares its $5,000 buys at the value it read, less 0.5%. A push
    // that moves the vault's value further is refused by that minimum, one that moves the
    // curve more than 1% off the oracle by the vault itself; what lands is priced within both.
    for push in PUSHES {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let (addresses, pusher) = vault_with_pending(&mut env, &exchange).await;
        env.send(
            "vault_invest",
            &[vault::invest(&addresses, &exchange)],
            &[&pusher.wallet],
        )
        .await
        .expect("invested");
        next_second(&mut env, &exchange).await;
        let victim = depositor(&mut env, &exchange, 5_000 * DOLLAR).await;
        let per_share = share_value(&mut env, &addresses).await;
        let expected = (5_000 * DOLLAR) as i128 * 1_000_000 / per_share;
        let min_shares = (expected * 995 / 1_000) as u64;
        let ixs = [
            trade_of(&pusher, &exchange, Short, push * BASE),
            vault::deposit(
                &addresses,
                &exchange,
                &victim.accounts,
                5_000 * DOLLAR,
                min_shares,
            ),
            trade_of(&pusher, &exchange, Long, push * BASE),
        ];
        let before: User = env.load(addresses.bal_user).await;
        let outcome = env
            .send_unmetered(
                &[bal_tests::fixtures::compute_limit(1_400_000)]
                    .into_iter()
                    .chain(ixs)
                    .collect::<Vec<_>>(),
                &[&pusher.wallet, &victim.wallet],
            )
            .await;
        match outcome {
            Ok(_) => {
                let holding: bal_vault::state::Depositor = env
                    .account(addresses.depositor(&victim.wallet.pubkey()))
                    .await;
                assert!(holding.shares >= min_shares, "{push}");
            }
            Err(failure) => {
                let refused = custom_code(&failure).expect("a program's refusal");
                assert!(
                    refused == u32::from(VaultError::CurveOffOracle)
                        || refused == u32::from(VaultError::SharesBelowMinimum),
                    "{push}: {refused}"
                );
                let after: User = env.load(addresses.bal_user).await;
                assert_eq!(after.quote_balance, before.quote_balance, "nothing moved");
            }
        }
    }
}

#[tokio::test]
async fn a_lps_own_add_in_the_second_after_a_trade_lands() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
    let trader = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
    bal_tests::fixtures::trade(
        &mut env,
        &exchange,
        &trader,
        bal_tests::fixtures::order(Short, 5 * BASE),
    )
    .await
    .expect("a trade moves the curve away from the oracle");
    let failure = add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
        .await
        .expect_err("in the same second");
    assert_bal_error(&failure, BalError::CurveMovedThisSecond);
    next_second(&mut env, &exchange).await;
    add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
        .await
        .expect("in the next");
}
