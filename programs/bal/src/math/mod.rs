//! Pure arithmetic: no accounts, no side effects, tests beside each module.
pub mod constants;
pub mod safe_math;
