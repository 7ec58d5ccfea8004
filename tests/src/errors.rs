//! Matching a failed transaction against the error the program should have returned.
use crate::TxFailure;
use anchor_lang::error::ERROR_CODE_OFFSET;
use bal::error::BalError;
use solana_instruction_error::InstructionError;
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
