//! Account layouts, their seeds and the invariants each account must hold.
pub mod gate;
pub mod global;
pub mod insurance;
pub mod lp_history;
pub mod oracle;
pub mod order;
pub mod perp_market;
pub mod pyth;
pub mod second_snapshot;
pub mod seeds;
pub mod spot_market;
pub mod user;
pub mod wide;

pub use gate::*;
pub use global::*;
pub use insurance::*;
pub use lp_history::*;
pub use oracle::*;
pub use order::*;
pub use perp_market::*;
pub use second_snapshot::*;
pub use seeds::*;
pub use spot_market::*;
pub use user::*;
pub use wide::*;
