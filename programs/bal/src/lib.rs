//! BAL — Backstop AMM Liquidity.
//!
//! Perpetual futures markets whose backstop liquidity is an oracle-pegged constant-product
//! virtual AMM that users can join as liquidity providers. Layers: `instructions/` (accounts,
//! checks, thin handlers; the accounts structs several share in `contexts/`) → `controller/`
//! (state transitions on loaded accounts) → `read/` (valuation without changes: what every
//! reader outside the program imports) → `math/` (arithmetic on values) → `state/` (account
//! layouts and the status table). No layer imports one to its left; `math/` and `state/` share
//! types and units (a position's arithmetic, a curve read from an account).
//!
//! The program runs on the sBPF v0 VM, whose limits shape the code: at most five argument
//! registers per call (`u128`, slices and `&str` take two; a call passing more faults), hence
//! parameter structs such as `DeriskTerms` or `OracleCheck`; no signed `i64`/`i32` division
//! (the build refuses it: divide magnitudes and apply sign and rounding in one checked helper,
//! such as `math::lp::signed_mul_div_floor`; `i128` division is a library call and fine); no
//! bare `u128`/`i128` in zero-copy accounts (16-byte aligned, which account data is not:
//! `state::wide` stores two words); no writable statics. `scripts/build-sbf.sh` fails a build that passes arguments on
//! the stack.
#![allow(unexpected_cfgs)]

#[cfg(target_os = "solana")]
use solana_compiler_builtins as _;

use anchor_lang::prelude::*;

pub mod contexts;
pub mod controller;
pub mod error;
pub mod events;
pub mod instructions;
pub mod macros;
pub mod math;
pub mod read;
pub mod state;

use contexts::*;
use instructions::*;
use state::InterestCurve;
use state::PriceBounds;
use state::RestingOrderParams;

declare_id!("AuKwfAvf5nSpPVmn1bkKtCm3Fd9ygjATcWsupVNfz8Zu");

// Every instruction acting in a perp market takes its `market_index` first, and those acting
// on a subaccount by its owner's signature alone its `sub_account_id`: the accounts' seeds read
// them from the instruction data (`#[instruction(..)]`), so a client derives the addresses
// from the IDL alone. The handlers act on the accounts those seeds admitted and never need the
// arguments themselves.
#[allow(unused_variables)]
#[program]
pub mod bal {
    use super::*;

    /// Creates the global `State`. Only the program's upgrade authority may call it, once.
    pub fn initialize(ctx: Context<Initialize>, params: InitializeParams) -> Result<()> {
        instructions::initialize::handler(ctx, params)
    }

    /// Admin: changes the admin, fees, LP cooldown or exchange-wide pause bits.
    pub fn update_state(ctx: Context<UpdateState>, params: UpdateStateParams) -> Result<()> {
        instructions::update_state::handler(ctx, params)
    }

    /// Creates a subaccount for the signer.
    pub fn initialize_user(
        ctx: Context<InitializeUser>,
        sub_account_id: u16,
        name: [u8; 32],
    ) -> Result<()> {
        instructions::initialize_user::handler(ctx, sub_account_id, name)
    }

    /// Closes an empty subaccount and returns its rent.
    pub fn delete_user(ctx: Context<DeleteUser>, sub_account_id: u16) -> Result<()> {
        instructions::delete_user::handler(ctx)
    }

    /// Renames a subaccount.
    pub fn update_user_name(
        ctx: Context<UpdateUser>,
        sub_account_id: u16,
        name: [u8; 32],
    ) -> Result<()> {
        instructions::user_settings::update_name(ctx, name)
    }

    /// Sets (or, with the default key, removes) the subaccount's delegate.
    pub fn update_user_delegate(
        ctx: Context<UpdateUser>,
        sub_account_id: u16,
        delegate: Pubkey,
    ) -> Result<()> {
        instructions::user_settings::update_delegate(ctx, delegate)
    }

    /// Sets the subaccount's custom max leverage as an initial margin ratio (0 removes it).
    pub fn update_user_custom_margin_ratio(
        ctx: Context<UpdateUser>,
        sub_account_id: u16,
        margin_ratio: u32,
    ) -> Result<()> {
        instructions::user_settings::update_custom_margin_ratio(ctx, margin_ratio)
    }

    /// Opts the subaccount out of (or back into) de-risking by `settle_pnl`.
    pub fn update_user_derisk_opt_out(
        ctx: Context<UpdateUser>,
        sub_account_id: u16,
        opt_out: bool,
    ) -> Result<()> {
        instructions::user_settings::update_derisk_opt_out(ctx, opt_out)
    }

    /// Admin: creates the quote spot market and its vault.
    pub fn initialize_spot_market(
        ctx: Context<InitializeSpotMarket>,
        market_index: u16,
        interest_curve: InterestCurve,
    ) -> Result<()> {
        instructions::initialize_spot_market::handler(ctx, market_index, interest_curve)
    }

    /// Admin: changes the quote market's interest curve (interest so far accrues at the old one).
    pub fn update_spot_market_interest(
        ctx: Context<AdminUpdateSpotMarket>,
        interest_curve: InterestCurve,
    ) -> Result<()> {
        instructions::update_spot_market::update_interest(ctx, interest_curve)
    }

    /// Admin: sets how long an insurance unstake request waits (one to ninety days).
    pub fn update_insurance_unstake_delay(
        ctx: Context<AdminUpdateSpotMarket>,
        unstake_delay: i64,
    ) -> Result<()> {
        instructions::update_spot_market::update_insurance_unstake_delay(ctx, unstake_delay)
    }

    /// Opens the signer's stake in the quote market's insurance fund.
    pub fn initialize_insurance_stake(ctx: Context<InitializeInsuranceStake>) -> Result<()> {
        instructions::insurance::initialize_stake(ctx)
    }

    /// Stakes quote tokens in the insurance fund, which pays write-offs before depositors do.
    pub fn add_insurance_stake(ctx: Context<MoveInsuranceStake>, amount: u64) -> Result<()> {
        instructions::insurance::add_stake(ctx, amount)
    }

    /// Asks for insurance shares back: paid after the fund's delay, bearing losses until then.
    pub fn request_insurance_unstake(
        ctx: Context<UpdateInsuranceStake>,
        shares: u128,
    ) -> Result<()> {
        instructions::insurance::request_unstake(ctx, shares)
    }

    /// Withdraws a pending unstake request.
    pub fn cancel_insurance_unstake(ctx: Context<UpdateInsuranceStake>) -> Result<()> {
        instructions::insurance::cancel_unstake(ctx)
    }

    /// Pays a matured unstake request (within a day of its delay's end).
    pub fn remove_insurance_stake(ctx: Context<MoveInsuranceStake>) -> Result<()> {
        instructions::insurance::remove_stake(ctx)
    }

    /// Deposits quote tokens into a subaccount (repaying a borrow first).
    pub fn deposit(ctx: Context<MoveCollateral>, amount: u64) -> Result<()> {
        instructions::collateral::deposit(ctx, amount)
    }

    /// Withdraws quote tokens; borrowing beyond the deposit needs `allow_borrow`.
    pub fn withdraw(ctx: Context<MoveCollateral>, amount: u64, allow_borrow: bool) -> Result<()> {
        instructions::collateral::withdraw(ctx, amount, allow_borrow)
    }

    /// Admin: creates a program-owned oracle written by `updater`.
    pub fn initialize_program_oracle(
        ctx: Context<InitializeProgramOracle>,
        oracle_id: u16,
        updater: Pubkey,
    ) -> Result<()> {
        instructions::program_oracle::initialize(ctx, oracle_id, updater)
    }

    /// Oracle updater: publishes a price and confidence at the current slot.
    pub fn update_program_oracle(
        ctx: Context<UpdateProgramOracle>,
        price: i64,
        confidence: u64,
    ) -> Result<()> {
        instructions::program_oracle::update(ctx, price, confidence)
    }

    /// Admin: lists a perp market with its AMM pegged to the oracle.
    pub fn initialize_perp_market(
        ctx: Context<InitializePerpMarket>,
        market_index: u16,
        params: InitializePerpMarketParams,
    ) -> Result<()> {
        instructions::initialize_perp_market::handler(ctx, market_index, params)
    }

    /// Admin: changes a perp market's risk parameters, spreads, bounds, status or pause bits.
    pub fn update_perp_market(
        ctx: Context<UpdatePerpMarket>,
        market_index: u16,
        params: UpdatePerpMarketParams,
    ) -> Result<()> {
        instructions::update_perp_market::handler(ctx, params)
    }

    /// Admin: repegs the AMM to the oracle, paying the cost from the fee pool.
    pub fn repeg_amm(ctx: Context<AdminUpdateAmm>, market_index: u16) -> Result<()> {
        instructions::amm_admin::repeg(ctx)
    }

    /// Admin: sets the AMM's `sqrt_k` with the price kept, paying the cost from the fee pool.
    pub fn update_amm_k(
        ctx: Context<AdminUpdateAmm>,
        market_index: u16,
        sqrt_k: u128,
    ) -> Result<()> {
        instructions::amm_admin::update_k(ctx, sqrt_k)
    }

    /// Fills a taker order (market, limit or reduce-only) against the AMM within the
    /// market's price band.
    pub fn place_perp_order<'info>(
        ctx: Context<'info, Trade<'info>>,
        market_index: u16,
        params: OrderParams,
    ) -> Result<()> {
        instructions::trade::place_perp_order(ctx, params)
    }

    /// Closes the whole position in a market against the AMM, whatever its size, no worse on
    /// average than `limit_price` (if given) and the market's price band.
    pub fn close_position<'info>(
        ctx: Context<'info, Trade<'info>>,
        market_index: u16,
        limit_price: Option<u64>,
    ) -> Result<()> {
        instructions::trade::close_position(ctx, limit_price)
    }

    /// Permissionless, once per funding period: applies the period's funding rate.
    pub fn update_funding_rate(ctx: Context<UpdateFundingRate>, market_index: u16) -> Result<()> {
        instructions::update_funding_rate::handler(ctx)
    }

    /// Permissionless: records the market's oracle price (fresh and certain, however far from
    /// its TWAP) in its TWAPs, so they follow a jump without waiting for a funding update.
    pub fn record_oracle(ctx: Context<UpdateFundingRate>, market_index: u16) -> Result<()> {
        instructions::update_funding_rate::record_oracle(ctx)
    }

    /// Permissionless: settles a user's P&L in a market into its quote balance, de-risking an
    /// LP below initial margin first unless it opted out.
    pub fn settle_pnl<'info>(
        ctx: Context<'info, MarketUser<'info>>,
        market_index: u16,
    ) -> Result<()> {
        instructions::settle_pnl::settle_pnl(ctx)
    }

    /// Mints LP shares (rounded down to the step) where the curve's price is within the
    /// market's band around the oracle and `bounds`; initial margin must pass afterwards.
    pub fn add_liquidity(
        ctx: Context<Trade>,
        market_index: u16,
        shares: u64,
        bounds: PriceBounds,
    ) -> Result<()> {
        instructions::liquidity::add_liquidity(ctx, shares, bounds)
    }

    /// Settles, then burns LP shares (all when omitted) after the cooldown.
    pub fn remove_liquidity(
        ctx: Context<ManageLiquidity>,
        market_index: u16,
        shares: Option<u128>,
    ) -> Result<()> {
        instructions::liquidity::remove_liquidity(ctx, shares)
    }

    /// Permissionless, idempotent: moves an LP's entitlement into its position.
    pub fn settle_lp(ctx: Context<ManageLiquidity>, market_index: u16) -> Result<()> {
        instructions::liquidity::settle_lp(ctx)
    }

    /// Permissionless: settles every LP in the remaining accounts; `try_mode` skips bad ones.
    pub fn settle_lp_many<'info>(
        ctx: Context<'info, ManageLiquidity<'info>>,
        market_index: u16,
        try_mode: bool,
    ) -> Result<()> {
        instructions::liquidity::settle_lp_many(ctx, try_mode)
    }

    /// Permissionless: de-risks an LP below initial margin (that did not opt out) with the
    /// smallest burn that helps.
    pub fn derisk_lp<'info>(
        ctx: Context<'info, MarketUser<'info>>,
        market_index: u16,
    ) -> Result<()> {
        instructions::derisk_lp::handler(ctx)
    }

    /// Permissionless, below maintenance margin: cancels the user's orders, burns its LP shares,
    /// then transfers up to `max_base` of its position to the liquidator at the oracle price.
    pub fn liquidate_perp(
        ctx: Context<LiquidatePerp>,
        market_index: u16,
        max_base: u64,
    ) -> Result<()> {
        instructions::liquidate_perp::handler(ctx, max_base)
    }

    /// Permissionless: writes off the negative balance of an account with nothing left but
    /// claims, net of those claims: the market's fee pool first, then depositors.
    pub fn resolve_bad_debt(ctx: Context<ResolveBadDebt>, market_index: u16) -> Result<()> {
        instructions::resolve_bad_debt::handler(ctx)
    }

    /// Rests a limit order: a post-only maker order, or a taker order for `fill_order`. The
    /// account must meet initial margin with its resting orders counted. Return data: the id.
    pub fn place_order<'info>(
        ctx: Context<'info, Trade<'info>>,
        market_index: u16,
        params: RestingOrderParams,
    ) -> Result<()> {
        instructions::orders::place_order(ctx, params)
    }

    /// Cancels one of the user's open orders.
    pub fn cancel_order(ctx: Context<CancelOrders>, order_id: u32) -> Result<()> {
        instructions::orders::cancel_order(ctx, order_id)
    }

    /// Cancels all the user's open orders, or those in one market.
    pub fn cancel_orders(ctx: Context<CancelOrders>, market_index: Option<u16>) -> Result<()> {
        instructions::orders::cancel_orders(ctx, market_index)
    }

    /// Permissionless: fills a resting taker order against makers' orders and the AMM, with
    /// the AMM's and LPs' JIT splits; the filler earns the filler reward.
    pub fn fill_order<'info>(
        ctx: Context<'info, FillOrder<'info>>,
        market_index: u16,
        taker_order_id: u32,
        maker_order_ids: Vec<u32>,
    ) -> Result<()> {
        instructions::fill_order::handler(ctx, taker_order_id, maker_order_ids)
    }

    /// Admin: moves a market to settlement at `price`, within its band of the oracle.
    pub fn begin_settlement(
        ctx: Context<BeginSettlement>,
        market_index: u16,
        price: u64,
    ) -> Result<()> {
        instructions::begin_settlement::handler(ctx, price)
    }

    /// Permissionless: closes each user in the remaining accounts at the settlement price,
    /// collecting losses and registering (or, once payouts began, paying) gains.
    pub fn settle_expired_positions<'info>(
        ctx: Context<'info, SettleExpiredPositions<'info>>,
        market_index: u16,
        try_mode: bool,
    ) -> Result<()> {
        instructions::settle_expired_positions::handler(ctx, try_mode)
    }

    /// Permissionless: once every position has closed and the claim window passed, fixes the
    /// pro-rata payout of the registered claims.
    pub fn finalize_settlement(ctx: Context<FinalizeSettlement>, market_index: u16) -> Result<()> {
        instructions::finalize_settlement::handler(ctx)
    }

    /// Admin: delists a settled market with nothing left in it; its pools go to depositors.
    pub fn delist_market(ctx: Context<DelistMarket>, market_index: u16) -> Result<()> {
        instructions::delist_market::handler(ctx)
    }

    /// Permissionless: settles every user in the remaining accounts; `try_mode` skips failures.
    pub fn settle_pnl_many<'info>(
        ctx: Context<'info, MarketUser<'info>>,
        market_index: u16,
        try_mode: bool,
    ) -> Result<()> {
        instructions::settle_pnl::settle_pnl_many(ctx, try_mode)
    }
}
