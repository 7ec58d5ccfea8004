//! One instruction per file: its accounts, their checks and a thin handler.
pub mod initialize;

pub use initialize::*;
