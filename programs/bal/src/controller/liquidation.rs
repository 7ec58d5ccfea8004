//! Liquidation below maintenance margin: the position closes against the AMM, a fee goes to
//! the liquidator and the insurance side (the fee pool), the P&L settles, and a balance left
//! negative with nothing open is bankrupt: the fee pool covers what it can and the rest is
//! socialized across quote depositors.
use crate::controller::position::find_position;
use crate::controller::spot_balance::{signed_token_amount, update_quote_balance};
use crate::error::BalError;
use crate::math::constants::{PERCENTAGE_PRECISION, SPOT_BALANCE_TO_TOKEN};
use crate::math::safe_math::SafeMath;
use crate::math::wide::{mul_div_ceil, mul_div_floor};
use crate::state::{PerpMarket, SpotBalanceKind, SpotMarket, User};
use crate::validate;
use anchor_lang::prelude::*;

/// The liquidation fee on `quote` notional, and the liquidator's part of it (rounded down; the
/// rest goes to insurance). precision: QUOTE
pub fn liquidation_fee(
    quote: u64,
    fee_rate: u32,
    liquidator_share_rate: u32,
) -> Result<(u64, u64)> {
    let one = PERCENTAGE_PRECISION as u128;
    let fee = mul_div_ceil(quote as u128, fee_rate as u128, one)?;
    let to_liquidator = mul_div_floor(fee, liquidator_share_rate as u128, one)?;
    let fee = u64::try_from(fee).map_err(|_| BalError::MathError)?;
    Ok((fee, to_liquidator as u64))
}

/// A liquidation fee and the liquidator's part of it. precision: QUOTE
pub struct FeeTransfer {
    pub fee: u64,
    pub to_liquidator: u64,
}

/// The accounts a liquidation writes, held together so each step takes one reference (the
/// v0 VM passes at most five argument registers).
pub struct LiquidationBooks<'a> {
    pub user: &'a mut User,
    pub liquidator: &'a mut User,
    pub spot: &'a mut SpotMarket,
    pub market: &'a mut PerpMarket,
}

impl LiquidationBooks<'_> {
    /// From the user's balance, part to the liquidator's, the rest to the fee pool.
    pub fn pay_fee(&mut self, transfer: &FeeTransfer) -> Result<()> {
        update_quote_balance(
            &mut self.user.quote_balance,
            self.spot,
            -(transfer.fee as i128),
        )?;
        update_quote_balance(
            &mut self.liquidator.quote_balance,
            self.spot,
            transfer.to_liquidator as i128,
        )?;
        let to_insurance = transfer.fee.safe_sub(transfer.to_liquidator)?;
        self.market.fee_pool = self.market.fee_pool.safe_add(to_insurance)?;
        self.spot.perp_pools_balance = self.spot.perp_pools_balance.safe_add(to_insurance)?;
        Ok(())
    }
}

/// How a bankruptcy was resolved. precision: QUOTE
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bankruptcy {
    pub covered_by_insurance: u64,
    pub socialized: u64,
}

/// Resolves a user with no positions and a negative balance: the market's fee pool repays what
/// it can; what remains is written off and taken from every depositor pro rata by lowering the
/// deposit index (rounded down, so depositors bear at least the loss).
pub fn resolve_bankruptcy(books: &mut LiquidationBooks) -> Result<Bankruptcy> {
    let (user, spot, market) = (&mut *books.user, &mut *books.spot, &mut *books.market);
    let has_base = user
        .perp_positions
        .iter()
        .any(|p| p.is_active() && p.base_asset_amount != 0);
    let balance = signed_token_amount(&user.quote_balance, spot)?;
    if has_base || balance >= 0 {
        return Ok(Bankruptcy::default());
    }
    let debt = u64::try_from(balance.unsigned_abs()).map_err(|_| BalError::MathError)?;
    let covered = debt.min(market.fee_pool);
    market.fee_pool -= covered;
    spot.perp_pools_balance = spot.perp_pools_balance.safe_sub(covered)?;
    update_quote_balance(&mut user.quote_balance, spot, covered as i128)?;

    let mut socialized = 0;
    if user.quote_balance.kind() == SpotBalanceKind::Borrow {
        let scaled = user.quote_balance.scaled_balance as u128;
        socialized = u64::try_from(signed_token_amount(&user.quote_balance, spot)?.unsigned_abs())
            .map_err(|_| BalError::MathError)?;
        spot.borrow_balance
            .set(spot.borrow_balance.get().safe_sub(scaled)?);
        user.quote_balance.scaled_balance = 0;
        user.quote_balance.kind = SpotBalanceKind::Deposit as u8;
        let deposits = spot.deposit_balance.get();
        validate!(deposits > 0, BalError::InvariantViolated);
        // Each deposit unit loses loss / deposits of its value (rounded up per unit).
        let index = spot.cumulative_deposit_interest.get();
        let cut = mul_div_ceil(socialized as u128, SPOT_BALANCE_TO_TOKEN, deposits)?;
        spot.cumulative_deposit_interest.set(index.safe_sub(cut)?);
    }
    Ok(Bankruptcy {
        covered_by_insurance: covered,
        socialized,
    })
}

/// The slot of `user`'s open position in `market_index`, refusing when there is none.
pub fn liquidatable_position(user: &User, market_index: u16) -> Result<usize> {
    let slot = find_position(user, market_index);
    validate!(
        slot.is_some_and(|s| user.perp_positions[s].base_asset_amount != 0),
        BalError::NoPosition
    );
    Ok(slot.unwrap_or_default())
}
