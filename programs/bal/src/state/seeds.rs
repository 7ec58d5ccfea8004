//! PDA seeds, in one place. Every PDA stores its canonical bump at creation.

/// The global `State`: `[STATE_SEED]`.
pub const STATE_SEED: &[u8] = b"state";
/// A `User` subaccount: `[USER_SEED, authority, sub_account_id (u16 LE)]`.
pub const USER_SEED: &[u8] = b"user";
/// A `SpotMarket`: `[SPOT_MARKET_SEED, market_index (u16 LE)]`.
pub const SPOT_MARKET_SEED: &[u8] = b"spot_market";
/// A spot market's token vault: `[SPOT_VAULT_SEED, market_index (u16 LE)]`; its token authority
/// is the spot market PDA.
pub const SPOT_VAULT_SEED: &[u8] = b"spot_vault";
/// A `PerpMarket`: `[PERP_MARKET_SEED, market_index (u16 LE)]`.
pub const PERP_MARKET_SEED: &[u8] = b"perp_market";
/// A `ProgramOracle`: `[PROGRAM_ORACLE_SEED, oracle_id (u16 LE)]`.
pub const PROGRAM_ORACLE_SEED: &[u8] = b"program_oracle";
/// An `InsuranceStake`: `[INSURANCE_STAKE_SEED, authority, market_index (u16 LE)]`.
pub const INSURANCE_STAKE_SEED: &[u8] = b"insurance_stake";
