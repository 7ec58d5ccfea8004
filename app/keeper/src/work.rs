//! What a keeper transaction does: its duty, and the work it carries (one instruction, or a
//! batch of users that splits in two when it does not fit a transaction or fails).
use crate::duties::Plan;
use crate::snapshot::MarketState;
use crate::RoundReport;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    Funding,
    Oracle,
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
    pub const ALL: [Duty; 10] = [
        Duty::Funding,
        Duty::Oracle,
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
            Duty::Oracle => "oracle",
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

    /// The report's count of what landed for this duty.
    pub(crate) fn landed(self, report: &mut RoundReport) -> &mut u64 {
        match self {
            Duty::Funding => &mut report.funding_updates,
            Duty::Oracle => &mut report.oracle_records,
            Duty::SettleLp => &mut report.lp_settles,
            Duty::Derisk => &mut report.derisks,
            Duty::SettlePnl => &mut report.pnl_settles,
            Duty::Fill => &mut report.fills,
            Duty::Liquidate => &mut report.liquidations,
            Duty::Unwind => &mut report.unwinds,
            Duty::BadDebt => &mut report.bad_debts,
            Duty::Settlement => &mut report.settlements,
        }
    }
}

/// Builds a batch instruction for some of a batch's users.
pub(crate) type BatchBuilder = Rc<dyn Fn(&[Pubkey]) -> Option<Instruction>>;

/// One transaction's worth of work: one instruction, or a batch of users that splits in two
/// when it does not fit a transaction or an instruction in it fails.
pub(crate) enum Work {
    Single(Duty, Instruction),
    Batch(Duty, Vec<Pubkey>, BatchBuilder),
}

/// Every market's users that `users` picks from its plan, in batches of `duty` of at most
/// `size`, each built by the builder `build` makes for its market; the markets' batches taken
/// in turn (each market's first, then each one's second, ...), so a round that cannot send
/// them all shares what it sends among the markets.
pub(crate) fn batches_per_market<F>(
    plans: &[(&MarketState, &Plan)],
    (duty, size): (Duty, usize),
    users: fn(&Plan) -> &Vec<Pubkey>,
    build: impl Fn(&MarketState) -> F,
) -> Vec<Work>
where
    F: Fn(&[Pubkey]) -> Option<Instruction> + 'static,
{
    let mut per_market: Vec<std::vec::IntoIter<Work>> = plans
        .iter()
        .map(|(state, plan)| Work::batches(duty, users(plan), size, build(state)).into_iter())
        .collect();
    let mut interleaved = Vec::new();
    loop {
        let before = interleaved.len();
        interleaved.extend(per_market.iter_mut().filter_map(Iterator::next));
        if interleaved.len() == before {
            return interleaved;
        }
    }
}

impl Work {
    /// `users` in batches of at most `size`, each built by `build`.
    pub(crate) fn batches(
        duty: Duty,
        users: &[Pubkey],
        size: usize,
        build: impl Fn(&[Pubkey]) -> Option<Instruction> + 'static,
    ) -> Vec<Work> {
        let build: BatchBuilder = Rc::new(build);
        users
            .chunks(size.max(1))
            .map(|batch| Work::Batch(duty, batch.to_vec(), build.clone()))
            .collect()
    }

    pub(crate) fn duty(&self) -> Duty {
        match self {
            Work::Single(duty, _) | Work::Batch(duty, ..) => *duty,
        }
    }

    /// Users (or single duties) the work covers.
    pub(crate) fn size(&self) -> usize {
        match self {
            Work::Single(..) => 1,
            Work::Batch(_, users, _) => users.len(),
        }
    }

    /// The instruction to send; `None` only for a batch of no users, which is never built.
    pub(crate) fn instruction(&self) -> Option<Instruction> {
        match self {
            Work::Single(_, instruction) => Some(instruction.clone()),
            Work::Batch(_, users, build) => build(users),
        }
    }

    /// The two halves of a batch of more than one user.
    pub(crate) fn split(&self) -> Option<[Work; 2]> {
        match self {
            Work::Batch(duty, users, build) if users.len() > 1 => {
                let (first, second) = users.split_at(users.len() / 2);
                Some([
                    Work::Batch(*duty, first.to_vec(), build.clone()),
                    Work::Batch(*duty, second.to_vec(), build.clone()),
                ])
            }
            _ => None,
        }
    }
}
