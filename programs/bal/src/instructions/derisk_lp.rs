use crate::contexts::MarketUser;
use crate::controller::derisk::{derisk, DeriskBooks, DeriskTerms};
use crate::error::BalError;
use crate::math::oracle::OracleAction;
use crate::read::derisk_decision::{derisk_decision, DeriskDecision, DeriskJudge};
use crate::read::margin::MarketView;
use crate::read::market_views::load_market_views;
use crate::state::gate::allows;
use crate::state::MarketAction;
use anchor_lang::prelude::*;

/// Permissionless: de-risks the user's LP position in the market when `derisk_decision` says
/// it applies (see `controller::derisk`). Burning cannot be undone, so the whole de-risk is
/// judged at a price valid for a fill (fresh, certain, near its TWAP). Refuses when there is
/// nothing to do (`NothingToDerisk`), when the account opted out (`DeriskOptedOut`), while its
/// LP cooldown runs (`LpCooldown`) and when a market it holds is missing
/// (`MarginAccountMissing`).
pub fn handler<'info>(ctx: Context<'info, MarketUser<'info>>) -> Result<()> {
    let accounts = &ctx.accounts;
    let clock = Clock::get()?;
    let mut views = load_market_views(ctx.remaining_accounts, OracleAction::Margin, &clock)?;
    let record = {
        let mut user = accounts.user.load_mut()?;
        let (mut spot, mut market, price) =
            accounts
                .market
                .enter(MarketAction::Derisk, OracleAction::Fill, &clock)?;
        views.set(MarketView::new(&market, price, clock.unix_timestamp)?);
        let judge = DeriskJudge {
            spot: &spot,
            views: &views,
            market_index: market.market_index,
            now: clock.unix_timestamp,
            cooldown_seconds: accounts.market.state.lp_cooldown_seconds,
        };
        let before = match derisk_decision(&user, &judge)? {
            DeriskDecision::Applies(before) => before,
            DeriskDecision::NotNeeded => return err!(BalError::NothingToDerisk),
            DeriskDecision::OptedOut => return err!(BalError::DeriskOptedOut),
            DeriskDecision::InCooldown => return err!(BalError::LpCooldown),
            DeriskDecision::CannotJudge => return err!(BalError::MarginAccountMissing),
        };
        let terms = DeriskTerms {
            oracle_price: price,
            fee_rate: accounts.market.state.fees.taker_fee_rate,
            now: clock.unix_timestamp,
            before,
            may_trade: allows(&accounts.market.state, &market, MarketAction::Reduce)?,
        };
        let outcome = derisk(
            &mut DeriskBooks {
                user: &mut user,
                spot: &mut spot,
                market: &mut market,
            },
            &mut views,
            &terms,
        )?;
        user.invariant()?;
        spot.invariant()?;
        market.invariant()?;
        outcome.record(
            accounts.user.key(),
            market.market_index,
            clock.unix_timestamp,
        )
    };
    emit_cpi!(record);
    Ok(())
}
