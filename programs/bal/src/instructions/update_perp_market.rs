use crate::controller::settlement::MAX_SETTLEMENT_PRICE_BAND;
use crate::error::BalError;
use crate::math::books::refresh_derived_reserves;
use crate::math::constants::{
    MAX_CONCENTRATION_COEF, MIN_CONCENTRATION_COEF, PERCENTAGE_PRECISION,
};
use crate::state::{
    validate_pause_bits, FundingParams, JitParams, MarginRatios, MarketStatus, OracleGuards,
    OrderSizes, PerpMarket, RiskParams, SpreadParams, State, PERP_MARKET_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;

/// Market settings to change; `None` leaves a setting as it is. Each is validated on its own
/// and refused with its own error.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default)]
pub struct UpdatePerpMarketParams {
    pub margin_ratios: Option<MarginRatios>,
    pub order_sizes: Option<OrderSizes>,
    pub spreads: Option<SpreadParams>,
    pub oracle_guards: Option<OracleGuards>,
    pub funding: Option<FundingParams>,
    pub risk: Option<RiskParams>,
    /// Share of the net taker fee LPs receive (times their share). precision: PERCENTAGE
    pub lp_fee_share: Option<u32>,
    /// precision: PERCENTAGE; the current base reserve must stay inside the new bounds.
    pub concentration_coef: Option<u32>,
    pub status: Option<MarketStatus>,
    /// Bits of `pause::*` paused on this market only.
    pub paused_operations: Option<u32>,
    pub jit: Option<JitParams>,
    /// Largest distance of a settlement price from the oracle, at most 10%.
    /// precision: PERCENTAGE
    pub settlement_price_band: Option<u32>,
}

#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct UpdatePerpMarket<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
}

pub fn handler(ctx: Context<UpdatePerpMarket>, params: UpdatePerpMarketParams) -> Result<()> {
    let mut market = ctx.accounts.perp_market.load_mut()?;
    if let Some(ratios) = params.margin_ratios {
        ratios.validate()?;
        market.margin_ratio_initial = ratios.initial;
        market.margin_ratio_maintenance = ratios.maintenance;
    }
    if let Some(sizes) = params.order_sizes {
        sizes.validate()?;
        market.order_step_size = sizes.step_size;
        market.min_order_size = sizes.min_size;
    }
    if let Some(spreads) = params.spreads {
        spreads.validate()?;
        market.set_spread_params(&spreads);
    }
    if let Some(guards) = params.oracle_guards {
        guards.validate()?;
        market.oracle_guards = guards;
    }
    if let Some(funding) = params.funding {
        funding.validate()?;
        market.set_funding_params(&funding);
    }
    if let Some(risk) = params.risk {
        market.set_risk_params(&risk);
    }
    // Judged on the market's settings after this update: a new fee against the maintenance
    // ratio in force, or a new maintenance ratio against the fee.
    market
        .risk_params()
        .validate(market.margin_ratio_maintenance)?;
    if let Some(jit) = params.jit {
        jit.validate()?;
        market.jit = jit;
    }
    if let Some(share) = params.lp_fee_share {
        validate!(
            share <= PERCENTAGE_PRECISION,
            BalError::InvalidRiskParameters
        );
        market.lp.fee_share = share;
    }
    if let Some(coef) = params.concentration_coef {
        validate!(
            (MIN_CONCENTRATION_COEF..=MAX_CONCENTRATION_COEF).contains(&coef),
            BalError::InvalidAmmParameters
        );
        market.amm.concentration_coef = coef;
        refresh_derived_reserves(&mut market)?;
    }
    if let Some(status) = params.status {
        // Settling takes a price (`begin_settlement`), delisting an empty market and the quote
        // market for its pools (`delist_market`).
        validate!(
            market.status()?.admin_may_become(status),
            BalError::InvalidMarketStatusTransition
        );
        market.status = status as u8;
    }
    if let Some(band) = params.settlement_price_band {
        validate!(
            band <= MAX_SETTLEMENT_PRICE_BAND,
            BalError::InvalidRiskParameters
        );
        market.settlement.price_band = band;
    }
    if let Some(bits) = params.paused_operations {
        validate_pause_bits(bits)?;
        market.paused_operations = bits;
    }
    market.invariant()
}
