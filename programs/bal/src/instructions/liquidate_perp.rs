use crate::controller::liquidation::{liquidate, LiquidationBooks, LiquidationTerms};
use crate::error::BalError;
use crate::events::LiquidationRecord;
use crate::math::oracle::OracleAction;
use crate::read::margin::MarketView;
use crate::read::market_views::load_market_views;
use crate::state::MarketAction;
use crate::state::User;
use crate::validate;
// The composite's generated plumbing (`__client_accounts_*`, its bumps) comes with the glob.
use crate::contexts::market::*;
use anchor_lang::prelude::*;

/// Remaining accounts: a `(PerpMarket, oracle)` pair for every other market in which the
/// liquidated user or the liquidator holds a position (each market once, any order).
#[event_cpi]
#[derive(Accounts)]
pub struct LiquidatePerp<'info> {
    pub liquidator: Signer<'info>,
    /// Takes over the position and receives the liquidator's share of the fee.
    #[account(
        mut,
        constraint = liquidator_user.load()?.authority == liquidator.key() @ BalError::NotUserAuthority,
        constraint = liquidator_user.key() != user.key() @ BalError::SelfAction,
    )]
    pub liquidator_user: AccountLoader<'info, User>,
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    pub market: MarketContext<'info>,
}

/// Permissionless for any user below maintenance margin (see `controller::liquidation`):
/// cancels its orders, burns its LP shares here, then transfers up to `max_base` of its
/// position to the liquidator's subaccount at the oracle price, charging the liquidation fee;
/// each step only if the account is still short. The liquidator must meet initial margin
/// afterwards and may not be another subaccount of the same wallet.
pub fn handler(ctx: Context<LiquidatePerp>, max_base: u64) -> Result<()> {
    let accounts = &ctx.accounts;
    validate!(max_base > 0, BalError::ZeroAmount);
    let clock = Clock::get()?;
    let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
    let mut user = accounts.user.load_mut()?;
    let mut liquidator = accounts.liquidator_user.load_mut()?;
    validate!(user.authority != liquidator.authority, BalError::SelfAction);
    let (mut spot, mut market, price) =
        accounts
            .market
            .enter(MarketAction::Liquidate, OracleAction::Liquidation, &clock)?;
    views.set(MarketView::new(&market, price, clock.unix_timestamp)?);
    let terms = LiquidationTerms {
        price,
        max_base,
        liquidator_share_rate: accounts.market.state.fees.liquidator_share_rate,
        now: clock.unix_timestamp,
    };
    let outcome = liquidate(
        &mut LiquidationBooks {
            user: &mut user,
            liquidator: &mut liquidator,
            spot: &mut spot,
            market: &mut market,
        },
        &mut views,
        &terms,
    )?;
    user.invariant()?;
    liquidator.invariant()?;
    spot.invariant()?;
    market.invariant()?;
    let record = LiquidationRecord {
        ts: clock.unix_timestamp,
        user: accounts.user.key(),
        liquidator: accounts.liquidator_user.key(),
        market_index: market.market_index,
        oracle_price: price,
        collateral_before: outcome.before.collateral,
        requirement_before: outcome.before.requirement,
        orders_cancelled: outcome.orders_cancelled,
        shares_burned: outcome.shares_burned,
        base_transferred: outcome.base_transferred,
        quote_transferred: outcome.quote_transferred,
        fee_to_liquidator: outcome.fee.to_liquidator,
        fee_to_insurance: outcome.fee.to_insurance_fund,
        reward_from_insurance: outcome.fee.from_insurance_fund,
    };
    let bankruptcy = outcome
        .bankruptcy
        .map(|resolved| resolved.record(accounts.user.key(), &market, &spot, clock.unix_timestamp));
    drop((user, liquidator, spot, market));
    emit_cpi!(record);
    if let Some(record) = bankruptcy {
        emit_cpi!(record);
    }
    Ok(())
}
