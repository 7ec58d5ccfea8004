//! Pure arithmetic: no accounts, no side effects, tests beside each module.
pub mod amm;
pub mod constants;
pub mod interest;
pub mod oracle;
pub mod safe_math;
pub mod spot_balance;
pub mod wide;
