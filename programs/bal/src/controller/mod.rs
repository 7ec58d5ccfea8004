//! State transitions on loaded accounts. Instructions call these after their checks.
pub mod account_creation;
