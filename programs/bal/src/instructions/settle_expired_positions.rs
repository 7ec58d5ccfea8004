use crate::contexts::batch::Batch;
use crate::controller::settlement::settle_expired_position;
use crate::events::{ExpiredPosition, ExpiredPositionsRecord, BATCH_RECORD_USERS};
use crate::state::gate::check_market;
use crate::state::MarketAction;
use crate::state::{
    PerpMarket, SpotMarket, State, PERP_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED,
    SPOT_MARKET_SEED, STATE_SEED,
};
use anchor_lang::prelude::*;

/// Remaining accounts: the users to settle (writable).
#[event_cpi]
#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct SettleExpiredPositions<'info> {
    #[account(seeds = [STATE_SEED], bump = state.bump)]
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

/// Permissionless, in a settling or delisted market: closes each listed user's position at the
/// settlement price (see `controller::settlement`): its orders there cancelled, its LP shares
/// burned, its loss collected, its gain registered as a claim or, once payouts have begun,
/// paid. A user without a position there is Ok. With `try_mode` a user that cannot be settled
/// is restored and its error code returned; return data as `contexts::batch` describes.
pub fn handler<'info>(
    ctx: Context<'info, SettleExpiredPositions<'info>>,
    try_mode: bool,
) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let (market_index, price) = {
        let market = ctx.accounts.perp_market.load()?;
        check_market(&ctx.accounts.state, &market, MarketAction::SettleExpired)?;
        (market.market_index, market.settlement.price)
    };
    let spot = ctx.accounts.spot_market.to_account_info();
    let market = ctx.accounts.perp_market.to_account_info();
    let mut closed = Vec::with_capacity(ctx.remaining_accounts.len());
    let results = Batch {
        users: ctx.remaining_accounts,
        try_mode,
        restores: Some(&[&spot, &market]),
    }
    .run(|user| {
        let settled = {
            let mut account = user.load_mut()?;
            let mut spot = ctx.accounts.spot_market.load_mut()?;
            let mut perp = ctx.accounts.perp_market.load_mut()?;
            let outcome = settle_expired_position(&mut account, &mut spot, &mut perp, now)?;
            account.invariant()?;
            spot.invariant()?;
            perp.invariant()?;
            outcome
        };
        closed.extend(settled.map(|outcome| ExpiredPosition {
            user: user.key(),
            orders_cancelled: outcome.orders_cancelled,
            shares_burned: outcome.shares_burned,
            base_closed: outcome.base_closed,
            pnl: outcome.pnl,
            claim_registered: outcome.claim_registered,
            paid: outcome.paid,
        }));
        Ok(())
    })?;
    for part in closed.chunks(BATCH_RECORD_USERS) {
        emit_cpi!(ExpiredPositionsRecord {
            ts: now,
            market_index,
            price,
            closed: part.to_vec(),
        });
    }
    results.publish()
}
