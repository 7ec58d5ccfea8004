//! The LP instructions: liquidity added and removed, settled, and de-risked.
use super::keepers::settle_accounts;
use super::{instruction, margin_accounts, trade_accounts, MarketAccounts};
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use bal::state::PriceBounds;

/// `others`: the user's other positions' markets, for the margin check. `bounds`: the reserve
/// prices the caller accepts (`crate::lp::add_bounds`; `PriceBounds::UNBOUNDED` leaves only
/// the market's band).
pub fn add_liquidity(
    signer: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
    others: &[MarketAccounts],
    shares: u64,
    bounds: PriceBounds,
) -> Instruction {
    let mut ix = instruction(
        trade_accounts(signer, user, market),
        bal::instruction::AddLiquidity {
            market_index: market.market_index,
            shares,
            bounds,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}

fn manage_liquidity(
    signer: Pubkey,
    user: Pubkey,
    market_index: u16,
) -> bal::accounts::ManageLiquidity {
    bal::accounts::ManageLiquidity {
        signer,
        state: pda::state(),
        user,
        perp_market: pda::perp_market(market_index),
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

/// `shares: None` removes all.
pub fn remove_liquidity(
    signer: Pubkey,
    user: Pubkey,
    market_index: u16,
    shares: Option<u128>,
) -> Instruction {
    instruction(
        manage_liquidity(signer, user, market_index),
        bal::instruction::RemoveLiquidity {
            market_index,
            shares,
        },
    )
}

pub fn settle_lp(signer: Pubkey, user: Pubkey, market_index: u16) -> Instruction {
    instruction(
        manage_liquidity(signer, user, market_index),
        bal::instruction::SettleLp { market_index },
    )
}

/// Settles every LP in `users` (writable remaining accounts); `try_mode` skips bad accounts.
/// `None` for an empty batch: nothing to send (and no user for the instruction's own slot,
/// which takes the first).
pub fn settle_lp_many(
    signer: Pubkey,
    users: &[Pubkey],
    market_index: u16,
    try_mode: bool,
) -> Option<Instruction> {
    let first = *users.first()?;
    let mut ix = instruction(
        manage_liquidity(signer, first, market_index),
        bal::instruction::SettleLpMany {
            market_index,
            try_mode,
        },
    );
    ix.accounts
        .extend(users.iter().map(|user| AccountMeta::new(*user, false)));
    Some(ix)
}

/// De-risks `user`'s LP position in `market`; `others` are the user's other positions' markets.
pub fn derisk_lp(user: Pubkey, market: &MarketAccounts, others: &[MarketAccounts]) -> Instruction {
    let mut ix = instruction(
        settle_accounts(user, market),
        bal::instruction::DeriskLp {
            market_index: market.market_index,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}
