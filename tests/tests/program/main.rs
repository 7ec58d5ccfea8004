//! Integration tests: every scenario runs on the runtime `BAL_RUNTIME` selects (the ELF by default).
mod adversarial;
mod bal;
mod client;
mod collateral;
mod fuzz;
mod initialize;
mod keeper;
mod liquidation;
mod migrations;
mod oracle;
mod orders;
mod perp_market;
mod simulation;
mod spot_market;
mod trading;
mod users;
mod vault;
