//! Matching a failed transaction against the error the program should have returned.
use crate::{TestEnv, TxFailure};
use anchor_lang::error::ERROR_CODE_OFFSET;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::error::BalError;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_transaction_error::TransactionError;

/// The custom error code a failed transaction carries, if any.
pub fn custom_code(failure: &TxFailure) -> Option<u32> {
    match &failure.error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
        _ => None,
    }
}

#[track_caller]
pub fn assert_bal_error(failure: &TxFailure, expected: BalError) {
    let want = ERROR_CODE_OFFSET + expected as u32;
    assert_eq!(
        custom_code(failure),
        Some(want),
        "expected {expected:?} ({want}), got {:?}\nlogs:\n{}",
        failure.error,
        failure.logs.join("\n")
    );
}

#[track_caller]
pub fn assert_anchor_error(failure: &TxFailure, expected: anchor_lang::error::ErrorCode) {
    let want = expected as u32;
    assert_eq!(
        custom_code(failure),
        Some(want),
        "expected {expected:?} ({want}), got {:?}\nlogs:\n{}",
        failure.error,
        failure.logs.join("\n")
    );
}

/// The program whose failure ended the transaction: the first `Program <id> failed` log line
/// (a failure inside a CPI is logged by the callee first, then by each caller).
pub fn failing_program(failure: &TxFailure) -> Option<String> {
    failure.logs.iter().find_map(|line| {
        let rest = line.strip_prefix("Program ")?;
        let (id, tail) = rest.split_once(' ')?;
        tail.starts_with("failed").then(|| id.to_string())
    })
}

/// Every account `addresses` names, as raw bytes (or missing).
pub async fn snapshot(env: &mut TestEnv, addresses: &[Pubkey]) -> Vec<Option<Vec<u8>>> {
    let mut accounts = Vec::new();
    for address in addresses {
        accounts.push(env.raw_account(*address).await.map(|a| a.data));
    }
    accounts
}

/// Sends `ix` signed by `signers`, expects a refusal and checks `watched` did not change.
pub async fn refused(
    env: &mut TestEnv,
    ix: Instruction,
    signers: &[&Keypair],
    watched: &[Pubkey],
) -> TxFailure {
    let before = snapshot(env, watched).await;
    let failure = env
        .send_unmetered(&[ix], signers)
        .await
        .expect_err("a hostile transaction is refused");
    assert_eq!(snapshot(env, watched).await, before, "nothing changed");
    failure
}
