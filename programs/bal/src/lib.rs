//! BAL — Backstop AMM Liquidity.
//!
//! Perpetual futures markets whose backstop liquidity is an oracle-pegged constant-product
//! virtual AMM that users can join as liquidity providers. Layers: `instructions/` (accounts,
//! checks, thin handlers) → `controller/` (state transitions) → `math/` (pure numbers) →
//! `state/` (account layouts).
#![allow(unexpected_cfgs)]

#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod controller;
pub mod error;
pub mod instructions;
pub mod macros;
pub mod math;
pub mod state;

use instructions::*;

declare_id!("AuKwfAvf5nSpPVmn1bkKtCm3Fd9ygjATcWsupVNfz8Zu");

#[program]
pub mod bal {
    use super::*;

    /// Creates the global `State`. Only the program's upgrade authority may call it, once.
    pub fn initialize(ctx: Context<Initialize>, params: InitializeParams) -> Result<()> {
        instructions::initialize::handler(ctx, params)
    }
}
