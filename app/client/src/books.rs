//! Whether the exchange's books balance, read from its accounts: the check a fuzzer runs after
//! every step and an operator runs on a live chain. Every user's and market's invariant holds;
//! in each market, base is conserved exactly (the users' positions are the AMM's inventory plus
//! what its LPs have settled) and LP shares add up to the market's record, within `sqrt_k`;
//! the vault covers every deposit, borrow and pool, and the pools sum to the spot market's
//! record of them.
use bal::read::balances::validate_vault_covers;
use bal::state::{PerpMarket, SpotMarket, User};

/// What the books hold, once they balance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Books {
    pub users: usize,
    /// Open perp positions (base held), every market together.
    pub positions: usize,
}

/// Checks the books of `markets` (every perp market there is) with `users` their only
/// accounts and `vault` the quote vault's token balance; the first rule broken, named.
pub fn check(
    spot: &SpotMarket,
    markets: &[PerpMarket],
    users: &[User],
    vault: u64,
) -> Result<Books, String> {
    let mut books = Books {
        users: users.len(),
        ..Books::default()
    };
    for (i, user) in users.iter().enumerate() {
        user.invariant()
            .map_err(|e| format!("user {i}'s invariant: {e:?}"))?;
        books.positions += user
            .perp_positions
            .iter()
            .filter(|p| p.is_active() && p.base_asset_amount != 0)
            .count();
    }
    let mut pools = 0u64;
    for market in markets {
        let index = market.market_index;
        market
            .invariant()
            .map_err(|e| format!("market {index}'s invariant: {e:?}"))?;
        let (mut base, mut shares) = (0i128, 0u128);
        for position in users
            .iter()
            .flat_map(|u| u.perp_positions.iter())
            .filter(|p| p.is_active() && p.market_index == index)
        {
            base += i128::from(position.base_asset_amount);
            shares += position.lp.shares.get();
        }
        let held =
            i128::from(market.amm.base_asset_amount_with_amm) + i128::from(market.lp.settled_base);
        if base != held {
            return Err(format!(
                "market {index}: users hold {base} base, the AMM and its LPs {held}"
            ));
        }
        if shares != market.lp.user_lp_shares.get() {
            return Err(format!(
                "market {index}: users hold {shares} LP shares, the market records {}",
                market.lp.user_lp_shares.get()
            ));
        }
        if shares > market.amm.sqrt_k.get() {
            return Err(format!(
                "market {index}: users hold {shares} LP shares, above the AMM's sqrt_k {}",
                market.amm.sqrt_k.get()
            ));
        }
        pools = pools
            .checked_add(market.fee_pool)
            .and_then(|p| p.checked_add(market.pnl_pool))
            .ok_or("pools overflow")?;
    }
    spot.invariant()
        .map_err(|e| format!("the spot market's invariant: {e:?}"))?;
    if spot.perp_pools_balance != pools {
        return Err(format!(
            "the markets' pools hold {pools}, the spot market records {}",
            spot.perp_pools_balance
        ));
    }
    validate_vault_covers(spot, vault)
        .map_err(|_| format!("the vault's {vault} does not cover"))?;
    Ok(books)
}
