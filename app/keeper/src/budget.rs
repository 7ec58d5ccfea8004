//! The compute budget every keeper transaction carries: its limit sized from a simulation, and
//! its priority fee.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_compute_budget_interface::ComputeBudgetInstruction;

/// The most a transaction may use.
pub const MAX_COMPUTE_UNITS: u32 = 1_400_000;

/// The most one account's step in a keeper transaction costs beyond what it cost with
/// nothing to do: an LP's settle (about 18,600 units) after a trade between the simulation
/// and the execution gave it a share to settle, where the simulation saw none.
pub const UNITS_PER_MOVED_ACCOUNT: u64 = 20_000;

/// Compute units to ask for after a simulation of a transaction acting on `accounts` used
/// `units`: a tenth more, plus a moved account's worth for each account, since state moves
/// between simulation and execution (every trade in between gives every LP of the market
/// something to settle). Running out of units fails the whole transaction, while asking for
/// more only raises the priority fee in proportion.
pub fn compute_limit(units: u64, accounts: usize) -> u32 {
    let moved = UNITS_PER_MOVED_ACCOUNT.saturating_mul(accounts as u64);
    let padded = units
        .saturating_add(units / 10)
        .saturating_add(1_000)
        .saturating_add(moved);
    u32::try_from(padded).map_or(MAX_COMPUTE_UNITS, |u| u.min(MAX_COMPUTE_UNITS))
}

/// Whether `instruction` writes `account` (a market it writes is one its priority fee is
/// estimated for).
pub fn writes(instruction: &Instruction, account: &Pubkey) -> bool {
    instruction
        .accounts
        .iter()
        .any(|meta| meta.is_writable && meta.pubkey == *account)
}

/// `instruction` behind the compute-budget instructions every keeper transaction carries (the
/// simulation's too, so its size and units are the sent one's).
pub fn with_budget(instruction: &Instruction, limit: u32, fee: u64) -> Vec<Instruction> {
    vec![
        ComputeBudgetInstruction::set_compute_unit_limit(limit),
        ComputeBudgetInstruction::set_compute_unit_price(fee),
        instruction.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_pads_the_simulation_and_stays_under_the_maximum() {
        assert_eq!(compute_limit(100_000, 1), 131_000);
        assert_eq!(compute_limit(100_000, 20), 511_000);
        assert_eq!(compute_limit(1_300_000, 1), MAX_COMPUTE_UNITS);
    }
}
