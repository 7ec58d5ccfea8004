use crate::controller::settlement::finalize_settlement;
use crate::events::{SettlementAction, SettlementRecord};
use crate::state::gate::check_market;
use crate::state::MarketAction;
use crate::state::{PerpMarket, State, PERP_MARKET_SEED, STATE_SEED};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct FinalizeSettlement<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
}

/// Permissionless: once a settling market has no position with base, no LP shares and its
/// claim window has passed, tops its P&L pool up from its fee pool toward the registered
/// claims and fixes their pro-rata payout (`SettlementNotReady` before).
pub fn handler(ctx: Context<FinalizeSettlement>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let record = {
        let mut market = ctx.accounts.perp_market.load_mut()?;
        check_market(
            &ctx.accounts.state,
            &market,
            MarketAction::FinalizeSettlement,
        )?;
        let payout = finalize_settlement(&mut market, now)?;
        market.invariant()?;
        SettlementRecord {
            ts: now,
            market_index: market.market_index,
            action: SettlementAction::Finalize,
            price: market.settlement.price,
            claims: payout.claims,
            pool: payout.pool,
            from_fee_pool: payout.from_fee_pool,
            shortfall: payout.shortfall,
            ..SettlementRecord::default()
        }
    };
    emit_cpi!(record);
    Ok(())
}
