use crate::controller::amm::follow_oracle;
use crate::controller::funding::update_funding;
use crate::controller::oracle::oracle_price_for;
use crate::error::BalError;
use crate::events::FundingRecord;
use crate::math::oracle::OracleAction;
use crate::math::safe_math::Cast;
use crate::state::gate::check_market;
use crate::state::MarketAction;
use crate::state::{PerpMarket, State, PERP_MARKET_SEED, STATE_SEED};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct UpdateFundingRate<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
        has_one = oracle @ BalError::InvalidOracle,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: the market's oracle (`has_one` above, a relation in the IDL); its owner and
    /// layout are checked where it is read.
    pub oracle: UncheckedAccount<'info>,
}

/// Permissionless, once per funding period: records the oracle, moves the cumulative rate by
/// the period's rate and has the fee pool pay the AMM's side when it pays; then, if the curve
/// has drifted from the oracle's five-minute TWAP, repegs it there (paid from the fee pool).
pub fn handler(ctx: Context<UpdateFundingRate>) -> Result<()> {
    let clock = Clock::get()?;
    let record = {
        let mut market = ctx.accounts.perp_market.load_mut()?;
        check_market(&ctx.accounts.state, &market, MarketAction::Funding)?;
        oracle_price_for(
            &mut market,
            &ctx.accounts.oracle.to_account_info(),
            OracleAction::FundingUpdate,
            &clock,
        )?;
        let update = update_funding(&mut market, clock.unix_timestamp)?;
        let repeg_cost = follow_oracle(&mut market, clock.unix_timestamp)?;
        market.invariant()?;
        FundingRecord {
            ts: clock.unix_timestamp,
            market_index: market.market_index,
            rate: update.rate,
            cumulative_funding_rate: market.funding.cumulative_funding_rate,
            mark_twap: market.funding.mark_twap,
            oracle_twap: market.funding.oracle_twap,
            amm_paid: update.amm_paid,
            base_asset_amount_with_amm: market.amm.base_asset_amount_with_amm,
            peg_multiplier: market.amm.peg_multiplier,
            repeg_cost: repeg_cost.cast::<i64>()?,
        }
    };
    emit_cpi!(record);
    Ok(())
}

/// Permissionless: records the market's oracle price in its TWAPs and the funding period's
/// average, judged as a funding update judges it (fresh and certain, however far from its
/// TWAP). A TWAP weighs each price by the time it stood between reads, so after a jump beyond
/// the divergence guard — when fills, settles and adds refuse the price — it follows only as
/// reads that skip that guard come: this is one any keeper can send, without waiting for a
/// funding update or a liquidation.
pub fn record_oracle(ctx: Context<UpdateFundingRate>) -> Result<()> {
    let clock = Clock::get()?;
    let mut market = ctx.accounts.perp_market.load_mut()?;
    check_market(&ctx.accounts.state, &market, MarketAction::Funding)?;
    oracle_price_for(
        &mut market,
        &ctx.accounts.oracle.to_account_info(),
        OracleAction::FundingUpdate,
        &clock,
    )?;
    market.invariant()
}
