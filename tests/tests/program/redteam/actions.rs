//! What the attacker can do: the actions, their sizes at the edges of the guards, and the
//! transactions they are sent in.
use super::{BASE, HONEST, SUBS};
use proptest::prelude::*;

/// A size at the edges: one step, the minimum order, one base, fifty base.
#[derive(Clone, Copy, Debug)]
pub(super) enum Size {
    Step,
    Minimum,
    One,
    Fifty,
}

impl Size {
    pub(super) fn base(self) -> u64 {
        match self {
            Size::Step => BASE / 1_000,
            Size::Minimum => BASE / 100,
            Size::One => BASE,
            Size::Fifty => 50 * BASE,
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

/// Whom an action targets: one of the attacker's subaccounts or an honest party.
#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    Own(usize),
    Honest(usize),
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        (0..SUBS).prop_map(Target::Own),
        (0..HONEST).prop_map(Target::Honest)
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
    Fill {
        filler: usize,
        taker: usize,
        maker: usize,
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
}

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
        2 => (sub.clone(), sub.clone(), sub.clone()).prop_map(|(filler, taker, maker)| Action::Fill { filler, taker, maker }),
        1 => sub.clone().prop_map(|sub| Action::CancelAll { sub }),
        2 => target().prop_map(|target| Action::SettlePnl { target }),
        1 => target().prop_map(|target| Action::SettleLp { target }),
        2 => target().prop_map(|target| Action::Derisk { target }),
        3 => (sub.clone(), target()).prop_map(|(liquidator, target)| Action::Liquidate { liquidator, target }),
        1 => target().prop_map(|target| Action::ResolveBadDebt { target }),
        1 => (sub.clone(), prop_oneof![Just(0u32), 100u32..10_000]).prop_map(|(sub, ratio)| Action::MarginRatio { sub, ratio }),
        1 => (sub, any::<bool>()).prop_map(|(sub, opt_out)| Action::OptOut { sub, opt_out }),
        2 => Just(Action::UpdateFunding),
    ]
}

/// One to four random actions sent as one transaction, or a sandwich: one subaccount moves
/// the curve with a large trade, any action follows (a withdrawal, a liquidation, a settle, a
/// de-risk, a funding update...), and the first closes again, all in one transaction.
pub(super) fn transaction() -> impl Strategy<Value = Vec<Action>> {
    let sandwich = (
        0..SUBS,
        any::<bool>(),
        prop_oneof![Just(Size::One), Just(Size::Fifty)],
        action(),
    )
        .prop_map(|(sub, long, size, middle)| {
            vec![
                Action::Trade { sub, long, size },
                middle,
                Action::Close { sub },
            ]
        });
    prop_oneof![
        3 => prop::collection::vec(action(), 1..=4),
        1 => sandwich,
    ]
}
