//! What a load step watches, and the run's table: trades offered and landed, the keeper's
//! rounds, how late each funding update landed, how long each shocked account waited for its
//! liquidation once below maintenance margin, and the node's memory.
use crate::crowd::Tally;
use crate::gap::Gap;
use crate::keepers::Keeper;
use crate::sharing::Landed;
use anchor_lang::prelude::Pubkey;
use bal::read::margin::MarginType;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::books::Books;
use bal_client::pda;
use bal_client::read::{decode, margin, PricedMarket};
use bal_keeper::snapshot::oracle_price;
use bal_transport::chain::Chain;
use bal_transport::rpc::RpcChain;
use std::time::{Duration, Instant};

/// A shocked account and how long its liquidation took.
struct Victim {
    user: Pubkey,
    /// precision: BASE
    base: i64,
    /// When it was first seen below maintenance margin; until then, the last time it was seen
    /// above (the shock at first), so a liquidation seen before the account was ever seen
    /// below is timed from the latest moment it could have fallen below.
    below_from: Instant,
    seen_below: bool,
    /// From falling below maintenance to the liquidation seen.
    liquidated: Option<Duration>,
}

pub struct Watch {
    node_pid: Option<u32>,
    victims: Vec<Victim>,
    /// The price shock that was to push the victims below maintenance, in basis points.
    shock_bps: i64,
    rounds_seen: f64,
    /// The duration of each keeper round seen complete. milliseconds
    rounds: Vec<f64>,
}

impl Watch {
    pub fn new(node_pid: Option<u32>) -> Self {
        Watch {
            node_pid,
            victims: Vec::new(),
            shock_bps: 0,
            rounds_seen: -1.0,
            rounds: Vec::new(),
        }
    }

    /// The accounts a shock of `shock_bps` at `shocked` is meant to push below maintenance.
    pub fn victims(&mut self, users: Vec<Pubkey>, shocked: Instant, shock_bps: i64) {
        self.shock_bps = shock_bps;
        self.victims = users
            .into_iter()
            .map(|user| Victim {
                user,
                base: 0,
                below_from: shocked,
                seen_below: false,
                liquidated: None,
            })
            .collect();
    }

    pub fn all_liquidated(&self) -> bool {
        self.victims.iter().all(|v| v.liquidated.is_some())
    }

    /// One look at the victims, the markets' funding and the keeper's rounds.
    pub async fn observe(
        &mut self,
        chain: &mut RpcChain,
        keeper: &Keeper,
        funding: &mut FundingWatch,
    ) {
        funding.observe(chain).await;
        let market = market_zero(chain).await;
        for victim in self.victims.iter_mut().filter(|v| v.liquidated.is_none()) {
            let Ok(Some(account)) = chain.account(victim.user).await else {
                continue;
            };
            let Ok(user) = decode::<User>(&account.data) else {
                continue;
            };
            let base = user
                .perp_positions
                .iter()
                .find(|p| p.is_active() && p.market_index == 0)
                .map_or(0, |p| p.base_asset_amount);
            if victim.base == 0 {
                victim.base = base;
            } else if base < victim.base {
                victim.liquidated = Some(victim.below_from.elapsed());
                continue;
            }
            if victim.seen_below {
                continue;
            }
            let below = market
                .as_ref()
                .is_some_and(|(spot, perp, price)| below_maintenance(&user, spot, perp, *price));
            if below {
                victim.seen_below = true;
            } else {
                victim.below_from = Instant::now();
            }
        }
        if let Ok(metrics) = keeper.read() {
            let rounds = metrics.value("bal_keeper_rounds");
            if self.rounds_seen >= 0.0 && rounds > self.rounds_seen {
                self.rounds
                    .push(metrics.value("bal_keeper_round_duration_milliseconds"));
            }
            self.rounds_seen = rounds;
        }
    }

    /// The step's row.
    pub fn finish(
        mut self,
        rate: f64,
        tally: &Tally,
        elapsed: Duration,
        funding: &mut FundingWatch,
    ) -> Step {
        let late = std::mem::take(&mut funding.late);
        self.rounds.sort_by(f64::total_cmp);
        let seconds = elapsed.as_secs_f64();
        Step {
            rate,
            landed: Tally::get(&tally.landed) as f64 / seconds,
            refused: Tally::get(&tally.refused),
            lost: Tally::get(&tally.lost),
            lost_reason: tally
                .lost_reason
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            rounds: self.rounds.len(),
            round_p50: self.rounds.get(self.rounds.len() / 2).copied(),
            round_max: self.rounds.last().copied(),
            funding_updates: late.len(),
            funding_late: late.iter().max().copied(),
            liquidated: self
                .victims
                .iter()
                .filter(|v| v.liquidated.is_some())
                .count(),
            never_below: self
                .victims
                .iter()
                .filter(|v| !v.seen_below && v.liquidated.is_none())
                .count(),
            victims: self.victims.len(),
            shock_bps: self.shock_bps,
            liquidation_max: self.victims.iter().filter_map(|v| v.liquidated).max(),
            rss_mb: self.node_pid.and_then(rss_mb),
        }
    }
}

/// Whether `user`, long in `perp` alone, is below maintenance margin at `oracle_price`.
pub fn below_maintenance(
    user: &User,
    spot: &SpotMarket,
    perp: &PerpMarket,
    oracle_price: u64,
) -> bool {
    let priced = [PricedMarket {
        market: perp,
        oracle_price,
    }];
    margin(user, spot, &priced, MarginType::Maintenance)
        .is_some_and(|report| !report.summary.meets_requirement())
}

/// The spot market, perp market 0 and its oracle price, as the victims' margin needs them.
pub async fn market_zero(chain: &mut RpcChain) -> Option<(SpotMarket, PerpMarket, u64)> {
    let spot = chain.account(pda::spot_market(0)).await.ok()??;
    let spot = decode::<SpotMarket>(&spot.data).ok()?;
    let perp = chain.account(pda::perp_market(0)).await.ok()??;
    let perp = decode::<PerpMarket>(&perp.data).ok()?;
    let oracle = chain.account(perp.oracle).await.ok()?;
    let price = oracle_price(&perp, oracle)?;
    Some((spot, perp, price))
}

/// The markets' funding updates as they land, across steps.
#[derive(Default)]
pub struct FundingWatch {
    /// Each market's last update seen and when its next came due: a period after it, and for
    /// the first no earlier than the run's first look (when the run set the period to a
    /// minute, the update before may be long past).
    seen: Vec<(u16, i64, i64)>,
    /// How many seconds past due each update landed, since the last step took them.
    late: Vec<i64>,
}

impl FundingWatch {
    pub async fn observe(&mut self, chain: &mut RpcChain) {
        let Ok(clock) = chain.clock().await else {
            return;
        };
        for index in 0.. {
            let Ok(Some(account)) = chain.account(pda::perp_market(index)).await else {
                break;
            };
            let Ok(market) = decode::<PerpMarket>(&account.data) else {
                break;
            };
            let last = market.funding.last_funding_ts;
            let next_due = last + market.funding.funding_period;
            match self.seen.iter_mut().find(|(i, ..)| *i == index) {
                Some((_, seen, due)) if *seen != last => {
                    self.late.push(last - *due);
                    (*seen, *due) = (last, next_due);
                }
                Some(_) => {}
                None => self
                    .seen
                    .push((index, last, next_due.max(clock.unix_timestamp))),
            }
        }
    }
}

/// The node's resident memory. megabytes
pub fn rss_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1_024)
}

/// One step of the trade rate, as measured.
pub struct Step {
    pub rate: f64,
    /// Trades landed a second.
    pub landed: f64,
    pub refused: u64,
    pub lost: u64,
    pub lost_reason: Option<String>,
    pub rounds: usize,
    /// milliseconds
    pub round_p50: Option<f64>,
    pub round_max: Option<f64>,
    pub funding_updates: usize,
    /// seconds
    pub funding_late: Option<i64>,
    pub liquidated: usize,
    /// Shocked accounts never seen below maintenance nor liquidated: the shock missed them.
    pub never_below: usize,
    pub victims: usize,
    /// The price shock that was to push them below maintenance; 0 for none.
    pub shock_bps: i64,
    pub liquidation_max: Option<Duration>,
    pub rss_mb: Option<u64>,
}

/// The run's results.
#[derive(Default)]
pub struct Report {
    pub setup: String,
    pub steps: Vec<Step>,
    /// From the keeper's restart after a kill to its first completed round.
    pub recovery: Option<Duration>,
    /// What each way of running keepers landed, at `share`'s rate and for its seconds.
    pub sharing: Vec<(String, Landed)>,
    pub share: (f64, u64),
    /// The soak, if any: five-minute steps at one rate, without shocks.
    pub soak: Vec<Step>,
    /// The gap shock, the run's last phase: its row closes the steps table.
    pub gap: Option<Gap>,
    /// `None` until read.
    pub books: Option<Result<Books, String>>,
}

/// A row per step: what was offered and landed, the keeper's rounds, the funding updates, the
/// shocked accounts' liquidations and the node's memory at the step's end.
fn steps_table<'a>(steps: impl IntoIterator<Item = &'a Step>) -> String {
    let mut out = String::from(
        "| trades offered/s | landed/s | refused | lost | keeper rounds | round p50 / max (s) \
         | funding updates | latest past due (s) | liquidated | slowest liquidation once below maintenance (s) \
         | node memory (MB) |\n|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|\n",
    );
    for step in steps {
        out.push_str(&format!(
            "| {:.0} | {:.1} | {} | {} | {} | {} / {} | {} | {} | {}/{}{}{} | {} | {} |\n",
            step.rate,
            step.landed,
            step.refused,
            step.lost,
            step.rounds,
            or_dash(step.round_p50, |ms| format!("{:.1}", ms / 1_000.0)),
            or_dash(step.round_max, |ms| format!("{:.1}", ms / 1_000.0)),
            step.funding_updates,
            or_dash(step.funding_late, |s| s.to_string()),
            step.liquidated,
            step.victims,
            match step.shock_bps {
                0 => String::new(),
                bps => format!(" at {:+.1}%", bps as f64 / 100.0),
            },
            match step.never_below {
                0 => String::new(),
                missed => format!(" ({missed} never below maintenance)"),
            },
            or_dash(step.liquidation_max, |d| format!("{:.1}", d.as_secs_f64())),
            or_dash(step.rss_mb, |mb| mb.to_string()),
        ));
    }
    out
}

fn or_dash<T>(value: Option<T>, show: impl Fn(T) -> String) -> String {
    value.map_or("-".to_string(), show)
}

impl Report {
    pub fn render(&self) -> String {
        let mut out = format!("{}\n\n", self.setup);
        out.push_str(&steps_table(
            self.steps
                .iter()
                .chain(self.gap.iter().map(|gap| &gap.step)),
        ));
        if let Some(gap) = &self.gap {
            out.push('\n');
            out.push_str(&gap.render());
        }
        for step in self.steps.iter().chain(&self.soak).filter(|s| s.lost > 0) {
            if let Some(reason) = &step.lost_reason {
                out.push_str(&format!(
                    "\nlost at {:.0}/s, the first: {reason}\n",
                    step.rate
                ));
            }
        }
        out.push_str(&format!(
            "\nkeeper killed and restarted: first round complete {} s after the restart\n",
            or_dash(self.recovery, |d| format!("{:.1}", d.as_secs_f64()))
        ));
        out.push_str(&format!(
            "\nkeeper transactions landed at {:.0} trades/s in {} s:\n\n\
             | keepers | transactions | accounts acted on | accounts per transaction |\n\
             |---|---:|---:|---:|\n",
            self.share.0, self.share.1
        ));
        for (setup, landed) in &self.sharing {
            out.push_str(&format!(
                "| {setup} | {:.0} | {:.0} | {:.2} |\n",
                landed.transactions,
                landed.accounts,
                landed.accounts / landed.transactions.max(1.0)
            ));
        }
        out.push('\n');
        if !self.soak.is_empty() {
            out.push_str("soak, five minutes a row:\n\n");
            out.push_str(&steps_table(&self.soak));
            out.push('\n');
        }
        out.push_str(&match &self.books {
            Some(Ok(books)) => format!(
                "books: balanced ({} users, {} open positions)\n",
                books.users, books.positions
            ),
            Some(Err(broken)) => format!("books: NOT balanced: {broken}\n"),
            None => "books: not read\n".to_string(),
        });
        out
    }
}
