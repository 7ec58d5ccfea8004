//! Rust client for the BAL program: PDAs, one instruction builder per instruction, what a
//! participant does as data (`actions`), LP sizing, LP performance and the read side
//! (decoding, simulated settle, margin, de-risk and liquidation prices).
pub mod actions;
pub mod books;
pub mod defaults;
pub mod instructions;
pub mod lp;
pub mod pda;
pub mod performance;
pub mod read;

pub use bal::ID as PROGRAM_ID;
