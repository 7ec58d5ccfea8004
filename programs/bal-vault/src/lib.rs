//! An example BAL integrator, and the proof that BAL is usable through CPI.
//!
//! A vault owns one BAL subaccount through a PDA (`authority`, which signs every CPI) and
//! provides BAL liquidity in one perp market for its depositors. A deposit buys vault shares at
//! the subaccount's net value and moves its cash into BAL, nothing more: adding liquidity would
//! restart BAL's removal cooldown for everyone. `invest`, a permissionless crank, adds the
//! liquidity the shares carry (`lp_per_share` LP shares per vault share) at most once per two
//! BAL cooldowns, so every add is followed by a cooldown-long window in which anyone can leave:
//! a withdrawal completes within one cooldown of its request, whatever others deposit. A
//! withdrawal takes its part of everything: it burns its fraction of the LP shares, takes its
//! fraction of the position off through the AMM within a band of the oracle (fewer shares when
//! the band will not take them all), settles, and pays what the vault is worth after that less
//! what the remaining shares were worth before: those keep their value, the redeemer bears its
//! own closing costs and never takes more than its part. Layers as in BAL: `instructions/`
//! (accounts and handlers) → `bal_accounts` (checks and reads) and `bal_calls` (the CPI calls,
//! all signed by the PDA) → `exit` (a redemption's plan) → `equity` (the numbers) → `state`.
#![allow(unexpected_cfgs)]

#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod bal_accounts;
pub mod bal_calls;
pub mod equity;
pub mod error;
pub mod exit;
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

    /// Deposits `amount` quote tokens for at least `min_shares` vault shares at the current net
    /// value, while the market's curve is near its oracle; the cash goes into BAL and waits for
    /// `invest`.
    pub fn deposit(ctx: Context<MoveShares>, amount: u64, min_shares: u64) -> Result<()> {
        instructions::move_shares::deposit(ctx, amount, min_shares)
    }

    /// Redeems `shares` (or fewer, when the AMM cannot take their part of the position within
    /// the exit band): their part of the LP shares and of the position, paid in settled cash,
    /// at least `min_amount` of it (`PayoutBelowMinimum`). Return data: the shares redeemed,
    /// a little-endian u64.
    pub fn withdraw(ctx: Context<MoveShares>, shares: u64, min_amount: u64) -> Result<()> {
        instructions::move_shares::withdraw(ctx, shares, min_amount)
    }

    /// Permissionless, at most once per two BAL cooldowns, while the market's curve is near its
    /// oracle: adds the BAL liquidity the vault's shares carry.
    pub fn invest(ctx: Context<Invest>) -> Result<()> {
        instructions::invest::handler(ctx)
    }

    /// Settles the vault's LP position and P&L in BAL. Anyone may call it.
    pub fn settle(ctx: Context<Settle>) -> Result<()> {
        instructions::settle::handler(ctx)
    }
}
