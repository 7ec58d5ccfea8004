//! State transitions on loaded accounts. Instructions call these after their checks.
pub mod account_creation;
pub mod amm;
pub mod margin;
pub mod oracle;
pub mod spot_balance;
pub mod token;
