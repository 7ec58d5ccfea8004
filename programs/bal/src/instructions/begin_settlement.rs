use crate::controller::oracle::oracle_price_for;
use crate::controller::settlement::begin_settlement;
use crate::error::BalError;
use crate::events::{SettlementAction, SettlementRecord};
use crate::math::oracle::OracleAction;
use crate::state::{PerpMarket, State, PERP_MARKET_SEED, STATE_SEED};
use anchor_lang::prelude::*;

#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct BeginSettlement<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
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

/// Admin: moves an active or reduce-only market to `Settlement` at `price` (precision: PRICE),
/// which must lie within the market's settlement band of a fresh, certain oracle price
/// (`SettlementPriceOutOfBand`). From then on positions close at it (`settle_expired_positions`).
pub fn handler(ctx: Context<BeginSettlement>, price: u64) -> Result<()> {
    let clock = Clock::get()?;
    let record = {
        let mut market = ctx.accounts.perp_market.load_mut()?;
        let oracle_price = oracle_price_for(
            &mut market,
            &ctx.accounts.oracle.to_account_info(),
            OracleAction::Repeg,
            &clock,
        )?;
        begin_settlement(&mut market, price, oracle_price, clock.unix_timestamp)?;
        market.invariant()?;
        SettlementRecord {
            ts: clock.unix_timestamp,
            market_index: market.market_index,
            action: SettlementAction::Begin,
            price,
            oracle_price,
            ..SettlementRecord::default()
        }
    };
    emit_cpi!(record);
    Ok(())
}
