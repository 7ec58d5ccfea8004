//! The exchange as the load drives it: its oracles (with a price shock to set), its markets'
//! funding period, positions, trading, and one step of the trade rate with its shocked
//! accounts.

use crate::args::Args;
use crate::crowd::{self, Tally, Traded, Trading};
use crate::keepers::Keeper;
use crate::watch::{below_maintenance, market_zero, FundingWatch, Step, Watch};
use anchor_lang::prelude::Pubkey;
use bal::instructions::UpdatePerpMarketParams;
use bal::math::constants::MAX_FUNDING_RATE_PER_HOUR;
use bal::state::{FundingParams, User};
use bal_client::instructions::{self as ix, MarketAccounts, QuoteMint};
use bal_client::pda;
use bal_client::read::decode;
use bal_keeper::snapshot;
use bal_localnet::market::publish_prices;
use bal_localnet::node::{base_worth, quote_mint, wait_for_node};
use bal_localnet::setup::DOLLAR;
use bal_migrations::config::Config;
use bal_transport::chain::Chain;
use bal_transport::keypair::read_keypair;
use bal_transport::rpc::RpcChain;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_signer::Signer;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The exchange as the load drives it.
pub struct Exchange {
    pub args: Args,
    pub chain: RpcChain,
    pub admin: Keypair,
    pub quote: QuoteMint,
    pub markets: Vec<Traded>,
    /// The price shock every oracle carries now, in basis points.
    pub shift: Arc<AtomicI64>,
    pub funding: FundingWatch,
}

/// Longs left just above initial margin per step, whose liquidation is timed.
const VICTIMS: usize = 3;
/// The shock that puts them below maintenance (initial 10%, maintenance 5%): 7% down, inside
/// the oracles' 10% guard against their TWAP.
const SHOCK_BPS: i64 = -700;
/// The deepest shock the load sets: still inside that guard, with room for the price path.
const DEEPEST_SHOCK_BPS: i64 = -950;
/// How much deeper than just enough a deeper shock goes, so the price path's own moves while it
/// holds do not lift the accounts back above maintenance.
const SHOCK_ROOM_BPS: i64 = 100;

impl Exchange {
    pub async fn connect(args: Args) -> Result<Self, String> {
        let client = RpcClient::new(args.rpc.clone());
        wait_for_node(&client).await?;
        let config = Config::load(&args.migrations)?;
        let admin = read_keypair(&config.keypair_path)?;
        let quote = quote_mint(&config)?;
        let mut markets = Vec::new();
        let mut oracles = Vec::new();
        for market in &config.markets {
            let Some(oracle) = config
                .oracles
                .iter()
                .find(|o| Some(o.id) == market.oracle_id)
            else {
                continue;
            };
            let centre = oracle.price.ok_or("an oracle without a price")?;
            let accounts = MarketAccounts {
                market_index: market.index,
                oracle: pda::program_oracle(oracle.id),
            };
            oracles.push((accounts, centre));
            // About $50 an order, in whole hundredths of a base.
            let size = base_worth(50, centre).max(10_000_000) / 10_000_000 * 10_000_000;
            markets.push(Traded { accounts, size });
        }
        let shift = Arc::new(AtomicI64::new(0));
        tokio::spawn(publish_prices(
            RpcChain::new(args.rpc.clone(), admin.insecure_clone()),
            oracles,
            Instant::now(),
            Duration::from_secs(1),
            shift.clone(),
        ));
        Ok(Exchange {
            chain: RpcChain::new(args.rpc.clone(), admin.insecure_clone()),
            args,
            admin,
            quote,
            markets,
            shift,
            funding: FundingWatch::default(),
        })
    }

    /// Funding every minute, so a run sees updates come due.
    pub async fn minute_funding(&mut self) -> Result<(), String> {
        for market in &self.markets {
            let params = UpdatePerpMarketParams {
                funding: Some(FundingParams {
                    period: 60,
                    max_rate: MAX_FUNDING_RATE_PER_HOUR / 60,
                }),
                ..UpdatePerpMarketParams::default()
            };
            let update =
                ix::update_perp_market(self.admin.pubkey(), market.accounts.market_index, params);
            self.chain
                .send(&[update], &[])
                .await
                .map_err(|e| format!("funding period: {e}"))?;
        }
        Ok(())
    }

    /// The oracle price of `market` now. precision: PRICE
    pub async fn price(&mut self, market: &Traded) -> Result<i64, String> {
        let snapshot = snapshot::load(&mut self.chain, &[market.accounts.market_index])
            .await
            .map_err(|e| e.to_string())?;
        snapshot
            .markets
            .first()
            .and_then(|m| m.oracle_price)
            .map(|p| p as i64)
            .ok_or_else(|| "no oracle price".to_string())
    }

    pub fn others(&self, market: &Traded) -> Vec<MarketAccounts> {
        self.markets
            .iter()
            .map(|m| m.accounts)
            .filter(|m| m.market_index != market.accounts.market_index)
            .collect()
    }

    /// The first `count` users open a position each, alternating sides and markets.
    pub async fn open_positions(&self, wallets: &[Keypair], count: usize) -> Result<u64, String> {
        let blockhash = self
            .chain
            .latest_blockhash()
            .await
            .map_err(|e| e.to_string())?;
        let orders: Vec<_> = wallets[..count]
            .iter()
            .enumerate()
            .map(|(i, wallet)| {
                let market = &self.markets[i % self.markets.len()];
                let others = self.others(market);
                // Sides alternate within each market, so the curves start near the oracle.
                let long = (i / self.markets.len()).is_multiple_of(2);
                crowd::order(
                    wallet,
                    market,
                    &others,
                    (long, 2 * market.size),
                    i as u32,
                    blockhash,
                )
            })
            .collect();
        let mut opened = 0;
        for chunk in orders.chunks(250) {
            opened += self
                .chain
                .submit(chunk)
                .await
                .iter()
                .filter(|o| o.is_ok())
                .count() as u64;
        }
        Ok(opened)
    }

    /// Trades at `rate` for `seconds` on `wallets`, on a task of its own.
    pub fn trading(
        &self,
        wallets: &Arc<Vec<Keypair>>,
        rate: f64,
        seconds: u64,
    ) -> (tokio::task::JoinHandle<()>, Arc<Tally>) {
        let tally = Arc::new(Tally::default());
        let run = Trading {
            rpc: self.args.rpc.clone(),
            wallets: wallets.clone(),
            markets: self.markets.clone(),
            rate,
            duration: Duration::from_secs(seconds),
            tally: tally.clone(),
        };
        (tokio::spawn(crowd::trade(run)), tally)
    }

    /// One step of the trade rate: trading at `rate` for the step's seconds, watched; with
    /// `shock`, five seconds in, fresh accounts just above initial margin and a price shock that puts them below maintenance, lifted once they are
    /// liquidated (or after half a minute).
    pub async fn step(
        &mut self,
        wallets: &Arc<Vec<Keypair>>,
        keeper: &Keeper,
        rate: f64,
        shock: bool,
    ) -> Result<Step, String> {
        let seconds = self.args.step_seconds;
        let (trading, tally) = self.trading(wallets, rate, seconds);
        let mut watch = Watch::new(self.args.node_pid);
        let started = Instant::now();
        let shocked = if shock {
            tokio::time::sleep(Duration::from_secs(5)).await;
            let victims = self.victims().await?;
            let shock = self.shock_for(&victims).await;
            watch.victims(victims, Instant::now(), shock);
            self.shift.store(shock, Ordering::Relaxed);
            Some(Instant::now())
        } else {
            None
        };
        while !trading.is_finished() {
            watch
                .observe(&mut self.chain, keeper, &mut self.funding)
                .await;
            if shocked
                .is_some_and(|at| watch.all_liquidated() || at.elapsed() > Duration::from_secs(30))
            {
                self.shift.store(0, Ordering::Relaxed);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        self.shift.store(0, Ordering::Relaxed);
        let _ = trading.await;
        Ok(watch.finish(rate, &tally, started.elapsed(), &mut self.funding))
    }

    /// The shock that puts every one of `victims` below maintenance: `SHOCK_BPS`, or deeper
    /// when they need it (a long opened while the curve sat below the oracle starts in a profit
    /// that the withdrawal to initial margin cannot take out, so it sits further above
    /// maintenance), down to `DEEPEST_SHOCK_BPS`.
    async fn shock_for(&mut self, victims: &[Pubkey]) -> i64 {
        let Some((spot, perp, price)) = market_zero(&mut self.chain).await else {
            return SHOCK_BPS;
        };
        let mut users = Vec::new();
        for victim in victims {
            if let Ok(Some(account)) = self.chain.account(*victim).await {
                users.extend(decode::<User>(&account.data));
            }
        }
        if users.len() < victims.len() {
            return DEEPEST_SHOCK_BPS;
        }
        let all_below = |bps: i64| {
            let shocked = price - price * bps.unsigned_abs() / 10_000;
            users
                .iter()
                .all(|user| below_maintenance(user, &spot, &perp, shocked))
        };
        let needed = (0..)
            .map(|step| step * -50)
            .take_while(|bps| *bps >= DEEPEST_SHOCK_BPS)
            .find(|bps| all_below(*bps));
        needed.map_or(DEEPEST_SHOCK_BPS, |bps| {
            (bps - SHOCK_ROOM_BPS).clamp(DEEPEST_SHOCK_BPS, SHOCK_BPS)
        })
    }

    /// `VICTIMS` accounts just above initial margin in market 0: each a 1x long on a $100
    /// deposit (it opens however far the curve sits from the oracle), the deposit then
    /// withdrawn down to the margin the long needs.
    pub async fn victims(&mut self) -> Result<Vec<Pubkey>, String> {
        let market = self.markets[0];
        let victim = Traded {
            size: base_worth(100, self.price(&market).await?) / 10_000_000 * 10_000_000,
            ..market
        };
        let others = self.others(&market);
        let wallets = crowd::longs(
            &self.chain,
            &self.admin,
            &self.quote,
            &victim,
            &others,
            100 * DOLLAR,
            VICTIMS,
        )
        .await?;
        crowd::withdraw_to_initial(&mut self.chain, &self.quote, &wallets, &[market.accounts])
            .await?;
        Ok(wallets.iter().map(|w| pda::user(&w.pubkey(), 0)).collect())
    }
}
