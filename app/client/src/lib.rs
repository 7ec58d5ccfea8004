//! Rust client for the BAL program: PDAs and one instruction builder per instruction.
pub mod instructions;
pub mod lp;
pub mod pda;
pub mod performance;

pub use bal::ID as PROGRAM_ID;
