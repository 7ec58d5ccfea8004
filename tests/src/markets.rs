//! A second market on its own oracle, for scenarios across markets.
use crate::fixtures::{Exchange, START_PRICE};
use crate::TestEnv;
use anchor_lang::prelude::Pubkey;
use bal::instructions::UpdatePerpMarketParams;
use bal::state::{MarketStatus, OracleGuards};
use bal_client::defaults::{default_oracle_guards, default_perp_market};
use bal_client::instructions::{self, MarketAccounts};
use bal_client::pda;
use solana_signer::Signer;

/// Perp market 1, listed and active on program oracle 1 (same updater as oracle 0), priced at
/// `START_PRICE`.
pub async fn second_market(env: &mut TestEnv, exchange: &Exchange) -> MarketAccounts {
    let admin = exchange.admin.insecure_clone();
    let market = MarketAccounts {
        market_index: 1,
        oracle: pda::program_oracle(1),
    };
    env.send_setup(
        &[instructions::initialize_program_oracle(
            admin.pubkey(),
            1,
            exchange.oracle_updater.pubkey(),
        )],
        &[&admin],
    )
    .await;
    set_price(env, exchange, &market, START_PRICE).await;
    env.send_setup(
        &[
            instructions::initialize_perp_market(admin.pubkey(), market.oracle, {
                let mut params = default_perp_market(1);
                params.name[..8].copy_from_slice(b"ETH-PERP");
                params
            }),
            instructions::update_perp_market(
                admin.pubkey(),
                1,
                UpdatePerpMarketParams {
                    status: Some(MarketStatus::Active),
                    ..Default::default()
                },
            ),
        ],
        &[&admin],
    )
    .await;
    market
}

/// Publishes `price` (confidence 0.01%) on `market`'s program oracle.
pub async fn set_price(
    env: &mut TestEnv,
    exchange: &Exchange,
    market: &MarketAccounts,
    price: i64,
) {
    env.send(
        "update_program_oracle",
        &[instructions::update_program_oracle(
            exchange.oracle_updater.pubkey(),
            market.oracle,
            price,
            price.unsigned_abs() / 10_000,
        )],
        &[&exchange.oracle_updater],
    )
    .await
    .expect("update_program_oracle");
}

/// The admin lets `market_index` act on an oracle up to `divergence` (PERCENTAGE) from its
/// five-minute TWAP, so a scenario can move the price in one step.
pub async fn allow_divergence(
    env: &mut TestEnv,
    exchange: &Exchange,
    market_index: u16,
    divergence: u32,
) {
    let guards = OracleGuards {
        max_twap_divergence: divergence,
        ..default_oracle_guards()
    };
    env.send_setup(
        &[instructions::update_perp_market(
            exchange.admin.pubkey(),
            market_index,
            UpdatePerpMarketParams {
                oracle_guards: Some(guards),
                ..Default::default()
            },
        )],
        &[&exchange.admin],
    )
    .await;
}

/// Moves market 0's oracle through `prices`, each held five minutes and then read by a
/// `settle_pnl` of `reader` (which any position serves), so the five-minute TWAP follows:
/// a price the TWAP has caught up with passes every guard.
pub async fn walk_oracle(env: &mut TestEnv, exchange: &Exchange, reader: Pubkey, prices: &[i64]) {
    let keeper = env.funded_wallet().await;
    for price in prices {
        crate::fixtures::set_oracle_price(env, exchange, *price).await;
        env.advance(300, 10).await;
        crate::fixtures::set_oracle_price(env, exchange, *price).await;
        env.send(
            "settle_pnl",
            &[instructions::settle_pnl(
                reader,
                &crate::fixtures::market(exchange),
            )],
            &[&keeper],
        )
        .await
        .expect("a settle reads the oracle");
    }
}
