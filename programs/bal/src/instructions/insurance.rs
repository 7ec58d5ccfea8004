//! The insurance fund's instructions: a wallet opens its stake, stakes quote tokens from its
//! token account, asks for shares back, withdraws the request, and is paid once the request
//! has waited the fund's delay (see `controller::insurance`).
use crate::controller::account_creation::{create_zero_copy_pda, NewPda};
use crate::controller::insurance;
use crate::controller::token::{
    transfer_from_vault, transfer_to_vault, QuoteTransfer, VaultSigner, WalletAndVault,
};
use crate::error::BalError;
use crate::events::{InsuranceAction, InsuranceStakeRecord};
use crate::math::constants::ACCOUNT_VERSION;
use crate::read::balances::validate_vault_covers;
use crate::state::gate::check_exchange;
use crate::state::{
    InsuranceStake, SpotMarket, State, INSURANCE_STAKE_SEED, PAUSE_DEPOSIT, PAUSE_WITHDRAW,
    QUOTE_SPOT_MARKET_INDEX_SEED, SPOT_MARKET_SEED, SPOT_VAULT_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct InitializeInsuranceStake<'info> {
    /// Owns the stake and pays its rent.
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    /// CHECK: created by the handler (`create_zero_copy_pda` refuses an existing account).
    #[account(
        mut,
        seeds = [
            INSURANCE_STAKE_SEED,
            authority.key().as_ref(),
            QUOTE_SPOT_MARKET_INDEX_SEED,
        ],
        bump,
    )]
    pub stake: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

pub fn initialize_stake(ctx: Context<InitializeInsuranceStake>) -> Result<()> {
    let accounts = &ctx.accounts;
    let authority = accounts.authority.key();
    let market_index = accounts.spot_market.load()?.market_index;
    let index = market_index.to_le_bytes();
    let bump = ctx.bumps.stake;
    let info = accounts.stake.to_account_info();
    let new = NewPda {
        payer: &accounts.authority.to_account_info(),
        account: &info,
        system_program: &accounts.system_program.to_account_info(),
        space: InsuranceStake::SPACE,
        signer_seeds: &[INSURANCE_STAKE_SEED, authority.as_ref(), &index, &[bump]],
    };
    create_zero_copy_pda(&new, |stake: &mut InsuranceStake| {
        stake.authority = authority;
        stake.market_index = market_index;
        stake.version = ACCOUNT_VERSION;
        stake.bump = bump;
        stake.invariant()
    })
}

/// A stake's request and its cancellation touch no tokens.
#[event_cpi]
#[derive(Accounts)]
pub struct UpdateInsuranceStake<'info> {
    pub authority: Signer<'info>,
    #[account(
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(
        mut,
        seeds = [
            INSURANCE_STAKE_SEED,
            authority.key().as_ref(),
            QUOTE_SPOT_MARKET_INDEX_SEED,
        ],
        bump = stake.load()?.bump,
        has_one = authority @ BalError::NotUserAuthority,
    )]
    pub stake: AccountLoader<'info, InsuranceStake>,
}

/// Stakes and payouts move tokens between the authority's token account and the vault.
#[event_cpi]
#[derive(Accounts)]
pub struct MoveInsuranceStake<'info> {
    pub authority: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
        has_one = mint @ BalError::InvalidTokenAccount,
        has_one = token_program @ BalError::InvalidTokenAccount,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(
        mut,
        seeds = [
            INSURANCE_STAKE_SEED,
            authority.key().as_ref(),
            QUOTE_SPOT_MARKET_INDEX_SEED,
        ],
        bump = stake.load()?.bump,
        has_one = authority @ BalError::NotUserAuthority,
    )]
    pub stake: AccountLoader<'info, InsuranceStake>,
    /// The quote market's token vault.
    #[account(
        mut,
        seeds = [SPOT_VAULT_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.vault_bump,
    )]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(
        mut,
        token::mint = mint,
        token::authority = authority,
        token::token_program = token_program,
    )]
    pub authority_token_account: InterfaceAccount<'info, TokenAccount>,
    /// The quote mint (`has_one` on the spot market, a relation in the IDL).
    pub mint: InterfaceAccount<'info, Mint>,
    /// The mint's token program (`has_one` on the spot market).
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> MoveInsuranceStake<'info> {
    fn transfer(&self, into_vault: bool) -> QuoteTransfer<'info> {
        WalletAndVault {
            wallet: self.authority_token_account.to_account_info(),
            owner: self.authority.to_account_info(),
            vault: self.vault.to_account_info(),
            market: self.spot_market.to_account_info(),
            mint: self.mint.to_account_info(),
            token_program: self.token_program.to_account_info(),
            decimals: self.mint.decimals,
        }
        .transfer(into_vault)
    }

    fn validate_vault(&mut self) -> Result<()> {
        self.vault.reload()?;
        validate_vault_covers(&*self.spot_market.load()?, self.vault.amount)
    }
}

fn record(
    stake: &InsuranceStake,
    market: &SpotMarket,
    action: InsuranceAction,
    shares: u128,
    amount: u64,
) -> Result<InsuranceStakeRecord> {
    Ok(InsuranceStakeRecord {
        ts: Clock::get()?.unix_timestamp,
        authority: stake.authority,
        market_index: market.market_index,
        action,
        shares,
        amount,
        fund_balance_after: market.insurance.balance,
        total_shares_after: market.insurance.total_shares.get(),
    })
}

/// Stakes `amount` quote tokens at the fund's price per share (rounded down).
pub fn add_stake(ctx: Context<MoveInsuranceStake>, amount: u64) -> Result<()> {
    let accounts = &ctx.accounts;
    check_exchange(&accounts.state, PAUSE_DEPOSIT)?;
    validate!(
        amount <= accounts.authority_token_account.amount,
        BalError::InsufficientTokens
    );
    let event = {
        let mut stake = accounts.stake.load_mut()?;
        let mut market = accounts.spot_market.load_mut()?;
        let now = Clock::get()?.unix_timestamp;
        let shares = insurance::stake(&mut market.insurance, &mut stake, amount, now)?;
        stake.invariant()?;
        market.invariant()?;
        record(&stake, &market, InsuranceAction::Stake, shares, amount)?
    };
    transfer_to_vault(&accounts.transfer(true), amount)?;
    ctx.accounts.validate_vault()?;
    emit_cpi!(event);
    Ok(())
}

/// Pays a request that has waited the fund's delay (within a day of it), at the lesser of its
/// value at the request and now.
pub fn remove_stake(ctx: Context<MoveInsuranceStake>) -> Result<()> {
    let accounts = &ctx.accounts;
    check_exchange(&accounts.state, PAUSE_WITHDRAW)?;
    let (event, signer) = {
        let mut stake = accounts.stake.load_mut()?;
        let mut market = accounts.spot_market.load_mut()?;
        let paid = insurance::unstake(
            &mut market.insurance,
            &mut stake,
            Clock::get()?.unix_timestamp,
        )?;
        stake.invariant()?;
        market.invariant()?;
        let event = record(
            &stake,
            &market,
            InsuranceAction::Unstake,
            paid.shares,
            paid.amount,
        )?;
        let signer = VaultSigner {
            market_index: market.market_index,
            bump: market.bump,
        };
        (event, signer)
    };
    if event.amount > 0 {
        transfer_from_vault(&accounts.transfer(false), &signer, event.amount)?;
    }
    ctx.accounts.validate_vault()?;
    emit_cpi!(event);
    Ok(())
}

/// Asks for `shares` back; they bear losses until paid and pay at most their value now.
pub fn request_unstake(ctx: Context<UpdateInsuranceStake>, shares: u128) -> Result<()> {
    let event = {
        let mut stake = ctx.accounts.stake.load_mut()?;
        let market = ctx.accounts.spot_market.load()?;
        let now = Clock::get()?.unix_timestamp;
        let value = insurance::request_unstake(&market.insurance, &mut stake, shares, now)?;
        stake.invariant()?;
        record(
            &stake,
            &market,
            InsuranceAction::RequestUnstake,
            shares,
            value,
        )?
    };
    emit_cpi!(event);
    Ok(())
}

/// Withdraws a pending request.
pub fn cancel_unstake(ctx: Context<UpdateInsuranceStake>) -> Result<()> {
    let event = {
        let mut stake = ctx.accounts.stake.load_mut()?;
        let market = ctx.accounts.spot_market.load()?;
        let shares = stake.requested_shares.get();
        insurance::cancel_unstake(&mut stake)?;
        stake.invariant()?;
        record(&stake, &market, InsuranceAction::CancelRequest, shares, 0)?
    };
    emit_cpi!(event);
    Ok(())
}
