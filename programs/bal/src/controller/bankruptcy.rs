//! Bad debt: a negative quote balance with nothing left behind it. An account is only resolved
//! once it holds no base, no LP shares and no orders in any market; what its positions still
//! claim (realized gains a P&L pool has not paid yet, less unsettled losses) is netted against
//! the debt first and stays on the account to repay it as the pools pay. Only the rest is
//! written off, down a waterfall whose tiers cannot be left between an account going under and
//! its write-off: the insurance fund (stakers leave only through a request that waits and bears
//! losses meanwhile), then the named market's fee pool above what it keeps for the repegs the
//! price band relies on (the market's own revenue, owned by nobody who could leave), and only
//! then every depositor pro rata, by lowering the deposit index: the last resort, which a
//! depositor who withdraws first escapes.
use crate::controller::insurance;
use crate::controller::spot_balance::update_quote_balance;
use crate::events::BankruptcyRecord;
use crate::math::constants::SPOT_BALANCE_TO_TOKEN;
use crate::math::safe_math::{Cast, SafeMath};
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::read::balances::signed_token_amount;
use crate::read::repeg::repeg_reserve;
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
    pub covered_by_insurance_fund: u64,
    pub covered_by_fee_pool: u64,
    pub socialized: u128,
}

impl Bankruptcy {
    /// The record of this resolution of `user`, `market`'s fee pool having paid second.
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
            covered_by_insurance_fund: self.covered_by_insurance_fund,
            covered_by_fee_pool: self.covered_by_fee_pool,
            socialized: self.socialized,
            deposit_index_after: spot.cumulative_deposit_interest.get(),
        }
    }
}

/// Resolves `user`'s bad debt (the caller checked `holds_only_claims`) down the waterfall, with
/// `market`'s fee pool as its second tier. `None` when the balance is not negative or its
/// claims cover it.
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
    let from_fund = insurance::cover_loss(&mut spot.insurance, write_off)?;
    let rest = write_off.safe_sub(from_fund as u128)?;
    let spare = market.fee_pool.saturating_sub(repeg_reserve(market));
    let from_fee_pool = rest.min(spare as u128) as u64;
    market.fee_pool = market.fee_pool.safe_sub(from_fee_pool)?;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_sub(from_fee_pool)?;
    let socialized = socialize(spot, rest.safe_sub(from_fee_pool as u128)?)?;
    let write_off = (from_fund as u128)
        .safe_add(from_fee_pool as u128)?
        .safe_add(socialized)?;
    update_quote_balance(&mut user.quote_balance, spot, write_off.cast::<i128>()?)?;
    Ok(Some(Bankruptcy {
        debt,
        claims_netted: debt.safe_sub(write_off)?,
        covered_by_insurance_fund: from_fund,
        covered_by_fee_pool: from_fee_pool,
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
