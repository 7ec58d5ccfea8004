//! Integration harness for the BAL program.
//!
//! The same scenarios run on the deployable sBPF v0 ELF (`target/deploy/bal.so`, real compute
//! units) in solana-program-test's bank (the default), in LiteSVM (`BAL_RUNTIME=litesvm`; the
//! fuzzers' default, several times faster, the same compute units), or natively
//! (`BAL_RUNTIME=native`, for debuggers and panic messages). Every successful transaction's compute units are recorded under the
//! instruction's name and checked against the ceiling table in `ceilings.rs`.
pub mod actions;
mod bank;
pub mod ceilings;
pub mod env;
pub mod errors;
pub mod fixtures;
pub mod fuzzing;
pub mod inspect;
pub mod insurance;
pub mod keeper_chain;
pub mod markets;
mod runtime;
pub mod simulation;
pub mod vault;

pub use env::{Runtime, TestEnv, TxFailure, TxSuccess};
