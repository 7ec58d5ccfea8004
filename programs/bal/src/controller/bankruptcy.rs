//! Bad debt: a negative quote balance with nothing left behind it. An account is only resolved
//! once it holds no base, no LP shares and no orders in any market; what its positions still
//! claim (realized gains a P&L pool has not paid yet, less unsettled losses) is netted against
//! the debt first and stays on the account to repay it as the pools pay. Only the rest is
//! written off: from the named market's fee pool (insurance) first, then from every depositor
//! pro rata by lowering the deposit index.
use crate::controller::spot_balance::{signed_token_amount, update_quote_balance};
use crate::events::BankruptcyRecord;
use crate::math::constants::SPOT_BALANCE_TO_TOKEN;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::{PerpMarket, SpotMarket, User};
use anchor_lang::prelude::*;

/// How a bankruptcy was resolved. A debt may exceed what a token amount holds (a balance is
/// 128-bit), so the debt and what depositors bear are too. precision: QUOTE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bankruptcy {
    /// The negative balance before.
    pub debt: u128,
    /// The part of the debt left on the account, backed by what its positions still claim.
    pub claims_netted: u128,
    pub covered_by_insurance: u64,
    pub socialized: u128,
}

impl Bankruptcy {
    /// The record of this resolution of `user`, `market`'s fee pool having paid first.
    pub fn record(
        &self,
        user: Pubkey,
        market: &PerpMarket,
        spot: &SpotMarket,
        ts: i64,
    ) -> BankruptcyRecord {
        BankruptcyRecord {
            ts,
            user,
            market_index: market.market_index,
            debt: self.debt,
            claims_netted: self.claims_netted,
            covered_by_insurance: self.covered_by_insurance,
            socialized: self.socialized,
            deposit_index_after: spot.cumulative_deposit_interest.get(),
        }
    }
}

/// Whether the account holds nothing but quote: no base, LP shares or orders anywhere (its
/// positions, if any, are realized P&L waiting for a pool).
pub fn holds_only_claims(user: &User) -> bool {
    user.perp_positions
        .iter()
        .filter(|p| p.is_active())
        .all(|p| p.base_asset_amount == 0 && p.lp.shares.get() == 0 && p.open_orders == 0)
}

/// Resolves `user`'s bad debt (the caller checked `holds_only_claims`), with `market`'s fee
/// pool paying first. `None` when the balance is not negative or its claims cover it.
pub fn resolve_bankruptcy(
    user: &mut User,
    spot: &mut SpotMarket,
    market: &mut PerpMarket,
) -> Result<Option<Bankruptcy>> {
    let balance = signed_token_amount(&user.quote_balance, spot)?;
    if balance >= 0 {
        return Ok(None);
    }
    // With no base anywhere there is no funding to settle: each position's quote is its claim.
    let claims = user
        .perp_positions
        .iter()
        .filter(|p| p.is_active())
        .try_fold(0i128, |sum, p| sum.safe_add(p.quote_asset_amount.get()))?;
    let net = balance.safe_add(claims)?;
    if net >= 0 {
        return Ok(None);
    }
    let debt = balance.unsigned_abs();
    let write_off = net.unsigned_abs().min(debt);
    let covered = write_off.min(market.fee_pool as u128) as u64;
    market.fee_pool = market.fee_pool.safe_sub(covered)?;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_sub(covered)?;
    let socialized = socialize(spot, write_off.safe_sub(covered as u128)?)?;
    let write_off = (covered as u128).safe_add(socialized)?;
    update_quote_balance(&mut user.quote_balance, spot, write_off.cast::<i128>()?)?;
    Ok(Some(Bankruptcy {
        debt,
        claims_netted: debt.safe_sub(write_off)?,
        covered_by_insurance: covered,
        socialized,
    }))
}

/// Takes `loss` from every depositor pro rata: each deposit unit loses `loss / deposits` of its
/// value, rounded up per unit, so depositors bear at least the loss and the vault keeps
/// covering what is left. Deposits can lose at most all but the smallest index unit; a loss
/// beyond that is not written off (it stays on the account as debt). Returns what was taken.
/// precision: QUOTE
fn socialize(spot: &mut SpotMarket, loss: u128) -> Result<u128> {
    let deposits = spot.deposit_balance.get();
    if loss == 0 || deposits == 0 {
        return Ok(0);
    }
    let index = spot.cumulative_deposit_interest.get();
    let cut = mul_div_ceil(loss, SPOT_BALANCE_TO_TOKEN, deposits)?;
    if cut < index {
        spot.cumulative_deposit_interest.set(index - cut);
        return Ok(loss);
    }
    // All but one index unit: what that cut is worth, rounded down.
    let cut = index - 1;
    spot.cumulative_deposit_interest.set(1);
    let taken = mul_div_floor(cut, deposits, SPOT_BALANCE_TO_TOKEN)?;
    Ok(taken.min(loss))
}
