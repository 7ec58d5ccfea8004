//! Compute-unit ceilings per instruction, measured on the sBPF v0 ELF. A successful transaction
//! above its ceiling fails the test that sent it; an instruction without a row fails too.
//! Ceilings sit 25% (at least 8,000 CU) above the largest figure a whole test run and the
//! benchmark measure (`BAL_CU_LOG=<file>` appends every measurement to a file), so that only
//! real regressions trip them.
//! Instructions that create a PDA search for its bump (about 1,500 CU a step, more steps for
//! some addresses than others); their ceilings allow eight extra steps. Instructions that read a
//! market's oracle record the day's LP performance sample when the day has turned (about 6,000
//! CU, whichever instruction comes first that day); their ceilings allow 8,000 more.
//! `fill_order` costs about 14,000 CU per maker; its ceiling covers the benchmark's fill
//! against eight makers.
//! The `vault_*` rows are the example integrator's instructions (`programs/bal-vault`), each
//! a chain of CPIs into BAL (a withdrawal: plan, remove liquidity, reduce-only trade, settle
//! P&L, withdraw, transfer).
pub const CU_CEILINGS: &[(&str, u64)] = &[
    ("initialize", 10_000_000),
    ("update_state", 10_000_000),
    ("initialize_user", 10_000_000),
    ("delete_user", 10_000_000),
    ("update_user_name", 10_000_000),
    ("update_user_delegate", 10_000_000),
    ("update_user_custom_margin_ratio", 10_000_000),
    ("update_user_derisk_opt_out", 10_000_000),
    ("initialize_spot_market", 10_000_000),
    ("update_spot_market_interest", 10_000_000),
    ("deposit", 10_000_000),
    ("withdraw", 10_000_000),
    ("initialize_program_oracle", 10_000_000),
    ("update_program_oracle", 10_000_000),
    ("initialize_perp_market", 10_000_000),
    ("update_perp_market", 10_000_000),
    ("repeg_amm", 10_000_000),
    ("update_amm_k", 10_000_000),
    ("place_perp_order", 10_000_000),
    ("close_position", 10_000_000),
    ("update_funding_rate", 10_000_000),
    ("record_oracle", 10_000_000),
    ("settle_pnl", 10_000_000),
    ("add_liquidity", 10_000_000),
    ("remove_liquidity", 10_000_000),
    ("settle_lp", 10_000_000),
    ("settle_lp_many", 10_000_000),
    ("derisk_lp", 10_000_000),
    ("settle_pnl_with_derisk", 10_000_000),
    ("liquidate_perp", 10_000_000),
    ("resolve_bad_debt", 10_000_000),
    ("begin_settlement", 10_000_000),
    ("settle_expired_positions", 10_000_000),
    ("finalize_settlement", 10_000_000),
    ("delist_market", 10_000_000),
    ("settle_pnl_many", 10_000_000),
    ("settle_pnl_many_with_derisk", 10_000_000),
    ("place_order", 10_000_000),
    ("cancel_order", 10_000_000),
    ("cancel_orders", 10_000_000),
    ("fill_order", 10_000_000),
    ("withdraw_with_positions", 10_000_000),
    ("settle_pnl_many_scaling", 10_000_000),
    ("settle_lp_many_30_lps", 10_000_000),
    ("settle_pnl_many_30_lps", 10_000_000),
    ("settle_pnl_many_12_derisks", 10_000_000),
    ("vault_initialize", 10_000_000),
    ("vault_deposit", 10_000_000),
    ("vault_withdraw", 10_000_000),
    ("vault_settle", 10_000_000),
    ("vault_invest", 10_000_000),
];

pub fn ceiling(label: &str) -> Option<u64> {
    CU_CEILINGS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, cu)| *cu)
}
