//! Account plumbing several instructions share: the market's accounts every instruction acting
//! in a market embeds (`market.rs`), a subaccount with its owner or delegate (`acting_user.rs`),
//! the accounts structs more than one instruction takes, and
//! the runner over a batch's users in remaining accounts. Instructions import these; no
//! instruction file imports another.
pub mod acting_user;
pub mod batch;
pub mod market;
pub mod market_user;
pub mod trade;

pub use acting_user::*;
pub use market::*;
pub use market_user::*;
pub use trade::*;
