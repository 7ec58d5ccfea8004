//! `deposit` and `withdraw`: a depositor buys or redeems vault shares. They move the same
//! accounts, so they share one accounts struct.
use crate::bal_accounts::*;
use crate::equity::{redemption, shares_for_deposit};
use crate::error::VaultError;
use crate::state::{Depositor, Vault, AUTHORITY_SEED, DEPOSITOR_SEED, TOKENS_SEED, VAULT_SEED};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{transfer_checked, TokenAccount, TransferChecked};

#[derive(Accounts)]
pub struct MoveShares<'info> {
    /// The depositor; pays the rent of its `Depositor` record on the first deposit.
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        mut,
        seeds = [VAULT_SEED, vault.manager.as_ref(), &vault.vault_id.to_le_bytes()],
        bump = vault.bump,
    )]
    pub vault: Account<'info, Vault>,
    /// Created on the first deposit; a withdrawal without shares fails on the share count.
    #[account(
        init_if_needed,
        payer = owner,
        space = 8 + Depositor::INIT_SPACE,
        seeds = [DEPOSITOR_SEED, vault.key().as_ref(), owner.key().as_ref()],
        bump,
    )]
    pub depositor: Account<'info, Depositor>,
    /// The vault's signing PDA, which BAL knows as the subaccount's authority.
    #[account(seeds = [AUTHORITY_SEED, vault.key().as_ref()], bump = vault.authority_bump)]
    pub authority: SystemAccount<'info>,
    #[account(
        mut,
        seeds = [TOKENS_SEED, vault.key().as_ref()],
        bump,
        token::mint = tokens.mint,
        token::authority = authority,
    )]
    pub vault_tokens: InterfaceAccount<'info, TokenAccount>,
    #[account(mut, token::mint = tokens.mint, token::authority = owner)]
    pub owner_tokens: InterfaceAccount<'info, TokenAccount>,
    pub bal: BalAccounts<'info>,
    pub tokens: BalTokens<'info>,
    pub system_program: Program<'info, System>,
}

impl<'info> MoveShares<'info> {
    /// Checks the BAL accounts are the vault's and the depositor record is the owner's (filling
    /// it in on creation).
    fn validate(&mut self, depositor_bump: u8) -> Result<()> {
        self.bal
            .check_belongs_to(&self.vault, &self.authority.key())?;
        let depositor = &mut self.depositor;
        if depositor.vault == Pubkey::default() {
            depositor.vault = self.vault.key();
            depositor.owner = self.owner.key();
            depositor.bump = depositor_bump;
        }
        Ok(())
    }

    fn transfer(&self, into_vault: bool, amount: u64, signer: &[&[&[u8]]]) -> Result<()> {
        let (from, to, authority) = if into_vault {
            (
                &self.owner_tokens,
                &self.vault_tokens,
                self.owner.to_account_info(),
            )
        } else {
            (
                &self.vault_tokens,
                &self.owner_tokens,
                self.authority.to_account_info(),
            )
        };
        transfer_checked(
            CpiContext::new_with_signer(
                self.tokens.token_program.key(),
                TransferChecked {
                    from: from.to_account_info(),
                    mint: self.tokens.mint.to_account_info(),
                    to: to.to_account_info(),
                    authority,
                },
                signer,
            ),
            amount,
            self.tokens.mint.decimals,
        )
    }
}

/// Buys vault shares for `amount` at the net value before it, moves the tokens into the BAL
/// subaccount and adds the liquidity the new shares carry.
pub fn deposit(ctx: Context<MoveShares>, amount: u64) -> Result<()> {
    require!(amount > 0, VaultError::ZeroAmount);
    ctx.accounts.validate(ctx.bumps.depositor)?;
    let accounts = &ctx.accounts;
    let value = accounts.bal.net_value()?;
    let shares = shares_for_deposit(amount, accounts.vault.total_shares, value)?;
    let total = accounts
        .vault
        .total_shares
        .checked_add(shares)
        .ok_or(VaultError::MathOverflow)?;

    accounts.transfer(true, amount, &[])?;
    let vault_key = accounts.vault.key();
    let bump = [accounts.vault.authority_bump];
    let signer = VaultSigner {
        bal: &accounts.bal,
        authority: accounts.authority.to_account_info(),
        seeds: Vault::authority_seeds(&vault_key, &bump),
    };
    signer.deposit(&accounts.tokens, &accounts.vault_tokens, amount)?;
    signer.rebalance_liquidity(&accounts.vault, total)?;

    ctx.accounts.vault.total_shares = total;
    let depositor = &mut ctx.accounts.depositor;
    depositor.shares = depositor
        .shares
        .checked_add(shares)
        .ok_or(VaultError::MathOverflow)?;
    Ok(())
}

/// Redeems `shares`: removes the liquidity they carry (BAL's cooldown since the vault's last
/// add applies), settles the vault's P&L, and pays out their part of the net value.
pub fn withdraw(ctx: Context<MoveShares>, shares: u64) -> Result<()> {
    require!(shares > 0, VaultError::ZeroAmount);
    ctx.accounts.validate(ctx.bumps.depositor)?;
    let accounts = &ctx.accounts;
    require!(
        accounts.depositor.shares >= shares,
        VaultError::InsufficientShares
    );
    let total = accounts.vault.total_shares;
    let remaining = total
        .checked_sub(shares)
        .ok_or(VaultError::InsufficientShares)?;

    let vault_key = accounts.vault.key();
    let bump = [accounts.vault.authority_bump];
    let seeds = Vault::authority_seeds(&vault_key, &bump);
    let signer = VaultSigner {
        bal: &accounts.bal,
        authority: accounts.authority.to_account_info(),
        seeds,
    };
    signer.rebalance_liquidity(&accounts.vault, remaining)?;
    if accounts.bal.lp_shares()?.is_some() {
        signer.settle_pnl()?;
    }
    let amount = redemption(shares, total, accounts.bal.net_value()?)?;
    signer.withdraw(&accounts.tokens, &accounts.vault_tokens, amount)?;
    accounts.transfer(false, amount, &[&seeds[..]])?;

    ctx.accounts.vault.total_shares = remaining;
    let depositor = &mut ctx.accounts.depositor;
    depositor.shares = depositor
        .shares
        .checked_sub(shares)
        .ok_or(VaultError::InsufficientShares)?;
    Ok(())
}
