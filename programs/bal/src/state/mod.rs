//! Account layouts, their seeds and the invariants each account must hold.
pub mod global;
pub mod seeds;

pub use global::*;
pub use seeds::*;
