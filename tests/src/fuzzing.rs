//! Running a fuzzer's cases and reporting its throughput: how many sequences, transactions and
//! BAL instructions it sent, how fast, how many random actions, and how many different
//! transaction shapes (the kinds of action in a transaction, in order) it tried.
use crate::env::sent_so_far;
use crate::TestEnv;
use anchor_lang::prelude::Pubkey;
use bal::state::PositionDirection;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::{books, pda};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Debug;
use std::sync::Mutex;
use std::time::Instant;

/// What a fuzzer tried across its cases: its random actions, their transaction shapes, and
/// which landed.
#[derive(Default)]
pub struct Tried {
    shapes: Mutex<HashSet<String>>,
    actions: Mutex<u64>,
    /// Transactions sent, and those of them the program accepted.
    transactions: Mutex<(u64, u64)>,
    /// How many landed transactions held each kind of action (variant name).
    landed_kinds: Mutex<BTreeMap<String, u64>>,
}

/// What a fuzzer's run must have done for its checks to mean anything: a run whose
/// transactions are all refused checks nothing.
pub struct Expected<'a> {
    /// The least share of its transactions that must land, in percent.
    pub landed_percent: u64,
    /// Every kind of action (variant name) that must land at least once in the run.
    pub kinds: &'a [&'a str],
}

fn kind_of<A: Debug>(action: &A) -> String {
    let debug = format!("{action:?}");
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Tried {
    /// Records a transaction of `actions` sent and whether it `landed`: its shape is each
    /// action's variant name, in order.
    pub fn record<A: Debug>(&self, actions: &[A], landed: bool) {
        *self.actions.lock().expect("count poisoned") += actions.len() as u64;
        let kinds: Vec<String> = actions.iter().map(kind_of).collect();
        self.shapes
            .lock()
            .expect("shapes poisoned")
            .insert(kinds.join("+"));
        let mut transactions = self.transactions.lock().expect("count poisoned");
        transactions.0 += 1;
        if landed {
            transactions.1 += 1;
            let mut landed = self.landed_kinds.lock().expect("kinds poisoned");
            for kind in kinds {
                *landed.entry(kind).or_default() += 1;
            }
        }
    }

    /// Panics unless the run did what `expected` asks.
    fn check(self, name: &str, expected: &Expected) {
        let (sent, landed) = self.transactions.into_inner().expect("count poisoned");
        let kinds = self.landed_kinds.into_inner().expect("kinds poisoned");
        eprintln!("{name}: {landed} of {sent} random transactions landed: {kinds:?}");
        assert!(
            landed * 100 >= sent * expected.landed_percent,
            "{name}: {landed} of {sent} random transactions landed, under {}%",
            expected.landed_percent
        );
        let missing: Vec<&&str> = expected
            .kinds
            .iter()
            .filter(|kind| !kinds.contains_key(**kind))
            .collect();
        assert!(
            missing.is_empty(),
            "{name}: no transaction with {missing:?} landed"
        );
    }
}

/// The random seed a fuzzer runs from: `variable` holds a number, or `random`; unset, the
/// fixed `default`, so every CI run tries the same slice and a red run is reproducible.
pub fn seed_from_env(variable: &str, default: u64) -> RngSeed {
    match std::env::var(variable).ok().as_deref() {
        Some("random") => RngSeed::Random,
        Some(seed) => {
            RngSeed::Fixed(seed.parse().unwrap_or_else(|_| {
                panic!("{variable} must be a number or `random`, not {seed:?}")
            }))
        }
        None => RngSeed::Fixed(default),
    }
}

/// Runs `body` on `config.cases` values of `strategy` (shrinking and saving a failure as
/// `config` says), prints the run's throughput, and panics with the smallest failing input if
/// any case failed, or if the run did less than `expected` says. `body` records each
/// transaction of random actions it sends in the `Tried` it is given.
pub fn run_cases<S: Strategy>(
    name: &str,
    config: Config,
    expected: &Expected,
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
        *tried.actions.lock().expect("count poisoned"),
        tried.shapes.lock().expect("shapes poisoned").len(),
    );
    match result {
        Ok(()) => tried.check(name, expected),
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
