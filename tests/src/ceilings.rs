//! Compute-unit ceilings per instruction, measured on the sBPF v0 ELF. A successful transaction
//! above its ceiling fails the test that sent it; an instruction without a row fails too.
//! Ceilings sit about 25% above the measured figure so that only real regressions trip them.
//! Instructions that create a PDA search for its bump (about 1,500 CU a step, more steps for
//! some addresses than others); their ceilings allow eight extra steps. Instructions that read a
//! market's oracle record the day's LP performance sample when the day has turned (about 6,000
//! CU, whichever instruction comes first that day); their ceilings allow 8,000 more.
//! `fill_order` costs about 31,000 CU per maker; its ceiling covers the benchmark's fill
//! against eight makers.
//! The `vault_*` rows are the example integrator's instructions (`programs/bal-vault`), each
//! a chain of CPIs into BAL (a withdrawal: remove liquidity, settle P&L, withdraw, transfer).
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
    ("update_spot_market_interest", 25_500),
    ("deposit", 35_000),
    ("withdraw", 48_500),
    ("initialize_program_oracle", 25_500),
    ("update_program_oracle", 2_500),
    ("initialize_perp_market", 49_000),
    ("update_perp_market", 10_500),
    ("repeg_amm", 35_000),
    ("update_amm_k", 40_500),
    ("place_perp_order", 96_000),
    ("close_position", 69_500),
    ("update_funding_rate", 33_500),
    ("settle_pnl", 65_000),
    ("add_liquidity", 64_000),
    ("remove_liquidity", 41_500),
    ("settle_lp", 27_000),
    ("settle_lp_many", 41_000),
    ("derisk_lp", 107_500),
    ("settle_pnl_with_derisk", 127_000),
    ("liquidate_perp", 126_000),
    ("resolve_bad_debt", 40_000),
    ("begin_settlement", 40_000),
    ("settle_expired_positions", 150_000),
    ("finalize_settlement", 20_000),
    ("delist_market", 30_000),
    ("settle_pnl_many", 106_000),
    ("settle_pnl_many_with_derisk", 187_500),
    ("place_order", 60_000),
    ("cancel_order", 16_500),
    ("cancel_orders", 45_000),
    ("fill_order", 350_000),
    ("withdraw_with_positions", 125_000),
    ("settle_pnl_many_scaling", 191_000),
    ("vault_initialize", 65_500),
    ("vault_deposit", 95_000),
    ("vault_withdraw", 450_000),
    ("vault_settle", 143_500),
    ("vault_invest", 100_000),
];

pub fn ceiling(label: &str) -> Option<u64> {
    CU_CEILINGS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, cu)| *cu)
}
