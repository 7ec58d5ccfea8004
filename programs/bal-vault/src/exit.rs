//! A redemption planned before any CPI, on copies of the vault's BAL accounts run through the
//! simulations of BAL's read door (`bal::read::lp`): the LP shares it burns, and the part of the
//! position it takes off through the AMM within `EXIT_BAND` of the oracle. When the AMM cannot take the whole part inside the
//! band, the redemption shrinks (halving the shares) until it can: a failed CPI would fail the
//! whole transaction, so nothing is tried that the plan did not show fits.
use crate::equity::part_of;
use crate::error::VaultError;
use anchor_lang::prelude::*;
use bal::math::constants::BASE_PRECISION;
use bal::read::amm_quote::{fill_price, quote_amm_fill};
use bal::read::derisk_decision::{reduction_limit, DERISK_PRICE_BAND};
use bal::read::lp::{after_burn, settled};
use bal::read::position::find_position;
use bal::state::PositionDirection;
use bal::state::{PerpMarket, User};

/// The worst average price a redemption's fill may take from the oracle, BAL's de-risk band
/// (or the market's price band where narrower: `reduction_limit`). precision: PERCENTAGE
pub const EXIT_BAND: u32 = DERISK_PRICE_BAND;
/// How many times a redemption halves before giving up (`ExitOutsideBand`).
const MAX_HALVINGS: u32 = 8;

/// How the redeemed part of the position leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// No base, or a part below BAL's minimum order: the position stays as it is (the
    /// redeemer pays what closing its part would cost: `ExitPlan::unclosed_cost`).
    None,
    /// A reduce-only order for `base`, no worse than `limit_price` on average.
    Part {
        direction: PositionDirection,
        base: u64,
        limit_price: u64,
    },
    /// The last shares: the whole position closes, no worse than `limit_price` on average.
    Close { limit_price: u64 },
}

/// What a redemption does in BAL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitPlan {
    /// Vault shares redeemed: those asked for, or fewer when the band would not take them.
    pub shares: u64,
    /// BAL LP shares burned. precision: BASE
    pub lp_burn: u64,
    pub reduction: Reduction,
    /// What closing the part of the position the redemption leaves open (a part below BAL's
    /// minimum order) would cost at the exit band's limit, rounded up: charged to the redeemer,
    /// so no part is paid at the oracle's value without being closed. precision: QUOTE
    pub unclosed_cost: u64,
}

/// The vault's BAL subaccount and market, and the shares outstanding.
pub struct VaultBooks<'a> {
    pub user: &'a User,
    pub market: &'a PerpMarket,
    pub total_shares: u64,
    /// precision: PRICE
    pub oracle_price: u64,
}

/// The plan for redeeming `wanted` shares, or for the most that fits in the band.
pub fn plan_exit(books: &VaultBooks, wanted: u64) -> Result<ExitPlan> {
    let mut shares = wanted;
    for _ in 0..MAX_HALVINGS {
        if let Some(plan) = plan_for(books, shares)? {
            return Ok(plan);
        }
        shares /= 2;
        if shares == 0 {
            break;
        }
    }
    err!(VaultError::ExitOutsideBand)
}

/// The plan for exactly `shares`, or `None` when its reduction would fill outside the band.
fn plan_for(books: &VaultBooks, shares: u64) -> Result<Option<ExitPlan>> {
    let market_index = books.market.market_index;
    let Some(slot) = find_position(books.user, market_index) else {
        return Ok(Some(ExitPlan {
            shares,
            lp_burn: 0,
            reduction: Reduction::None,
            unclosed_cost: 0,
        }));
    };
    // On one copy: the burn settles and moves the curve before the reduction is priced (a
    // settle moves no shares, so what is held is read before it).
    let held_position = &books.user.perp_positions[slot];
    let held =
        u64::try_from(held_position.lp.shares.get()).map_err(|_| VaultError::MathOverflow)?;
    let lp_burn = part_of(
        held,
        shares,
        books.total_shares,
        books.market.order_step_size,
    )?;
    let (position, market) = if lp_burn > 0 {
        after_burn(held_position, books.market, lp_burn.into())?
    } else {
        let (position, market, _) = settled(held_position, books.market)?;
        (position, market)
    };
    let base = position.base_asset_amount;
    let last = shares == books.total_shares;
    let size = part_of(
        base.unsigned_abs(),
        shares,
        books.total_shares,
        market.order_step_size,
    )?;
    let selling = base > 0;
    if base == 0 || (!last && size < market.min_order_size) {
        let unclosed = part_of(base.unsigned_abs(), shares, books.total_shares, 1)?;
        let limit = reduction_limit(&market, books.oracle_price, selling)?;
        let per_base = books.oracle_price.abs_diff(limit);
        let unclosed_cost = (u128::from(unclosed) * u128::from(per_base)).div_ceil(BASE_PRECISION);
        return Ok(Some(ExitPlan {
            shares,
            lp_burn,
            reduction: Reduction::None,
            unclosed_cost: u64::try_from(unclosed_cost).map_err(|_| VaultError::MathOverflow)?,
        }));
    }
    let direction = if selling {
        PositionDirection::Short
    } else {
        PositionDirection::Long
    };
    let limit_price = reduction_limit(&market, books.oracle_price, selling)?;
    let Ok(fill) = quote_amm_fill(&market, direction, size, books.oracle_price) else {
        return Ok(None);
    };
    let price = fill_price(fill.base, fill.quote)?;
    let within = if selling {
        price >= limit_price
    } else {
        price <= limit_price
    };
    if !within {
        return Ok(None);
    }
    let reduction = if last {
        Reduction::Close { limit_price }
    } else {
        Reduction::Part {
            direction,
            base: size,
            limit_price,
        }
    };
    Ok(Some(ExitPlan {
        shares,
        lp_burn,
        reduction,
        unclosed_cost: 0,
    }))
}
