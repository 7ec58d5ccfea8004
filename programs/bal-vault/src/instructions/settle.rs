use crate::bal_accounts::*;
use crate::bal_calls::VaultSigner;
use crate::state::{Vault, AUTHORITY_SEED, VAULT_SEED};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Settle<'info> {
    #[account(
        seeds = [VAULT_SEED, vault.manager.as_ref(), &vault.vault_id.to_le_bytes()],
        bump = vault.bump,
    )]
    pub vault: Account<'info, Vault>,
    /// The vault's signing PDA, which BAL knows as the subaccount's authority.
    #[account(seeds = [AUTHORITY_SEED, vault.key().as_ref()], bump = vault.authority_bump)]
    pub authority: SystemAccount<'info>,
    pub bal: BalAccounts<'info>,
}

/// Moves the vault's LP entitlement into its position, then settles its P&L.
pub fn handler(ctx: Context<Settle>) -> Result<()> {
    let accounts = &ctx.accounts;
    accounts
        .bal
        .check_belongs_to(&accounts.vault, &accounts.authority.key())?;
    let vault_key = accounts.vault.key();
    let bump = [accounts.vault.authority_bump];
    let signer = VaultSigner {
        bal: &accounts.bal,
        authority: accounts.authority.to_account_info(),
        seeds: Vault::authority_seeds(&vault_key, &bump),
    };
    signer.settle_lp()?;
    signer.settle_pnl()
}
