//! The gate: every instruction that acts in a market names its `MarketAction` and calls
//! `check_market` (or `MarketStatus::check` where only the status is at hand), which applies the
//! one table in `state::market_status` and the pause bits, so "can I do X in a reduce-only
//! market?" is one row there. A market's lifecycle transitions are here too.
use crate::error::BalError;
use crate::state::global::State;
use crate::state::market_status::{MarketAction, MarketStatus};
use crate::state::perp_market::PerpMarket;
use crate::validate;
use anchor_lang::prelude::*;

impl PerpMarket {
    /// A new market starts `Initialized`: nothing trades until the admin activates it.
    pub fn start_initialized(&mut self) {
        self.status = MarketStatus::Initialized as u8;
    }

    /// Moves the market into settlement (from active or reduce-only), else
    /// `InvalidMarketStatusTransition`. The caller's other checks follow; a refusal among them
    /// undoes the move with the rest of the transaction.
    pub fn enter_settlement(&mut self) -> Result<()> {
        self.move_to(MarketStatus::Settlement)
    }

    /// Moves a settled market to delisted, else `InvalidMarketStatusTransition`.
    pub fn enter_delisted(&mut self) -> Result<()> {
        self.move_to(MarketStatus::Delisted)
    }

    pub fn is_delisted(&self) -> Result<bool> {
        Ok(self.status()? == MarketStatus::Delisted)
    }

    fn move_to(&mut self, next: MarketStatus) -> Result<()> {
        validate!(
            self.status()?.can_become(next),
            BalError::InvalidMarketStatusTransition
        );
        self.status = next as u8;
        Ok(())
    }
}

/// Whether `bits` are paused exchange-wide (`state`) or, when given, in `market`.
fn paused(state: &State, market: Option<&PerpMarket>, bits: u32) -> bool {
    let market_bits = market.map_or(0, |market| market.paused_operations);
    (state.paused_operations | market_bits) & bits != 0
}

/// Refuses `action` in `market` when a pause bit stops it (`OperationPaused`) or the market's
/// status does not allow it.
pub fn check_market(state: &State, market: &PerpMarket, action: MarketAction) -> Result<()> {
    validate!(
        !paused(state, Some(market), action.pause_bits()),
        BalError::OperationPaused
    );
    market.status()?.check(action)
}

/// Whether `action` may run in `market` now: no pause bit stops it and the status allows it.
pub fn allows(state: &State, market: &PerpMarket, action: MarketAction) -> Result<bool> {
    Ok(!paused(state, Some(market), action.pause_bits())
        && market.status()?.refusal(action).is_none())
}

/// Refuses (`OperationPaused`) an exchange-wide operation (`PAUSE_DEPOSIT`, `PAUSE_WITHDRAW`)
/// the admin has paused.
pub fn check_exchange(state: &State, operation: u32) -> Result<()> {
    validate!(!paused(state, None, operation), BalError::OperationPaused);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{PAUSE_LIQUIDATION, PAUSE_TRADE};

    const STATUSES: [MarketStatus; 5] = [
        MarketStatus::Initialized,
        MarketStatus::Active,
        MarketStatus::ReduceOnly,
        MarketStatus::Settlement,
        MarketStatus::Delisted,
    ];

    /// The statuses allowing `action`, in lifecycle order.
    fn allowing(action: MarketAction) -> Vec<MarketStatus> {
        STATUSES
            .into_iter()
            .filter(|status| status.refusal(action).is_none())
            .collect()
    }

    #[test]
    fn risk_and_liquidity_open_only_in_an_active_market() {
        use MarketStatus::*;
        assert_eq!(allowing(MarketAction::OpenRisk), [Active]);
        assert_eq!(allowing(MarketAction::AddLiquidity), [Active]);
        assert_eq!(allowing(MarketAction::Reduce), [Active, ReduceOnly]);
        assert_eq!(allowing(MarketAction::Liquidate), [Active, ReduceOnly]);
        assert_eq!(allowing(MarketAction::RemoveInCooldown), [ReduceOnly]);
    }

    #[test]
    fn a_settling_market_freezes_its_curve_and_closes_at_its_price() {
        use MarketStatus::*;
        for action in [
            MarketAction::AmmAdmin,
            MarketAction::Funding,
            MarketAction::Derisk,
            MarketAction::SettlePnl,
            MarketAction::RemoveLiquidity,
        ] {
            for status in [Settlement, Delisted] {
                assert!(
                    matches!(status.refusal(action), Some(BalError::MarketSettling)),
                    "{action:?} in {status:?}"
                );
            }
        }
        assert_eq!(
            allowing(MarketAction::SettleExpired),
            [Settlement, Delisted]
        );
        assert_eq!(allowing(MarketAction::FinalizeSettlement), [Settlement]);
        assert_eq!(allowing(MarketAction::ResolveBadDebt), STATUSES);
    }

    #[test]
    fn a_trade_pause_stops_every_trade() {
        for action in [
            MarketAction::OpenRisk,
            MarketAction::Reduce,
            MarketAction::Fill,
        ] {
            assert_ne!(action.pause_bits() & PAUSE_TRADE, 0, "{action:?}");
        }
        assert_eq!(MarketAction::Liquidate.pause_bits(), PAUSE_LIQUIDATION);
        // A de-risk still cancels and burns; only its reduction is a trade.
        assert_eq!(MarketAction::Derisk.pause_bits() & PAUSE_TRADE, 0);
    }

    #[test]
    fn the_admin_moves_a_market_short_of_settling_it() {
        use MarketStatus::*;
        assert!(Active.admin_may_become(ReduceOnly));
        assert!(ReduceOnly.admin_may_become(Active));
        assert!(!Active.admin_may_become(Settlement));
        assert!(Settlement.can_become(Delisted) && !Settlement.admin_may_become(Delisted));
    }
}
