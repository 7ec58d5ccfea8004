//! One instruction per file: its accounts, their checks and a thin handler. Instructions that
//! share one accounts struct share a file.
pub mod amm_admin;
pub mod begin_settlement;
pub mod collateral;
pub mod delete_user;
pub mod delist_market;
pub mod derisk_lp;
pub mod fill_order;
pub mod finalize_settlement;
pub mod initialize;
pub mod initialize_perp_market;
pub mod initialize_spot_market;
pub mod initialize_user;
pub mod insurance;
pub mod liquidate_perp;
pub mod liquidity;
pub mod orders;
pub mod program_oracle;
pub mod resolve_bad_debt;
pub mod settle_expired_positions;
pub mod settle_pnl;
pub mod trade;
pub mod update_funding_rate;
pub mod update_perp_market;
pub mod update_spot_market;
pub mod update_state;
pub mod user_settings;

// Anchor's `#[program]` finds each accounts struct's generated client module at the crate
// root, hence the globs; the per-file `handler` names they also carry are never used from here.
#[allow(ambiguous_glob_reexports)]
mod reexports {
    pub use super::amm_admin::*;
    pub use super::begin_settlement::*;
    pub use super::collateral::*;
    pub use super::delete_user::*;
    pub use super::delist_market::*;
    pub use super::fill_order::*;
    pub use super::finalize_settlement::*;
    pub use super::initialize::*;
    pub use super::initialize_perp_market::*;
    pub use super::initialize_spot_market::*;
    pub use super::initialize_user::*;
    pub use super::insurance::*;
    pub use super::liquidate_perp::*;
    pub use super::liquidity::*;
    pub use super::orders::*;
    pub use super::program_oracle::*;
    pub use super::resolve_bad_debt::*;
    pub use super::settle_expired_positions::*;
    pub use super::settle_pnl::*;
    pub use super::trade::*;
    pub use super::update_funding_rate::*;
    pub use super::update_perp_market::*;
    pub use super::update_spot_market::*;
    pub use super::update_state::*;
    pub use super::user_settings::*;
}
pub use reexports::*;
