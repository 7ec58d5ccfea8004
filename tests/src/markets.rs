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
            instructions::initialize_perp_market(admin.pubkey(), market.oracle, 1, {
                let mut params = default_perp_market();
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

/// Widens `market_index`'s price band to the most a market may have (25%), for scenarios
/// that need a fill deeper into the curve than the fixtures' 10% allows.
pub async fn widest_price_band(env: &mut TestEnv, exchange: &Exchange, market_index: u16) {
    let market: bal::state::PerpMarket = env.load(pda::perp_market(market_index)).await;
    let spreads = bal::state::SpreadParams {
        price_band: bal::math::constants::MAX_PRICE_BAND,
        ..market.spread_params()
    };
    env.send_setup(
        &[instructions::update_perp_market(
            exchange.admin.pubkey(),
            market_index,
            UpdatePerpMarketParams {
                spreads: Some(spreads),
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
        // Read as soon as published, then again once it has stood five minutes: the TWAP
        // weighs a price by the time it stood between reads.
        for wait in [0, 300] {
            env.advance(wait, 10).await;
            crate::fixtures::set_oracle_price(env, exchange, *price).await;
            env.send(
                "settle_pnl",
                &[instructions::settle_pnl(
                    reader,
                    &crate::fixtures::market(exchange),
                    &[],
                )],
                &[&keeper],
            )
            .await
            .expect("a settle reads the oracle");
        }
    }
}

/// Leaves `trader`, holding a long in market 0 bought near $100 that a fall to $85 puts below
/// zero, with that long closed and its loss beyond the deposit unsettled: settled, it leaves
/// bad debt with nothing behind it. A reducing fill may not make an account's debt worse, so
/// the close is made where the curve pays the oracle price or better: the oracle walks to $85
/// (read by settles of `reader`, which takes a minimum short for it), the curve is repegged to
/// $86 and the long sold into it at about $85.2.
pub async fn close_underwater(
    env: &mut TestEnv,
    exchange: &Exchange,
    trader: &crate::fixtures::Trader,
    reader: &crate::fixtures::Trader,
) {
    use crate::fixtures::{order, trade};
    trade(
        env,
        exchange,
        reader,
        order(bal::state::PositionDirection::Short, 10_000_000),
    )
    .await
    .expect("a position to settle");
    walk_oracle(env, exchange, reader.user, &[85_000_000]).await;
    crate::fixtures::set_oracle_price(env, exchange, 86_000_000).await;
    crate::fixtures::repeg(env, exchange)
        .await
        .expect("the curve a dollar above the oracle");
    env.advance(1, 1).await;
    crate::fixtures::set_oracle_price(env, exchange, 85_000_000).await;
    env.send(
        "close_position",
        &[instructions::close_position(
            trader.wallet.pubkey(),
            trader.user,
            &crate::fixtures::market(exchange),
            &[],
            None,
        )],
        &[&trader.wallet],
    )
    .await
    .expect("closed at the oracle or better");
}
