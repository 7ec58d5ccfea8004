//! Compute-unit ceilings per instruction, measured on the sBPF v0 ELF. A successful transaction
//! above its ceiling fails the test that sent it; an instruction without a row fails too.
//! Ceilings sit about 20% above the measured figure so that only real regressions trip them.
pub const CU_CEILINGS: &[(&str, u64)] = &[("initialize", 25_000)];

pub fn ceiling(label: &str) -> Option<u64> {
    CU_CEILINGS
        .iter()
        .find(|(name, _)| *name == label)
        .map(|(_, cu)| *cu)
}
