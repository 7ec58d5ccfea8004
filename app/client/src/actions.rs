//! What a participant does on BAL, as data: the one vocabulary that the accounting fuzzer, the
//! red team, the simulation and the load generator speak, and its one translation into an
//! instruction and the wallet that signs it. Each of them chooses its actions its own way (at
//! random, by a trading rule) and sends them through its own runtime (in process, over RPC);
//! every address is resolved before an action is made, so the translation reads no state.
use crate::instructions::{self, CollateralAccounts, MakerOrderRef, MarketAccounts};
use crate::instructions::{StakeAccounts, UserSetting};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::instructions::OrderParams;
use bal::state::{PriceBounds, RestingOrderParams};

/// A subaccount and the wallet acting on it: its authority, or a delegate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub signer: Pubkey,
    pub user: Pubkey,
}

/// One action in one market (`MarketAccounts` given at translation). Amounts are in the
/// program's units: QUOTE for collateral and stakes, BASE for sizes and shares.
#[derive(Clone, Debug)]
pub enum Action {
    Deposit {
        collateral: CollateralAccounts,
        amount: u64,
    },
    Withdraw {
        collateral: CollateralAccounts,
        amount: u64,
        borrow: bool,
    },
    /// A market order against the AMM and resting makers.
    Trade {
        actor: Actor,
        params: OrderParams,
    },
    Close {
        actor: Actor,
    },
    RestOrder {
        actor: Actor,
        params: RestingOrderParams,
    },
    /// The filler's subaccount fills the taker's order `(user, order id)` against `makers`.
    Fill {
        filler: Actor,
        taker: (Pubkey, u32),
        makers: Vec<MakerOrderRef>,
    },
    CancelAll {
        actor: Actor,
    },
    AddLiquidity {
        actor: Actor,
        shares: u64,
        bounds: PriceBounds,
    },
    /// Removes all of the actor's shares.
    RemoveLiquidity {
        actor: Actor,
    },
    /// Anyone may settle an LP; `payer` signs.
    SettleLp {
        payer: Pubkey,
        user: Pubkey,
    },
    SettlePnl {
        user: Pubkey,
    },
    Derisk {
        user: Pubkey,
    },
    /// Takes over as much of `user`'s position as the liquidator's margin carries.
    Liquidate {
        liquidator: Actor,
        user: Pubkey,
    },
    /// Writes off `user`'s bad debt in the market whose loss it last settled.
    ResolveBadDebt {
        user: Pubkey,
        last_loss_market: u16,
    },
    Set {
        authority: Pubkey,
        sub_account_id: u16,
        setting: UserSetting,
    },
    UpdateFunding,
    Stake {
        staker: StakeAccounts,
        amount: u64,
    },
    RequestUnstake {
        authority: Pubkey,
        shares: u128,
    },
    Unstake {
        staker: StakeAccounts,
    },
}

impl Action {
    /// The instruction, in `market`; `others`: the other markets its accounts hold positions
    /// in, for their margin checks.
    pub fn instruction(&self, market: &MarketAccounts, others: &[MarketAccounts]) -> Instruction {
        let index = market.market_index;
        match self {
            Action::Deposit { collateral, amount } => instructions::deposit(collateral, *amount),
            Action::Withdraw {
                collateral,
                amount,
                borrow,
            } => {
                let mut markets = vec![*market];
                markets.extend_from_slice(others);
                instructions::withdraw(collateral, *amount, *borrow, &markets)
            }
            Action::Trade { actor, params } => {
                instructions::place_perp_order(actor.signer, actor.user, market, others, *params)
            }
            Action::Close { actor } => {
                instructions::close_position(actor.signer, actor.user, market, others, None)
            }
            Action::RestOrder { actor, params } => {
                instructions::place_order(actor.signer, actor.user, market, others, *params)
            }
            Action::Fill {
                filler,
                taker,
                makers,
            } => {
                instructions::fill_order(filler.signer, filler.user, *taker, makers, market, others)
            }
            Action::CancelAll { actor } => {
                instructions::cancel_orders(actor.signer, actor.user, None)
            }
            Action::AddLiquidity {
                actor,
                shares,
                bounds,
            } => instructions::add_liquidity(
                actor.signer,
                actor.user,
                market,
                others,
                *shares,
                *bounds,
            ),
            Action::RemoveLiquidity { actor } => {
                instructions::remove_liquidity(actor.signer, actor.user, index, None)
            }
            Action::SettleLp { payer, user } => instructions::settle_lp(*payer, *user, index),
            Action::SettlePnl { user } => instructions::settle_pnl(*user, market, others),
            Action::Derisk { user } => instructions::derisk_lp(*user, market, others),
            Action::Liquidate { liquidator, user } => instructions::liquidate_perp(
                liquidator.signer,
                liquidator.user,
                *user,
                market,
                others,
                u64::MAX,
            ),
            Action::ResolveBadDebt {
                user,
                last_loss_market,
            } => instructions::resolve_bad_debt(*user, *last_loss_market),
            Action::Set {
                authority,
                sub_account_id,
                setting,
            } => instructions::update_user(*authority, *sub_account_id, *setting),
            Action::UpdateFunding => instructions::update_funding_rate(market),
            Action::Stake { staker, amount } => instructions::add_insurance_stake(staker, *amount),
            Action::RequestUnstake { authority, shares } => {
                instructions::request_insurance_unstake(*authority, *shares)
            }
            Action::Unstake { staker } => instructions::remove_insurance_stake(staker),
        }
    }

    /// The wallet that must sign; `None` for a permissionless instruction, which whoever pays
    /// for the transaction sends.
    pub fn signer(&self) -> Option<Pubkey> {
        match self {
            Action::Deposit { collateral, .. } | Action::Withdraw { collateral, .. } => {
                Some(collateral.signer)
            }
            Action::Trade { actor, .. }
            | Action::Close { actor }
            | Action::RestOrder { actor, .. }
            | Action::CancelAll { actor }
            | Action::AddLiquidity { actor, .. }
            | Action::RemoveLiquidity { actor } => Some(actor.signer),
            Action::Fill { filler: actor, .. }
            | Action::Liquidate {
                liquidator: actor, ..
            } => Some(actor.signer),
            Action::SettleLp { payer, .. } => Some(*payer),
            Action::Set { authority, .. } | Action::RequestUnstake { authority, .. } => {
                Some(*authority)
            }
            Action::Stake { staker, .. } | Action::Unstake { staker } => Some(staker.authority),
            Action::SettlePnl { .. }
            | Action::Derisk { .. }
            | Action::ResolveBadDebt { .. }
            | Action::UpdateFunding => None,
        }
    }
}
