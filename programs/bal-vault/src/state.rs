use anchor_lang::prelude::*;

pub const VAULT_SEED: &[u8] = b"vault";
/// The system-owned PDA that owns the BAL subaccount and the vault's tokens and signs every CPI.
pub const AUTHORITY_SEED: &[u8] = b"authority";
pub const TOKENS_SEED: &[u8] = b"tokens";
pub const DEPOSITOR_SEED: &[u8] = b"depositor";
/// The BAL subaccount id the vault's PDA uses.
pub const BAL_SUB_ACCOUNT: u16 = 0;
/// `lp_per_share` is in millionths of an LP share per vault share.
pub const LP_PER_SHARE_PRECISION: u64 = 1_000_000;

#[account]
#[derive(InitSpace)]
pub struct Vault {
    pub manager: Pubkey,
    pub vault_id: u16,
    /// The BAL perp market whose liquidity the vault provides.
    pub market_index: u16,
    /// BAL LP shares held per vault share. precision: LP_PER_SHARE_PRECISION
    pub lp_per_share: u64,
    /// Vault shares outstanding; the first deposit buys them one per quote unit.
    pub total_shares: u64,
    pub bump: u8,
    pub authority_bump: u8,
}

impl Vault {
    /// Seeds of the vault's signing PDA, with its bump.
    pub fn authority_seeds<'a>(vault: &'a Pubkey, bump: &'a [u8; 1]) -> [&'a [u8]; 3] {
        [AUTHORITY_SEED, vault.as_ref(), bump]
    }
}

#[account]
#[derive(InitSpace)]
pub struct Depositor {
    pub vault: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    pub bump: u8,
}
