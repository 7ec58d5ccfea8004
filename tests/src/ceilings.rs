//! Compute-unit ceilings per instruction, measured on the sBPF v0 ELF. A successful transaction
//! above its ceiling fails the test that sent it; an instruction without a row fails too.
//! Ceilings sit about 25% above the measured figure so that only real regressions trip them.
//! Instructions that create a PDA search for its bump (about 1,500 CU a step, more steps for
//! some addresses than others); their ceilings allow eight extra steps.
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
    ("initialize_perp_market", 41_000),
    ("update_perp_market", 10_500),
    ("repeg_amm", 27_000),
    ("update_amm_k", 32_500),
    ("place_perp_order", 88_000),
    ("close_position", 61_500),
    ("update_funding_rate", 25_500),
    ("settle_pnl", 38_500),
    ("add_liquidity", 56_000),
    ("remove_liquidity", 33_000),
    ("settle_lp", 27_000),
    ("settle_lp_many", 41_000),
    ("derisk_lp", 137_000),
    ("settle_pnl_with_derisk", 163_000),
    ("liquidate_perp", 118_000),
    ("settle_pnl_many", 43_000),
];

pub fn ceiling(label: &str) -> Option<u64> {
    CU_CEILINGS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, cu)| *cu)
}
