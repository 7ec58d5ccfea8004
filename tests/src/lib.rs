//! Integration harness for the BAL program.
//!
//! The same scenarios run on the deployable sBPF v0 ELF (`target/deploy/bal.so`, real compute
//! units; the default and what CI runs) or natively (`BAL_RUNTIME=native`, for debuggers and
//! panic messages). Every successful transaction's compute units are recorded under the
//! instruction's name and checked against the ceiling table in `ceilings.rs`.
pub mod ceilings;
pub mod env;
pub mod errors;
pub mod fixtures;
pub mod inspect;
pub mod keeper_chain;
pub mod markets;
mod runtime;
pub mod simulation;
pub mod vault;

pub use env::{Runtime, TestEnv, TxFailure};
