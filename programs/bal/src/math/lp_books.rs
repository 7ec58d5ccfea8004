//! LP shares on one position and one market, as values: splitting an AMM delta between the
//! LPs and the protocol, an LP's entitlement (with exact lazy funding), settling it into the
//! position, and burning shares under the exit rule. `controller::lp` applies these to loaded
//! accounts, `read::lp` to copies.
use crate::error::BalError;
use crate::math::amm::{rescale_curve, Curve};
use crate::math::books::{protocol_base, refresh_derived_reserves, track_base};
use crate::math::constants::{LP_AGG_PRECISION, MIN_SQRT_K};
use crate::math::lp::{entitlement, i256, unsettled_funding, LpFunding, Shares};
use crate::math::position::{add_to_quote, apply_fill, settle_funding, Fill};
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, U256};
use crate::state::{LpPosition, PerpMarket, PerpPosition};
use crate::validate;
use anchor_lang::prelude::*;

fn shares(market: &PerpMarket) -> Shares {
    Shares {
        user: market.lp.user_lp_shares.get(),
        total: market.amm.sqrt_k.get(),
    }
}

/// How much of an AMM delta the LPs take: their pro-rata part (`Shared`, every fill against
/// the curve) or all of it (`LpOwned`, LP JIT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LpTake {
    Shared,
    LpOwned,
}

/// The shares that take part in an AMM delta of kind `take`, and the total they share it over.
pub fn take_shares(market: &PerpMarket, take: LpTake) -> Shares {
    let shares = shares(market);
    match take {
        LpTake::Shared => shares,
        LpTake::LpOwned => Shares {
            user: shares.user,
            total: shares.user,
        },
    }
}

/// What settling an LP moved into its position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LpSettlement {
    /// precision: BASE (within i64: no position can hold more than `MAX_SQRT_K` times the
    /// largest concentration coefficient, which fits)
    pub base: i64,
    /// precision: QUOTE
    pub quote: i128,
    /// Funding on the inventory held unsettled (negative when paid). precision: QUOTE
    pub funding: i128,
}

impl LpSettlement {
    /// Whether the settle moved nothing (no record is written for it).
    pub fn moved_nothing(&self) -> bool {
        *self == LpSettlement::default()
    }
}

/// A market's LP accumulators, copied out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LpAccumulators {
    pub base_per_share: i128,
    pub quote_per_share: i128,
    pub funding_per_share: U256,
    pub cumulative_funding_rate: i64,
}

impl LpAccumulators {
    pub fn of(market: &PerpMarket) -> Self {
        LpAccumulators {
            base_per_share: market.lp.base_per_share.get(),
            quote_per_share: market.lp.quote_per_share.get(),
            funding_per_share: market.lp.funding_per_share.get(),
            cumulative_funding_rate: market.funding.cumulative_funding_rate,
        }
    }
}

/// The entitlement of `lp` against `acc`, without moving it. Nothing, without the 256-bit
/// arithmetic, when the accumulators have not moved since its snapshot (a position settled
/// earlier in the instruction).
pub fn lp_entitlement(lp: &LpPosition, acc: &LpAccumulators) -> Result<LpSettlement> {
    let shares = lp.shares.get();
    let unmoved = acc.base_per_share == lp.base_per_share.get()
        && acc.quote_per_share == lp.quote_per_share.get()
        && acc.funding_per_share == lp.funding_per_share.get()
        && acc.cumulative_funding_rate == lp.cumulative_funding_rate;
    if shares == 0 || unmoved {
        return Ok(LpSettlement::default());
    }
    let base = entitlement(
        acc.base_per_share.safe_sub(lp.base_per_share.get())?,
        shares,
    )?;
    let quote = entitlement(
        acc.quote_per_share.safe_sub(lp.quote_per_share.get())?,
        shares,
    )?;
    let funding = unsettled_funding(&LpFunding {
        shares,
        g_delta: i256::sub(acc.funding_per_share, lp.funding_per_share.get()),
        base_snapshot: lp.base_per_share.get(),
        rate_delta: acc
            .cumulative_funding_rate
            .safe_sub(lp.cumulative_funding_rate)?,
    })?;
    Ok(LpSettlement {
        base: base.cast()?,
        quote,
        funding,
    })
}

/// Applies an entitlement to a position as `settle_lp` would: funding on the settled base
/// first, then the entitlement as a fill at the traders' prices, then the unsettled
/// inventory's funding, then fresh snapshots. Used on a copy, it is the simulated settle that
/// margin and clients see.
pub fn apply_lp_settlement(
    position: &mut PerpPosition,
    acc: &LpAccumulators,
) -> Result<LpSettlement> {
    let settlement = lp_entitlement(&position.lp, acc)?;
    settle_funding(position, acc.cumulative_funding_rate)?;
    apply_fill(
        position,
        &Fill {
            base: settlement.base,
            quote: settlement.quote,
        },
    )?;
    add_to_quote(position, settlement.funding)?;
    let lp = &mut position.lp;
    lp.base_per_share.set(acc.base_per_share);
    lp.quote_per_share.set(acc.quote_per_share);
    lp.funding_per_share.set(acc.funding_per_share);
    lp.cumulative_funding_rate = acc.cumulative_funding_rate;
    Ok(settlement)
}

/// Moves an LP's entitlement into its position and out of the market's unsettled aggregate.
/// Idempotent: a second settle moves nothing.
pub fn settle_lp_position(
    position: &mut PerpPosition,
    market: &mut PerpMarket,
) -> Result<LpSettlement> {
    let base_before = position.base_asset_amount;
    let settlement = apply_lp_settlement(position, &LpAccumulators::of(market))?;
    track_base(market, base_before, position.base_asset_amount)?;
    let lp = &mut market.lp;
    let agg = LP_AGG_PRECISION as i128;
    lp.unsettled_base.set(
        lp.unsettled_base
            .get()
            .safe_sub((settlement.base as i128).safe_mul(agg)?)?,
    );
    lp.unsettled_quote.set(
        lp.unsettled_quote
            .get()
            .safe_sub(settlement.quote.safe_mul(agg)?)?,
    );
    lp.settled_base = lp.settled_base.safe_add(settlement.base)?;
    Ok(settlement)
}

/// The exit rule: after a burn, the curve must still be able to take back the protocol's own
/// inventory (what it is counterparty to once every LP has taken its part along as a
/// position). A burn to `new_sqrt_k` is possible when that is at least `MIN_SQRT_K` and the
/// rescaled base reserve exceeds the protocol's long inventory (a short inventory the curve can
/// always buy back from); the rescaled curve when it is, `None` when not. Fills never check
/// this: the protocol's inventory comes from the curve itself, in proportion to its share.
fn burned_curve(market: &PerpMarket, new_sqrt_k: u128) -> Result<Option<Curve>> {
    if new_sqrt_k < MIN_SQRT_K {
        return Ok(None);
    }
    let curve = rescale_curve(
        &market.amm.curve(),
        new_sqrt_k,
        market.amm.concentration_coef,
    )?;
    Ok((curve.base as i128 > protocol_base(market)?).then_some(curve))
}

/// The most of `shares` that can be burned now under the exit rule: all of them unless the
/// curve could not carry the protocol's inventory afterwards. The smallest `sqrt_k` that
/// still carries a long inventory `L` has a closed form (`floor(base × k' / k) > L`), checked
/// against the rule itself. precision: BASE
pub fn burnable_shares(market: &PerpMarket, shares: u128) -> Result<u128> {
    let amm = &market.amm;
    let (sqrt_k, base) = (amm.sqrt_k.get(), amm.base_asset_reserve.get());
    let long_inventory = protocol_base(market)?.max(0) as u128;
    let floor = mul_div_ceil(long_inventory.safe_add(1)?, sqrt_k, base)?.max(MIN_SQRT_K);
    let burnable = shares.min(sqrt_k.saturating_sub(floor));
    if burnable > 0 && burned_curve(market, sqrt_k - burnable)?.is_some() {
        return Ok(burnable);
    }
    Ok(0)
}

/// Burns `shares` from a position after settling it. Refused (`LpBurnBlocked`) when the curve
/// could no longer carry the protocol's own inventory afterwards (`burned_curve`).
pub fn remove_shares(
    position: &mut PerpPosition,
    market: &mut PerpMarket,
    shares: u128,
) -> Result<LpSettlement> {
    validate!(shares > 0, BalError::ZeroAmount);
    validate!(
        shares <= position.lp.shares.get(),
        BalError::InsufficientLpShares
    );
    let settlement = settle_lp_position(position, market)?;
    let new_sqrt_k = market.amm.sqrt_k.get().safe_sub(shares)?;
    let curve = burned_curve(market, new_sqrt_k)?;
    validate!(
        curve.is_some(),
        BalError::LpBurnBlocked,
        "sqrt_k {} after the burn cannot carry the protocol's inventory {}",
        new_sqrt_k,
        protocol_base(market)?
    );
    market.amm.set_curve(&curve.unwrap_or(market.amm.curve()));
    refresh_derived_reserves(market)?;
    let lp = &mut market.lp;
    lp.user_lp_shares
        .set(lp.user_lp_shares.get().safe_sub(shares)?);
    position
        .lp
        .shares
        .set(position.lp.shares.get().safe_sub(shares)?);
    if position.lp.shares.get() == 0 {
        position.lp = LpPosition::default();
    }
    Ok(settlement)
}
