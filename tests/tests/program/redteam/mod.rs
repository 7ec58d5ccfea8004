//! The red-team fuzzer: an attacker with three subaccounts under two wallets sends random
//! transactions of one to four instructions — trades from one step to fifty base, closes,
//! positions traded down to a step or the minimum order (a close after it fills dust),
//! liquidity added and removed, resting orders and fills among its own accounts and of an
//! honest taker's order, deposits and withdrawals (borrowing too), settles, de-risks and
//! liquidations of anyone, bad-debt resolutions, its own margin-ratio and opt-out settings,
//! funding updates, trades, closes and orders as an honest principal's delegate, vault
//! deposits and the vault's crank — and sandwiches: a push of up to past the price band, one
//! to three of those (an honest LP's add and an honest vault deposit among them, as whoever
//! orders transactions could place them), then the push traded back, all in one transaction.
//! The market has honest parties: an LP ($700 behind 100 shares), a leveraged long whose
//! trade-only delegate is the attacker's wallet A, a short with a resting taker order, a
//! depositor, and an example vault with an honest depositor's deposit waiting to be invested. Wallet B's
//! subaccount starts as a leveraged LP (shares and a long).
//!
//! **The profit oracle (strict mode).** The oracle is frozen at a price where the AMM quotes and
//! honest parties act only as above, so nothing the attacker may legitimately earn can arise
//! but what an honest party's own choice gives it. The attacker's value is its wallets' tokens,
//! its vault shares and, for each subaccount, its net value at the oracle, unsettled gains
//! counted only as far as the market's P&L pool can pay them, never below zero (a subaccount
//! left in debt is walked away from), all in the fuzzer's own arithmetic (`value.rs`). After
//! every transaction that lands, that value must not be above where it started (a loss taken
//! earlier, such as a curve pushed off the oracle, may be won back, never more), plus:
//! what any funding update it sent paid the positions held when it began (`funding_paid`);
//! for a transaction with actions an honest party chose (its order filled, its delegate's
//! trade, its add or vault deposit), what those actions sent alone from the same state
//! would have given the attacker and cost the honest parties (`plain.rs`: an honest taker's
//! slippage at the unpushed curve is the attacker's to arbitrage, the same slippage at a
//! pushed curve is not); and what the clock running a second gave it (interest). The
//! accounting fuzzer's per-step checks (base conserved, shares adding up, the vault covering,
//! every invariant) run after every step, and a run must land a stated share of its
//! transactions and every kind of action (`actions::STRICT_KINDS`).
//!
//! The market mode, in `market.rs`, lets prices move between the attacker's transactions.
//!
//! `BAL_REDTEAM_CASES` sets the number of sequences of each mode (150 by default, from a fixed
//! seed; see `config`); failing sequences are saved under
//! `tests/tests/proptest-regressions/redteam/` and replayed first.
use anchor_lang::prelude::Pubkey;
use bal::math::amm::reserve_price;
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection::{Long, Short};
use bal::state::RestingOrderParams;
use bal::state::{PerpMarket, User};
use bal_client::instructions::{self, CollateralAccounts, StakeAccounts, UserSetting};
use bal_client::pda;
use bal_tests::fixtures::{
    add_liquidity, market, new_trader, next_second, order, setup_trading, trade, Exchange, Trader,
};
use bal_tests::fuzzing::{check_books, run_cases, seed_from_env, Expected, Tried};
use bal_tests::insurance::{staker, Staker};
use bal_tests::markets::walk_oracle;
use bal_tests::vault::{buy_shares, create_vault, depositor, Investor, VaultAddresses};
use bal_tests::{Runtime, TestEnv};
use proptest::prelude::*;

mod actions;
mod bearers;
mod build;
mod market;
mod plain;
mod rules;
mod value;
use actions::transaction;
use bal_tests::actions::{open_order_id, Action};
use solana_keypair::Keypair;
use solana_signer::Signer;
use value::Valuation;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;
/// The attacker's subaccounts: wallet A's 0 and 1, wallet B's 0.
const SUBS: usize = 3;
/// Honest parties: an LP, a leveraged long (the principal whose delegate is wallet A), a
/// short (the honest taker), a depositor, and in the market mode the flow that moves the
/// price and the keeper that liquidates.
const HONEST: usize = 6;
const HONEST_LP: usize = 0;
const PRINCIPAL: usize = 1;
const HONEST_TAKER: usize = 2;
const DEPOSITOR: usize = 3;
const FLOW: usize = 4;
const KEEPER: usize = 5;
/// The honest taker's resting order: ten base, its limit 3% through the oracle.
const HONEST_ORDER_BASE: u64 = 10 * BASE;
const HONEST_ORDER_LIMIT_BPS: i64 = 300;

/// One attacker subaccount: the wallet that signs for it and its token account.
struct Sub {
    wallet: Keypair,
    user: Pubkey,
    tokens: Pubkey,
}

/// The example vault over the market and its honest depositor.
struct VaultWorld {
    addresses: VaultAddresses,
    investor: Investor,
}

struct World {
    env: TestEnv,
    exchange: Exchange,
    subs: Vec<Sub>,
    honest: Vec<Trader>,
    vault: VaultWorld,
    /// An honest staker's $100,000 in the insurance fund.
    honest_staker: Staker,
    /// Who was exposed when an account last went under water, until nobody is (`bearers`).
    exposed: Option<bearers::Exposure>,
    /// The frozen oracle price. precision: PRICE
    price: u64,
}

impl World {
    async fn new() -> Self {
        let mut env = TestEnv::start_on(Runtime::for_fuzzing()).await;
        let exchange = setup_trading(&mut env).await;
        let lp = new_trader(&mut env, &exchange, 700 * DOLLAR, 0).await;
        add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
            .await
            .expect("an honest LP");
        let long = new_trader(&mut env, &exchange, 300 * DOLLAR, 0).await;
        trade(&mut env, &exchange, &long, order(Long, 20 * BASE))
            .await
            .expect("an honest leveraged long");
        let short = new_trader(&mut env, &exchange, 2_000 * DOLLAR, 0).await;
        trade(&mut env, &exchange, &short, order(Short, 10 * BASE))
            .await
            .expect("an honest short");
        let depositor_account = new_trader(&mut env, &exchange, 5_000 * DOLLAR, 0).await;
        let flow = new_trader(&mut env, &exchange, 1_000_000 * DOLLAR, 0).await;
        let keeper = new_trader(&mut env, &exchange, 1_000_000 * DOLLAR, 0).await;
        let a = new_trader(&mut env, &exchange, 2_000 * DOLLAR, 5_000 * DOLLAR).await;
        let b = new_trader(&mut env, &exchange, 2_000 * DOLLAR, 5_000 * DOLLAR).await;
        // The long's trade-only delegate is wallet A.
        let delegate = instructions::update_user(
            long.wallet.pubkey(),
            0,
            UserSetting::Delegate(a.wallet.pubkey()),
        );
        env.send_setup(&[delegate], &[&long.wallet]).await;
        // Wallet B starts as a leveraged LP: shares and a long of its own (added in a second
        // of its own: the honest trades moved the curve away from the oracle in theirs).
        next_second(&mut env, &exchange).await;
        add_liquidity(&mut env, &exchange, &b, 20 * BASE)
            .await
            .expect("the attacker's LP shares");
        trade(&mut env, &exchange, &b, order(Long, 10 * BASE))
            .await
            .expect("the attacker's long");
        // Wallet A's second subaccount.
        let a1 = pda::user(&a.wallet.pubkey(), 1);
        env.send_setup(
            &[
                instructions::initialize_user(a.wallet.pubkey(), 1, [0; 32]),
                instructions::deposit(
                    &CollateralAccounts {
                        user: a1,
                        ..a.collateral(&exchange)
                    },
                    2_000 * DOLLAR,
                ),
            ],
            &[&a.wallet],
        )
        .await;
        // The oracle where the AMM quotes (its TWAP following), so the curve offers no
        // arbitrage to start from: an arbitrage of a stale curve is a legitimate gain.
        let perp: PerpMarket = env.load(pda::perp_market(0)).await;
        let mid = reserve_price(&perp.amm.curve(), perp.amm.peg_multiplier).unwrap();
        walk_oracle(&mut env, &exchange, long.user, &[mid as i64, mid as i64]).await;
        // Every P&L settled there, the attacker's last: the pool has taken every loss and paid
        // what it can of the gains, so no settle the attacker sends later (of anyone) can make
        // payable a gain the valuation counted as unpayable.
        let holders = [long.user, short.user, lp.user, b.user];
        let settle = instructions::settle_pnl_many(&holders, &market(&exchange), true)
            .expect("a batch of users");
        env.send_setup(&[settle], &[&lp.wallet]).await;
        // The vault, with an honest depositor's $10,000 waiting for the crank to invest it
        // (100 base of liquidity; the crank runs at most once every two LP cooldowns, so once
        // a sequence).
        let manager = env.funded_wallet().await;
        let addresses = create_vault(&mut env, &exchange, &manager, 0).await;
        let investor = depositor(&mut env, &exchange, 20_000 * DOLLAR).await;
        buy_shares(&mut env, &exchange, &addresses, &investor, 10_000 * DOLLAR)
            .await
            .expect("an honest vault deposit");
        // The insurance fund: an honest staker's $100,000 and $1,000 from each of the
        // attacker's wallets (from their token accounts).
        let honest_staker = staker(&mut env, &exchange, 100_000 * DOLLAR).await;
        for trader in [&a, &b] {
            let stake = StakeAccounts {
                authority: trader.wallet.pubkey(),
                token_account: trader.token_account,
                quote: exchange.quote,
            };
            let open = [
                instructions::initialize_insurance_stake(trader.wallet.pubkey()),
                instructions::add_insurance_stake(&stake, 1_000 * DOLLAR),
            ];
            env.send_setup(&open, &[&trader.wallet]).await;
        }
        let subs = vec![
            Sub {
                wallet: a.wallet.insecure_clone(),
                user: a.user,
                tokens: a.token_account,
            },
            Sub {
                wallet: a.wallet.insecure_clone(),
                user: a1,
                tokens: a.token_account,
            },
            Sub {
                wallet: b.wallet.insecure_clone(),
                user: b.user,
                tokens: b.token_account,
            },
        ];
        let mut world = World {
            env,
            exchange,
            subs,
            honest: vec![lp, long, short, depositor_account, flow, keeper],
            vault: VaultWorld {
                addresses,
                investor,
            },
            honest_staker,
            exposed: None,
            price: mid,
        };
        world.rest_honest_order().await;
        next_second(&mut world.env, &world.exchange).await;
        world
    }

    /// The honest taker keeps one taker order resting: when the last was filled, a new one,
    /// on the side that brings its position back toward where it started.
    async fn rest_honest_order(&mut self) {
        let taker = self.honest[HONEST_TAKER].user;
        if open_order_id(&mut self.env, taker, false).await.is_some() {
            return;
        }
        let user: User = self.env.load(taker).await;
        let base = user
            .perp_positions
            .iter()
            .find(|p| p.is_active())
            .map_or(0, |p| p.base_asset_amount);
        let long = base < -(10 * BASE as i64);
        let price = self.price as i64;
        let offset = price * HONEST_ORDER_LIMIT_BPS / 10_000;
        let params = RestingOrderParams {
            direction: if long { Long } else { Short },
            base_amount: HONEST_ORDER_BASE,
            price: (if long { price + offset } else { price - offset }) as u64,
            post_only: false,
            reduce_only: false,
            expiry_ts: 0,
        };
        let taker = &self.honest[HONEST_TAKER];
        let place = instructions::place_order(
            taker.wallet.pubkey(),
            taker.user,
            &market(&self.exchange),
            &[],
            params,
        );
        let wallet = taker.wallet.insecure_clone();
        // Refused only when the curve moved against it this second; it rests next time.
        let _ = self.env.send_unmetered(&[place], &[&wallet]).await;
    }

    /// Every user account: the attacker's subaccounts, the honest parties' and the vault's.
    fn accounts(&self) -> Vec<Pubkey> {
        let own = self.subs.iter().map(|s| s.user);
        own.chain(self.honest.iter().map(|h| h.user))
            .chain([self.vault.addresses.bal_user])
            .collect()
    }

    /// The accounting fuzzer's checks.
    async fn check(&mut self) -> Result<(), TestCaseError> {
        let users = self.accounts();
        check_books(&mut self.env, &users).await
    }

    /// Sends the attacker's `actions` as one transaction and checks that what landed kept the
    /// rules' promises (`rules`). When it landed, what the attacker may have gained by it:
    /// what a funding update in it paid the attacker's positions as they stood when it began
    /// (`funding_paid`), and what the honest parties' own choices in it would have given the
    /// attacker sent alone (`plain_allowance`).
    async fn attack(
        &mut self,
        actions: &[Action],
        tried: &Tried,
        rule: Valuation,
    ) -> Result<Option<i128>, TestCaseError> {
        let standing = self.standing().await;
        let allowance = self.plain_allowance(actions, rule).await;
        let Some(outcome) = self.send(actions).await else {
            return Ok(None);
        };
        tried.record(actions, outcome.is_ok());
        let Ok(landed) = outcome else {
            return Ok(None);
        };
        self.check_rules(&standing, &landed)
            .await
            .map_err(|e| TestCaseError::fail(format!("{e} after {actions:?}")))?;
        if let [action] = actions {
            self.check_own_margin(&standing, action).await?;
            World::check_liquidation_stops(&standing, &landed)?;
        }
        let funding = self.funding_paid(&standing, rule).await;
        self.rest_honest_order().await;
        Ok(Some(funding + allowance))
    }

    /// The clock runs one second (the oracle republished at the same price); what that gives
    /// the attacker (interest) is returned, as the market's to give.
    async fn next_second(&mut self, rule: Valuation) -> i128 {
        let before = self.attacker_value(rule).await;
        next_second(&mut self.env, &self.exchange).await;
        self.attacker_value(rule).await - before
    }
}

/// One step of the strict mode: a transaction of the attacker's, or the clock running a
/// second (so a push held across it is what the next second's rules judge by).
#[derive(Clone, Debug)]
enum Moment {
    Attack(Vec<Action>),
    NextSecond,
}

fn moment() -> impl Strategy<Value = Moment> {
    prop_oneof![
        8 => transaction().prop_map(Moment::Attack),
        1 => Just(Moment::NextSecond),
    ]
}

async fn run_sequence(sequence: Vec<Moment>, tried: &Tried) -> Result<(), TestCaseError> {
    let mut world = World::new().await;
    // Measured against the start, not the previous step: a loss the attacker took earlier (a
    // curve pushed off the oracle) may be won back later, but never more.
    let mut allowed = world.attacker_value(Valuation::Payable).await;
    for moment in sequence.iter() {
        match moment {
            Moment::NextSecond => allowed += world.next_second(Valuation::Payable).await,
            Moment::Attack(actions) => {
                if let Some(allowance) = world.attack(actions, tried, Valuation::Payable).await? {
                    allowed += allowance;
                    let value = world.attacker_value(Valuation::Payable).await;
                    prop_assert!(
                        value <= allowed,
                        "the attacker is up {} after {:?}",
                        value - allowed,
                        actions
                    );
                }
            }
        }
        world.note_exposure().await;
        world.check().await?;
    }
    Ok(())
}

/// `BAL_REDTEAM_CASES` sequences (64 by default) from `BAL_REDTEAM_SEED` (a number, or
/// `random`; a fixed seed by default, so CI runs the same slice every time).
/// `BAL_REDTEAM_FIND=1` stops at the first failure without shrinking or saving it (what a
/// search for a put-back hole needs).
fn config() -> ProptestConfig {
    let env = |name: &str| std::env::var(name).ok();
    let cases = env("BAL_REDTEAM_CASES")
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let rng_seed = seed_from_env("BAL_REDTEAM_SEED", 20_261_204);
    let mut config = ProptestConfig {
        cases,
        rng_seed,
        source_file: Some(file!()),
        ..ProptestConfig::default()
    };
    if env("BAL_REDTEAM_FIND").is_some() {
        config.max_shrink_iters = 0;
        config.failure_persistence = None;
    }
    config
}

/// Marks a broken rule, so it is told apart from a panic (a set-up that failed, as a
/// put-back hole's build might make it) by `scripts/mutants.sh`.
fn violation(error: TestCaseError) -> TestCaseError {
    match error {
        TestCaseError::Fail(reason) => TestCaseError::fail(format!("violation: {reason}")),
        rejected => rejected,
    }
}

/// A run must land at least this share of its transactions, in percent: most sandwiches are
/// refused by design, so the share is measured, not a majority.
const LANDED_PERCENT: u64 = 10;

#[test]
fn an_attacker_never_profits_with_the_price_frozen() {
    run_cases(
        "red team",
        config(),
        &Expected {
            landed_percent: LANDED_PERCENT,
            kinds: actions::STRICT_KINDS,
        },
        prop::collection::vec(moment(), 10..40),
        |sequence, tried| {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(run_sequence(sequence, tried))
                .map_err(violation)
        },
    );
}
