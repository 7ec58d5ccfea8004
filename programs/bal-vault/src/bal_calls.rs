//! Every call the vault makes into BAL, each signed by the vault's PDA (`invoke_signed` with
//! its seeds: only this program can produce that signature, and BAL accepts it as the
//! subaccount's authority).
use crate::bal_accounts::{BalAccounts, BalTokens};
use crate::equity::lp_target;
use crate::error::VaultError;
use crate::exit::{ExitPlan, Reduction};
use crate::state::Vault;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;
use bal::cpi::accounts as bal_accounts;
use bal::instructions::OrderParams;
use bal::state::PriceBounds;

/// The vault's PDA and its seeds, ready to sign.
pub struct VaultSigner<'a, 'info> {
    pub bal: &'a BalAccounts<'info>,
    pub authority: AccountInfo<'info>,
    pub seeds: [&'a [u8]; 3],
}

impl<'info> VaultSigner<'_, 'info> {
    fn program_id(&self) -> Pubkey {
        self.bal.bal_program.key()
    }

    /// The market's `(PerpMarket, oracle)` pair, which BAL's margin checks read.
    fn margin_pair(&self) -> Vec<AccountInfo<'info>> {
        vec![
            self.bal.perp_market.to_account_info(),
            self.bal.oracle.to_account_info(),
        ]
    }

    fn collateral(
        &self,
        tokens: &BalTokens<'info>,
        vault_tokens: &InterfaceAccount<'info, TokenAccount>,
    ) -> bal_accounts::MoveCollateral<'info> {
        bal_accounts::MoveCollateral {
            authority: self.authority.clone(),
            state: self.bal.state.to_account_info(),
            user: self.bal.user.to_account_info(),
            spot_market: self.bal.spot_market.to_account_info(),
            vault: tokens.bal_token_vault.to_account_info(),
            user_token_account: vault_tokens.to_account_info(),
            mint: tokens.mint.to_account_info(),
            token_program: tokens.token_program.to_account_info(),
        }
    }

    fn manage_liquidity(&self) -> bal_accounts::ManageLiquidity<'info> {
        bal_accounts::ManageLiquidity {
            signer: self.authority.clone(),
            state: self.bal.state.to_account_info(),
            user: self.bal.user.to_account_info(),
            perp_market: self.bal.perp_market.to_account_info(),
            event_authority: self.bal.event_authority.to_account_info(),
            program: self.bal.bal_program.to_account_info(),
        }
    }

    /// Moves `amount` from the vault's token account into its BAL subaccount.
    pub fn deposit(
        &self,
        tokens: &BalTokens<'info>,
        vault_tokens: &InterfaceAccount<'info, TokenAccount>,
        amount: u64,
    ) -> Result<()> {
        let seeds = [&self.seeds[..]];
        let accounts = self.collateral(tokens, vault_tokens);
        bal::cpi::deposit(
            CpiContext::new_with_signer(self.program_id(), accounts, &seeds),
            amount,
        )
    }

    /// Moves `amount` from the BAL subaccount to the vault's token account, never borrowing.
    pub fn withdraw(
        &self,
        tokens: &BalTokens<'info>,
        vault_tokens: &InterfaceAccount<'info, TokenAccount>,
        amount: u64,
    ) -> Result<()> {
        let seeds = [&self.seeds[..]];
        let accounts = self.collateral(tokens, vault_tokens);
        bal::cpi::withdraw(
            CpiContext::new_with_signer(self.program_id(), accounts, &seeds)
                .with_remaining_accounts(self.margin_pair()),
            amount,
            false,
        )
    }

    /// Adds the BAL liquidity the vault's `total_shares` carry beyond what it holds, only on a
    /// curve near the oracle (`check_curve_near_oracle`, and BAL checks the bounds again);
    /// refuses (`NothingToInvest`) when it holds that already.
    pub fn invest(&self, vault: &Vault) -> Result<()> {
        let held = self.bal.lp_shares()?.unwrap_or(0);
        let target = lp_target(vault.total_shares, vault.lp_per_share, self.bal.lp_step()?)?;
        require!(target > held, VaultError::NothingToInvest);
        self.bal.check_curve_near_oracle()?;
        self.add_liquidity(target - held, self.bal.near_oracle()?)
    }

    /// Carries out a redemption's plan in BAL: the burn, then the reduction, then a settle
    /// of the P&L so what it realized is cash. Not inlined, for the stack frame.
    #[inline(never)]
    pub fn exit(&self, plan: &ExitPlan) -> Result<()> {
        if plan.lp_burn > 0 {
            self.remove_liquidity(plan.lp_burn)?;
        }
        let seeds = [&self.seeds[..]];
        let context = || CpiContext::new_with_signer(self.program_id(), self.trade(), &seeds);
        let market_index = self.bal.market_index()?;
        match plan.reduction {
            Reduction::None => {}
            Reduction::Part {
                direction,
                base,
                limit_price,
            } => bal::cpi::place_perp_order(
                context(),
                market_index,
                OrderParams {
                    direction,
                    base_amount: base,
                    limit_price: Some(limit_price),
                    reduce_only: true,
                },
            )?,
            Reduction::Close { limit_price } => {
                bal::cpi::close_position(context(), market_index, Some(limit_price))?
            }
        }
        if self.bal.lp_shares()?.is_some() {
            self.settle_pnl()?;
        }
        Ok(())
    }

    /// BAL's accounts of the vault's market.
    fn market(&self) -> bal_accounts::MarketContext<'info> {
        bal_accounts::MarketContext {
            state: self.bal.state.to_account_info(),
            spot_market: self.bal.spot_market.to_account_info(),
            perp_market: self.bal.perp_market.to_account_info(),
            oracle: self.bal.oracle.to_account_info(),
        }
    }

    fn trade(&self) -> bal_accounts::Trade<'info> {
        bal_accounts::Trade {
            acting: bal_accounts::ActingUser {
                authority: self.authority.clone(),
                user: self.bal.user.to_account_info(),
            },
            market: self.market(),
            event_authority: self.bal.event_authority.to_account_info(),
            program: self.bal.bal_program.to_account_info(),
        }
    }

    fn add_liquidity(&self, shares: u64, bounds: PriceBounds) -> Result<()> {
        let seeds = [&self.seeds[..]];
        bal::cpi::add_liquidity(
            CpiContext::new_with_signer(self.program_id(), self.trade(), &seeds),
            self.bal.market_index()?,
            shares,
            bounds,
        )
    }

    fn remove_liquidity(&self, shares: u64) -> Result<()> {
        let seeds = [&self.seeds[..]];
        bal::cpi::remove_liquidity(
            CpiContext::new_with_signer(self.program_id(), self.manage_liquidity(), &seeds),
            self.bal.market_index()?,
            Some(shares.into()),
        )
    }

    pub fn settle_lp(&self) -> Result<()> {
        let seeds = [&self.seeds[..]];
        bal::cpi::settle_lp(
            CpiContext::new_with_signer(self.program_id(), self.manage_liquidity(), &seeds),
            self.bal.market_index()?,
        )
    }

    /// Closes the vault's position in its settling market at the settlement price, through
    /// BAL's permissionless `settle_expired_positions` for the vault's own subaccount (no
    /// signature needed, none given): its shares burned, a loss collected, a gain registered
    /// as a claim or, payouts having begun, paid. Nothing to close is no error.
    pub fn settle_expired(&self) -> Result<()> {
        let accounts = bal_accounts::SettleExpiredPositions {
            state: self.bal.state.to_account_info(),
            spot_market: self.bal.spot_market.to_account_info(),
            perp_market: self.bal.perp_market.to_account_info(),
            event_authority: self.bal.event_authority.to_account_info(),
            program: self.bal.bal_program.to_account_info(),
        };
        bal::cpi::settle_expired_positions(
            CpiContext::new(self.program_id(), accounts)
                .with_remaining_accounts(vec![self.bal.user.to_account_info()]),
            self.bal.market_index()?,
            false,
        )
    }

    /// Settles P&L (BAL's permissionless settle: no signature needed, none given).
    pub fn settle_pnl(&self) -> Result<()> {
        let accounts = bal_accounts::MarketUser {
            user: self.bal.user.to_account_info(),
            market: self.market(),
            event_authority: self.bal.event_authority.to_account_info(),
            program: self.bal.bal_program.to_account_info(),
        };
        bal::cpi::settle_pnl(
            CpiContext::new(self.program_id(), accounts),
            self.bal.market_index()?,
        )
    }
}
