//! The costliest states the tests reach, metered under their instructions' labels (so their
//! ceilings cover them): a de-risk that burns every share and then trades through the AMM, a
//! liquidation of an account with positions and LP shares in three markets, and the keeper's
//! largest batches: twelve LPs de-risked in one `settle_pnl_many`, thirty LPs settled in one
//! `settle_lp_many` and one `settle_pnl_many`.
use super::scaling::list_markets;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::User;
use bal_client::instructions::{self, UserSetting};
use bal_tests::fixtures::{
    add_liquidity, compute_limit, market, new_trader, next_second, order, set_oracle_price,
    setup_trading, trade, trade_in, Exchange, Trader, START_PRICE,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;

async fn shares_of(env: &mut TestEnv, who: &Trader) -> u128 {
    let user: User = env.load(who.user).await;
    user.perp_positions.iter().map(|p| p.lp.shares.get()).sum()
}

async fn base_of(env: &mut TestEnv, who: &Trader) -> i64 {
    let user: User = env.load(who.user).await;
    user.perp_positions
        .iter()
        .map(|p| p.base_asset_amount)
        .sum()
}

/// `lp` at the max leverage of `margin_ratio` (precision: MARGIN), which its shares and its
/// position no longer fit.
async fn tighten(env: &mut TestEnv, lp: &Trader, margin_ratio: u32) {
    env.send_setup(
        &[instructions::update_user(
            lp.wallet.pubkey(),
            0,
            UserSetting::CustomMarginRatio(margin_ratio),
        )],
        &[&lp.wallet],
    )
    .await;
}

/// An hour on (the LP cooldown), the oracle republished.
async fn after_cooldown(env: &mut TestEnv, exchange: &Exchange) {
    env.advance(3_600, 10).await;
    set_oracle_price(env, exchange, START_PRICE).await;
}

/// An LP with $1,000 behind 20 shares and a long of 50, at 5x: burning every share leaves it
/// short of margin, so the de-risk trades through the AMM too. Metered as `derisk_lp` and as
/// `settle_pnl_with_derisk`.
pub async fn derisk_through_the_amm() {
    for label in ["derisk_lp", "settle_pnl_with_derisk"] {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let lp = new_trader(&mut env, &exchange, 1_000 * DOLLAR, 0).await;
        let keeper = env.funded_wallet().await;
        add_liquidity(&mut env, &exchange, &lp, 20 * BASE)
            .await
            .expect("add_liquidity");
        trade(&mut env, &exchange, &lp, order(Long, 50 * BASE))
            .await
            .expect("a long the account carries at 10x");
        tighten(&mut env, &lp, 2_000).await;
        after_cooldown(&mut env, &exchange).await;
        let ix = if label == "derisk_lp" {
            instructions::derisk_lp(lp.user, &market(&exchange), &[])
        } else {
            instructions::settle_pnl(lp.user, &market(&exchange), &[])
        };
        env.send(label, &[ix], &[&keeper]).await.expect(label);
        assert_eq!(shares_of(&mut env, &lp).await, 0, "{label}: every share");
        assert!(
            base_of(&mut env, &lp).await < 50 * BASE as i64,
            "{label}: reduced"
        );
    }
}

/// A subaccount with LP shares in market 0 and a long in each of three markets (one oracle),
/// liquidated in market 0 after a 12% fall, the other two named for its margin.
/// ($250 behind 15 base and the shares' orders at 10x.)
pub async fn liquidation_across_markets() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let markets = list_markets(&mut env, &exchange, 3).await;
    let victim = new_trader(&mut env, &exchange, 250 * DOLLAR, 0).await;
    let liquidator = new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
    add_liquidity(&mut env, &exchange, &victim, 10 * BASE)
        .await
        .expect("add_liquidity");
    for (i, traded) in markets.iter().enumerate() {
        let others: Vec<_> = markets[..i].to_vec();
        trade_in(&mut env, &victim, traded, &others, order(Long, 5 * BASE))
            .await
            .expect("a long in each market");
    }
    set_oracle_price(&mut env, &exchange, 88_000_000).await;
    next_second(&mut env, &exchange).await;
    let success = env
        .send(
            "liquidate_perp",
            &[instructions::liquidate_perp(
                liquidator.wallet.pubkey(),
                liquidator.user,
                victim.user,
                &markets[0],
                &markets[1..],
                u64::MAX,
            )],
            &[&liquidator.wallet],
        )
        .await
        .expect("liquidate_perp");
    assert!(success.compute_units > 0);
    assert_eq!(shares_of(&mut env, &victim).await, 0, "shares burned first");
}

/// `count` LPs of 20 shares each, traders' flow against them, their cooldowns over.
async fn lps(env: &mut TestEnv, exchange: &Exchange, count: usize) -> Vec<Trader> {
    let mut lps = Vec::new();
    for _ in 0..count {
        let lp = new_trader(env, exchange, 1_000 * DOLLAR, 0).await;
        add_liquidity(env, exchange, &lp, 20 * BASE)
            .await
            .expect("add_liquidity");
        lps.push(lp);
    }
    let trader = new_trader(env, exchange, 100_000 * DOLLAR, 0).await;
    trade(env, exchange, &trader, order(Long, 20 * BASE))
        .await
        .expect("flow");
    next_second(env, exchange).await;
    trade(env, exchange, &trader, order(Short, 10 * BASE))
        .await
        .expect("flow back");
    after_cooldown(env, exchange).await;
    lps
}

/// Thirty LPs settled in one `settle_lp_many` and again (their P&L) in one `settle_pnl_many`;
/// twelve LPs at 1.1x de-risked in one `settle_pnl_many`.
pub async fn largest_batches() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let thirty = lps(&mut env, &exchange, 30).await;
    let users: Vec<_> = thirty.iter().map(|lp| lp.user).collect();
    env.send(
        "settle_lp_many_30_lps",
        &[
            compute_limit(1_400_000),
            instructions::settle_lp_many(keeper.pubkey(), &users, 0, false)
                .expect("a batch of users"),
        ],
        &[&keeper],
    )
    .await
    .expect("settle_lp_many");
    trade(&mut env, &exchange, &thirty[0], order(Long, BASE))
        .await
        .expect("more flow");
    next_second(&mut env, &exchange).await;
    env.send(
        "settle_pnl_many_30_lps",
        &[
            compute_limit(1_400_000),
            instructions::settle_pnl_many(&users, &market(&exchange), false)
                .expect("a batch of users"),
        ],
        &[&keeper],
    )
    .await
    .expect("settle_pnl_many");

    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let twelve = lps(&mut env, &exchange, 12).await;
    for lp in &twelve {
        trade(&mut env, &exchange, lp, order(Long, 3 * BASE))
            .await
            .expect("a long of each");
        tighten(&mut env, lp, 9_000).await;
    }
    next_second(&mut env, &exchange).await;
    let users: Vec<_> = twelve.iter().map(|lp| lp.user).collect();
    let before: u128 = {
        let mut sum = 0;
        for lp in &twelve {
            sum += shares_of(&mut env, lp).await;
        }
        sum
    };
    env.send(
        "settle_pnl_many_12_derisks",
        &[
            compute_limit(1_400_000),
            instructions::settle_pnl_many(&users, &market(&exchange), false)
                .expect("a batch of users"),
        ],
        &[&keeper],
    )
    .await
    .expect("settle_pnl_many");
    let mut after = 0;
    for lp in &twelve {
        after += shares_of(&mut env, lp).await;
    }
    assert!(after < before, "the batch de-risked");
}
