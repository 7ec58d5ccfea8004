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
    ("initialize", 31_500),
    ("update_state", 7_000),
    ("initialize_user", 25_000),
    ("delete_user", 4_500),
    ("update_user_name", 5_500),
    ("update_user_delegate", 5_500),
    ("update_user_custom_margin_ratio", 5_000),
    ("update_user_derisk_opt_out", 5_000),
    ("initialize_spot_market", 44_000),
    ("update_spot_market_interest", 20_000),
    ("update_insurance_unstake_delay", 9_000),
    ("add_insurance_stake", 52_000),
    ("request_insurance_unstake", 13_000),
    ("cancel_insurance_unstake", 12_500),
    ("remove_insurance_stake", 38_000),
    ("deposit", 34_000),
    ("withdraw", 43_000),
    ("initialize_program_oracle", 25_500),
    ("update_program_oracle", 2_500),
    ("initialize_perp_market", 49_000),
    ("update_perp_market", 10_500),
    ("repeg_amm", 21_500),
    ("update_amm_k", 21_000),
    ("place_perp_order", 89_500),
    ("close_position", 45_500),
    ("update_funding_rate", 28_500),
    ("record_oracle", 17_000),
    ("settle_pnl", 38_000),
    ("add_liquidity", 36_000),
    ("remove_liquidity", 24_500),
    ("settle_lp", 27_000),
    ("settle_lp_many", 45_000),
    ("derisk_lp", 96_000),
    ("settle_pnl_with_derisk", 87_500),
    ("liquidate_perp", 136_000),
    ("resolve_bad_debt", 30_500),
    ("begin_settlement", 20_000),
    ("settle_expired_positions", 86_000),
    ("finalize_settlement", 18_500),
    ("delist_market", 22_000),
    ("settle_pnl_many", 42_500),
    ("settle_pnl_many_with_derisk", 92_000),
    ("place_order", 32_500),
    ("cancel_order", 15_000),
    ("cancel_orders", 38_000),
    ("fill_order", 170_000),
    ("withdraw_with_positions", 83_500),
    ("settle_pnl_many_scaling", 300_000),
    ("settle_lp_many_30_lps", 355_000),
    ("settle_pnl_many_30_lps", 846_500),
    ("settle_pnl_many_12_derisks", 657_000),
    ("vault_initialize", 65_500),
    ("vault_deposit", 95_000),
    ("vault_withdraw", 322_000),
    ("vault_settle", 107_000),
    ("vault_invest", 76_500),
];

pub fn ceiling(label: &str) -> Option<u64> {
    CU_CEILINGS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, cu)| *cu)
}
