//! The local market's life: every second each oracle moves along its price path (on a task of
//! its own, so traders' confirmations never hold it back), and every tick the traders act on
//! the move (half follow it, half fade it), so the AMM and its LPs take positions.
use crate::setup::Participant;
use bal::instructions::OrderParams;
use bal::state::PositionDirection::{Long, Short};
use bal_client::instructions::{self as ix, MarketAccounts};
use bal_transport::chain::Chain;
use bal_transport::log;
use bal_transport::rpc::RpcChain;
use serde_json::json;
use solana_signer::Signer;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A market the traders trade, with where its price path is centred.
pub struct LiveMarket {
    pub accounts: MarketAccounts,
    /// precision: PRICE
    pub centre: i64,
    /// Base a following trader trades each tick (faders half of it): an even multiple of the
    /// market's order step. precision: BASE
    pub size: u64,
}

/// Price at `seconds` since start: a ten-minute swing of ±3% and a fast one of ±1% around
/// `centre`, so a browser sees the BAL position move within a minute. precision: PRICE
pub fn price_at(centre: i64, seconds: f64) -> i64 {
    let tau = std::f64::consts::TAU;
    let slow = 0.03 * (seconds / 600.0 * tau).sin();
    let fast = 0.01 * (seconds / 97.0 * tau).sin();
    (centre as f64 * (1.0 + slow + fast)).round() as i64
}

pub struct Market {
    pub markets: Vec<LiveMarket>,
    pub traders: Vec<Participant>,
    pub started: std::time::Instant,
    /// Last published price per market. precision: PRICE
    pub last: Vec<i64>,
}

/// Publishes every market's price on its path, moved by `shift` basis points (a price shock
/// the load run sets; zero otherwise), every `period`, until the process ends.
pub async fn publish_prices(
    mut chain: RpcChain,
    oracles: Vec<(MarketAccounts, i64)>,
    started: std::time::Instant,
    period: std::time::Duration,
    shift: Arc<AtomicI64>,
) {
    let admin = chain.signer();
    loop {
        let seconds = started.elapsed().as_secs_f64();
        let shift = shift.load(Ordering::Relaxed);
        for (accounts, centre) in &oracles {
            let on_path = price_at(*centre, seconds);
            let price = on_path + on_path * shift / 10_000;
            let confidence = price.unsigned_abs() / 10_000;
            let update = ix::update_program_oracle(admin, accounts.oracle, price, confidence);
            if let Err(error) = chain.send(&[update], &[]).await {
                log::event(
                    "warn",
                    "oracle update refused",
                    json!({ "error": error.to_string() }),
                );
            }
        }
        tokio::time::sleep(period).await;
    }
}

impl Market {
    /// Lets every trader act on each price's move since the last tick.
    pub async fn tick(&mut self, chain: &mut RpcChain) {
        let seconds = self.started.elapsed().as_secs_f64();
        for (i, market) in self.markets.iter().enumerate() {
            let price = price_at(market.centre, seconds);
            let moved = price - self.last[i];
            self.last[i] = price;
            if moved == 0 {
                continue;
            }
            for (t, trader) in self.traders.iter().enumerate() {
                let follows = t % 2 == 0;
                let direction = if follows == (moved > 0) { Long } else { Short };
                let params = OrderParams {
                    direction,
                    base_amount: if follows {
                        market.size
                    } else {
                        market.size / 2
                    },
                    limit_price: None,
                    reduce_only: false,
                };
                let others: Vec<MarketAccounts> = self
                    .markets
                    .iter()
                    .filter(|m| m.accounts.market_index != market.accounts.market_index)
                    .map(|m| m.accounts)
                    .collect();
                let order = ix::place_perp_order(
                    trader.wallet.pubkey(),
                    trader.user,
                    &market.accounts,
                    &others,
                    params,
                );
                // A trader at its limits is refused: the market goes on without that order.
                if let Err(error) = chain.send(&[order], &[&trader.wallet]).await {
                    log::event(
                        "debug",
                        "trade refused",
                        json!({ "error": error.to_string() }),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_starts_at_its_centre_and_stays_within_four_percent() {
        assert_eq!(price_at(100_000_000, 0.0), 100_000_000);
        for second in 0..3_600 {
            let price = price_at(100_000_000, f64::from(second));
            assert!(
                (96_000_000..=104_000_000).contains(&price),
                "{second}: {price}"
            );
        }
    }
}
