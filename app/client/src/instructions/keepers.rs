//! What keepers and the admin's settlement send: funding updates and oracle records, P&L
//! settles (single and batched), liquidations, bad-debt write-offs, and a market's settlement
//! from its beginning to its delisting.
use super::{instruction, margin_accounts, market_context, MarketAccounts};
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
fn funding_accounts(market: &MarketAccounts) -> bal::accounts::UpdateFundingRate {
    bal::accounts::UpdateFundingRate {
        state: pda::state(),
        perp_market: pda::perp_market(market.market_index),
        oracle: market.oracle,
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

pub fn update_funding_rate(market: &MarketAccounts) -> Instruction {
    instruction(
        funding_accounts(market),
        bal::instruction::UpdateFundingRate {
            market_index: market.market_index,
        },
    )
}

/// Records the market's oracle in its TWAPs (permissionless).
pub fn record_oracle(market: &MarketAccounts) -> Instruction {
    instruction(
        funding_accounts(market),
        bal::instruction::RecordOracle {
            market_index: market.market_index,
        },
    )
}

pub(super) fn settle_accounts(user: Pubkey, market: &MarketAccounts) -> bal::accounts::MarketUser {
    bal::accounts::MarketUser {
        user,
        market: market_context(market),
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

/// Settles `user`'s P&L in `market`; an LP below initial margin is de-risked first, for which
/// `others` (the user's other positions' markets, in slot order) are needed.
pub fn settle_pnl(user: Pubkey, market: &MarketAccounts, others: &[MarketAccounts]) -> Instruction {
    let mut ix = instruction(
        settle_accounts(user, market),
        bal::instruction::SettlePnl {
            market_index: market.market_index,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}

/// Settles every user in `users` (writable remaining accounts); `try_mode` skips failures.
/// `None` for an empty batch: nothing to send (and no user for the instruction's own slot,
/// which takes the first).
pub fn settle_pnl_many(
    users: &[Pubkey],
    market: &MarketAccounts,
    try_mode: bool,
) -> Option<Instruction> {
    let first = *users.first()?;
    let mut ix = instruction(
        settle_accounts(first, market),
        bal::instruction::SettlePnlMany {
            market_index: market.market_index,
            try_mode,
        },
    );
    ix.accounts
        .extend(users.iter().map(|user| AccountMeta::new(*user, false)));
    Some(ix)
}

/// Liquidates `user` in `market`, taking over at most `max_base` of its position; `others`:
/// every other market in which `user` or the liquidator holds a position.
pub fn liquidate_perp(
    liquidator: Pubkey,
    liquidator_user: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
    others: &[MarketAccounts],
    max_base: u64,
) -> Instruction {
    let mut ix = instruction(
        bal::accounts::LiquidatePerp {
            liquidator,
            liquidator_user,
            user,
            market: market_context(market),
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::LiquidatePerp {
            market_index: market.market_index,
            max_base,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}

/// Writes off `user`'s bad debt; `market_index` must be the market whose loss it last settled
/// (`User::last_loss_market`), whose fee pool pays first.
pub fn resolve_bad_debt(user: Pubkey, market_index: u16) -> Instruction {
    instruction(
        bal::accounts::ResolveBadDebt {
            state: pda::state(),
            user,
            spot_market: pda::spot_market(0),
            perp_market: pda::perp_market(market_index),
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::ResolveBadDebt { market_index },
    )
}

/// Admin: moves `market` to settlement at `price` (precision: PRICE).
pub fn begin_settlement(admin: Pubkey, market: &MarketAccounts, price: u64) -> Instruction {
    instruction(
        bal::accounts::BeginSettlement {
            admin,
            state: pda::state(),
            perp_market: pda::perp_market(market.market_index),
            oracle: market.oracle,
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::BeginSettlement {
            market_index: market.market_index,
            price,
        },
    )
}

/// Closes each of `users` (writable remaining accounts) at `market_index`'s settlement price.
pub fn settle_expired_positions(
    users: &[Pubkey],
    market_index: u16,
    try_mode: bool,
) -> Instruction {
    let mut ix = instruction(
        bal::accounts::SettleExpiredPositions {
            state: pda::state(),
            spot_market: pda::spot_market(0),
            perp_market: pda::perp_market(market_index),
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::SettleExpiredPositions {
            market_index,
            try_mode,
        },
    );
    ix.accounts
        .extend(users.iter().map(|user| AccountMeta::new(*user, false)));
    ix
}

/// Fixes the pro-rata payout of `market_index`'s registered claims.
pub fn finalize_settlement(market_index: u16) -> Instruction {
    instruction(
        bal::accounts::FinalizeSettlement {
            state: pda::state(),
            perp_market: pda::perp_market(market_index),
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::FinalizeSettlement { market_index },
    )
}

/// Admin: delists a settled, empty market; its pools go to depositors.
pub fn delist_market(admin: Pubkey, market_index: u16) -> Instruction {
    instruction(
        bal::accounts::DelistMarket {
            admin,
            state: pda::state(),
            spot_market: pda::spot_market(0),
            perp_market: pda::perp_market(market_index),
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::DelistMarket { market_index },
    )
}
