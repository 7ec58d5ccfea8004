//! `deposit` and `withdraw`: a depositor buys or redeems vault shares. They move the same
//! accounts, so they share one accounts struct.
use crate::bal_accounts::*;
use crate::equity::{check_holding, payout, shares_for_deposit, Redemption};
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

/// Buys vault shares for `amount` at the net value before it, at least `min_shares` of them
/// (`SharesBelowMinimum`), only while the market's curve is near the oracle
/// (`BalAccounts::check_curve_near_oracle`), and moves the tokens into the BAL subaccount as
/// cash (`invest` adds the liquidity they carry).
pub fn deposit(ctx: Context<MoveShares>, amount: u64, min_shares: u64) -> Result<()> {
    require!(amount > 0, VaultError::ZeroAmount);
    ctx.accounts.validate(ctx.bumps.depositor)?;
    let accounts = &ctx.accounts;
    accounts.bal.check_curve_near_oracle()?;
    let value = accounts.bal.net_value()?;
    let shares = shares_for_deposit(amount, accounts.vault.total_shares, value)?;
    require!(shares >= min_shares, VaultError::SharesBelowMinimum);
    let total = accounts
        .vault
        .total_shares
        .checked_add(shares)
        .ok_or(VaultError::MathOverflow)?;
    let holding = accounts
        .depositor
        .shares
        .checked_add(shares)
        .ok_or(VaultError::MathOverflow)?;
    check_holding(holding)?;

    accounts.transfer(true, amount, &[])?;
    let vault_key = accounts.vault.key();
    let bump = [accounts.vault.authority_bump];
    let signer = VaultSigner {
        bal: &accounts.bal,
        authority: accounts.authority.to_account_info(),
        seeds: Vault::authority_seeds(&vault_key, &bump),
    };
    signer.deposit(&accounts.tokens, &accounts.vault_tokens, amount)?;

    ctx.accounts.vault.total_shares = total;
    ctx.accounts.depositor.shares = holding;
    Ok(())
}

/// Redeems `shares`, or fewer when the band will not take their part of the position (see
/// `exit`): burns their part of the LP shares (BAL's cooldown since the vault's last add
/// applies), takes their part of the position off, settles, and pays what the vault is worth
/// after that less what the remaining shares were worth before, from settled cash
/// (`CashNotSettled` when the P&L pool has not paid enough of it yet). Return data: the
/// shares redeemed.
pub fn withdraw(ctx: Context<MoveShares>, shares: u64) -> Result<()> {
    require!(shares > 0, VaultError::ZeroAmount);
    ctx.accounts.validate(ctx.bumps.depositor)?;
    let accounts = &ctx.accounts;
    require!(
        accounts.depositor.shares >= shares,
        VaultError::InsufficientShares
    );
    let total = accounts.vault.total_shares;
    let value_before = accounts.bal.net_value()?;
    let plan = accounts.bal.plan_exit(shares, total)?;
    let remaining = total
        .checked_sub(plan.shares)
        .ok_or(VaultError::InsufficientShares)?;
    let holding = accounts
        .depositor
        .shares
        .checked_sub(plan.shares)
        .ok_or(VaultError::InsufficientShares)?;
    check_holding(holding)?;

    let vault_key = accounts.vault.key();
    let bump = [accounts.vault.authority_bump];
    let seeds = Vault::authority_seeds(&vault_key, &bump);
    let signer = VaultSigner {
        bal: &accounts.bal,
        authority: accounts.authority.to_account_info(),
        seeds,
    };
    signer.exit(&plan)?;
    let amount = payout(&Redemption {
        shares: plan.shares,
        total_shares: total,
        value_before,
        value_after: accounts.bal.net_value()?,
    })?;
    require!(
        i128::from(amount) <= accounts.bal.cash()?,
        VaultError::CashNotSettled
    );
    signer.withdraw(&accounts.tokens, &accounts.vault_tokens, amount)?;
    accounts.transfer(false, amount, &[&seeds[..]])?;

    ctx.accounts.vault.total_shares = remaining;
    ctx.accounts.depositor.shares = holding;
    if plan.shares < shares {
        msg!(
            "redeemed {} of {} shares: the rest would fill outside the exit band",
            plan.shares,
            shares
        );
    }
    anchor_lang::solana_program::program::set_return_data(&plan.shares.to_le_bytes());
    Ok(())
}
