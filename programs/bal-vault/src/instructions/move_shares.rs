//! `deposit` and `withdraw`: a depositor buys or redeems vault shares. They move the same
//! accounts, so they share one accounts struct.
use crate::bal_accounts::*;
use crate::bal_calls::VaultSigner;
use crate::equity::{
    check_holding, check_payable, part_of, payout, shares_for_deposit, Redemption,
};
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
    /// Runs `act` with the vault's PDA ready to sign for its BAL subaccount.
    fn as_vault<R>(&self, act: impl FnOnce(&VaultSigner<'_, 'info>) -> Result<R>) -> Result<R> {
        let vault_key = self.vault.key();
        let bump = [self.vault.authority_bump];
        act(&VaultSigner {
            bal: &self.bal,
            authority: self.authority.to_account_info(),
            seeds: Vault::authority_seeds(&vault_key, &bump),
        })
    }

    /// Pays `amount` for `redeemed` shares, from the BAL subaccount through the vault's token
    /// account to the owner, and retires the shares. Return data: the shares redeemed.
    fn pay_out(&mut self, redeemed: u64, amount: u64) -> Result<()> {
        self.as_vault(|signer| {
            signer.withdraw(&self.tokens, &self.vault_tokens, amount)?;
            self.transfer(false, amount, &[&signer.seeds[..]])
        })?;
        let retire = |held: u64| {
            held.checked_sub(redeemed)
                .ok_or(error!(VaultError::InsufficientShares))
        };
        self.vault.total_shares = retire(self.vault.total_shares)?;
        self.depositor.shares = retire(self.depositor.shares)?;
        anchor_lang::solana_program::program::set_return_data(&redeemed.to_le_bytes());
        Ok(())
    }

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

/// Buys vault shares for `amount` at the net value before it (gains at face: a redemption
/// counts them only as far as the pool pays, so a round trip never gains from a claim the
/// pool owes), at least `min_shares` of them
/// (`SharesBelowMinimum`), only while the market's curve is near the oracle
/// (`BalAccounts::check_curve_near_oracle`), and moves the tokens into the BAL subaccount as
/// cash (`invest` adds the liquidity they carry).
pub fn deposit(ctx: Context<MoveShares>, amount: u64, min_shares: u64) -> Result<()> {
    require!(amount > 0, VaultError::ZeroAmount);
    ctx.accounts.validate(ctx.bumps.depositor)?;
    let accounts = &ctx.accounts;
    // A settling market's claims pay an unknown part until its payouts are fixed: no price to
    // sell shares at, and nothing to invest in.
    require!(!accounts.bal.market_settling()?, VaultError::MarketSettling);
    accounts.bal.check_curve_near_oracle()?;
    let (value, payable) = accounts.bal.net_and_payable_value()?;
    if accounts.vault.total_shares > 0 {
        check_payable(payable)?;
    }
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
    accounts.as_vault(|signer| signer.deposit(&accounts.tokens, &accounts.vault_tokens, amount))?;

    ctx.accounts.vault.total_shares = total;
    ctx.accounts.depositor.shares = holding;
    Ok(())
}

/// Redeems `shares`, or fewer when the band will not take their part of the position (see
/// `exit`): burns their part of the LP shares (BAL's cooldown since the vault's last add
/// applies), takes their part of the position off, settles, and pays what the vault is worth
/// after that less what the remaining shares were worth before, both with gains counted only
/// as far as the market's P&L pool will pay them (`BalAccounts::payable_value`), less what
/// closing a part too
/// small to trade would cost (`ExitPlan::unclosed_cost`), from settled cash
/// (`CashNotSettled` when the P&L pool has not paid enough of it yet). While the market
/// settles, see `withdraw_settled`. A payout below `min_amount` is refused
/// (`PayoutBelowMinimum`): a trade earlier in the transaction that raises the market's gain
/// shortfall lowers what the redemption is paid, and the redeemer bounds it. Return data: the
/// shares redeemed.
pub fn withdraw(ctx: Context<MoveShares>, shares: u64, min_amount: u64) -> Result<()> {
    require!(shares > 0, VaultError::ZeroAmount);
    ctx.accounts.validate(ctx.bumps.depositor)?;
    if ctx.accounts.bal.market_settling()? {
        return withdraw_settled(ctx, shares, min_amount);
    }
    let accounts = &ctx.accounts;
    require!(
        accounts.depositor.shares >= shares,
        VaultError::InsufficientShares
    );
    let total = accounts.vault.total_shares;
    let value_before = accounts.bal.payable_value()?;
    let plan = accounts.bal.plan_exit(shares, total)?;
    let holding = accounts
        .depositor
        .shares
        .checked_sub(plan.shares)
        .ok_or(VaultError::InsufficientShares)?;
    check_holding(holding)?;

    accounts.as_vault(|signer| signer.exit(&plan))?;
    let amount = payout(&Redemption {
        shares: plan.shares,
        total_shares: total,
        value_before,
        value_after: accounts.bal.payable_value()?,
    })?
    .checked_sub(plan.unclosed_cost)
    .filter(|amount| *amount > 0)
    .ok_or(VaultError::NothingToWithdraw)?;
    require!(amount >= min_amount, VaultError::PayoutBelowMinimum);
    require!(
        i128::from(amount) <= accounts.bal.cash()?,
        VaultError::CashNotSettled
    );
    if plan.shares < shares {
        msg!(
            "redeemed {} of {} shares: the rest would fill outside the exit band",
            plan.shares,
            shares
        );
    }
    ctx.accounts.pay_out(plan.shares, amount)
}

/// A redemption while the vault's market settles, when BAL neither removes liquidity nor
/// trades there: the vault's position is closed at the settlement price first (unless the
/// keeper already closed it), then the shares are paid their part of the vault's settled cash
/// (rounded down; the last shares take all of it). A gain still waiting as a claim counts for
/// nothing: its pro-rata payout is unknown until the claim window ends, so this is the worst
/// case, and the shares that stay keep the claim. A depositor who wants its part of the claim
/// waits for the payout, after which the claim is cash; the last shares wait for it
/// (`ClaimPending`), or the claim would be paid to a vault nobody holds. Return data: the
/// shares redeemed.
fn withdraw_settled(ctx: Context<MoveShares>, shares: u64, min_amount: u64) -> Result<()> {
    let accounts = &ctx.accounts;
    require!(
        accounts.depositor.shares >= shares,
        VaultError::InsufficientShares
    );
    check_holding(accounts.depositor.shares - shares)?;
    accounts.as_vault(|signer| signer.settle_expired())?;
    // The last shares out would leave a claim that is paid later to nobody.
    require!(
        shares < accounts.vault.total_shares || !accounts.bal.claim_waiting()?,
        VaultError::ClaimPending
    );
    let cash = u64::try_from(accounts.bal.cash()?.max(0)).map_err(|_| VaultError::MathOverflow)?;
    require!(cash > 0, VaultError::VaultInsolvent);
    let amount = part_of(cash, shares, accounts.vault.total_shares, 1)?;
    require!(amount > 0, VaultError::NothingToWithdraw);
    require!(amount >= min_amount, VaultError::PayoutBelowMinimum);
    ctx.accounts.pay_out(shares, amount)
}
