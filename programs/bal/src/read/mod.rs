//! The read door: what a market or an account is worth, computed from loaded accounts without
//! changing them. Clients, the keeper, the example vault, the tests and the TypeScript vectors
//! value accounts here, and `controller/` judges its own state transitions by the same code.
//! `controller/` imports `read/`; nothing here imports `controller/`. Simulations
//! (`lp::settled`, `lp::after_burn`) return changed copies and leave their inputs as they were.
pub mod amm_quote;
pub mod balances;
pub mod derisk_decision;
pub mod lp;
pub mod margin;
pub mod market_views;
pub mod oracle;
pub mod position;
pub mod repeg;
pub mod second_start;
