//! Carrying out a round's plans in waves: every transaction of a wave is simulated (its
//! compute budget sized from the simulation), then all of them are sent together and
//! confirmed together, so a wave costs about one confirmation however many transactions it
//! holds, and every market's work shares it. Batches of users are split in two when they do
//! not fit a transaction or an instruction in them fails, and the halves go in the next wave;
//! errors that only mean "nothing to do any more" count as skips.
use crate::budget::{compute_limit, with_budget, writes, MAX_COMPUTE_UNITS};
use crate::config::Settings;
use crate::duties::Plan;
use crate::metrics::{Metrics, Outcome};
use crate::pace::settle_room;
use crate::snapshot::{MarketState, Snapshot};
use crate::work::{batches_per_market, Duty, Work};
use crate::RoundReport;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal::math::price_band::PriceBand;
use bal::state::{PerpMarket, PositionDirection, User};
use bal_client::instructions as ix;
use bal_client::read::decode;
use bal_transport::chain::{
    transaction_size, Chain, ChainError, FailureKind, MAX_TRANSACTION_SIZE,
};
use bal_transport::log;
use serde_json::json;
use std::time::{Duration, Instant};

/// Refusals that mean the duty is no longer needed (someone else did it, the state moved) or
/// cannot be done this round (the oracle, a curve moved earlier in the second): skipped, not
/// failures. Not for an unwind: the keeper holds what it could not close, so every refusal of
/// one but "nothing to close" is a failure (`benign_for`).
const BENIGN: &[BalError] = &[
    BalError::FundingNotDue,
    BalError::CurveMovedThisSecond,
    BalError::LpCooldown,
    BalError::NotLiquidatable,
    BalError::NoBadDebt,
    BalError::SettlementNotReady,
    BalError::NothingToDerisk,
    BalError::NothingToFill,
    BalError::OrderNotFound,
    BalError::OrderExpired,
    BalError::NoPosition,
    BalError::LimitPriceExceeded,
    BalError::OracleStale,
    BalError::OracleTooUncertain,
    BalError::OracleTooDivergent,
    BalError::OperationPaused,
];

pub fn is_benign(error: &ChainError) -> bool {
    is_one_of(error, BENIGN)
}

/// `is_benign`, for `duty`'s refusals.
pub fn benign_for(duty: Duty, error: &ChainError) -> bool {
    match duty {
        Duty::Unwind => is_one_of(error, &[BalError::NoPosition]),
        _ => is_benign(error),
    }
}

fn is_one_of(error: &ChainError, codes: &[BalError]) -> bool {
    error
        .custom_code
        .is_some_and(|code| codes.iter().any(|listed| u32::from(*listed) == code))
}

pub struct Executor<'a, C: Chain> {
    pub chain: &'a mut C,
    pub settings: &'a Settings,
    pub metrics: &'a Metrics,
    pub report: &'a mut RoundReport,
    /// When the round should be done (`Settings::round_deadline` after its start).
    pub deadline: Option<Instant>,
    /// The accounts a wave's fee estimate may be asked for (`Snapshot::market_addresses`).
    pub fee_accounts: Vec<Pubkey>,
}

impl<C: Chain> Executor<'_, C> {
    /// What cannot wait: every due funding update (or oracle record of a market whose TWAP a
    /// jump left behind), all markets in one wave; then market by
    /// market (they draw on the same collateral of the keeper's), its liquidations in one wave,
    /// sharing that collateral (`duties::plan`), and what they took over closed in the next.
    pub async fn carry_out_urgent(
        &mut self,
        snapshot: &Snapshot,
        plans: &[(&MarketState, &Plan)],
        keeper_user: Option<Pubkey>,
    ) {
        let funding = plans
            .iter()
            .filter_map(|(state, plan)| {
                let market = state.accounts();
                if plan.update_funding {
                    Some(Work::Single(
                        Duty::Funding,
                        ix::update_funding_rate(&market),
                    ))
                } else if plan.record_oracle {
                    Some(Work::Single(Duty::Oracle, ix::record_oracle(&market)))
                } else {
                    None
                }
            })
            .collect();
        self.wave(funding).await;
        let Some(keeper_user) = keeper_user else {
            return;
        };
        let signer = self.chain.signer();
        let unwind = self.settings.unwind_liquidations;
        for (state, plan) in plans {
            let market = state.accounts();
            let index = market.market_index;
            if plan.unwind && unwind {
                self.unwind(snapshot, keeper_user, state).await;
            }
            let liquidations = plan
                .liquidate
                .iter()
                .map(|liquidation| {
                    let others = other_markets(snapshot, [&liquidation.user, &keeper_user], index);
                    Work::Single(
                        Duty::Liquidate,
                        ix::liquidate_perp(
                            signer,
                            keeper_user,
                            liquidation.user,
                            &market,
                            &others,
                            liquidation.max_base,
                        ),
                    )
                })
                .collect();
            // Whatever the wave reported: a liquidation not confirmed in time may have landed,
            // and a close with nothing to close is only a skip.
            self.wave(liquidations).await;
            if !plan.liquidate.is_empty() && unwind {
                self.unwind(snapshot, keeper_user, state).await;
            }
        }
    }

    /// The rest, every market together, in order of what it protects: de-risks, fills, LP
    /// settles and P&L settles (largest first) in one wave; then bad debt; then a settling
    /// market's payouts fixed, then its positions closed (which pays the claims the payouts
    /// fixed). Each wave waits for the one before, whose results it needs.
    pub async fn carry_out_rest(
        &mut self,
        snapshot: &Snapshot,
        plans: &[(&MarketState, &Plan)],
        keeper_user: Option<Pubkey>,
    ) {
        let signer = self.chain.signer();
        let batch_size = self.settings.batch_size;
        let mut first = Vec::new();
        for (state, plan) in plans {
            let market = state.accounts();
            let index = market.market_index;
            for user in &plan.derisk {
                let others = other_markets(snapshot, [user], index);
                first.push(Work::Single(
                    Duty::Derisk,
                    ix::derisk_lp(*user, &market, &others),
                ));
            }
        }
        if let Some(keeper_user) = keeper_user {
            for (state, plan) in plans {
                let market = state.accounts();
                for fill in &plan.fills {
                    let parties =
                        std::iter::once(&fill.taker).chain(fill.makers.iter().map(|m| &m.user));
                    let others = other_markets(snapshot, parties, market.market_index);
                    first.push(Work::Single(
                        Duty::Fill,
                        ix::fill_order(
                            signer,
                            keeper_user,
                            (fill.taker, fill.order_id),
                            &fill.makers,
                            &market,
                            &others,
                        ),
                    ));
                }
            }
        }
        let lps = (Duty::SettleLp, batch_size);
        let mut settles = batches_per_market(
            plans,
            lps,
            |p| &p.settle_lps,
            |state| {
                let index = state.market.market_index;
                move |users| ix::settle_lp_many(signer, users, index, true)
            },
        );
        let pnl = (Duty::SettlePnl, batch_size);
        settles.extend(batches_per_market(
            plans,
            pnl,
            |p| &p.settle_pnl,
            |state| {
                let market = state.accounts();
                move |users| ix::settle_pnl_many(users, &market, true)
            },
        ));
        let left = self.deadline.map_or(Duration::MAX, |deadline| {
            deadline.saturating_duration_since(Instant::now())
        });
        let room = settle_room(left, &self.metrics.pace(), first.len());
        if settles.len() > room {
            log::event(
                "info",
                "settles deferred",
                json!({ "batches": settles.len() - room, "reason": "round deadline" }),
            );
            // Where the cut falls turns with the rounds, so no batch is always the one left.
            let turn = self.metrics.rounds() as usize % settles.len();
            settles.rotate_left(turn);
            settles.truncate(room);
        }
        let settling = !settles.is_empty();
        first.extend(settles);
        let started = Instant::now();
        let sent = self.wave(first).await;
        if settling {
            let cap = self.settings.round_deadline.unwrap_or(Duration::MAX);
            self.metrics
                .record_settle_wave(started.elapsed(), sent, cap);
        }
        // After the settles: a loss settled this round is what leaves the debt to write off.
        let mut bad_debt = Vec::new();
        for (state, plan) in plans {
            let index = state.market.market_index;
            bad_debt.extend(
                plan.bad_debt
                    .iter()
                    .map(|user| Work::Single(Duty::BadDebt, ix::resolve_bad_debt(*user, index))),
            );
        }
        self.wave(bad_debt).await;
        let finalize = plans
            .iter()
            .filter(|(_, plan)| plan.finalize_settlement)
            .map(|(state, _)| {
                let index = state.market.market_index;
                Work::Single(Duty::Settlement, ix::finalize_settlement(index))
            })
            .collect();
        self.wave(finalize).await;
        let expired = (Duty::Settlement, batch_size);
        let closes = batches_per_market(
            plans,
            expired,
            |p| &p.settle_expired,
            |state| {
                let index = state.market.market_index;
                move |users| Some(ix::settle_expired_positions(users, index, true))
            },
        );
        self.wave(closes).await;
    }

    /// Closes what the keeper's subaccount holds in `state`'s market against the AMM, no worse
    /// on average than `unwind_limit` (so a trade pushed in ahead of it cannot sell the keeper
    /// far from the oracle), freeing its collateral for the next liquidation. Its own account
    /// is read first: the snapshot predates this round's liquidations. An unwind that cannot be
    /// made (beyond the limit, the oracle, the curve moved) is a failure in the report and the
    /// metrics, and the next round tries again; only "nothing to close" is a skip.
    async fn unwind(&mut self, snapshot: &Snapshot, keeper_user: Pubkey, state: &MarketState) {
        let market = state.accounts();
        let held = match self.chain.account(keeper_user).await {
            Ok(Some(data)) => decode::<User>(&data.data).ok(),
            _ => None,
        };
        let Some(held) = held else {
            self.record(
                Duty::Unwind,
                1,
                &Attempt::Failed(ChainError::other("the keeper's account could not be read")),
            );
            return;
        };
        let base = held
            .perp_positions
            .iter()
            .find(|p| p.is_active() && p.market_index == market.market_index)
            .map_or(0, |p| p.base_asset_amount);
        let Some(oracle_price) = state.oracle_price else {
            if base != 0 {
                self.record(
                    Duty::Unwind,
                    1,
                    &Attempt::Failed(ChainError::other("no oracle price to limit the unwind")),
                );
            }
            return;
        };
        if base == 0 {
            return;
        }
        let limit = unwind_limit(&state.market, oracle_price, base > 0, self.settings);
        let others = snapshot.other_markets(&held, market.market_index);
        let close = ix::close_position(
            self.chain.signer(),
            keeper_user,
            &market,
            &others,
            Some(limit),
        );
        self.wave(vec![Work::Single(Duty::Unwind, close)]).await;
    }

    /// Simulates every piece of `work`, sends together what passed and waits for all of it;
    /// batches that did not fit or whose instruction failed go, split, into the next wave. A
    /// failure of a transaction itself (the payer's funds) or of the connection ends this
    /// wave without splitting: nothing smaller would pass (the round's later waves still try).
    /// Returns how many transactions it sent.
    async fn wave(&mut self, mut work: Vec<Work>) -> usize {
        let mut sent = 0;
        while !work.is_empty() {
            let mut next = Vec::new();
            let mut stop = false;
            let mut ready = Vec::new();
            let mut transactions = Vec::new();
            let started = Instant::now();
            let preparations = self.prepare(&work).await;
            for (item, preparation) in work.into_iter().zip(preparations) {
                if stop {
                    break;
                }
                match preparation {
                    Ok((transaction, units)) => {
                        transactions.push(transaction);
                        ready.push((item, units));
                    }
                    Err(attempt) => {
                        stop = !self.conclude(item, attempt, &mut next);
                    }
                }
            }
            let prepared = started.elapsed();
            let outcomes = self.chain.send_pipelined(&transactions).await;
            sent += transactions.len();
            if !transactions.is_empty() {
                self.metrics.record_wave(started.elapsed());
            }
            log::event(
                "debug",
                "wave",
                json!({ "transactions": transactions.len(),
                        "prepare_ms": prepared.as_millis() as u64,
                        "confirm_ms": (started.elapsed() - prepared).as_millis() as u64 }),
            );
            for ((item, units), outcome) in ready.into_iter().zip(outcomes) {
                let attempt = match outcome {
                    Ok(()) => Attempt::Landed { units },
                    Err(error) if benign_for(item.duty(), &error) => Attempt::Skipped(error),
                    Err(error) => Attempt::Failed(error),
                };
                stop |= !self.conclude(item, attempt, &mut next);
            }
            if stop {
                break;
            }
            work = next;
        }
        sent
    }

    /// For each piece of `work`, in order: the transaction to send (its budget sized from a
    /// simulation, its fee from a recent estimate) and the units it simulated at, or why it is
    /// not sent. Every simulation of the wave and one fee estimate per market it writes go out
    /// together, and each transaction pays for the busiest market it writes (within the
    /// configured bounds). Markets, the accounts every trade contends for, not users: a user
    /// could bid up the fees of its own account for a while to make the keeper pay the most it
    /// is configured to for every transaction that settles it. And per market, not per
    /// transaction: a request per transaction cost the node more than the simulations.
    async fn prepare(&mut self, work: &[Work]) -> Vec<Result<(Vec<Instruction>, u64), Attempt>> {
        let signer = self.chain.signer();
        let instructions: Vec<Option<Instruction>> = work.iter().map(Work::instruction).collect();
        let fits: Vec<bool> = instructions
            .iter()
            .map(|i| {
                i.as_ref().is_some_and(|i| {
                    transaction_size(&with_budget(i, 0, 0), &signer) <= MAX_TRANSACTION_SIZE
                })
            })
            .collect();
        let fitting: Vec<&Instruction> = instructions
            .iter()
            .zip(&fits)
            .filter(|(_, fits)| **fits)
            .filter_map(|(instruction, _)| instruction.as_ref())
            .collect();
        let probes: Vec<Vec<Instruction>> = fitting
            .iter()
            .map(|instruction| with_budget(instruction, MAX_COMPUTE_UNITS, 0))
            .collect();
        let contended: Vec<Pubkey> = self
            .fee_accounts
            .iter()
            .filter(|market| fitting.iter().any(|i| writes(i, market)))
            .copied()
            .collect();
        let preflights = self.chain.preflight(&probes, &contended).await;
        let (floor, ceiling) = (
            self.settings.priority_fee_min,
            self.settings.priority_fee_max,
        );
        let estimates = fee_estimates(&contended, preflights.fees);
        let mut simulations = preflights.simulated.into_iter();
        fits.iter()
            .zip(instructions.iter().zip(work))
            .map(|(fits, (instruction, item))| {
                let Some(instruction) = instruction else {
                    return Err(Attempt::Failed(ChainError::other(
                        "a batch of no users builds no instruction",
                    )));
                };
                if !fits {
                    return Err(Attempt::TooLarge);
                }
                // Only what fits was simulated: the simulations line up with those alone.
                let Some(simulated) = simulations.next() else {
                    return Err(Attempt::Failed(ChainError::other(
                        "the node returned no simulation for it",
                    )));
                };
                let simulated = simulated.map_err(Attempt::Failed)?;
                if let Some(error) = simulated.error {
                    return Err(if benign_for(item.duty(), &error) {
                        Attempt::Skipped(error)
                    } else {
                        Attempt::Failed(error)
                    });
                }
                // No estimate is no reason to stop: the floor of the configured bounds serves.
                let fee = estimates
                    .iter()
                    .filter(|(market, _)| writes(instruction, market))
                    .map(|(_, fee)| *fee)
                    .max()
                    .map_or(floor, |fee| fee.clamp(floor, ceiling));
                let limit = compute_limit(simulated.units, item.size());
                Ok((with_budget(instruction, limit, fee), simulated.units))
            })
            .collect()
    }

    /// Records how `item` ended, or splits it into `next` when a smaller batch may pass;
    /// `false` when the failure means nothing else would pass either.
    fn conclude(&mut self, item: Work, attempt: Attempt, next: &mut Vec<Work>) -> bool {
        let split_reason = match &attempt {
            Attempt::TooLarge => Some("too large".to_string()),
            Attempt::Failed(error) if error.kind == FailureKind::Instruction => {
                Some(error.to_string())
            }
            _ => None,
        };
        if let (Some(reason), Some(halves)) = (split_reason, item.split()) {
            log::event(
                "info",
                "batch split",
                json!({ "duty": item.duty().name(), "users": item.size(), "reason": reason }),
            );
            next.extend(halves);
            return true;
        }
        if matches!(attempt, Attempt::Landed { .. }) {
            *item.duty().landed(self.report) += item.size() as u64;
            self.metrics
                .record_accounts(item.duty().name(), item.size() as u64);
        }
        self.record(item.duty(), item.size(), &attempt);
        !matches!(&attempt, Attempt::Failed(error) if error.kind != FailureKind::Instruction)
    }

    fn record(&mut self, duty: Duty, users: usize, attempt: &Attempt) {
        let (outcome, level, detail) = match attempt {
            Attempt::Landed { units } => (Outcome::Sent, "info", json!({ "units": units })),
            Attempt::Skipped(error) => (
                Outcome::Skipped,
                "debug",
                json!({ "reason": error.to_string() }),
            ),
            Attempt::Failed(error) => (
                Outcome::Failed,
                "warn",
                json!({ "error": error.to_string() }),
            ),
            Attempt::TooLarge => (
                Outcome::Failed,
                "warn",
                json!({ "error": "transaction too large" }),
            ),
        };
        match outcome {
            Outcome::Sent => self.report.transactions += 1,
            Outcome::Failed => self.report.failures += 1,
            Outcome::Skipped => {}
        }
        self.metrics.record(duty.name(), outcome);
        let reason = match attempt {
            Attempt::Failed(error) if error.custom_code.is_some() => Some("program"),
            Attempt::Failed(error) => Some(error.kind.name()),
            Attempt::TooLarge => Some("too_large"),
            _ => None,
        };
        if let Some(reason) = reason {
            self.metrics.record_failure(duty.name(), reason);
        }
        log::event(
            level,
            outcome.name(),
            json!({ "duty": duty.name(), "users": users, "detail": detail }),
        );
    }
}

/// The worst average price an unwind of a long (`selling`) or a short may take: the keeper's
/// `unwind_max_slippage` around the oracle, or the market's price band if narrower.
/// precision: PRICE
pub fn unwind_limit(
    market: &PerpMarket,
    oracle_price: u64,
    selling: bool,
    settings: &Settings,
) -> u64 {
    let band = settings.unwind_max_slippage.min(market.amm.price_band);
    let band = PriceBand::around(oracle_price, band).unwrap_or(PriceBand {
        low: oracle_price,
        oracle: oracle_price,
        high: oracle_price,
    });
    band.worst_for(if selling {
        PositionDirection::Short
    } else {
        PositionDirection::Long
    })
}

fn other_markets<'a>(
    snapshot: &Snapshot,
    users: impl IntoIterator<Item = &'a Pubkey>,
    market_index: u16,
) -> Vec<bal_client::instructions::MarketAccounts> {
    let mut others = Vec::new();
    for user in users {
        if let Some((_, account)) = snapshot.users.iter().find(|(key, _)| key == user) {
            others.extend(snapshot.other_markets(account, market_index));
        }
    }
    others.sort_by_key(|m| m.market_index);
    others.dedup_by_key(|m| m.market_index);
    others
}

enum Attempt {
    Landed { units: u64 },
    Skipped(ChainError),
    Failed(ChainError),
    TooLarge,
}

/// The fee estimates that came back, per account; a failed one is logged and left out.
fn fee_estimates(accounts: &[Pubkey], fees: Vec<Result<u64, ChainError>>) -> Vec<(Pubkey, u64)> {
    accounts
        .iter()
        .zip(fees)
        .filter_map(|(account, fee)| match fee {
            Ok(fee) => Some((*account, fee)),
            Err(error) => {
                log::event(
                    "warn",
                    "fee estimate failed",
                    json!({ "account": account.to_string(), "error": error.to_string() }),
                );
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_program_errors_are_benign() {
        let code = |e: BalError| ChainError {
            custom_code: Some(u32::from(e)),
            kind: FailureKind::Instruction,
            message: String::new(),
        };
        assert!(is_benign(&code(BalError::NotLiquidatable)));
        assert!(!is_benign(&code(BalError::InsufficientCollateral)));
        assert!(!is_benign(&ChainError::other("blockhash not found")));
    }
}
