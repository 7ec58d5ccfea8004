//! The red-team fuzzer: an attacker with three subaccounts under two wallets sends random
//! transactions of one to four instructions — trades from one step to fifty base, closes,
//! positions traded down to a step or the minimum order (a close after it fills dust),
//! liquidity added and removed, resting orders and fills among its own accounts, deposits and
//! withdrawals (borrowing too), settles, de-risks and liquidations of anyone, bad-debt
//! resolutions, its own margin-ratio and opt-out settings, funding updates — against a market
//! where honest parties hold LP shares (a leveraged LP: $700 behind 100 shares), leveraged
//! positions and deposits. Wallet B's subaccount starts as a leveraged LP (shares and a long).
//!
//! **The profit oracle (strict mode).** The oracle and the clock are frozen at a price where the
//! AMM quotes, and honest parties do not act, so nothing the attacker may legitimately earn can
//! arise: no price moves its positions, no stale curve is there to arbitrage, no fills it is not
//! part of pay its LP shares, no interest accrues, no funding is due, and every honest account
//! starts healthy, so no liquidation fee is owed it. The attacker's value is its wallets' tokens
//! plus, for each subaccount, its net value at the oracle after a simulated settle, unsettled gains
//! counted only as far as the market's P&L pool can pay them, and never below zero (a subaccount
//! left in debt is walked away from). After every transaction that lands, that value must not be
//! above where it started (a loss taken earlier, such as a curve pushed off the oracle, may be won
//! back, never more), plus what any funding update it sent paid the positions held when it began
//! (`funding_paid`; never due in this mode); a transaction the program refuses must change nothing.
//! The accounting fuzzer's per-step checks (base conserved, shares adding up, the vault covering,
//! every invariant) run after every step too.
//!
//! The market mode, in `market.rs`, lets prices move between the attacker's transactions.
//!
//! `BAL_REDTEAM_CASES` sets the number of sequences of each mode (64 by default, from a fixed
//! seed; see `config`); failing sequences are saved under
//! `tests/tests/proptest-regressions/redteam/` and replayed first.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::controller::amm_fill::PositionDirection::{Long, Short};
use bal::controller::lp::PriceBounds;
use bal::controller::orders::RestingOrderParams;
use bal::instructions::OrderParams;
use bal::math::amm::reserve_price;
use bal::math::constants::BASE_PRECISION;
use bal::state::{PerpMarket, User};
use bal_client::instructions::{self, CollateralAccounts, MakerOrderRef, UserSetting};
use bal_client::pda;
use bal_tests::errors::snapshot;
use bal_tests::fixtures::{
    add_liquidity, compute_limit, market, new_trader, next_second, order, setup_trading, trade,
    Exchange, Trader,
};
use bal_tests::fuzzing::{check_books, direction, run_cases, Tried};
use bal_tests::markets::walk_oracle;
use bal_tests::{Runtime, TestEnv, TxSuccess};
use proptest::prelude::*;

mod actions;
mod market;
mod rules;
mod value;
use actions::{transaction, Action, Target};
use solana_keypair::Keypair;
use solana_signer::Signer;
use value::Valuation;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;
/// The attacker's subaccounts: wallet A's 0 and 1, wallet B's 0.
const SUBS: usize = 3;
/// Honest parties: an LP, a leveraged long, a short, a depositor, and in the market mode the
/// flow that moves the price and the keeper that liquidates.
const HONEST: usize = 6;
const FLOW: usize = 4;
const KEEPER: usize = 5;

/// One attacker subaccount: the wallet that signs for it and its token account.
struct Sub {
    wallet: Keypair,
    user: Pubkey,
    tokens: Pubkey,
}

struct World {
    env: TestEnv,
    exchange: Exchange,
    subs: Vec<Sub>,
    honest: Vec<Trader>,
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
        let depositor = new_trader(&mut env, &exchange, 5_000 * DOLLAR, 0).await;
        let flow = new_trader(&mut env, &exchange, 1_000_000 * DOLLAR, 0).await;
        let keeper = new_trader(&mut env, &exchange, 1_000_000 * DOLLAR, 0).await;
        let a = new_trader(&mut env, &exchange, 2_000 * DOLLAR, 5_000 * DOLLAR).await;
        let b = new_trader(&mut env, &exchange, 2_000 * DOLLAR, 5_000 * DOLLAR).await;
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
        let settle = instructions::settle_pnl_many(&holders, &market(&exchange), true);
        env.send_setup(&[settle], &[&lp.wallet]).await;
        let price = mid;
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
        World {
            env,
            exchange,
            subs,
            honest: vec![lp, long, short, depositor, flow, keeper],
            price,
        }
    }

    fn user_of(&self, target: Target) -> Pubkey {
        match target {
            Target::Own(sub) => self.subs[sub].user,
            Target::Honest(who) => self.honest[who].user,
        }
    }

    fn collateral(&self, sub: usize) -> CollateralAccounts {
        CollateralAccounts {
            signer: self.subs[sub].wallet.pubkey(),
            user: self.subs[sub].user,
            token_account: self.subs[sub].tokens,
            quote: self.exchange.quote,
        }
    }

    /// Every account a step can write.
    fn watched(&self) -> Vec<Pubkey> {
        let mut accounts: Vec<Pubkey> = self.subs.iter().map(|s| s.user).collect();
        accounts.extend(self.subs.iter().map(|s| s.tokens));
        accounts.extend(self.honest.iter().map(|h| h.user));
        accounts.extend([pda::perp_market(0), pda::spot_market(0), pda::spot_vault(0)]);
        accounts
    }

    async fn snapshot(&mut self) -> Vec<Option<Vec<u8>>> {
        let watched = self.watched();
        snapshot(&mut self.env, &watched).await
    }

    /// `user`'s first open order that is (or is not) post-only.
    async fn order_id(&mut self, user: Pubkey, post_only: bool) -> Option<u32> {
        let user: User = self.env.load(user).await;
        user.orders
            .iter()
            .find(|o| o.is_open() && (o.post_only == 1) == post_only)
            .map(|o| o.order_id)
    }

    /// The instruction for `action` and the attacker subaccount whose wallet signs it.
    async fn instruction(&mut self, action: &Action) -> Option<(Instruction, usize)> {
        let m = market(&self.exchange);
        let keys: Vec<Pubkey> = self.subs.iter().map(|s| s.wallet.pubkey()).collect();
        let signer = |sub: usize| keys[sub];
        Some(match *action {
            Action::Trade { sub, long, size } => (
                instructions::place_perp_order(
                    signer(sub),
                    self.subs[sub].user,
                    &m,
                    &[],
                    order(direction(long), size.base()),
                ),
                sub,
            ),
            Action::Close { sub } => (
                instructions::close_position(signer(sub), self.subs[sub].user, &m, &[], None),
                sub,
            ),
            Action::Reduce { sub, leave } => {
                let user: User = self.env.load(self.subs[sub].user).await;
                let base = user
                    .perp_positions
                    .iter()
                    .find(|p| p.is_active())
                    .map_or(0, |p| p.base_asset_amount);
                let params = OrderParams {
                    reduce_only: true,
                    ..order(
                        direction(base < 0),
                        base.unsigned_abs().checked_sub(leave.base())?,
                    )
                };
                (
                    instructions::place_perp_order(
                        signer(sub),
                        self.subs[sub].user,
                        &m,
                        &[],
                        params,
                    ),
                    sub,
                )
            }
            Action::AddLiquidity { sub, size } => (
                instructions::add_liquidity(
                    signer(sub),
                    self.subs[sub].user,
                    &m,
                    &[],
                    size.base(),
                    PriceBounds::UNBOUNDED,
                ),
                sub,
            ),
            Action::RemoveLiquidity { sub } => (
                instructions::remove_liquidity(signer(sub), self.subs[sub].user, 0, None),
                sub,
            ),
            Action::Deposit { sub, dollars } => (
                instructions::deposit(&self.collateral(sub), dollars * DOLLAR),
                sub,
            ),
            Action::Withdraw {
                sub,
                dollars,
                borrow,
            } => {
                let mut ix =
                    instructions::withdraw(&self.collateral(sub), dollars * DOLLAR, borrow);
                ix.accounts.extend(instructions::margin_accounts(&[m]));
                (ix, sub)
            }
            Action::RestOrder {
                sub,
                long,
                size,
                offset_bps,
                post_only,
            } => {
                let price = self.price as i64;
                let params = RestingOrderParams {
                    direction: direction(long),
                    base_amount: size.base(),
                    price: (price + price * offset_bps / 10_000) as u64,
                    post_only,
                    reduce_only: false,
                    expiry_ts: 0,
                };
                (
                    instructions::place_order(signer(sub), self.subs[sub].user, &m, &[], params),
                    sub,
                )
            }
            Action::Fill {
                filler,
                taker,
                maker,
            } => {
                let taker_order = self.order_id(self.subs[taker].user, false).await?;
                let makers = match self.order_id(self.subs[maker].user, true).await {
                    Some(order_id) if maker != taker => vec![MakerOrderRef {
                        user: self.subs[maker].user,
                        order_id,
                    }],
                    _ => Vec::new(),
                };
                (
                    instructions::fill_order(
                        signer(filler),
                        self.subs[filler].user,
                        (self.subs[taker].user, taker_order),
                        &makers,
                        &m,
                        &[],
                    ),
                    filler,
                )
            }
            Action::CancelAll { sub } => (
                instructions::cancel_orders(signer(sub), self.subs[sub].user, None),
                sub,
            ),
            Action::SettlePnl { target } => (instructions::settle_pnl(self.user_of(target), &m), 0),
            Action::SettleLp { target } => (
                instructions::settle_lp(signer(0), self.user_of(target), 0),
                0,
            ),
            Action::Derisk { target } => {
                (instructions::derisk_lp(self.user_of(target), &m, &[]), 0)
            }
            Action::Liquidate { liquidator, target } => (
                instructions::liquidate_perp(
                    signer(liquidator),
                    self.subs[liquidator].user,
                    self.user_of(target),
                    &m,
                    &[],
                    u64::MAX,
                ),
                liquidator,
            ),
            Action::ResolveBadDebt { target } => {
                let user: User = self.env.load(self.user_of(target)).await;
                (
                    instructions::resolve_bad_debt(self.user_of(target), user.last_loss_market),
                    0,
                )
            }
            Action::MarginRatio { sub, ratio } => (
                instructions::update_user(
                    signer(sub),
                    sub_account_id(sub),
                    UserSetting::CustomMarginRatio(ratio),
                ),
                sub,
            ),
            Action::OptOut { sub, opt_out } => (
                instructions::update_user(
                    signer(sub),
                    sub_account_id(sub),
                    UserSetting::DeriskOptOut(opt_out),
                ),
                sub,
            ),
            Action::UpdateFunding => (instructions::update_funding_rate(&m), 0),
        })
    }

    /// Sends `actions` as one transaction; `None` when none could be built, else what landed
    /// (its records) or `Err` when the program refused it.
    async fn send(&mut self, actions: &[Action]) -> Option<Result<TxSuccess, ()>> {
        let mut ixs = vec![compute_limit(1_400_000)];
        let mut signers: Vec<usize> = Vec::new();
        for action in actions {
            let (ix, sub) = self.instruction(action).await?;
            ixs.push(ix);
            signers.push(sub);
        }
        // One signature per wallet: subaccounts 0 and 1 share wallet A.
        let wallets: Vec<Keypair> = [0, 2]
            .iter()
            .filter(|w| signers.iter().any(|s| wallet_of(*s) == **w))
            .map(|w| self.subs[*w].wallet.insecure_clone())
            .collect();
        let mut payers: Vec<&Keypair> = wallets.iter().collect();
        if payers.is_empty() {
            return None;
        }
        payers.dedup_by_key(|k| k.pubkey());
        Some(
            self.env
                .send_unmetered_capturing_events(&ixs, &payers)
                .await
                .map_err(|_| ()),
        )
    }

    /// Every user account: the attacker's subaccounts, then the honest parties'.
    fn accounts(&self) -> Vec<Pubkey> {
        let own = self.subs.iter().map(|s| s.user);
        own.chain(self.honest.iter().map(|h| h.user)).collect()
    }

    /// The accounting fuzzer's checks.
    async fn check(&mut self) -> Result<(), TestCaseError> {
        let users = self.accounts();
        check_books(&mut self.env, &users).await
    }
}

fn wallet_of(sub: usize) -> usize {
    if sub < 2 {
        0
    } else {
        2
    }
}

fn sub_account_id(sub: usize) -> u16 {
    if sub == 1 {
        1
    } else {
        0
    }
}

impl World {
    /// Sends the attacker's `actions` as one transaction and checks that a refusal changed
    /// nothing and that what landed kept the rules' promises (`rules`). When it landed, what
    /// a funding update in it paid the attacker's positions as they stood when it began (see
    /// `funding_paid`).
    async fn attack(
        &mut self,
        actions: &[Action],
        tried: &Tried,
        rule: Valuation,
    ) -> Result<Option<i128>, TestCaseError> {
        let before = self.snapshot().await;
        let standing = self.standing().await;
        let Some(outcome) = self.send(actions).await else {
            return Ok(None);
        };
        tried.record(actions);
        match outcome {
            Ok(landed) => {
                self.check_rules(&standing, &landed)
                    .await
                    .map_err(|e| TestCaseError::fail(format!("{e} after {actions:?}")))?;
                if let [action] = actions {
                    self.check_own_margin(&standing, action).await?;
                    World::check_liquidation_stops(&standing, &landed)?;
                }
                Ok(Some(self.funding_paid(&standing, rule).await))
            }
            Err(()) => {
                prop_assert_eq!(
                    self.snapshot().await,
                    before,
                    "a refused {:?} changed nothing",
                    actions
                );
                Ok(None)
            }
        }
    }
}

async fn run_sequence(sequence: Vec<Vec<Action>>, tried: &Tried) -> Result<(), TestCaseError> {
    let mut world = World::new().await;
    // Measured against the start, not the previous step: a loss the attacker took earlier (a
    // curve pushed off the oracle) may be won back later, but never more.
    let mut allowed = world.attacker_value(Valuation::Payable).await;
    for actions in sequence.iter() {
        if let Some(funding) = world.attack(actions, tried, Valuation::Payable).await? {
            allowed += funding;
            let value = world.attacker_value(Valuation::Payable).await;
            prop_assert!(
                value <= allowed,
                "the attacker is up {} after {:?}",
                value - allowed,
                actions
            );
        }
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
        .unwrap_or(64);
    let rng_seed = match env("BAL_REDTEAM_SEED").as_deref() {
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(seed) => proptest::test_runner::RngSeed::Fixed(seed.parse().expect("a seed")),
        None => proptest::test_runner::RngSeed::Fixed(20_261_204),
    };
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

#[test]
fn an_attacker_never_profits_with_the_price_and_clock_frozen() {
    run_cases(
        "red team",
        config(),
        prop::collection::vec(transaction(), 10..40),
        |sequence, tried| {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(run_sequence(sequence, tried))
        },
    );
}
