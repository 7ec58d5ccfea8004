//! Account plumbing several instructions share: the accounts structs more than one instruction
//! takes, and the runner over a batch's users in remaining accounts. Instructions import these;
//! no instruction file imports another.
pub mod batch;
pub mod market_user;
pub mod trade;

pub use market_user::*;
pub use trade::*;
