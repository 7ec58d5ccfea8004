//! Carrying out a plan: simulate, size the compute budget from the simulation, send; batch
//! users where the program takes batches and split a batch that is too large or fails; count
//! errors that only mean "nothing to do any more" as skips.
use crate::chain::{transaction_size, Chain, ChainError, FailureKind, MAX_TRANSACTION_SIZE};
use crate::config::Settings;
use crate::duties::Plan;
use crate::log;
use crate::metrics::{Metrics, Outcome};
use crate::snapshot::{MarketState, Snapshot};
use crate::RoundReport;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use bal_client::instructions as ix;
use serde_json::json;
use solana_compute_budget_interface::ComputeBudgetInstruction;

/// The most a transaction may use.
pub const MAX_COMPUTE_UNITS: u32 = 1_400_000;

/// Refusals that mean the duty is no longer needed (someone else did it, the state moved) or
/// cannot be done this round (the oracle): skipped, not failures.
const BENIGN: &[BalError] = &[
    BalError::FundingNotDue,
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
    error
        .custom_code
        .is_some_and(|code| BENIGN.iter().any(|benign| u32::from(*benign) == code))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    Funding,
    SettleLp,
    Derisk,
    SettlePnl,
    Fill,
    Liquidate,
    Unwind,
    BadDebt,
    Settlement,
}

impl Duty {
    pub const ALL: [Duty; 9] = [
        Duty::Funding,
        Duty::SettleLp,
        Duty::Derisk,
        Duty::SettlePnl,
        Duty::Fill,
        Duty::Liquidate,
        Duty::Unwind,
        Duty::BadDebt,
        Duty::Settlement,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Duty::Funding => "funding",
            Duty::SettleLp => "settle_lp",
            Duty::Derisk => "derisk",
            Duty::SettlePnl => "settle_pnl",
            Duty::Fill => "fill",
            Duty::Liquidate => "liquidate",
            Duty::Unwind => "unwind",
            Duty::BadDebt => "bad_debt",
            Duty::Settlement => "settlement",
        }
    }
}

/// Compute units to ask for after a simulation used `units`: a tenth more, for state that
/// moves between simulation and execution.
fn compute_limit(units: u64) -> u32 {
    let padded = units.saturating_add(units / 10).saturating_add(1_000);
    u32::try_from(padded).map_or(MAX_COMPUTE_UNITS, |u| u.min(MAX_COMPUTE_UNITS))
}

/// Accounts the transaction writes, for the priority-fee estimate.
fn writable(instruction: &Instruction) -> Vec<Pubkey> {
    let mut keys: Vec<Pubkey> = instruction
        .accounts
        .iter()
        .filter(|a| a.is_writable)
        .map(|a| a.pubkey)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

pub struct Executor<'a, C: Chain> {
    pub chain: &'a mut C,
    pub settings: &'a Settings,
    pub metrics: &'a Metrics,
    pub report: &'a mut RoundReport,
}

impl<C: Chain> Executor<'_, C> {
    /// What cannot wait: the funding update when due, then liquidations (each unwound before
    /// the next). Every market's urgent duties run before any market's others.
    pub async fn carry_out_urgent(
        &mut self,
        snapshot: &Snapshot,
        state: &MarketState,
        plan: &Plan,
        keeper_user: Option<Pubkey>,
    ) {
        let market = state.accounts();
        let index = market.market_index;
        let signer = self.chain.signer();
        if plan.update_funding
            && self
                .single(Duty::Funding, ix::update_funding_rate(&market))
                .await
        {
            self.report.funding_updates += 1;
        }
        let Some(keeper_user) = keeper_user else {
            return;
        };
        if plan.unwind && self.settings.unwind_liquidations {
            self.unwind(keeper_user, &market).await;
        }
        for liquidation in &plan.liquidate {
            let others = other_markets(snapshot, [&liquidation.user, &keeper_user], index);
            let instruction = ix::liquidate_perp(
                signer,
                keeper_user,
                liquidation.user,
                &market,
                &others,
                liquidation.max_base,
            );
            if self.single(Duty::Liquidate, instruction).await {
                self.report.liquidations += 1;
                if self.settings.unwind_liquidations {
                    self.unwind(keeper_user, &market).await;
                }
            }
        }
    }

    /// The rest, in order of what it protects: de-risks, fills, LP settles, P&L settles
    /// (largest first), bad debt, then a settling market's payouts and closes.
    pub async fn carry_out_rest(
        &mut self,
        snapshot: &Snapshot,
        state: &MarketState,
        plan: &Plan,
        keeper_user: Option<Pubkey>,
    ) {
        let market = state.accounts();
        let index = market.market_index;
        let signer = self.chain.signer();
        for user in &plan.derisk {
            let others = other_markets(snapshot, [user], index);
            if self
                .single(Duty::Derisk, ix::derisk_lp(*user, &market, &others))
                .await
            {
                self.report.derisks += 1;
            }
        }
        if let Some(keeper_user) = keeper_user {
            for fill in &plan.fills {
                let parties =
                    std::iter::once(&fill.taker).chain(fill.makers.iter().map(|m| &m.user));
                let others = other_markets(snapshot, parties, index);
                let instruction = ix::fill_order(
                    signer,
                    keeper_user,
                    (fill.taker, fill.order_id),
                    &fill.makers,
                    &market,
                    &others,
                );
                if self.single(Duty::Fill, instruction).await {
                    self.report.fills += 1;
                }
            }
        }
        self.report.lp_settles += self
            .batched(Duty::SettleLp, &plan.settle_lps, |users| {
                ix::settle_lp_many(signer, users, index, true)
            })
            .await;
        self.report.pnl_settles += self
            .batched(Duty::SettlePnl, &plan.settle_pnl, |users| {
                ix::settle_pnl_many(users, &market, true)
            })
            .await;
        for user in &plan.bad_debt {
            if self
                .single(Duty::BadDebt, ix::resolve_bad_debt(*user, index))
                .await
            {
                self.report.bad_debts += 1;
            }
        }
        // Payouts fixed first, so the closes that follow pay the claims in the same round.
        if plan.finalize_settlement
            && self
                .single(Duty::Settlement, ix::finalize_settlement(index))
                .await
        {
            self.report.settlements += 1;
        }
        self.report.settlements += self
            .batched(Duty::Settlement, &plan.settle_expired, |users| {
                ix::settle_expired_positions(users, index, true)
            })
            .await;
    }

    /// Closes what the keeper's subaccount holds in `market` against the AMM, freeing its
    /// collateral for the next liquidation (a liquidation that burned shares only leaves
    /// nothing to close: `NoPosition`, a skip).
    async fn unwind(&mut self, keeper_user: Pubkey, market: &ix::MarketAccounts) {
        let signer = self.chain.signer();
        let close = ix::close_position(signer, keeper_user, market);
        if self.single(Duty::Unwind, close).await {
            self.report.unwinds += 1;
        }
    }

    /// Simulates `instruction` and sends it when the simulation passes; `true` when it landed.
    async fn single(&mut self, duty: Duty, instruction: Instruction) -> bool {
        let outcome = self.attempt(instruction).await;
        self.record(duty, 1, &outcome);
        matches!(outcome, Attempt::Landed { .. })
    }

    /// Sends `users` in batches of at most `batch_size`, splitting a batch in two when it does
    /// not fit a transaction or an instruction in it fails, down to single users; returns the
    /// users whose batch landed. A failure of the transaction itself (the payer's funds) or of
    /// the connection ends the duty for this round: no smaller batch would pass.
    async fn batched(
        &mut self,
        duty: Duty,
        users: &[Pubkey],
        build: impl Fn(&[Pubkey]) -> Instruction,
    ) -> u64 {
        let mut landed = 0;
        let mut pending: Vec<&[Pubkey]> = users.chunks(self.settings.batch_size).rev().collect();
        while let Some(batch) = pending.pop() {
            let instruction = build(batch);
            let fits = transaction_size(&with_budget(&instruction, 0, 0), &self.chain.signer())
                <= MAX_TRANSACTION_SIZE;
            let outcome = if fits {
                self.attempt(instruction).await
            } else {
                Attempt::TooLarge
            };
            let split_reason = match &outcome {
                Attempt::TooLarge => Some("too large".to_string()),
                Attempt::Failed(error) if error.kind == FailureKind::Instruction => {
                    Some(error.to_string())
                }
                _ => None,
            };
            if let (true, Some(reason)) = (batch.len() > 1, split_reason) {
                let (first, second) = batch.split_at(batch.len() / 2);
                pending.push(second);
                pending.push(first);
                log::event(
                    "info",
                    "batch split",
                    json!({ "duty": duty.name(), "users": batch.len(), "reason": reason }),
                );
                continue;
            }
            if matches!(outcome, Attempt::Landed { .. }) {
                landed += batch.len() as u64;
            }
            self.record(duty, batch.len(), &outcome);
            if let Attempt::Failed(error) = &outcome {
                if error.kind != FailureKind::Instruction {
                    break;
                }
            }
        }
        landed
    }

    async fn attempt(&mut self, instruction: Instruction) -> Attempt {
        let probe = with_budget(&instruction, MAX_COMPUTE_UNITS, 0);
        let simulated = match self.chain.simulate(&probe).await {
            Ok(simulated) => simulated,
            Err(error) => return Attempt::Failed(error),
        };
        if let Some(error) = simulated.error {
            return if is_benign(&error) {
                Attempt::Skipped(error)
            } else {
                Attempt::Failed(error)
            };
        }
        // No estimate is no reason to stop: the floor of the configured bounds serves.
        let fee = match self.chain.priority_fee(&writable(&instruction)).await {
            Ok(fee) => fee.clamp(
                self.settings.priority_fee_min,
                self.settings.priority_fee_max,
            ),
            Err(_) => self.settings.priority_fee_min,
        };
        let sent = with_budget(&instruction, compute_limit(simulated.units), fee);
        match self.chain.send(&sent, &[]).await {
            Ok(()) => Attempt::Landed {
                units: simulated.units,
            },
            Err(error) if is_benign(&error) => Attempt::Skipped(error),
            Err(error) => Attempt::Failed(error),
        }
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

/// `instruction` behind the compute-budget instructions every keeper transaction carries (the
/// simulation's too, so its size and units are the sent one's).
fn with_budget(instruction: &Instruction, limit: u32, fee: u64) -> Vec<Instruction> {
    vec![
        ComputeBudgetInstruction::set_compute_unit_limit(limit),
        ComputeBudgetInstruction::set_compute_unit_price(fee),
        instruction.clone(),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_pads_the_simulation_and_stays_under_the_maximum() {
        assert_eq!(compute_limit(100_000), 111_000);
        assert_eq!(compute_limit(1_300_000), MAX_COMPUTE_UNITS);
    }

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
