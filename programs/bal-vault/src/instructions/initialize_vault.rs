use crate::error::VaultError;
use crate::state::{Vault, AUTHORITY_SEED, BAL_SUB_ACCOUNT, TOKENS_SEED, VAULT_SEED};
use anchor_lang::prelude::*;
use anchor_lang::system_program;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use bal::program::Bal;
use bal::state::{PerpMarket, SpotMarket, User};

#[derive(Accounts)]
#[instruction(vault_id: u16)]
pub struct InitializeVault<'info> {
    /// Creates the vault and pays every rent, the BAL subaccount's included.
    #[account(mut)]
    pub manager: Signer<'info>,
    #[account(
        init,
        payer = manager,
        space = 8 + Vault::INIT_SPACE,
        seeds = [VAULT_SEED, manager.key().as_ref(), &vault_id.to_le_bytes()],
        bump,
    )]
    pub vault: Account<'info, Vault>,
    /// System-owned and data-less: it pays BAL's rent for the subaccount (so it must be able to
    /// fund a system `create_account`) and signs for it ever after.
    #[account(mut, seeds = [AUTHORITY_SEED, vault.key().as_ref()], bump)]
    pub authority: SystemAccount<'info>,
    #[account(
        init,
        payer = manager,
        seeds = [TOKENS_SEED, vault.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = authority,
        token::token_program = token_program,
    )]
    pub vault_tokens: InterfaceAccount<'info, TokenAccount>,
    /// BAL's quote spot market: the vault holds its mint.
    #[account(constraint = spot_market.load()?.mint == mint.key() @ VaultError::WrongMarket)]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    /// The BAL perp market the vault provides liquidity to.
    pub perp_market: AccountLoader<'info, PerpMarket>,
    pub mint: InterfaceAccount<'info, Mint>,
    /// CHECK: the BAL subaccount to create; BAL derives it from the signing authority and
    /// refuses any other address.
    #[account(mut)]
    pub bal_user: UncheckedAccount<'info>,
    pub bal_program: Program<'info, Bal>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// The subaccount's name in BAL: UTF-8, zero-padded.
const BAL_USER_NAME: &[u8] = b"BAL vault";

pub fn handler(ctx: Context<InitializeVault>, vault_id: u16, lp_per_share: u64) -> Result<()> {
    require!(lp_per_share > 0, VaultError::ZeroAmount);
    let accounts = &ctx.accounts;
    let vault_key = accounts.vault.key();
    let authority_bump = [ctx.bumps.authority];
    let seeds = Vault::authority_seeds(&vault_key, &authority_bump);
    let signer = [&seeds[..]];

    // BAL creates the subaccount with its authority as payer: fund the PDA with exactly that rent.
    let rent = Rent::get()?.minimum_balance(User::SPACE);
    system_program::transfer(
        CpiContext::new(
            system_program::ID,
            system_program::Transfer {
                from: accounts.manager.to_account_info(),
                to: accounts.authority.to_account_info(),
            },
        ),
        rent,
    )?;
    let mut name = [0u8; 32];
    name[..BAL_USER_NAME.len()].copy_from_slice(BAL_USER_NAME);
    bal::cpi::initialize_user(
        CpiContext::new_with_signer(
            accounts.bal_program.key(),
            bal::cpi::accounts::InitializeUser {
                authority: accounts.authority.to_account_info(),
                user: accounts.bal_user.to_account_info(),
                system_program: accounts.system_program.to_account_info(),
            },
            &signer,
        ),
        BAL_SUB_ACCOUNT,
        name,
    )?;

    let market_index = accounts.perp_market.load()?.market_index;
    let vault = &mut ctx.accounts.vault;
    vault.manager = ctx.accounts.manager.key();
    vault.vault_id = vault_id;
    vault.market_index = market_index;
    vault.lp_per_share = lp_per_share;
    vault.total_shares = 0;
    vault.last_invest_ts = 0;
    vault.bump = ctx.bumps.vault;
    vault.authority_bump = authority_bump[0];
    Ok(())
}
