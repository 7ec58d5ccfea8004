//! State transitions on loaded accounts. Instructions call these after their checks.
pub mod account_creation;
pub mod amm;
pub mod amm_fill;
pub mod bankruptcy;
pub mod derisk;
pub mod funding;
pub mod liquidation;
pub mod lp;
pub mod margin;
pub mod matching;
pub mod oracle;
pub mod orders;
pub mod pnl;
pub mod position;
pub mod spot_balance;
pub mod token;
pub mod trade;
