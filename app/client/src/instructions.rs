//! One builder per program instruction, with its accounts in the order the program expects.
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::system_program;
use anchor_lang::{InstructionData, ToAccountMetas};
use bal::instructions::{
    InitializeParams, InitializePerpMarketParams, OrderParams, UpdatePerpMarketParams,
    UpdateStateParams,
};
use bal::state::InterestCurve;
use bal::state::RestingOrderParams;

mod insurance;
mod keepers;
mod liquidity;
pub use insurance::*;
pub use keepers::*;
pub use liquidity::*;

fn instruction(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: bal::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn initialize(admin: Pubkey, params: InitializeParams) -> Instruction {
    instruction(
        bal::accounts::Initialize {
            admin,
            state: pda::state(),
            program_data: pda::program_data(),
            system_program: system_program::ID,
        },
        bal::instruction::Initialize { params },
    )
}

pub fn update_state(admin: Pubkey, params: UpdateStateParams) -> Instruction {
    instruction(
        bal::accounts::UpdateState {
            admin,
            state: pda::state(),
        },
        bal::instruction::UpdateState { params },
    )
}

pub fn initialize_user(authority: Pubkey, sub_account_id: u16, name: [u8; 32]) -> Instruction {
    instruction(
        bal::accounts::InitializeUser {
            authority,
            user: pda::user(&authority, sub_account_id),
            system_program: system_program::ID,
        },
        bal::instruction::InitializeUser {
            sub_account_id,
            name,
        },
    )
}

pub fn delete_user(authority: Pubkey, sub_account_id: u16) -> Instruction {
    instruction(
        bal::accounts::DeleteUser {
            authority,
            user: pda::user(&authority, sub_account_id),
        },
        bal::instruction::DeleteUser { sub_account_id },
    )
}

/// A setting of a subaccount: name, delegate, custom margin ratio or de-risk opt-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserSetting {
    Name([u8; 32]),
    Delegate(Pubkey),
    CustomMarginRatio(u32),
    DeriskOptOut(bool),
}

pub fn update_user(authority: Pubkey, sub_account_id: u16, setting: UserSetting) -> Instruction {
    let accounts = bal::accounts::UpdateUser {
        authority,
        user: pda::user(&authority, sub_account_id),
    };
    match setting {
        UserSetting::Name(name) => instruction(
            accounts,
            bal::instruction::UpdateUserName {
                sub_account_id,
                name,
            },
        ),
        UserSetting::Delegate(delegate) => instruction(
            accounts,
            bal::instruction::UpdateUserDelegate {
                sub_account_id,
                delegate,
            },
        ),
        UserSetting::CustomMarginRatio(margin_ratio) => instruction(
            accounts,
            bal::instruction::UpdateUserCustomMarginRatio {
                sub_account_id,
                margin_ratio,
            },
        ),
        UserSetting::DeriskOptOut(opt_out) => instruction(
            accounts,
            bal::instruction::UpdateUserDeriskOptOut {
                sub_account_id,
                opt_out,
            },
        ),
    }
}

/// The quote market's mint and the token program that owns it.
#[derive(Clone, Copy, Debug)]
pub struct QuoteMint {
    pub mint: Pubkey,
    pub token_program: Pubkey,
}

pub fn initialize_spot_market(
    admin: Pubkey,
    quote: QuoteMint,
    interest_curve: InterestCurve,
) -> Instruction {
    instruction(
        bal::accounts::InitializeSpotMarket {
            admin,
            state: pda::state(),
            spot_market: pda::spot_market(0),
            mint: quote.mint,
            vault: pda::spot_vault(0),
            token_program: quote.token_program,
            system_program: system_program::ID,
        },
        bal::instruction::InitializeSpotMarket {
            market_index: 0,
            interest_curve,
        },
    )
}

fn admin_update_spot_market(admin: Pubkey) -> bal::accounts::AdminUpdateSpotMarket {
    bal::accounts::AdminUpdateSpotMarket {
        admin,
        state: pda::state(),
        spot_market: pda::spot_market(0),
    }
}

pub fn update_spot_market_interest(admin: Pubkey, interest_curve: InterestCurve) -> Instruction {
    instruction(
        admin_update_spot_market(admin),
        bal::instruction::UpdateSpotMarketInterest { interest_curve },
    )
}

pub fn update_insurance_unstake_delay(admin: Pubkey, unstake_delay: i64) -> Instruction {
    instruction(
        admin_update_spot_market(admin),
        bal::instruction::UpdateInsuranceUnstakeDelay { unstake_delay },
    )
}

/// Who moves collateral, for which subaccount, through which token account.
#[derive(Clone, Copy, Debug)]
pub struct CollateralAccounts {
    /// The user's authority (or, for deposits, its delegate).
    pub signer: Pubkey,
    pub user: Pubkey,
    /// A token account of the quote mint owned by `signer`.
    pub token_account: Pubkey,
    pub quote: QuoteMint,
}

fn move_collateral(accounts: &CollateralAccounts) -> bal::accounts::MoveCollateral {
    bal::accounts::MoveCollateral {
        authority: accounts.signer,
        state: pda::state(),
        user: accounts.user,
        spot_market: pda::spot_market(0),
        vault: pda::spot_vault(0),
        user_token_account: accounts.token_account,
        mint: accounts.quote.mint,
        token_program: accounts.quote.token_program,
    }
}

pub fn deposit(accounts: &CollateralAccounts, amount: u64) -> Instruction {
    instruction(
        move_collateral(accounts),
        bal::instruction::Deposit { amount },
    )
}

/// `amount`: precision QUOTE; beyond the deposit it borrows, which needs `allow_borrow`.
/// `markets`: every market the user holds a position in, in slot order, for the margin check
/// (withdraw names no market of its own).
pub fn withdraw(
    accounts: &CollateralAccounts,
    amount: u64,
    allow_borrow: bool,
    markets: &[MarketAccounts],
) -> Instruction {
    let mut ix = instruction(
        move_collateral(accounts),
        bal::instruction::Withdraw {
            amount,
            allow_borrow,
        },
    );
    ix.accounts.extend(margin_accounts(markets));
    ix
}

pub fn initialize_program_oracle(admin: Pubkey, oracle_id: u16, updater: Pubkey) -> Instruction {
    instruction(
        bal::accounts::InitializeProgramOracle {
            admin,
            state: pda::state(),
            oracle: pda::program_oracle(oracle_id),
            system_program: system_program::ID,
        },
        bal::instruction::InitializeProgramOracle { oracle_id, updater },
    )
}

pub fn update_program_oracle(
    updater: Pubkey,
    oracle: Pubkey,
    price: i64,
    confidence: u64,
) -> Instruction {
    instruction(
        bal::accounts::UpdateProgramOracle { updater, oracle },
        bal::instruction::UpdateProgramOracle { price, confidence },
    )
}

/// Lists perp market `market_index` (the next one) on `oracle`.
pub fn initialize_perp_market(
    admin: Pubkey,
    oracle: Pubkey,
    market_index: u16,
    params: InitializePerpMarketParams,
) -> Instruction {
    instruction(
        bal::accounts::InitializePerpMarket {
            admin,
            state: pda::state(),
            perp_market: pda::perp_market(market_index),
            oracle,
            system_program: system_program::ID,
        },
        bal::instruction::InitializePerpMarket {
            market_index,
            params,
        },
    )
}

pub fn update_perp_market(
    admin: Pubkey,
    market_index: u16,
    params: UpdatePerpMarketParams,
) -> Instruction {
    instruction(
        bal::accounts::UpdatePerpMarket {
            admin,
            state: pda::state(),
            perp_market: pda::perp_market(market_index),
        },
        bal::instruction::UpdatePerpMarket {
            market_index,
            params,
        },
    )
}

fn admin_update_amm(
    admin: Pubkey,
    market_index: u16,
    oracle: Pubkey,
) -> bal::accounts::AdminUpdateAmm {
    bal::accounts::AdminUpdateAmm {
        admin,
        state: pda::state(),
        perp_market: pda::perp_market(market_index),
        oracle,
    }
}

pub fn repeg_amm(admin: Pubkey, market_index: u16, oracle: Pubkey) -> Instruction {
    instruction(
        admin_update_amm(admin, market_index, oracle),
        bal::instruction::RepegAmm { market_index },
    )
}

pub fn update_amm_k(admin: Pubkey, market_index: u16, oracle: Pubkey, sqrt_k: u128) -> Instruction {
    instruction(
        admin_update_amm(admin, market_index, oracle),
        bal::instruction::UpdateAmmK {
            market_index,
            sqrt_k,
        },
    )
}

/// A market and its oracle.
#[derive(Clone, Copy, Debug)]
pub struct MarketAccounts {
    pub market_index: u16,
    pub oracle: Pubkey,
}

/// Remaining accounts for margin: `(PerpMarket, oracle)` pairs, read-only, in the order given
/// (the user's active positions in slot order, the instruction's own market left out where it
/// is already named).
pub fn margin_accounts(markets: &[MarketAccounts]) -> Vec<AccountMeta> {
    markets
        .iter()
        .flat_map(|m| {
            [
                AccountMeta::new_readonly(pda::perp_market(m.market_index), false),
                AccountMeta::new_readonly(m.oracle, false),
            ]
        })
        .collect()
}

/// The accounts of `market` every instruction acting in it embeds.
pub(super) fn market_context(market: &MarketAccounts) -> bal::accounts::MarketContext {
    bal::accounts::MarketContext {
        state: pda::state(),
        spot_market: pda::spot_market(0),
        perp_market: pda::perp_market(market.market_index),
        oracle: market.oracle,
    }
}

/// A subaccount and the wallet acting on it (its authority or delegate).
fn acting_user(signer: Pubkey, user: Pubkey) -> bal::accounts::ActingUser {
    bal::accounts::ActingUser {
        authority: signer,
        user,
    }
}

pub(super) fn trade_accounts(
    signer: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
) -> bal::accounts::Trade {
    bal::accounts::Trade {
        acting: acting_user(signer, user),
        market: market_context(market),
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

/// `others`: the user's other positions' markets, for the margin check.
pub fn place_perp_order(
    signer: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
    others: &[MarketAccounts],
    params: OrderParams,
) -> Instruction {
    let mut ix = instruction(
        trade_accounts(signer, user, market),
        bal::instruction::PlacePerpOrder {
            market_index: market.market_index,
            params,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}

/// `others`: the user's other positions' markets, for the margin check. `limit_price`: the
/// worst average price accepted (the market's price band applies in any case).
pub fn close_position(
    signer: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
    others: &[MarketAccounts],
    limit_price: Option<u64>,
) -> Instruction {
    let mut ix = instruction(
        trade_accounts(signer, user, market),
        bal::instruction::ClosePosition {
            market_index: market.market_index,
            limit_price,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}

/// Rests a limit order (maker or taker); `others`: the user's other positions' markets.
pub fn place_order(
    signer: Pubkey,
    user: Pubkey,
    market: &MarketAccounts,
    others: &[MarketAccounts],
    params: RestingOrderParams,
) -> Instruction {
    let mut ix = instruction(
        trade_accounts(signer, user, market),
        bal::instruction::PlaceOrder {
            market_index: market.market_index,
            params,
        },
    );
    ix.accounts.extend(margin_accounts(others));
    ix
}

fn cancel_accounts(signer: Pubkey, user: Pubkey) -> bal::accounts::CancelOrders {
    bal::accounts::CancelOrders {
        acting: acting_user(signer, user),
        event_authority: pda::event_authority(),
        program: bal::ID,
    }
}

pub fn cancel_order(signer: Pubkey, user: Pubkey, order_id: u32) -> Instruction {
    instruction(
        cancel_accounts(signer, user),
        bal::instruction::CancelOrder { order_id },
    )
}

/// Cancels every open order of `user`, or those in `market_index`.
pub fn cancel_orders(signer: Pubkey, user: Pubkey, market_index: Option<u16>) -> Instruction {
    instruction(
        cancel_accounts(signer, user),
        bal::instruction::CancelOrders { market_index },
    )
}

/// A maker's order for `fill_order`: its `User` and the order's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MakerOrderRef {
    pub user: Pubkey,
    pub order_id: u32,
}

/// Fills `taker`'s order `taker_order_id` against `makers`; `others`: markets of the parties'
/// other positions (each once), for their margin checks.
pub fn fill_order(
    filler: Pubkey,
    filler_user: Pubkey,
    taker: (Pubkey, u32),
    makers: &[MakerOrderRef],
    market: &MarketAccounts,
    others: &[MarketAccounts],
) -> Instruction {
    let (taker, taker_order_id) = taker;
    let mut ix = instruction(
        bal::accounts::FillOrder {
            filler,
            filler_user,
            taker,
            market: market_context(market),
            event_authority: pda::event_authority(),
            program: bal::ID,
        },
        bal::instruction::FillOrder {
            market_index: market.market_index,
            taker_order_id,
            maker_order_ids: makers.iter().map(|m| m.order_id).collect(),
        },
    );
    ix.accounts
        .extend(makers.iter().map(|m| AccountMeta::new(m.user, false)));
    ix.accounts.extend(margin_accounts(others));
    ix
}
