//! An example BAL integrator, and the proof that BAL is usable through CPI.
//!
//! A vault owns one BAL subaccount through a PDA (`authority`, which signs every CPI) and holds
//! BAL liquidity in one perp market for its depositors. A deposit buys vault shares at the
//! subaccount's net value and adds BAL LP shares so that the vault always holds
//! `lp_per_share` LP shares per vault share; a withdrawal removes them pro rata, settles, and
//! pays out the shares' part of the net value. Anyone may settle the vault's LP position and
//! P&L. Layers as in BAL: `instructions/` (accounts and handlers) → `bal_accounts` (checks, reads and the CPI calls,
//! all signed by the PDA) → `equity` (the numbers) → `state`.
#![allow(unexpected_cfgs)]

#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod bal_accounts;
pub mod equity;
pub mod error;
pub mod instructions;
pub mod state;

use instructions::*;

declare_id!("nQ8SmrMyEZJyrQRSH13ky53QfJf7x6Tr5XEU3KskqWm");

#[program]
pub mod bal_vault {
    use super::*;

    /// Creates a vault for a BAL perp market, its token account and its BAL subaccount
    /// (created through CPI, owned by the vault's PDA). `lp_per_share`: BAL LP shares held per
    /// vault share, precision `LP_PER_SHARE_PRECISION`.
    pub fn initialize_vault(
        ctx: Context<InitializeVault>,
        vault_id: u16,
        lp_per_share: u64,
    ) -> Result<()> {
        instructions::initialize_vault::handler(ctx, vault_id, lp_per_share)
    }

    /// Deposits `amount` quote tokens for vault shares at the current net value and adds the
    /// BAL liquidity that keeps the vault at `lp_per_share`.
    pub fn deposit(ctx: Context<MoveShares>, amount: u64) -> Result<()> {
        instructions::move_shares::deposit(ctx, amount)
    }

    /// Redeems `shares`: removes their part of the BAL liquidity, settles, and pays out their
    /// part of the net value.
    pub fn withdraw(ctx: Context<MoveShares>, shares: u64) -> Result<()> {
        instructions::move_shares::withdraw(ctx, shares)
    }

    /// Settles the vault's LP position and P&L in BAL. Anyone may call it.
    pub fn settle(ctx: Context<Settle>) -> Result<()> {
        instructions::settle::handler(ctx)
    }
}
