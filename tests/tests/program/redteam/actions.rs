//! What the attacker can do: the actions, their sizes at the edges of the guards, and the
//! transactions they are sent in.
use super::{BASE, HONEST, SUBS};
use proptest::prelude::*;

/// A size at the edges: one step, the minimum order, one base, fifty base, or a push of
/// `Push(n)` base.
#[derive(Clone, Copy, Debug)]
pub(super) enum Size {
    Step,
    Minimum,
    One,
    Fifty,
    Push(u16),
}

impl Size {
    pub(super) fn base(self) -> u64 {
        match self {
            Size::Step => BASE / 1_000,
            Size::Minimum => BASE / 100,
            Size::One => BASE,
            Size::Fifty => 50 * BASE,
            Size::Push(base) => u64::from(base) * BASE,
        }
    }
}

fn size() -> impl Strategy<Value = Size> {
    prop_oneof![
        Just(Size::Step),
        Just(Size::Minimum),
        Just(Size::One),
        Just(Size::Fifty)
    ]
}

/// Pushes from one base to past what the price band lets one trade reach (a sale of about
/// 110 base averages 10% under the oracle on the fuzzers' curve), so the largest are refused.
fn push() -> impl Strategy<Value = Size> {
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

/// Whom an action targets: one of the attacker's subaccounts, an honest party, or the honest
/// account (the vault's among them) furthest below its maintenance margin when the
/// transaction is built (where a liquidation or a de-risk is due first).
#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    Own(usize),
    Honest(usize),
    Weakest,
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        (0..SUBS).prop_map(Target::Own),
        (0..HONEST).prop_map(Target::Honest),
        Just(Target::Weakest),
    ]
}

#[derive(Clone, Debug)]
pub(super) enum Action {
    Trade {
        sub: usize,
        long: bool,
        size: Size,
    },
    Close {
        sub: usize,
    },
    /// Trades the position down to `leave` base (reduce-only, from its size when the
    /// transaction began), so a close after it fills a dust remainder.
    Reduce {
        sub: usize,
        leave: Size,
    },
    AddLiquidity {
        sub: usize,
        size: Size,
    },
    RemoveLiquidity {
        sub: usize,
    },
    Deposit {
        sub: usize,
        dollars: u64,
    },
    Withdraw {
        sub: usize,
        dollars: u64,
        borrow: bool,
    },
    RestOrder {
        sub: usize,
        long: bool,
        size: Size,
        offset_bps: i64,
        post_only: bool,
    },
    /// Fills one of the attacker's taker orders against one of its maker orders, or the
    /// honest principal's (`maker` = `SUBS`: the orders wallet A rests for it as delegate).
    Fill {
        filler: usize,
        taker: usize,
        maker: usize,
    },
    /// Fills the honest taker's resting order, against one of the attacker's maker orders
    /// when `maker` names a subaccount that has one, else against the AMM.
    FillHonest {
        filler: usize,
        maker: Option<usize>,
    },
    CancelAll {
        sub: usize,
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
        sub: usize,
        ratio: u32,
    },
    OptOut {
        sub: usize,
        opt_out: bool,
    },
    /// The permissionless funding update (refused until due).
    UpdateFunding,
    /// Wallet A, the honest principal's trade-only delegate, closes the principal's position.
    DelegateClose,
    /// Wallet A trades for the principal.
    DelegateTrade {
        long: bool,
        size: Size,
    },
    /// Wallet A rests a post-only order of one base for the principal, `offset_bps` from
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
    /// Wallet A buys vault shares with `dollars`, asking no minimum.
    VaultDeposit {
        dollars: u64,
    },
    /// The vault's permissionless crank: invests pending deposits as liquidity.
    VaultInvest,
    /// Withdraws everything the subaccount holds.
    WithdrawAll {
        sub: usize,
    },
    /// The subaccount's wallet stakes `dollars` in the insurance fund.
    Stake {
        sub: usize,
        dollars: u64,
    },
    /// The subaccount's wallet asks for all its insurance shares back.
    AskOut {
        sub: usize,
    },
    /// The subaccount's wallet is paid its request (refused until the fund's delay has passed).
    Unstake {
        sub: usize,
    },
}

impl Action {
    /// Whether the action trades with or for an honest party by that party's own choice (its
    /// order, its add, its deposit, its delegate's trade) or by the rules (its liquidation or
    /// de-risk): what the attacker earns from it sent alone is the market's to give, so the
    /// profit oracle allows it (`World::attack`).
    pub(super) fn involves_honest_party(&self) -> bool {
        matches!(
            self,
            Action::Liquidate {
                target: Target::Honest(_) | Target::Weakest,
                ..
            } | Action::Derisk {
                target: Target::Honest(_) | Target::Weakest
            } | Action::FillHonest { .. }
                | Action::DelegateClose
                | Action::DelegateTrade { .. }
                | Action::DelegateOrder { .. }
                | Action::HonestAdd
                | Action::HonestVaultDeposit
        )
    }
}

/// The kinds of action the strict mode must land at least once a run. Liquidations, de-risks,
/// bad-debt resolutions and stepping out around them land only when a price moves (the market
/// mode's `MARKET_KINDS`).
pub(super) const STRICT_KINDS: &[&str] = &[
    "Trade",
    "Close",
    "Reduce",
    "AddLiquidity",
    "Deposit",
    "Withdraw",
    "RestOrder",
    "FillHonest",
    "CancelAll",
    "SettlePnl",
    "SettleLp",
    "MarginRatio",
    "OptOut",
    "DelegateClose",
    "DelegateTrade",
    "DelegateOrder",
    "HonestAdd",
    "HonestVaultDeposit",
    "VaultDeposit",
    "VaultInvest",
    "Stake",
    "AskOut",
];

/// The market mode's: prices move, so liquidations and de-risks land too (resting orders
/// mostly cross a moved curve or lack margin there, so cancels are the strict mode's).
pub(super) const MARKET_KINDS: &[&str] = &[
    "Trade",
    "Close",
    "Reduce",
    "AddLiquidity",
    "Deposit",
    "Withdraw",
    "RestOrder",
    "FillHonest",
    "SettlePnl",
    "SettleLp",
    "Derisk",
    "Liquidate",
    "MarginRatio",
    "OptOut",
    "DelegateClose",
    "DelegateTrade",
    "DelegateOrder",
    "HonestAdd",
    "HonestVaultDeposit",
    "VaultDeposit",
    "VaultInvest",
    "WithdrawAll",
    "Stake",
    "AskOut",
];

fn action() -> impl Strategy<Value = Action> {
    let sub = 0..SUBS;
    prop_oneof![
        5 => (sub.clone(), any::<bool>(), size()).prop_map(|(sub, long, size)| Action::Trade { sub, long, size }),
        1 => sub.clone().prop_map(|sub| Action::Close { sub }),
        1 => (sub.clone(), prop_oneof![Just(Size::Step), Just(Size::Minimum)]).prop_map(|(sub, leave)| Action::Reduce { sub, leave }),
        2 => (sub.clone(), size()).prop_map(|(sub, size)| Action::AddLiquidity { sub, size }),
        1 => sub.clone().prop_map(|sub| Action::RemoveLiquidity { sub }),
        1 => (sub.clone(), 1u64..500).prop_map(|(sub, dollars)| Action::Deposit { sub, dollars }),
        3 => (sub.clone(), 1u64..5_000, any::<bool>()).prop_map(|(sub, dollars, borrow)| Action::Withdraw { sub, dollars, borrow }),
        2 => (sub.clone(), any::<bool>(), size(), -300i64..300, any::<bool>())
            .prop_map(|(sub, long, size, offset_bps, post_only)| Action::RestOrder { sub, long, size, offset_bps, post_only }),
        2 => (sub.clone(), sub.clone(), 0..=SUBS).prop_map(|(filler, taker, maker)| Action::Fill { filler, taker, maker }),
        2 => (sub.clone(), prop::option::of(sub.clone())).prop_map(|(filler, maker)| Action::FillHonest { filler, maker }),
        2 => sub.clone().prop_map(|sub| Action::CancelAll { sub }),
        2 => target().prop_map(|target| Action::SettlePnl { target }),
        1 => target().prop_map(|target| Action::SettleLp { target }),
        3 => target().prop_map(|target| Action::Derisk { target }),
        3 => (sub.clone(), target()).prop_map(|(liquidator, target)| Action::Liquidate { liquidator, target }),
        1 => target().prop_map(|target| Action::ResolveBadDebt { target }),
        1 => (sub.clone(), prop_oneof![Just(0u32), 100u32..10_000]).prop_map(|(sub, ratio)| Action::MarginRatio { sub, ratio }),
        1 => (sub.clone(), any::<bool>()).prop_map(|(sub, opt_out)| Action::OptOut { sub, opt_out }),
        2 => Just(Action::UpdateFunding),
        1 => Just(Action::DelegateClose),
        1 => (any::<bool>(), size()).prop_map(|(long, size)| Action::DelegateTrade { long, size }),
        1 => (any::<bool>(), -300i64..300).prop_map(|(long, offset_bps)| Action::DelegateOrder { long, offset_bps }),
        1 => Just(Action::HonestAdd),
        1 => Just(Action::HonestVaultDeposit),
        1 => (1u64..2_000).prop_map(|dollars| Action::VaultDeposit { dollars }),
        1 => Just(Action::VaultInvest),
        1 => sub.clone().prop_map(|sub| Action::WithdrawAll { sub }),
        1 => (sub.clone(), 1u64..3_000).prop_map(|(sub, dollars)| Action::Stake { sub, dollars }),
        1 => sub.clone().prop_map(|sub| Action::AskOut { sub }),
        1 => sub.prop_map(|sub| Action::Unstake { sub }),
    ]
}

/// What may write something off: a liquidation of whoever is weakest (a bankrupt one is
/// resolved at once) or a resolution of its bad debt.
fn write_off() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0..SUBS).prop_map(|liquidator| Action::Liquidate {
            liquidator,
            target: Target::Weakest
        }),
        Just(Action::ResolveBadDebt {
            target: Target::Weakest
        }),
    ]
}

/// Stepping out around a write-off: one subaccount withdraws everything (or its wallet asks out
/// of the insurance fund and unstakes), one or two write-offs follow, and it comes back, all in
/// one transaction. (Across transactions the same steps come as actions of their own.)
fn step_out() -> impl Strategy<Value = Vec<Action>> {
    (
        0..SUBS,
        any::<bool>(),
        prop::collection::vec(write_off(), 1..=2),
        1u64..3_000,
    )
        .prop_map(|(sub, from_the_fund, write_offs, dollars)| {
            let mut actions = if from_the_fund {
                vec![Action::AskOut { sub }, Action::Unstake { sub }]
            } else {
                vec![Action::WithdrawAll { sub }]
            };
            actions.extend(write_offs);
            actions.push(if from_the_fund {
                Action::Stake { sub, dollars }
            } else {
                Action::Deposit { sub, dollars }
            });
            actions
        })
}

/// What sits between a push and its unwind: any action, weighted toward the ones that act at
/// the curve's price for someone (a reducing close, an add, a delegate's trade, a fill as
/// filler, the vault's crank or a deposit, a de-risk, a liquidation).
fn middle() -> impl Strategy<Value = Action> {
    let sub = 0..SUBS;
    prop_oneof![
        4 => action(),
        2 => sub.clone().prop_map(|sub| Action::Close { sub }),
        2 => (sub.clone(), size()).prop_map(|(sub, size)| Action::AddLiquidity { sub, size }),
        2 => Just(Action::DelegateClose),
        1 => (any::<bool>(), size()).prop_map(|(long, size)| Action::DelegateTrade { long, size }),
        2 => (sub.clone(), prop::option::of(sub.clone())).prop_map(|(filler, maker)| Action::FillHonest { filler, maker }),
        2 => Just(Action::HonestAdd),
        2 => Just(Action::HonestVaultDeposit),
        2 => Just(Action::VaultInvest),
        1 => target().prop_map(|target| Action::Derisk { target }),
        1 => (sub, target()).prop_map(|(liquidator, target)| Action::Liquidate { liquidator, target }),
    ]
}

/// One to four random actions sent as one transaction, or a sandwich: one subaccount pushes
/// the curve (up to past the band), one to three actions follow, and the pusher trades the
/// same size back (or closes), all in one transaction; or a step out around a write-off.
pub(super) fn transaction() -> impl Strategy<Value = Vec<Action>> {
    let sandwich = (
        0..SUBS,
        any::<bool>(),
        push(),
        prop::collection::vec(middle(), 1..=3),
        prop::bool::weighted(0.75),
    )
        .prop_map(|(sub, long, size, middles, matched)| {
            let mut actions = vec![Action::Trade { sub, long, size }];
            actions.extend(middles);
            actions.push(if matched {
                Action::Trade {
                    sub,
                    long: !long,
                    size,
                }
            } else {
                Action::Close { sub }
            });
            actions
        });
    prop_oneof![
        3 => prop::collection::vec(action(), 1..=4),
        2 => sandwich,
        1 => step_out(),
    ]
}
