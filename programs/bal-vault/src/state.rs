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
/// The fewest vault shares a depositor may hold, unless none: a deposit must leave at least
/// this many ($1 at a share per quote unit), and a redemption all or at least this many. So
/// the vault's total is none or at least this. A vault with a handful of shares could be priced
/// up by a gift to its net value until a later deposit rounds to (almost) nothing; with a
/// million, such a gift costs a million times what rounding could take from the next
/// depositor.
pub const MIN_SHARES: u64 = 1_000_000;
/// How far from the oracle the market's curve may sit, at the start of the second and now,
/// for a deposit to be priced or liquidity added: 1% (precision: PERCENTAGE). The vault's
/// value moves with trades against the curve (its LP shares take their side at the curve's
/// price, valued at the oracle), so a trade just before a deposit could price it off: a curve
/// kept this near the oracle bounds what any trade in the same transaction can move it by.
pub const PRICE_TOLERANCE: u32 = 10_000;

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
    /// Unix time the vault last added BAL liquidity (0: never). BAL refuses a removal for one
    /// cooldown after an add, so `invest` runs at most once per two cooldowns: every add is
    /// followed by a cooldown-long window in which any depositor can leave.
    pub last_invest_ts: i64,
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
