//! Pure arithmetic: no accounts, no side effects, tests beside each module.
pub mod amm;
pub mod books;
pub mod constants;
pub mod funding;
pub mod insurance;
pub mod interest;
pub mod liquidation;
pub mod lp;
pub mod lp_books;
pub mod margin;
pub mod oracle;
pub mod position;
pub mod price_band;
pub mod safe_math;
pub mod spot_balance;
pub mod spread;
pub mod wide;
