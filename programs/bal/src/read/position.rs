//! What a user's position slots hold.
use crate::state::User;

/// The slot holding `market_index`, if any.
pub fn find_position(user: &User, market_index: u16) -> Option<usize> {
    user.perp_positions
        .iter()
        .position(|p| p.is_active() && p.market_index == market_index)
}

/// Whether the account holds nothing but quote: no base, LP shares or orders anywhere (its
/// positions, if any, are realized P&L waiting for a pool).
pub fn holds_only_claims(user: &User) -> bool {
    user.perp_positions
        .iter()
        .filter(|p| p.is_active())
        .all(|p| p.base_asset_amount == 0 && p.lp.shares.get() == 0 && p.open_orders == 0)
}

/// Whether a position going from `before` to `after` (precision: BASE) grew or changed side.
pub fn increases_risk(before: i64, after: i64) -> bool {
    after.unsigned_abs() > before.unsigned_abs()
        || (before != 0 && (after > 0) != (before > 0) && after != 0)
}
