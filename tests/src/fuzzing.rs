//! Running a fuzzer's cases and reporting its throughput: how many sequences, transactions and
//! BAL instructions it sent, how fast, how many random actions, and how many different
//! transaction shapes (the kinds of action in a transaction, in order) it tried.
use crate::env::sent_so_far;
use crate::TestEnv;
use anchor_lang::prelude::Pubkey;
use bal::controller::amm_fill::PositionDirection;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::{books, pda};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use std::collections::HashSet;
use std::fmt::Debug;
use std::sync::Mutex;
use std::time::Instant;

/// What a fuzzer tried across its cases: its random actions, and their transaction shapes.
#[derive(Default)]
pub struct Tried {
    shapes: Mutex<HashSet<String>>,
    actions: Mutex<u64>,
}

impl Tried {
    /// Records a transaction of `actions` sent: its shape is each action's variant name, in
    /// order.
    pub fn record<A: Debug>(&self, actions: &[A]) {
        *self.actions.lock().expect("count poisoned") += actions.len() as u64;
        let shape = actions
            .iter()
            .map(|action| {
                let debug = format!("{action:?}");
                debug
                    .split([' ', '{', '('])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("+");
        self.shapes.lock().expect("shapes poisoned").insert(shape);
    }
}

/// Runs `body` on `config.cases` values of `strategy` (shrinking and saving a failure as
/// `config` says), prints the run's throughput, and panics with the smallest failing input if
/// any case failed. `body` records each transaction of random actions it sends in the `Tried` it is given.
pub fn run_cases<S: Strategy>(
    name: &str,
    config: Config,
    strategy: S,
    body: impl Fn(S::Value, &Tried) -> Result<(), TestCaseError>,
) where
    S::Value: Debug,
{
    let started = Instant::now();
    let (transactions_before, instructions_before) = sent_so_far();
    let tried = Tried::default();
    let sequences = Mutex::new(0u64);
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        *sequences.lock().expect("count poisoned") += 1;
        body(value, &tried)
    });
    let seconds = started.elapsed().as_secs_f64().max(f64::EPSILON);
    let (transactions, instructions) = sent_so_far();
    let transactions = transactions - transactions_before;
    let instructions = instructions - instructions_before;
    // Every instruction counts, the sequences' set-up included; the random actions are the
    // part the strategy chose.
    eprintln!(
        "{name}: {} sequences, {transactions} transactions ({:.0}/s), {instructions} BAL \
         instructions ({:.0}/s), {} of them random actions in {} transaction shapes, \
         {seconds:.1} s",
        sequences.into_inner().expect("count poisoned"),
        transactions as f64 / seconds,
        instructions as f64 / seconds,
        tried.actions.into_inner().expect("count poisoned"),
        tried.shapes.into_inner().expect("shapes poisoned").len(),
    );
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, value)) => {
            panic!("{name} failed: {reason}\nminimal failing input: {value:#?}")
        }
        Err(TestError::Abort(reason)) => panic!("{name} aborted: {reason}"),
    }
}

pub fn direction(long: bool) -> PositionDirection {
    if long {
        PositionDirection::Long
    } else {
        PositionDirection::Short
    }
}

/// The books of market 0 with `users` its only traders balance (`bal_client::books::check`).
pub async fn check_books(env: &mut TestEnv, users: &[Pubkey]) -> Result<(), TestCaseError> {
    let perp: PerpMarket = env.load(pda::perp_market(0)).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let vault = env.token_balance(pda::spot_vault(0)).await;
    let mut accounts = Vec::with_capacity(users.len());
    for &address in users {
        accounts.push(env.load::<User>(address).await);
    }
    if let Err(broken) = books::check(&spot, &[perp], &accounts, vault) {
        return Err(TestCaseError::fail(format!("the books: {broken}")));
    }
    Ok(())
}
