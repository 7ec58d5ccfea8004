//! One instruction per file: its accounts, their checks and a handler. Instructions that share
//! one accounts struct share a file.
pub mod initialize_vault;
pub mod invest;
pub mod move_shares;
pub mod settle;

// Anchor's `#[program]` finds each accounts struct's generated client module at the crate
// root, hence the globs; the per-file `handler` names they also carry are never used from here.
#[allow(ambiguous_glob_reexports)]
mod reexports {
    pub use super::initialize_vault::*;
    pub use super::invest::*;
    pub use super::move_shares::*;
    pub use super::settle::*;
}
pub use reexports::*;
