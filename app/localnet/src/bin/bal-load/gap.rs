//! The gap shock: every oracle jumps beyond its 10% guard against its TWAP, as a market that
//! opens after a halt does. Fresh longs just above initial margin are bankrupt at once; fills
//! (and so the keeper's unwind) wait until the TWAP has followed, so the keeper takes over only
//! what it can shed inside the band and unwinds it once fills resume. The phase times every
//! victim's liquidation and the keeper's return to a flat book, and counts the keeper's
//! liquidate and unwind transactions by outcome: a refusal must show as a failure, not a skip.
use crate::exchange::Exchange;
use crate::keepers::{Keeper, Metrics};
use crate::watch::{Step, Watch};
use anchor_lang::prelude::Pubkey;
use bal::state::User;
use bal_client::read::decode;
use bal_transport::chain::Chain;
use bal_transport::rpc::RpcChain;
use solana_keypair::Keypair;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The gap: 15% down, half again beyond the oracles' 10% divergence guard.
pub const GAP_BPS: i64 = -1_500;
/// How long the crowd trades through the gap (the TWAP needs about two of its five minutes to
/// come within the guard).
const TRADING_SECONDS: u64 = 240;
/// The time the run gives, from the gap, for every victim to be liquidated and the keeper to
/// hold nothing: the bound `docs/measurements/2026-12-load.md` states.
pub const GAP_LIMIT: Duration = Duration::from_secs(420);
/// The keeper's duties the phase counts, and the outcomes it counts for each.
const DUTIES: [&str; 2] = ["liquidate", "unwind"];
const OUTCOMES: [&str; 3] = ["sent", "failed", "skipped"];

/// What the gap phase measured.
pub struct Gap {
    /// The trading through the gap as a step row (its liquidation column the victims').
    pub step: Step,
    /// The most base the keeper held, every market together. precision: BASE
    pub keeper_held_max: u64,
    /// From the gap to the keeper holding nothing with every victim liquidated.
    pub keeper_flat: Option<Duration>,
    /// Each duty's transactions by outcome (`OUTCOMES`' order) during the phase.
    pub outcomes: Vec<(&'static str, [f64; 3])>,
}

impl Gap {
    /// Every victim liquidated and every takeover unwound inside `GAP_LIMIT`, nothing the
    /// keeper sent for them counted as a skip.
    pub fn passed(&self) -> bool {
        self.step.liquidated == self.step.victims
            && self.keeper_flat.is_some()
            && self.outcomes.iter().all(|(_, counts)| counts[2] == 0.0)
    }

    pub fn render(&self) -> String {
        let mut out = format!(
            "gap shock ({:+.1}%, beyond the 10% guard): keeper held at most {:.3} base, flat \
             with every victim liquidated {} s after the gap (bound {} s)",
            GAP_BPS as f64 / 100.0,
            self.keeper_held_max as f64 / 1e9,
            self.keeper_flat
                .map_or("never".to_string(), |d| format!("{:.0}", d.as_secs_f64())),
            GAP_LIMIT.as_secs()
        );
        for (duty, counts) in &self.outcomes {
            out.push_str(&format!(
                "; {duty} sent / failed / skipped {:.0} / {:.0} / {:.0}",
                counts[0], counts[1], counts[2]
            ));
        }
        out.push('\n');
        out
    }
}

/// The base `user` holds in every market, absolute values added. precision: BASE
async fn held(chain: &mut RpcChain, user: Pubkey) -> u64 {
    let Ok(Some(account)) = chain.account(user).await else {
        return 0;
    };
    decode::<User>(&account.data).map_or(0, |user| {
        user.perp_positions
            .iter()
            .filter(|p| p.is_active())
            .map(|p| p.base_asset_amount.unsigned_abs())
            .sum()
    })
}

fn outcomes(metrics: &Metrics) -> Vec<(&'static str, [f64; 3])> {
    DUTIES
        .iter()
        .map(|duty| {
            let count = |outcome: &str| {
                metrics.value(&format!(
                    "bal_keeper_transactions{{duty=\"{duty}\",outcome=\"{outcome}\"}}"
                ))
            };
            (*duty, OUTCOMES.map(count))
        })
        .collect()
}

impl Exchange {
    /// The gap phase at `rate` trades a second, watched until every victim is liquidated and
    /// `keeper_user` (the keeper's subaccount) holds nothing, or `GAP_LIMIT`. The oracles stay
    /// where the gap left them.
    pub async fn gap(
        &mut self,
        wallets: &Arc<Vec<Keypair>>,
        keeper: &Keeper,
        keeper_user: Pubkey,
        rate: f64,
    ) -> Result<Gap, String> {
        let before = outcomes(&keeper.read()?);
        let (trading, tally) = self.trading(wallets, rate, TRADING_SECONDS);
        let mut watch = Watch::new(self.args.node_pid);
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(5)).await;
        let victims = self.victims().await?;
        watch.victims(victims, Instant::now(), GAP_BPS);
        self.shift.store(GAP_BPS, Ordering::Relaxed);
        let gapped = Instant::now();
        let (mut keeper_held_max, mut keeper_flat) = (0, None);
        while keeper_flat.is_none() && gapped.elapsed() < GAP_LIMIT {
            watch
                .observe(&mut self.chain, keeper, &mut self.funding)
                .await;
            let holding = held(&mut self.chain, keeper_user).await;
            keeper_held_max = keeper_held_max.max(holding);
            if holding == 0 && watch.all_liquidated() {
                keeper_flat = Some(gapped.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let _ = trading.await;
        let after = outcomes(&keeper.read()?);
        let outcomes = after
            .into_iter()
            .zip(before)
            .map(|((duty, a), (_, b))| (duty, [0, 1, 2].map(|i| a[i] - b[i])))
            .collect();
        Ok(Gap {
            step: watch.finish(rate, &tally, started.elapsed(), &mut self.funding),
            keeper_held_max,
            keeper_flat,
            outcomes,
        })
    }
}
