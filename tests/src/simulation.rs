//! A local market over simulated days: LPs providing backstop liquidity, traders following and
//! fading the price, and a keeper updating funding, settling LPs and P&L, de-risking and
//! liquidating — every action a real transaction on the program in the in-process runtime.
//! The report gives the LPs' 7-day and 30-day returns from the market's own history, what the
//! market collected and paid, the keeper's work, and the conservation error (which must be 0).
use crate::env::TestEnv;
use crate::fixtures::{
    add_liquidity, market, new_trader, order, set_oracle_price, setup_trading, Exchange, Trader,
};
use crate::keeper_chain::InProcessChain;
use bal::math::constants::BASE_PRECISION;
use bal::read::balances::validate_vault_covers;
use bal::state::PositionDirection::{Long, Short};
use bal::state::PriceBounds;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::actions::{Action, Actor};
use bal_client::instructions::UserSetting;
use bal_client::pda;
use bal_client::performance::lp_return;
use bal_keeper::config::Settings;
use bal_keeper::metrics::Metrics;
use bal_keeper::run_round;
use solana_keypair::Keypair;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;
/// Seconds between two steps of the simulation.
const STEP: i64 = 4 * 3_600;

/// What to simulate.
#[derive(Clone, Copy, Debug)]
pub struct SimulationConfig {
    pub days: i64,
    pub lps: usize,
    pub traders: usize,
}

/// What happened.
#[derive(Clone, Debug, Default)]
pub struct SimulationReport {
    pub transactions: u64,
    pub refused: u64,
    /// precision: PERCENTAGE (1e6 = 100%); `None` without that much history.
    pub lp_return_7d: Option<i64>,
    pub lp_return_30d: Option<i64>,
    /// Fees the market collected. precision: QUOTE
    pub fees: u64,
    /// The market's cumulative funding rate at the end. precision: FUNDING_RATE
    pub cumulative_funding_rate: i64,
    pub derisks: u64,
    pub liquidations: u64,
    /// Funding updates that also repegged the curve to the oracle.
    pub repegs: u64,
    /// Each LP's base and quote after its last settle. precision: BASE / QUOTE
    pub lp_positions: Vec<(i64, i128)>,
    /// Σ positions' base − (users' base against the AMM + LPs' settled base): must be 0.
    pub conservation_error: i64,
    pub vault_covers: bool,
}

/// The oracle's path: a slow and a fast swing around $100. precision: PRICE
fn price_at(step: i64) -> i64 {
    let hours = (step * STEP) as f64 / 3_600.0;
    let slow = 0.08 * (hours / (9.0 * 24.0) * std::f64::consts::TAU).sin();
    let fast = 0.03 * (hours / 41.0 * std::f64::consts::TAU).sin();
    (100_000_000.0 * (1.0 + slow + fast)) as i64
}

struct Market {
    env: TestEnv,
    exchange: Exchange,
    /// The keeper bot's wallet and subaccount.
    keeper: Trader,
    lps: Vec<Trader>,
    traders: Vec<Trader>,
    report: SimulationReport,
}

impl Market {
    /// Sends `action`, signed by `wallet`.
    async fn send(&mut self, action: Action, wallet: &Keypair) -> bool {
        self.report.transactions += 1;
        let ix = action.instruction(&market(&self.exchange), &[]);
        let ok = self.env.send_unmetered(&[ix], &[wallet]).await.is_ok();
        if !ok {
            self.report.refused += 1;
        }
        ok
    }

    /// Traders act on the last move: the first half follow it, the rest fade it with half the
    /// size; sizes grow with the move, so the AMM (and its LPs) end up against the trend.
    async fn traders_act(&mut self, step: i64) {
        let moved = price_at(step) - price_at(step - 1);
        let size = (moved.unsigned_abs() * 20 / 1_000_000).clamp(1, 40) * BASE / 10;
        let half = self.traders.len() / 2;
        for i in 0..self.traders.len() {
            let follows = i < half;
            let up = moved > 0;
            let direction = if follows == up { Long } else { Short };
            let size = if follows {
                size
            } else {
                (size / 2).max(BASE / 10)
            };
            let trader = &self.traders[i];
            let action = Action::Trade {
                actor: actor(trader),
                params: order(direction, size),
            };
            let wallet = trader.wallet.insecure_clone();
            self.send(action, &wallet).await;
        }
    }

    /// The keeper's round: the keeper bot's own (`bal_keeper::run_round`), signed by the
    /// keeper's wallet (its subaccount liquidates and fills), with its default settings.
    async fn keeper_round(&mut self) {
        let peg = self.perp().await.amm.peg_multiplier;
        let known = self
            .traders
            .iter()
            .chain(self.lps.iter())
            .chain([&self.keeper])
            .map(|t| t.user)
            .collect();
        let mut chain =
            InProcessChain::new(&mut self.env, self.keeper.wallet.insecure_clone(), known);
        let round = run_round(&mut chain, &Settings::default(), &Metrics::default())
            .await
            .expect("the keeper reads the exchange");
        let report = &mut self.report;
        report.transactions += round.transactions + round.failures;
        report.refused += round.failures;
        report.derisks += round.derisks;
        report.liquidations += round.liquidations;
        if round.funding_updates > 0 && self.perp().await.amm.peg_multiplier != peg {
            self.report.repegs += 1;
        }
    }

    async fn perp(&mut self) -> PerpMarket {
        self.env.load(pda::perp_market(0)).await
    }

    async fn finish(mut self) -> SimulationReport {
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let vault = self.env.token_balance(pda::spot_vault(0)).await;
        let mut base = 0;
        for who in self
            .traders
            .iter()
            .chain(self.lps.iter())
            .chain([&self.keeper])
        {
            let user: User = self.env.load(who.user).await;
            base += user
                .perp_positions
                .iter()
                .filter(|p| p.is_active())
                .map(|p| p.base_asset_amount)
                .sum::<i64>();
        }
        for lp in self.lps.iter() {
            let user: User = self.env.load(lp.user).await;
            let position = user.perp_positions.iter().find(|p| p.is_active());
            self.report.lp_positions.push(position.map_or((0, 0), |p| {
                (p.base_asset_amount, p.quote_asset_amount.get())
            }));
        }
        let report = &mut self.report;
        report.conservation_error =
            base - (perp.amm.base_asset_amount_with_amm + perp.lp.settled_base);
        report.vault_covers = validate_vault_covers(&spot, vault).is_ok();
        report.fees = perp.total_fees;
        report.cumulative_funding_rate = perp.funding.cumulative_funding_rate;
        report.lp_return_7d = lp_return(&perp.lp_history, 7);
        report.lp_return_30d = lp_return(&perp.lp_history, 30);
        self.report
    }
}

fn actor(trader: &Trader) -> Actor {
    Actor {
        signer: trader.wallet.pubkey(),
        user: trader.user,
    }
}

/// Runs the simulation: LPs add at the start (the last one a week in, at 2x max leverage so a
/// keeper may have to de-risk it), then every four hours the oracle moves, traders trade and
/// the keeper makes its round.
pub async fn simulate(config: SimulationConfig) -> SimulationReport {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let mut lps = Vec::new();
    for _ in 0..config.lps {
        lps.push(new_trader(&mut env, &exchange, 50_000_000_000, 0).await);
    }
    let mut traders = Vec::new();
    for _ in 0..config.traders {
        traders.push(new_trader(&mut env, &exchange, 2_000_000_000, 0).await);
    }
    let keeper = new_trader(&mut env, &exchange, 0, 0).await;
    let mut sim = Market {
        env,
        exchange,
        keeper,
        lps,
        traders,
        report: SimulationReport::default(),
    };
    let late = config.lps - 1;
    for (i, lp) in sim.lps.iter().enumerate().take(late) {
        add_liquidity(
            &mut sim.env,
            &sim.exchange,
            lp,
            (200 + 100 * i as u64) * BASE,
        )
        .await
        .expect("add_liquidity");
    }
    let steps = config.days * 86_400 / STEP;
    for step in 1..=steps {
        sim.env.advance(STEP, 50).await;
        set_oracle_price(&mut sim.env, &sim.exchange, price_at(step)).await;
        if step == 7 * 86_400 / STEP {
            let lp = &sim.lps[late];
            let wallet = lp.wallet.insecure_clone();
            let leverage = Action::Set {
                authority: wallet.pubkey(),
                sub_account_id: 0,
                setting: UserSetting::CustomMarginRatio(5_000),
            };
            let add = Action::AddLiquidity {
                actor: actor(lp),
                shares: 2_000 * BASE,
                bounds: PriceBounds::UNBOUNDED,
            };
            sim.send(leverage, &wallet).await;
            sim.send(add, &wallet).await;
        }
        sim.traders_act(step).await;
        sim.keeper_round().await;
    }
    sim.finish().await
}

/// The report as a table.
pub fn print_report(config: &SimulationConfig, report: &SimulationReport) {
    let percent =
        |r: Option<i64>| r.map_or("n/a".to_string(), |r| format!("{:.2}%", r as f64 / 1e4));
    println!(
        "| {} days, {} LPs, {} traders, a keeper | |",
        config.days, config.lps, config.traders
    );
    println!("|---|---:|");
    println!(
        "| transactions (refused: orders the accounts could not carry) | {} ({}) |",
        report.transactions, report.refused
    );
    println!(
        "| LP return, last 7 days | {} |",
        percent(report.lp_return_7d)
    );
    println!(
        "| LP return, last 30 days | {} |",
        percent(report.lp_return_30d)
    );
    println!("| fees collected | ${:.2} |", report.fees as f64 / 1e6);
    println!(
        "| cumulative funding rate | {:.6} $/base |",
        report.cumulative_funding_rate as f64 / 1e9
    );
    println!(
        "| repegs to the oracle (at funding updates) | {} |",
        report.repegs
    );
    println!("| de-risks | {} |", report.derisks);
    println!("| liquidations | {} |", report.liquidations);
    for (i, (base, quote)) in report.lp_positions.iter().enumerate() {
        println!(
            "| LP {} settled position | {:.3} base, ${:.2} |",
            i + 1,
            *base as f64 / 1e9,
            *quote as f64 / 1e6
        );
    }
    println!(
        "| conservation error (base units) | {} |",
        report.conservation_error
    );
    println!("| vault covers every claim | {} |", report.vault_covers);
}
