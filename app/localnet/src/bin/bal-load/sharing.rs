//! Keepers side by side: what each way of sharing the work lands.

use crate::exchange::Exchange;
use crate::keepers::{write_config, Keeper, KeeperConfig};
use solana_keypair::Keypair;
use std::sync::Arc;
use std::time::Duration;

/// Keepers run side by side, to count what each way of sharing the work sends.
pub struct Sharing<'a> {
    pub binary: &'a std::path::Path,
    pub state: &'a std::path::Path,
    pub rpc: &'a str,
    pub keypairs: [&'a std::path::Path; 2],
}

impl Sharing<'_> {
    /// Starts a keeper per shard (count, index, how), waits for each one's first round, lets
    /// the exchange trade at the share rate for the share time, and returns what the keepers
    /// landed meanwhile, all of them together.
    pub async fn measure(
        &self,
        exchange: &Exchange,
        wallets: &Arc<Vec<Keypair>>,
        shards: &[(u16, u16, &str)],
    ) -> Result<Landed, String> {
        let mut keepers = Vec::new();
        for (n, shard) in shards.iter().enumerate() {
            let metrics = format!("127.0.0.1:{}", 9465 + n);
            let name = format!("keeper-{}-{}-of-{}", shard.2, shard.1, shard.0);
            let config = self.state.join(format!("{name}.toml"));
            write_config(
                &config,
                &KeeperConfig {
                    rpc: self.rpc,
                    keypair: self.keypairs[n],
                    metrics: &metrics,
                    shard: *shard,
                },
            )?;
            let log = self.state.join(format!("{name}.log"));
            keepers.push(Keeper::start(self.binary, &config, &metrics, log)?);
        }
        for keeper in &keepers {
            keeper.first_round(Duration::from_secs(120)).await?;
        }
        let landed = |keepers: &[Keeper]| {
            keepers
                .iter()
                .filter_map(|k| k.read().ok())
                .fold(Landed::default(), |sum, m| Landed {
                    transactions: sum.transactions + m.sent(),
                    accounts: sum.accounts + m.accounts(),
                })
        };
        let before = landed(&keepers);
        let (rate, seconds) = (exchange.args.share_rate, exchange.args.share_seconds);
        let (trading, _) = exchange.trading(wallets, rate, seconds);
        let _ = trading.await;
        // The rounds that follow the last trades.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let after = landed(&keepers);
        Ok(Landed {
            transactions: after.transactions - before.transactions,
            accounts: after.accounts - before.accounts,
        })
    }
}

/// What keepers landed: transactions, and the accounts those acted on.
#[derive(Clone, Copy, Default)]
pub struct Landed {
    pub transactions: f64,
    pub accounts: f64,
}
