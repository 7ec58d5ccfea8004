//! What the attacker draws from the fuzzers' vocabulary (`bal_tests::actions`), with what
//! weights, and the transactions it sends them in.
use super::{HONEST, HONEST_TAKER, PRINCIPAL, SUBS};
use bal_tests::actions::{edge_size as size, push, Action, Size, Target};
use proptest::prelude::*;

fn target() -> impl Strategy<Value = Target> {
    bal_tests::actions::target(SUBS, HONEST)
}

/// A fill of one of the attacker's taker orders against one of its maker orders, or the
/// honest principal's (`maker` = `SUBS`: the orders wallet A rests for it as delegate).
fn fill(filler: usize, taker: usize, maker: usize) -> Action {
    let maker = match maker {
        SUBS => Target::Honest(PRINCIPAL),
        own => Target::Party(own),
    };
    Action::Fill {
        filler,
        taker: Target::Party(taker),
        maker: Some(maker),
    }
}

/// A fill of the honest taker's resting order, against one of the attacker's maker orders
/// when `maker` names a subaccount that has one, else against the AMM.
fn fill_honest(filler: usize, maker: Option<usize>) -> Action {
    Action::Fill {
        filler,
        taker: Target::Honest(HONEST_TAKER),
        maker: maker.map(Target::Party),
    }
}

/// Whether the action trades with or for an honest party by that party's own choice (its
/// order, its add, its deposit, its delegate's trade) or by the rules (its liquidation or
/// de-risk): what the attacker earns from it sent alone is the market's to give, so the
/// profit oracle allows it (`World::attack`).
pub(super) fn involves_honest_party(action: &Action) -> bool {
    matches!(
        action,
        Action::Liquidate {
            target: Target::Honest(_) | Target::Weakest,
            ..
        } | Action::Derisk {
            target: Target::Honest(_) | Target::Weakest
        } | Action::Fill {
            taker: Target::Honest(_),
            ..
        } | Action::DelegateClose
            | Action::DelegateTrade { .. }
            | Action::DelegateOrder { .. }
            | Action::HonestAdd
            | Action::HonestVaultDeposit
    )
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
    "Fill",
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
    "Fill",
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
    let who = 0..SUBS;
    prop_oneof![
        5 => (who.clone(), any::<bool>(), size()).prop_map(|(who, long, size)| Action::Trade { who, long, size }),
        1 => who.clone().prop_map(|who| Action::Close { who }),
        1 => (who.clone(), prop_oneof![Just(Size::Step), Just(Size::Minimum)]).prop_map(|(who, leave)| Action::Reduce { who, leave }),
        2 => (who.clone(), size()).prop_map(|(who, size)| Action::AddLiquidity { who, size }),
        1 => who.clone().prop_map(|who| Action::RemoveLiquidity { who }),
        1 => (who.clone(), 1u64..500).prop_map(|(who, dollars)| Action::Deposit { who, dollars }),
        3 => (who.clone(), 1u64..5_000, any::<bool>()).prop_map(|(who, dollars, borrow)| Action::Withdraw { who, dollars, borrow }),
        2 => (who.clone(), any::<bool>(), size(), -300i64..300, any::<bool>())
            .prop_map(|(who, long, size, offset_bps, post_only)| Action::RestOrder { who, long, size, offset_bps, post_only }),
        2 => (who.clone(), who.clone(), 0..=SUBS).prop_map(|(filler, taker, maker)| fill(filler, taker, maker)),
        2 => (who.clone(), prop::option::of(who.clone())).prop_map(|(filler, maker)| fill_honest(filler, maker)),
        2 => who.clone().prop_map(|who| Action::CancelAll { who }),
        2 => target().prop_map(|target| Action::SettlePnl { target }),
        1 => target().prop_map(|target| Action::SettleLp { target }),
        3 => target().prop_map(|target| Action::Derisk { target }),
        3 => (who.clone(), target()).prop_map(|(liquidator, target)| Action::Liquidate { liquidator, target }),
        1 => target().prop_map(|target| Action::ResolveBadDebt { target }),
        1 => (who.clone(), prop_oneof![Just(0u32), 100u32..10_000]).prop_map(|(who, ratio)| Action::MarginRatio { who, ratio }),
        1 => (who.clone(), any::<bool>()).prop_map(|(who, opt_out)| Action::OptOut { who, opt_out }),
        2 => Just(Action::UpdateFunding),
        1 => Just(Action::DelegateClose),
        1 => (any::<bool>(), size()).prop_map(|(long, size)| Action::DelegateTrade { long, size }),
        1 => (any::<bool>(), -300i64..300).prop_map(|(long, offset_bps)| Action::DelegateOrder { long, offset_bps }),
        1 => Just(Action::HonestAdd),
        1 => Just(Action::HonestVaultDeposit),
        1 => (1u64..2_000).prop_map(|dollars| Action::VaultDeposit { dollars }),
        1 => Just(Action::VaultInvest),
        1 => who.clone().prop_map(|who| Action::WithdrawAll { who }),
        1 => (who.clone(), 1u64..3_000).prop_map(|(who, dollars)| Action::Stake { who, dollars }),
        1 => who.clone().prop_map(|who| Action::AskOut { who }),
        1 => who.prop_map(|who| Action::Unstake { who }),
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
        .prop_map(|(who, from_the_fund, write_offs, dollars)| {
            let mut actions = if from_the_fund {
                vec![Action::AskOut { who }, Action::Unstake { who }]
            } else {
                vec![Action::WithdrawAll { who }]
            };
            actions.extend(write_offs);
            actions.push(if from_the_fund {
                Action::Stake { who, dollars }
            } else {
                Action::Deposit { who, dollars }
            });
            actions
        })
}

/// What sits between a push and its unwind: any action, weighted toward the ones that act at
/// the curve's price for someone (a reducing close, an add, a delegate's trade, a fill as
/// filler, the vault's crank or a deposit, a de-risk, a liquidation).
fn middle() -> impl Strategy<Value = Action> {
    let who = 0..SUBS;
    prop_oneof![
        4 => action(),
        2 => who.clone().prop_map(|who| Action::Close { who }),
        2 => (who.clone(), size()).prop_map(|(who, size)| Action::AddLiquidity { who, size }),
        2 => Just(Action::DelegateClose),
        1 => (any::<bool>(), size()).prop_map(|(long, size)| Action::DelegateTrade { long, size }),
        2 => (who.clone(), prop::option::of(who.clone())).prop_map(|(filler, maker)| fill_honest(filler, maker)),
        2 => Just(Action::HonestAdd),
        2 => Just(Action::HonestVaultDeposit),
        2 => Just(Action::VaultInvest),
        1 => target().prop_map(|target| Action::Derisk { target }),
        1 => (who, target()).prop_map(|(liquidator, target)| Action::Liquidate { liquidator, target }),
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
        .prop_map(|(who, long, size, middles, matched)| {
            let mut actions = vec![Action::Trade { who, long, size }];
            actions.extend(middles);
            actions.push(if matched {
                Action::Trade {
                    who,
                    long: !long,
                    size,
                }
            } else {
                Action::Close { who }
            });
            actions
        });
    prop_oneof![
        3 => prop::collection::vec(action(), 1..=4),
        2 => sandwich,
        1 => step_out(),
    ]
}
