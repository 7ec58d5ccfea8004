//! The gate: what a market's status allows and which pause bits stop an action, decided in one
//! table. Every instruction that acts in a market names its `MarketAction` and calls
//! `check_market` (or `MarketStatus::check` where only the status is at hand), so "can I do X in
//! a reduce-only market?" is one row here.
use crate::error::BalError;
use crate::state::global::{pause, State};
use crate::state::perp_market::PerpMarket;
use crate::validate;
use anchor_lang::prelude::*;

/// A market's lifecycle. Trading and adding liquidity need `Active`; `ReduceOnly` allows only
/// risk reduction; `Settlement` closes positions at a fixed price; `Delisted` is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum MarketStatus {
    Initialized,
    Active,
    ReduceOnly,
    Settlement,
    Delisted,
}

/// What an instruction does in a market, as the gate judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarketAction {
    /// A trade, resting order or fill that opens or grows a party's risk.
    OpenRisk,
    /// A trade or resting order that only reduces (a reduce-only order, a close).
    Reduce,
    /// `fill_order`: a filler matching a resting order (each party then judged as `OpenRisk` or
    /// `Reduce`).
    Fill,
    AddLiquidity,
    RemoveLiquidity,
    /// Removing LP shares inside the cooldown: only while the market winds down.
    RemoveInCooldown,
    SettleLp,
    SettlePnl,
    /// `derisk_lp` (and a settle's de-risk): burns shares and reduces against the AMM.
    Derisk,
    Funding,
    /// `repeg_amm`, `update_amm_k`: the curve frozen by settlement stays frozen.
    AmmAdmin,
    Liquidate,
    ResolveBadDebt,
    SettleExpired,
    FinalizeSettlement,
}

impl MarketAction {
    /// The pause bits (`pause::*`, exchange-wide or the market's own) any one of which stops
    /// the action. A `TRADE` pause stops every trade against the AMM or a maker: fills too, and
    /// a de-risk's reduction (`allows(.., Reduce)`), though not its cancels and burns.
    pub fn pause_bits(self) -> u32 {
        use MarketAction::*;
        match self {
            OpenRisk | Reduce => pause::TRADE,
            Fill => pause::FILL | pause::TRADE,
            AddLiquidity => pause::ADD_LIQUIDITY,
            RemoveLiquidity | RemoveInCooldown => pause::REMOVE_LIQUIDITY,
            SettleLp | SettlePnl | SettleExpired | FinalizeSettlement => pause::SETTLE,
            Derisk => pause::SETTLE,
            Funding => pause::FUNDING,
            AmmAdmin => 0,
            Liquidate | ResolveBadDebt => pause::LIQUIDATION,
        }
    }
}

impl MarketStatus {
    pub fn from_u8(value: u8) -> Result<Self> {
        Ok(match value {
            0 => MarketStatus::Initialized,
            1 => MarketStatus::Active,
            2 => MarketStatus::ReduceOnly,
            3 => MarketStatus::Settlement,
            4 => MarketStatus::Delisted,
            _ => return err!(BalError::InvariantViolated),
        })
    }

    /// The table: `None` when the status allows `action`, else the error that refuses it
    /// (`MarketSettling` for what needs a live curve once the market settles, `MarketNotActive`
    /// for the rest).
    pub fn refusal(self, action: MarketAction) -> Option<BalError> {
        use MarketAction::*;
        use MarketStatus::*;
        let settling = matches!(self, Settlement | Delisted);
        let allowed = match action {
            OpenRisk | AddLiquidity => self == Active,
            Reduce | Fill | Liquidate => matches!(self, Active | ReduceOnly),
            RemoveInCooldown => self == ReduceOnly,
            RemoveLiquidity | SettlePnl | Derisk | Funding | AmmAdmin => !settling,
            SettleLp | ResolveBadDebt => true,
            SettleExpired => settling,
            FinalizeSettlement => self == Settlement,
        };
        let needs_live_curve = matches!(
            action,
            RemoveLiquidity | SettlePnl | Derisk | Funding | AmmAdmin
        );
        match allowed {
            true => None,
            false if settling && needs_live_curve => Some(BalError::MarketSettling),
            false => Some(BalError::MarketNotActive),
        }
    }

    /// Refuses `action` unless this status allows it.
    pub fn check(self, action: MarketAction) -> Result<()> {
        match self.refusal(action) {
            None => Ok(()),
            Some(error) => Err(error.into()),
        }
    }

    /// Whether the market is settling or delisted: its positions close (or closed) at the
    /// settlement price.
    pub fn is_settling(self) -> bool {
        matches!(self, MarketStatus::Settlement | MarketStatus::Delisted)
    }

    /// Allowed moves: forward through the lifecycle, and back from reduce-only to active.
    pub fn can_become(self, next: MarketStatus) -> bool {
        use MarketStatus::*;
        matches!(
            (self, next),
            (Initialized, Active)
                | (Active, ReduceOnly)
                | (ReduceOnly, Active)
                | (Active | ReduceOnly, Settlement)
                | (Settlement, Delisted)
        )
    }

    /// Moves `update_perp_market` may make: the lifecycle's, short of settlement and delisting
    /// (each has an instruction of its own that fixes the price or moves the pools).
    pub fn admin_may_become(self, next: MarketStatus) -> bool {
        self.can_become(next) && !next.is_settling()
    }
}

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

/// Refuses (`OperationPaused`) an exchange-wide operation (`pause::DEPOSIT`, `pause::WITHDRAW`)
/// the admin has paused.
pub fn check_exchange(state: &State, operation: u32) -> Result<()> {
    validate!(!paused(state, None, operation), BalError::OperationPaused);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_ne!(action.pause_bits() & pause::TRADE, 0, "{action:?}");
        }
        assert_eq!(MarketAction::Liquidate.pause_bits(), pause::LIQUIDATION);
        // A de-risk still cancels and burns; only its reduction is a trade.
        assert_eq!(MarketAction::Derisk.pause_bits() & pause::TRADE, 0);
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
