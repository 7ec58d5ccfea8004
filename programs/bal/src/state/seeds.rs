//! PDA seeds, in one place. Every PDA stores its canonical bump at creation.

/// The global `State`: `[STATE_SEED]`.
#[anchor_lang::constant]
pub const STATE_SEED: &[u8] = b"state";
/// A `User` subaccount: `[USER_SEED, authority, sub_account_id (u16 LE)]`.
#[anchor_lang::constant]
pub const USER_SEED: &[u8] = b"user";
/// A `SpotMarket`: `[SPOT_MARKET_SEED, market_index (u16 LE)]`.
#[anchor_lang::constant]
pub const SPOT_MARKET_SEED: &[u8] = b"spot_market";
/// The quote market's index, the only spot market (`initialize_spot_market` refuses another).
#[anchor_lang::constant]
pub const QUOTE_SPOT_MARKET_INDEX: u16 = 0;
/// `QUOTE_SPOT_MARKET_INDEX` as a seed (u16 LE): every instruction's spot market is the quote
/// market, at an address a client derives without reading anything.
#[anchor_lang::constant]
pub const QUOTE_SPOT_MARKET_INDEX_SEED: &[u8] = &QUOTE_SPOT_MARKET_INDEX.to_le_bytes();
/// A spot market's token vault: `[SPOT_VAULT_SEED, market_index (u16 LE)]`; its token authority
/// is the spot market PDA.
#[anchor_lang::constant]
pub const SPOT_VAULT_SEED: &[u8] = b"spot_vault";
/// A `PerpMarket`: `[PERP_MARKET_SEED, market_index (u16 LE)]`.
#[anchor_lang::constant]
pub const PERP_MARKET_SEED: &[u8] = b"perp_market";
/// A `ProgramOracle`: `[PROGRAM_ORACLE_SEED, oracle_id (u16 LE)]`.
#[anchor_lang::constant]
pub const PROGRAM_ORACLE_SEED: &[u8] = b"program_oracle";
/// An `InsuranceStake`: `[INSURANCE_STAKE_SEED, authority, market_index (u16 LE)]`.
#[anchor_lang::constant]
pub const INSURANCE_STAKE_SEED: &[u8] = b"insurance_stake";
