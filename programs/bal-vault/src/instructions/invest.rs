//! `invest`: the crank that adds the vault's liquidity, rate-limited so exits stay open.
use crate::bal_accounts::*;
use crate::bal_calls::VaultSigner;
use crate::equity::invest_due;
use crate::error::VaultError;
use crate::state::{Vault, AUTHORITY_SEED, VAULT_SEED};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Invest<'info> {
    #[account(
        mut,
        seeds = [VAULT_SEED, vault.manager.as_ref(), &vault.vault_id.to_le_bytes()],
        bump = vault.bump,
    )]
    pub vault: Account<'info, Vault>,
    /// The vault's signing PDA, which BAL knows as the subaccount's authority.
    #[account(seeds = [AUTHORITY_SEED, vault.key().as_ref()], bump = vault.authority_bump)]
    pub authority: SystemAccount<'info>,
    pub bal: BalAccounts<'info>,
}

/// Adds the BAL liquidity the shares carry, unless the last add was less than two BAL
/// cooldowns ago (`InvestTooSoon`): the second cooldown is the window in which the removal the
/// first one blocked is open to every depositor.
pub fn handler(ctx: Context<Invest>) -> Result<()> {
    let accounts = &ctx.accounts;
    accounts
        .bal
        .check_belongs_to(&accounts.vault, &accounts.authority.key())?;
    let now = Clock::get()?.unix_timestamp;
    require!(
        invest_due(
            accounts.vault.last_invest_ts,
            now,
            accounts.bal.state.lp_cooldown_seconds
        ),
        VaultError::InvestTooSoon
    );
    let vault_key = accounts.vault.key();
    let bump = [accounts.vault.authority_bump];
    let signer = VaultSigner {
        bal: &accounts.bal,
        authority: accounts.authority.to_account_info(),
        seeds: Vault::authority_seeds(&vault_key, &bump),
    };
    signer.invest(&accounts.vault)?;
    ctx.accounts.vault.last_invest_ts = now;
    Ok(())
}
