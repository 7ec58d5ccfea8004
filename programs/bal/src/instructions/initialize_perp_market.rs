use crate::controller::account_creation::{create_zero_copy_pda, NewPda};
use crate::controller::oracle::oracle_price_for;
use crate::controller::settlement::DEFAULT_SETTLEMENT_PRICE_BAND;
use crate::error::BalError;
use crate::math::amm::peg_for_price;
use crate::math::books::refresh_derived_reserves;
use crate::math::constants::{
    ACCOUNT_VERSION, DEFAULT_LP_FEE_SHARE, MAX_CONCENTRATION_COEF, MAX_SQRT_K,
    MIN_CONCENTRATION_COEF, MIN_SQRT_K,
};
use crate::math::oracle::OracleAction;
use crate::state::{
    FundingParams, MarginRatios, OracleGuards, OracleSource, OrderSizes, PerpMarket, RiskParams,
    SecondSnapshot, SpreadParams, State, PERP_MARKET_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct InitializePerpMarketParams {
    /// UTF-8 bytes, zero-padded
    pub name: [u8; 32],
    pub oracle_source: OracleSource,
    /// Pyth feed id the oracle account must carry; zeros for a program oracle.
    pub pyth_feed_id: [u8; 32],
    /// Initial liquidity: both reserves start at `sqrt_k`, the peg at the oracle price.
    /// precision: BASE
    pub sqrt_k: u128,
    /// precision: PERCENTAGE
    pub concentration_coef: u32,
    pub spreads: SpreadParams,
    pub margin_ratios: MarginRatios,
    pub order_sizes: OrderSizes,
    pub oracle_guards: OracleGuards,
    pub funding: FundingParams,
    pub risk: RiskParams,
}

/// The market's address is checked in the handler rather than with `seeds` here: reading the
/// instruction's parameters in the accounts struct makes Anchor's generated `try_accounts` a
/// call with six argument registers, one more than the v0 VM passes.
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct InitializePerpMarket<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    /// CHECK: created by the handler (`create_zero_copy_pda` refuses an existing account).
    #[account(mut, seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()], bump)]
    pub perp_market: UncheckedAccount<'info>,
    /// CHECK: read by `oracle_price_for` according to `params.oracle_source`.
    pub oracle: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

/// `market_index`: the next one (markets are listed in order from 0).
pub fn handler(
    ctx: Context<InitializePerpMarket>,
    market_index: u16,
    params: InitializePerpMarketParams,
) -> Result<()> {
    validate!(
        market_index == ctx.accounts.state.number_of_perp_markets,
        BalError::InvalidMarketIndex
    );
    validate!(
        (MIN_SQRT_K..=MAX_SQRT_K).contains(&params.sqrt_k)
            && (MIN_CONCENTRATION_COEF..=MAX_CONCENTRATION_COEF)
                .contains(&params.concentration_coef),
        BalError::InvalidAmmParameters
    );
    params.spreads.validate()?;
    params.margin_ratios.validate()?;
    params.order_sizes.validate()?;
    params.oracle_guards.validate()?;
    params.funding.validate()?;
    params.risk.validate(params.margin_ratios.maintenance)?;
    crate::state::validate_name(&params.name)?;

    let accounts = &ctx.accounts;
    let index = market_index.to_le_bytes();
    let bump = ctx.bumps.perp_market;
    let info = accounts.perp_market.to_account_info();
    let new = NewPda {
        payer: &accounts.admin.to_account_info(),
        account: &info,
        system_program: &accounts.system_program.to_account_info(),
        space: PerpMarket::SPACE,
        signer_seeds: &[PERP_MARKET_SEED, &index, &[bump]],
    };
    let oracle = accounts.oracle.to_account_info();
    let clock = Clock::get()?;
    create_zero_copy_pda(&new, |market: &mut PerpMarket| {
        market.name = params.name;
        market.oracle = accounts.oracle.key();
        market.pyth_feed_id = params.pyth_feed_id;
        market.oracle_source = params.oracle_source as u8;
        market.oracle_guards = params.oracle_guards;
        market.market_index = market_index;
        market.start_initialized();
        market.margin_ratio_initial = params.margin_ratios.initial;
        market.margin_ratio_maintenance = params.margin_ratios.maintenance;
        market.order_step_size = params.order_sizes.step_size;
        market.min_order_size = params.order_sizes.min_size;
        market.version = ACCOUNT_VERSION;
        market.bump = bump;
        market.set_funding_params(&params.funding);
        market.set_risk_params(&params.risk);
        market.lp.fee_share = DEFAULT_LP_FEE_SHARE;
        market.settlement.price_band = DEFAULT_SETTLEMENT_PRICE_BAND;
        market.funding.last_funding_ts = clock.unix_timestamp;

        market.set_spread_params(&params.spreads);
        let amm = &mut market.amm;
        amm.concentration_coef = params.concentration_coef;
        amm.base_asset_reserve.set(params.sqrt_k);
        amm.quote_asset_reserve.set(params.sqrt_k);
        // `sqrt_k` after the read: an LP history sample starts with the listed curve.
        let oracle_price = oracle_price_for(market, &oracle, OracleAction::Repeg, &clock)?;
        market.amm.sqrt_k.set(params.sqrt_k);
        market.amm.peg_multiplier = peg_for_price(&market.amm.curve(), oracle_price)?;
        refresh_derived_reserves(market)?;
        // The mark starts standing at the oracle, as do the averages shown before the first
        // funding update; the oracle read above snapshotted the curve before its peg, so the
        // second's next read takes the snapshot of the market as listed.
        let funding = &mut market.funding;
        funding.mark_price = oracle_price;
        funding.mark_price_ts = clock.unix_timestamp;
        funding.mark_twap = oracle_price;
        funding.oracle_twap = oracle_price;
        market.second_start = SecondSnapshot::default();
        market.invariant()
    })?;

    let state = &mut ctx.accounts.state;
    state.number_of_perp_markets += 1;
    state.invariant()
}
