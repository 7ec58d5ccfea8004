//! `deposit` and `withdraw`: quote tokens in and out of a subaccount. They move the same
//! accounts, so they share one accounts struct.
use crate::controller::spot_balance::{accrue_interest, update_quote_balance};
use crate::controller::token::{
    transfer_from_vault, transfer_to_vault, QuoteTransfer, VaultSigner, WalletAndVault,
};
use crate::error::BalError;
use crate::math::oracle::OracleAction;
use crate::math::safe_math::SafeMath;
use crate::read::balances::{signed_token_amount, validate_vault_covers};
use crate::read::margin::{validate_margin, MarginType};
use crate::read::market_views::load_market_views;
use crate::state::gate::check_exchange;
use crate::state::{
    SpotMarket, State, User, PAUSE_DEPOSIT, PAUSE_WITHDRAW, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, SPOT_VAULT_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
pub struct MoveCollateral<'info> {
    /// The user's authority (or, for deposits, its delegate); owns `user_token_account`.
    pub authority: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
        has_one = mint @ BalError::InvalidTokenAccount,
        has_one = token_program @ BalError::InvalidTokenAccount,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
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
    pub user_token_account: InterfaceAccount<'info, TokenAccount>,
    /// The quote mint (`has_one` on the spot market, a relation in the IDL).
    pub mint: InterfaceAccount<'info, Mint>,
    /// The mint's token program (`has_one` on the spot market).
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> MoveCollateral<'info> {
    fn transfer(&self, into_vault: bool) -> QuoteTransfer<'info> {
        WalletAndVault {
            wallet: self.user_token_account.to_account_info(),
            owner: self.authority.to_account_info(),
            vault: self.vault.to_account_info(),
            market: self.spot_market.to_account_info(),
            mint: self.mint.to_account_info(),
            token_program: self.token_program.to_account_info(),
            decimals: self.mint.decimals,
        }
        .transfer(into_vault)
    }

    /// The vault still covers every claim after the transfer.
    fn validate_vault(&mut self) -> Result<()> {
        self.vault.reload()?;
        validate_vault_covers(&*self.spot_market.load()?, self.vault.amount)
    }
}

/// Deposits `amount` quote tokens; repays a borrow first.
pub fn deposit(ctx: Context<MoveCollateral>, amount: u64) -> Result<()> {
    let accounts = &ctx.accounts;
    check_exchange(&accounts.state, PAUSE_DEPOSIT)?;
    validate!(amount > 0, BalError::ZeroAmount);
    // Named here, before any arithmetic on it: the transfer would refuse it anyway.
    validate!(
        amount <= accounts.user_token_account.amount,
        BalError::InsufficientTokens
    );
    {
        let mut user = accounts.user.load_mut()?;
        validate!(
            user.is_authority_or_delegate(&accounts.authority.key()),
            BalError::NotUserAuthority
        );
        let mut market = accounts.spot_market.load_mut()?;
        accrue_interest(&mut market, Clock::get()?.unix_timestamp)?;
        update_quote_balance(&mut user.quote_balance, &mut market, amount as i128)?;
        user.total_deposits = user.total_deposits.safe_add(amount)?;
        user.invariant()?;
        market.invariant()?;
    }
    transfer_to_vault(&accounts.transfer(true), amount)?;
    ctx.accounts.validate_vault()
}

/// Withdraws `amount` quote tokens. Taking more than the deposit borrows, which needs
/// `allow_borrow`; either way the account must stay above its initial margin, its gains
/// counted only as far as their markets can pay them and at the worse of each oracle price and
/// its five-minute TWAP. Remaining
/// accounts: a `(PerpMarket, oracle)` pair for every active position, in slot order.
pub fn withdraw(ctx: Context<MoveCollateral>, amount: u64, allow_borrow: bool) -> Result<()> {
    let accounts = &ctx.accounts;
    check_exchange(&accounts.state, PAUSE_WITHDRAW)?;
    validate!(amount > 0, BalError::ZeroAmount);
    let clock = Clock::get()?;
    let views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
    let signer = {
        let mut user = accounts.user.load_mut()?;
        validate!(
            accounts.authority.key() == user.authority,
            BalError::NotUserAuthority
        );
        let mut market = accounts.spot_market.load_mut()?;
        accrue_interest(&mut market, clock.unix_timestamp)?;
        let available = signed_token_amount(&user.quote_balance, &market)?;
        validate!(
            allow_borrow || available >= amount as i128,
            BalError::BorrowNotAllowed
        );
        // No withdrawal, borrow or not, can take more than the vault holds: named before any
        // arithmetic on the amount.
        validate!(
            amount <= accounts.vault.amount,
            BalError::WithdrawalExceedsVault
        );
        update_quote_balance(&mut user.quote_balance, &mut market, -(amount as i128))?;
        user.total_withdrawals = user.total_withdrawals.safe_add(amount)?;
        validate_margin(&user, &market, &views, MarginType::Withdrawal)?;
        user.invariant()?;
        market.invariant()?;
        VaultSigner {
            market_index: market.market_index,
            bump: market.bump,
        }
    };
    transfer_from_vault(&accounts.transfer(false), &signer, amount)?;
    ctx.accounts.validate_vault()
}
