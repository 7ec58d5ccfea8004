//! The status × action table: what each market status allows, and which pause bits stop each
//! action. `state::gate` applies it to a market and the exchange's pause bits.
use crate::error::BalError;
use crate::state::{
    PAUSE_ADD_LIQUIDITY, PAUSE_FILL, PAUSE_FUNDING, PAUSE_LIQUIDATION, PAUSE_REMOVE_LIQUIDITY,
    PAUSE_SETTLE, PAUSE_TRADE,
};
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
            OpenRisk | Reduce => PAUSE_TRADE,
            Fill => PAUSE_FILL | PAUSE_TRADE,
            AddLiquidity => PAUSE_ADD_LIQUIDITY,
            RemoveLiquidity | RemoveInCooldown => PAUSE_REMOVE_LIQUIDITY,
            SettleLp | SettlePnl | SettleExpired | FinalizeSettlement => PAUSE_SETTLE,
            Derisk => PAUSE_SETTLE,
            Funding => PAUSE_FUNDING,
            AmmAdmin => 0,
            Liquidate | ResolveBadDebt => PAUSE_LIQUIDATION,
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
