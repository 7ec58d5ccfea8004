//! The Rust client's read side against the program: its simulated settle equals what
//! `settle_lp` then does, on random states; its liquidation price is where liquidation starts.
use bal::error::BalError;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::pda;
use bal_client::read::{decode, liquidation_price, simulate_settle, PricedMarket};
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{
    add_liquidity, leveraged_long, liquidate, new_trader, next_funding_period, order,
    set_oracle_price, settle_lp, setup_trading, trade,
};
use bal_tests::fuzzing::seed_from_env;
use bal_tests::TestEnv;
use proptest::prelude::*;

const BASE: u64 = BASE_PRECISION as u64;

/// Reads an account through the client's decoder (not the harness's).
async fn read<T: bytemuck::Pod + anchor_lang::Discriminator>(
    env: &mut TestEnv,
    address: anchor_lang::prelude::Pubkey,
) -> T {
    let account = env.raw_account(address).await.expect("account exists");
    decode::<T>(&account.data).expect("decodes")
}

/// One random state: LPs entering with `shares`, traders' `trades` (signed base in steps of
/// 0.1), a funding period between each, and a final oracle price.
async fn parity_case(shares: Vec<u64>, trades: Vec<i64>, price: i64) {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    let mut lps = Vec::new();
    for (i, amount) in shares.iter().enumerate() {
        let lp = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
        add_liquidity(&mut env, &exchange, &lp, amount * BASE / 10)
            .await
            .expect("add");
        lps.push(lp);
        if let Some(base) = trades.get(i) {
            let direction = if *base > 0 { Long } else { Short };
            let size = base.unsigned_abs() * BASE / 10;
            if size > 0 {
                trade(&mut env, &exchange, &trader, order(direction, size))
                    .await
                    .expect("trade");
            }
        }
        next_funding_period(&mut env, &exchange, &keeper).await;
    }
    set_oracle_price(&mut env, &exchange, price).await;
    for lp in &lps {
        let user: User = read(&mut env, lp.user).await;
        let perp: PerpMarket = read(&mut env, pda::perp_market(0)).await;
        let expected = simulate_settle(
            &user,
            &PricedMarket {
                market: &perp,
                oracle_price: price as u64,
            },
        )
        .expect("an LP position");
        settle_lp(&mut env, lp).await;
        let settled: User = read(&mut env, lp.user).await;
        let position = settled
            .perp_positions
            .iter()
            .find(|p| p.is_active())
            .copied()
            .expect("still a position");
        assert_eq!(
            position, expected,
            "the client's simulated settle is the program's"
        );
    }
}

proptest! {
    // From a fixed seed (`BAL_FUZZ_SEED` for another), so every run checks the same states.
    #![proptest_config(ProptestConfig {
        cases: 6,
        rng_seed: seed_from_env("BAL_FUZZ_SEED", 20_261_207),
        ..ProptestConfig::default()
    })]
    #[test]
    fn the_clients_simulated_settle_is_what_settle_lp_does(
        shares in prop::collection::vec(1u64..5_000, 1..4),
        // Up to 10 base each: three in a row keep the curve inside the price band, where
        // trades and adds are taken.
        trades in prop::collection::vec(-100i64..100, 1..4),
        price in 95_000_000i64..105_000_000,
    ) {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(parity_case(shares, trades, price));
    }
}

#[tokio::test]
async fn liquidation_starts_at_the_clients_liquidation_price() {
    let mut env = TestEnv::start().await;
    let (exchange, trader, liquidator) = leveraged_long(&mut env).await;
    let user: User = read(&mut env, trader.user).await;
    let spot: SpotMarket = read(&mut env, pda::spot_market(0)).await;
    let perp: PerpMarket = read(&mut env, pda::perp_market(0)).await;
    let priced = [PricedMarket {
        market: &perp,
        oracle_price: 100_000_000,
    }];
    let price = liquidation_price(&user, &spot, &priced, 0).expect("a long can be liquidated");
    assert!(price < 100_000_000 && price > 90_000_000, "{price}");
    // A cent above it the account still meets maintenance margin...
    set_oracle_price(&mut env, &exchange, price as i64 + 10_000).await;
    let failure = liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect_err("above the liquidation price");
    assert_bal_error(&failure, BalError::NotLiquidatable);
    // ...and at it, it does not.
    set_oracle_price(&mut env, &exchange, price as i64).await;
    liquidate(&mut env, &exchange, &liquidator, trader.user)
        .await
        .expect("at the liquidation price");
}
