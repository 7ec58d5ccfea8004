//! The fuzzers' random actions: one vocabulary for the accounting fuzzer and the red team
//! (each draws the part of it its world has, with its own weights), the sizes at the edges of
//! the guards they are drawn with, and one resolution of an action against a world's live
//! state into what a participant does (`bal_client::actions::Action`), which the simulation
//! and the load generator speak too.
use crate::fixtures::order;
use crate::fuzzing::direction;
use crate::inspect::quote_balance;
use crate::TestEnv;
use anchor_lang::prelude::Pubkey;
use bal::instructions::OrderParams;
use bal::math::constants::BASE_PRECISION;
use bal::state::{InsuranceStake, PriceBounds, RestingOrderParams, User};
use bal_client::actions::{Action as Act, Actor};
use bal_client::instructions::{
    CollateralAccounts, MakerOrderRef, QuoteMint, StakeAccounts, UserSetting,
};
use bal_client::pda;
use proptest::prelude::*;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;
/// The order step of the fuzzers' market. precision: BASE
const STEP: u64 = BASE / 1_000;

/// A size at the edges: one step, the minimum order, one base, fifty base, a push of `Push(n)`
/// base, or `Tenths(n)` tenths of a base.
#[derive(Clone, Copy, Debug)]
pub enum Size {
    Step,
    Minimum,
    One,
    Fifty,
    Push(u16),
    Tenths(u64),
}

impl Size {
    /// precision: BASE
    pub fn base(self) -> u64 {
        match self {
            Size::Step => STEP,
            Size::Minimum => BASE / 100,
            Size::One => BASE,
            Size::Fifty => 50 * BASE,
            Size::Push(base) => u64::from(base) * BASE,
            Size::Tenths(tenths) => tenths * BASE / 10,
        }
    }
}

/// One step, the minimum order, one base or fifty.
pub fn edge_size() -> impl Strategy<Value = Size> {
    prop_oneof![
        Just(Size::Step),
        Just(Size::Minimum),
        Just(Size::One),
        Just(Size::Fifty)
    ]
}

/// Pushes from one base to past what the price band lets one trade reach (a sale of about
/// 110 base averages 10% under the oracle on the fuzzers' curve), so the largest are refused.
pub fn push() -> impl Strategy<Value = Size> {
    prop_oneof![
        Just(Size::Push(1)),
        Just(Size::Push(10)),
        Just(Size::Push(25)),
        Just(Size::Push(50)),
        Just(Size::Push(80)),
        Just(Size::Push(110)),
        Just(Size::Push(160)),
    ]
}

/// Whose account an action targets: an acting party's, an honest party's, or the honest
/// account furthest below its maintenance margin when the transaction is built (where a
/// liquidation or a de-risk is due first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Party(usize),
    Honest(usize),
    Weakest,
}

/// Any of `parties` acting parties or `honest` honest ones, or the weakest.
pub fn target(parties: usize, honest: usize) -> impl Strategy<Value = Target> {
    prop_oneof![
        (0..parties).prop_map(Target::Party),
        (0..honest).prop_map(Target::Honest),
        Just(Target::Weakest),
    ]
}

/// What a fuzzer may draw. `who` is an acting party (the accounting fuzzer's traders, the
/// red team's subaccounts); the delegate's actions are wallet 0's on the world's principal.
#[derive(Clone, Debug)]
pub enum Action {
    Trade {
        who: usize,
        long: bool,
        size: Size,
    },
    Close {
        who: usize,
    },
    /// Trades the position down to `leave` base (reduce-only, from its size when the
    /// transaction began), so a close after it fills a dust remainder.
    Reduce {
        who: usize,
        leave: Size,
    },
    AddLiquidity {
        who: usize,
        size: Size,
    },
    RemoveLiquidity {
        who: usize,
    },
    Deposit {
        who: usize,
        dollars: u64,
    },
    Withdraw {
        who: usize,
        dollars: u64,
        borrow: bool,
    },
    /// Withdraws everything the subaccount holds.
    WithdrawAll {
        who: usize,
    },
    RestOrder {
        who: usize,
        long: bool,
        size: Size,
        offset_bps: i64,
        post_only: bool,
    },
    /// The filler's subaccount fills the taker's first open taker order, against the maker's
    /// first post-only order when it has one (and is not the taker), else the AMM.
    Fill {
        filler: usize,
        taker: Target,
        maker: Option<Target>,
    },
    CancelAll {
        who: usize,
    },
    SettlePnl {
        target: Target,
    },
    SettleLp {
        target: Target,
    },
    Derisk {
        target: Target,
    },
    Liquidate {
        liquidator: usize,
        target: Target,
    },
    ResolveBadDebt {
        target: Target,
    },
    MarginRatio {
        who: usize,
        ratio: u32,
    },
    OptOut {
        who: usize,
        opt_out: bool,
    },
    /// The permissionless funding update (refused until due).
    UpdateFunding,
    /// The party's wallet stakes `dollars` in the insurance fund.
    Stake {
        who: usize,
        dollars: u64,
    },
    /// The party's wallet asks for all its insurance shares back.
    AskOut {
        who: usize,
    },
    /// The party's wallet is paid its request (refused until the fund's delay has passed).
    Unstake {
        who: usize,
    },
    /// Wallet 0, the principal's trade-only delegate, closes the principal's position.
    DelegateClose,
    /// Wallet 0 trades for the principal.
    DelegateTrade {
        long: bool,
        size: Size,
    },
    /// Wallet 0 rests a post-only order of one base for the principal, `offset_bps` from
    /// the oracle.
    DelegateOrder {
        long: bool,
        offset_bps: i64,
    },
    /// The honest LP adds ten base of liquidity with bounds 1% around the price it saw before
    /// the transaction (an add whoever orders transactions can sandwich).
    HonestAdd,
    /// The honest vault depositor buys $1,000 of shares, asking for those its value before
    /// the transaction buys less 1%.
    HonestVaultDeposit,
    /// Wallet 0 buys vault shares with `dollars`, asking no minimum.
    VaultDeposit {
        dollars: u64,
    },
    /// The vault's permissionless crank: invests pending deposits as liquidity.
    VaultInvest,
    /// The clock runs `seconds` (the oracle published again at its price).
    Wait {
        seconds: i64,
    },
    /// The oracle moves by `bps` of its price.
    Oracle {
        bps: i64,
    },
    /// The oracle gaps 9% against `who`'s position (none if it holds none).
    Gap {
        who: usize,
    },
}

/// An acting party: a wallet, one of its subaccounts, and the token account it deposits from.
#[derive(Clone, Copy, Debug)]
pub struct Party {
    pub wallet: Pubkey,
    pub user: Pubkey,
    pub sub_account_id: u16,
    pub tokens: Pubkey,
}

impl Party {
    fn actor(&self) -> Actor {
        Actor {
            signer: self.wallet,
            user: self.user,
        }
    }
}

/// What a world resolves actions against.
#[allow(async_fn_in_trait)]
pub trait Roster {
    fn env(&mut self) -> &mut TestEnv;
    fn quote(&self) -> QuoteMint;
    fn party(&self, who: usize) -> Party;
    /// Whom a permissionless LP settle is signed by.
    fn payer(&self) -> Pubkey;
    /// The account wallet 0 is the delegate of, if the world has one.
    fn principal(&self) -> Option<Pubkey>;
    /// The oracle's price as the world last published it. precision: PRICE
    fn price(&self) -> u64;
    async fn user_of(&mut self, target: Target) -> Pubkey;
}

/// `user`'s first open order that is (or is not) post-only.
pub async fn open_order_id(env: &mut TestEnv, user: Pubkey, post_only: bool) -> Option<u32> {
    let user: User = env.load(user).await;
    user.orders
        .iter()
        .find(|o| o.is_open() && (o.post_only == 1) == post_only)
        .map(|o| o.order_id)
}

/// A resting order `offset_bps` from the world's price.
fn resting(
    price: u64,
    long: bool,
    base: u64,
    offset_bps: i64,
    post_only: bool,
) -> RestingOrderParams {
    let price = price as i64;
    RestingOrderParams {
        direction: direction(long),
        base_amount: base,
        price: (price + price * offset_bps / 10_000) as u64,
        post_only,
        reduce_only: false,
        expiry_ts: 0,
    }
}

/// What `action` does in `roster`'s world now; `None` when there is nothing to send (no open
/// order to fill, no position to reduce, no stake to ask out, no principal). The world's own
/// moves (the clock, the oracle, the honest parties' and the vault's actions) are resolved by
/// the world that draws them.
pub async fn resolve(roster: &mut impl Roster, action: &Action) -> Option<Act> {
    let collateral = |p: Party, quote: QuoteMint| CollateralAccounts {
        signer: p.wallet,
        user: p.user,
        token_account: p.tokens,
        quote,
    };
    let staker = |p: Party, quote: QuoteMint| StakeAccounts {
        authority: p.wallet,
        token_account: p.tokens,
        quote,
    };
    let quote = roster.quote();
    Some(match *action {
        Action::Trade { who, long, size } => Act::Trade {
            actor: roster.party(who).actor(),
            params: order(direction(long), size.base()),
        },
        Action::Close { who } => Act::Close {
            actor: roster.party(who).actor(),
        },
        Action::Reduce { who, leave } => {
            let key = roster.party(who).user;
            let user: User = roster.env().load(key).await;
            let base = user
                .perp_positions
                .iter()
                .find(|p| p.is_active())
                .map_or(0, |p| p.base_asset_amount);
            // A settled LP's position is exact, not a step multiple.
            let size = base.unsigned_abs().checked_sub(leave.base())? / STEP * STEP;
            Act::Trade {
                actor: roster.party(who).actor(),
                params: OrderParams {
                    reduce_only: true,
                    ..order(direction(base < 0), size)
                },
            }
        }
        Action::AddLiquidity { who, size } => Act::AddLiquidity {
            actor: roster.party(who).actor(),
            shares: size.base(),
            bounds: PriceBounds::UNBOUNDED,
        },
        Action::RemoveLiquidity { who } => Act::RemoveLiquidity {
            actor: roster.party(who).actor(),
        },
        Action::Deposit { who, dollars } => Act::Deposit {
            collateral: collateral(roster.party(who), quote),
            amount: dollars * DOLLAR,
        },
        Action::Withdraw {
            who,
            dollars,
            borrow,
        } => Act::Withdraw {
            collateral: collateral(roster.party(who), quote),
            amount: dollars * DOLLAR,
            borrow,
        },
        Action::WithdrawAll { who } => {
            let key = roster.party(who).user;
            let held = quote_balance(roster.env(), key).await;
            Act::Withdraw {
                collateral: collateral(roster.party(who), quote),
                amount: u64::try_from(held).ok().filter(|a| *a > 0)?,
                borrow: false,
            }
        }
        Action::RestOrder {
            who,
            long,
            size,
            offset_bps,
            post_only,
        } => Act::RestOrder {
            actor: roster.party(who).actor(),
            params: resting(roster.price(), long, size.base(), offset_bps, post_only),
        },
        Action::Fill {
            filler,
            taker,
            maker,
        } => {
            let taker_user = roster.user_of(taker).await;
            let taker_order = open_order_id(roster.env(), taker_user, false).await?;
            let mut makers = Vec::new();
            if let Some(maker) = maker.filter(|m| *m != taker) {
                let user = roster.user_of(maker).await;
                if let Some(order_id) = open_order_id(roster.env(), user, true).await {
                    makers.push(MakerOrderRef { user, order_id });
                }
            }
            Act::Fill {
                filler: roster.party(filler).actor(),
                taker: (taker_user, taker_order),
                makers,
            }
        }
        Action::CancelAll { who } => Act::CancelAll {
            actor: roster.party(who).actor(),
        },
        Action::SettlePnl { target } => Act::SettlePnl {
            user: roster.user_of(target).await,
        },
        Action::SettleLp { target } => Act::SettleLp {
            payer: roster.payer(),
            user: roster.user_of(target).await,
        },
        Action::Derisk { target } => Act::Derisk {
            user: roster.user_of(target).await,
        },
        Action::Liquidate { liquidator, target } => Act::Liquidate {
            liquidator: roster.party(liquidator).actor(),
            user: roster.user_of(target).await,
        },
        Action::ResolveBadDebt { target } => {
            let user = roster.user_of(target).await;
            let account: User = roster.env().load(user).await;
            Act::ResolveBadDebt {
                user,
                last_loss_market: account.last_loss_market,
            }
        }
        Action::MarginRatio { who, ratio } => Act::Set {
            authority: roster.party(who).wallet,
            sub_account_id: roster.party(who).sub_account_id,
            setting: UserSetting::CustomMarginRatio(ratio),
        },
        Action::OptOut { who, opt_out } => Act::Set {
            authority: roster.party(who).wallet,
            sub_account_id: roster.party(who).sub_account_id,
            setting: UserSetting::DeriskOptOut(opt_out),
        },
        Action::UpdateFunding => Act::UpdateFunding,
        Action::Stake { who, dollars } => Act::Stake {
            staker: staker(roster.party(who), quote),
            amount: dollars * DOLLAR,
        },
        Action::AskOut { who } => {
            let authority = roster.party(who).wallet;
            let stake: InsuranceStake =
                roster.env().load(pda::insurance_stake(&authority, 0)).await;
            Act::RequestUnstake {
                authority,
                shares: Some(stake.shares.get()).filter(|s| *s > 0)?,
            }
        }
        Action::Unstake { who } => Act::Unstake {
            staker: staker(roster.party(who), quote),
        },
        Action::DelegateClose => Act::Close {
            actor: delegate(roster)?,
        },
        Action::DelegateTrade { long, size } => Act::Trade {
            actor: delegate(roster)?,
            params: order(direction(long), size.base()),
        },
        Action::DelegateOrder { long, offset_bps } => Act::RestOrder {
            actor: delegate(roster)?,
            params: resting(roster.price(), long, BASE, offset_bps, true),
        },
        Action::HonestAdd
        | Action::HonestVaultDeposit
        | Action::VaultDeposit { .. }
        | Action::VaultInvest
        | Action::Wait { .. }
        | Action::Oracle { .. }
        | Action::Gap { .. } => panic!("{action:?} is resolved by the world that draws it"),
    })
}

/// Wallet 0 acting on the world's principal, as its delegate.
fn delegate(roster: &impl Roster) -> Option<Actor> {
    Some(Actor {
        signer: roster.party(0).wallet,
        user: roster.principal()?,
    })
}
