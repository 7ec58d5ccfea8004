use crate::controller::settlement::delist;
use crate::controller::spot_balance::accrue_interest;
use crate::error::BalError;
use crate::events::{SettlementAction, SettlementRecord};
use crate::state::{
    PerpMarket, SpotMarket, State, PERP_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct DelistMarket<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    #[account(
        mut,
        seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump = spot_market.load()?.bump,
    )]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(
        mut,
        seeds = [PERP_MARKET_SEED, &market_index.to_le_bytes()],
        bump = perp_market.load()?.bump,
    )]
    pub perp_market: AccountLoader<'info, PerpMarket>,
}

/// Admin: delists a settled market once no position holds base or shares and every registered
/// claim is paid (`SettlementNotReady` before); its leftover fee and P&L pools go to the
/// insurance fund.
pub fn handler(ctx: Context<DelistMarket>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let record = {
        let mut spot = ctx.accounts.spot_market.load_mut()?;
        let mut market = ctx.accounts.perp_market.load_mut()?;
        accrue_interest(&mut spot, now)?;
        let paid = delist(&mut market, &mut spot, now)?;
        spot.invariant()?;
        market.invariant()?;
        SettlementRecord {
            ts: now,
            market_index: market.market_index,
            action: SettlementAction::Delist,
            price: market.settlement.price,
            to_insurance_fund: paid,
            ..SettlementRecord::default()
        }
    };
    emit_cpi!(record);
    Ok(())
}
