//! How costs grow: account sizes and rent, margin as a subaccount holds more positions, and
//! how many users one `settle_pnl_many` transaction can carry.
use bal::instructions::UpdatePerpMarketParams;
use bal::math::constants::BASE_PRECISION;
use bal::state::MarketStatus;
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions::{self, MarketAccounts};
use bal_client::pda;
use bal_tests::fixtures::{
    add_liquidity, compute_limit, default_perp_market, market, new_trader, order, set_oracle_price,
    setup_trading, trade, Exchange,
};
use bal_tests::TestEnv;
use solana_signer::Signer;
use solana_transaction::Transaction;

const BASE: u64 = BASE_PRECISION as u64;
/// Largest serialized transaction. bytes
const PACKET_DATA_SIZE: usize = 1_232;
/// Compute units one transaction may use.
const MAX_COMPUTE_UNITS: u64 = 1_400_000;
/// Accounts one transaction may lock.
const MAX_ACCOUNT_LOCKS: usize = 64;

/// Prints each account's size and the lamports that make it rent-exempt.
pub async fn account_sizes(env: &mut TestEnv, exchange: &Exchange) {
    let trader = new_trader(env, exchange, 0, 0).await;
    let accounts = [
        ("State", pda::state()),
        ("User", trader.user),
        ("SpotMarket", pda::spot_market(0)),
        ("spot vault (token account)", pda::spot_vault(0)),
        ("PerpMarket", pda::perp_market(0)),
        ("ProgramOracle", exchange.oracle),
    ];
    println!("| account | bytes | rent-exempt SOL |");
    println!("|---|---:|---:|");
    for (name, address) in accounts {
        let size = env
            .raw_account(address)
            .await
            .expect("the account exists")
            .data
            .len();
        let rent = env.rent_exempt(size).await;
        println!("| {name} | {size} | {:.6} |", rent as f64 / 1e9);
    }
    println!();
}

/// Lists markets 1..`count` beside market 0, sharing its oracle, and opens them for trading.
pub async fn list_markets(
    env: &mut TestEnv,
    exchange: &Exchange,
    count: u16,
) -> Vec<MarketAccounts> {
    let admin = exchange.admin.insecure_clone();
    for index in 1..count {
        env.send_setup(
            &[
                instructions::initialize_perp_market(
                    admin.pubkey(),
                    exchange.oracle,
                    index,
                    default_perp_market(),
                ),
                instructions::update_perp_market(
                    admin.pubkey(),
                    index,
                    UpdatePerpMarketParams {
                        status: Some(MarketStatus::Active),
                        ..Default::default()
                    },
                ),
            ],
            &[&admin],
        )
        .await;
    }
    (0..count)
        .map(|market_index| MarketAccounts {
            market_index,
            oracle: exchange.oracle,
        })
        .collect()
}

/// CU of a `withdraw` (margin over every position) as one subaccount holds 1 to 8 positions.
pub async fn margin_by_positions() -> Vec<(usize, u64)> {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let markets = list_markets(&mut env, &exchange, 8).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000_000, 0).await;
    let mut table = Vec::new();
    for held in 1..=markets.len() {
        let (traded, others) = (&markets[held - 1], &markets[..held - 1]);
        env.send_setup(
            &[instructions::place_perp_order(
                trader.wallet.pubkey(),
                trader.user,
                traded,
                others,
                order(Long, BASE),
            )],
            &[&trader.wallet],
        )
        .await;
        if [1, 2, 4, 8].contains(&held) {
            let withdraw =
                instructions::withdraw(&trader.collateral(&exchange), 1, false, &markets[..held]);
            let success = env
                .send("withdraw_with_positions", &[withdraw], &[&trader.wallet])
                .await
                .expect("withdraw");
            table.push((held, success.compute_units));
        }
    }
    table
}

/// What bounds a `settle_pnl_many`: its CU per user, and the users that fit by compute, by
/// transaction size and by account locks.
pub struct SettleCapacity {
    pub per_user_cu: u64,
    pub by_compute: u64,
    pub by_size: usize,
    pub by_locks: usize,
}

/// Who a `settle_pnl_many` settles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holders {
    /// Traders with a position each.
    Traders,
    /// LPs, each with an entitlement to settle first.
    Lps,
}

/// Measures `settle_pnl_many` with 4 and 12 `holders`.
pub async fn settles_per_transaction(holders: Holders) -> SettleCapacity {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let keeper = env.funded_wallet().await;
    let mut users = Vec::new();
    for i in 0..12 {
        let holder = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
        if holders == Holders::Lps {
            add_liquidity(&mut env, &exchange, &holder, 10 * BASE)
                .await
                .expect("an LP");
        } else {
            let side = if i % 2 == 0 { Long } else { Short };
            trade(&mut env, &exchange, &holder, order(side, BASE / 10))
                .await
                .expect("a position");
        }
        users.push(holder.user);
    }
    if holders == Holders::Lps {
        let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
        trade(&mut env, &exchange, &trader, order(Long, 20 * BASE))
            .await
            .expect("a trade every LP takes part of");
    }
    set_oracle_price(&mut env, &exchange, 101_000_000).await;
    let mut cu = Vec::new();
    let mut sizes = Vec::new();
    for count in [4usize, 12] {
        let ix = instructions::settle_pnl_many(&users[..count], &market(&exchange), true)
            .expect("a batch of users");
        let tx = Transaction::new_with_payer(std::slice::from_ref(&ix), Some(&keeper.pubkey()));
        // One signature (64 bytes) and its compact length prefix, then the message.
        sizes.push(1 + 64 + tx.message.serialize().len());
        let success = env
            .send(
                "settle_pnl_many_scaling",
                &[compute_limit(1_400_000), ix],
                &[&keeper],
            )
            .await
            .expect("settle_pnl_many");
        assert!(
            success.return_data.iter().all(|b| *b == 0),
            "every user settled"
        );
        cu.push(success.compute_units);
    }
    let per_user_cu = (cu[1] - cu[0]) / 8;
    let base_cu = cu[0] - 4 * per_user_cu;
    let per_user_bytes = (sizes[1] - sizes[0]) / 8;
    let base_bytes = sizes[0] - 4 * per_user_bytes;
    // The instruction's own accounts and the compute-budget program: a one-user batch's
    // accounts, less its user, plus one.
    let one = instructions::settle_pnl_many(&users[..1], &market(&exchange), true)
        .expect("a batch of users");
    let fixed_accounts = one.accounts.len();
    SettleCapacity {
        per_user_cu,
        by_compute: (MAX_COMPUTE_UNITS - base_cu) / per_user_cu,
        by_size: (PACKET_DATA_SIZE - base_bytes) / per_user_bytes,
        by_locks: MAX_ACCOUNT_LOCKS - fixed_accounts,
    }
}
