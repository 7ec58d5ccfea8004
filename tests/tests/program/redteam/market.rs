//! The red team's market mode.
//!
//! **The profit oracle.** Between the attacker's transactions the market moves: an honest flow
//! trades against the AMM, the oracle follows to the curve's new mid (held five
//! minutes, so its TWAP follows and interest accrues), and a keeper liquidates whoever is below
//! maintenance, the attacker's subaccounts too, and de-risks every LP short of its margin
//! (held to the rules in `rules.rs`). What a move does to the attacker's holdings is
//! its to keep, counted in full (each subaccount's net value before and after, gains unsettled
//! or not, no floor at zero). Its value counts unsettled gains in full (honest losses fill the
//! pool at their own pace), and after every attacker transaction that lands it must not exceed
//! the start plus what the moves gave it: a subaccount walked away from in debt, or value moved
//! from an honest account by the attacker's own transaction, shows up.
use super::{config, direction, transaction, Action, Valuation, World, BASE, FLOW, KEEPER};
use anchor_lang::prelude::Pubkey;
use bal::math::amm::reserve_price;
use bal::state::PerpMarket;
use bal_client::{instructions, pda};
use bal_tests::fixtures::{compute_limit, market, order, set_oracle_price, trade};
use bal_tests::fuzzing::{run_cases, Tried};
use proptest::prelude::*;
use solana_signer::Signer;

impl World {
    /// The market moves: the honest flow trades `base` against the AMM, the oracle follows to
    /// the curve's new mid (held five minutes, so its TWAP follows), and a keeper liquidates
    /// whoever is below maintenance, the attacker's subaccounts too, and de-risks every LP short
    /// of its margin.
    async fn market_move(&mut self, long: bool, base: u64) -> Result<(), TestCaseError> {
        let m = market(&self.exchange);
        let flow = &self.honest[FLOW];
        let _ = trade(
            &mut self.env,
            &self.exchange,
            flow,
            order(direction(long), base * BASE),
        )
        .await;
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let mid = reserve_price(&perp.amm.curve(), perp.amm.peg_multiplier).unwrap();
        set_oracle_price(&mut self.env, &self.exchange, mid as i64).await;
        self.env.advance(300, 10).await;
        set_oracle_price(&mut self.env, &self.exchange, mid as i64).await;
        self.price = mid;
        let keeper = &self.honest[KEEPER];
        let mut users: Vec<Pubkey> = self.subs.iter().map(|s| s.user).collect();
        users.extend(self.honest[..KEEPER].iter().map(|h| h.user));
        // The settle reads the oracle into its TWAP; then every liquidation that is due.
        let _ = self
            .env
            .send_unmetered(
                &[instructions::settle_pnl(flow.user, &m)],
                &[&keeper.wallet],
            )
            .await;
        for user in users.iter().copied() {
            let liquidation = instructions::liquidate_perp(
                keeper.wallet.pubkey(),
                keeper.user,
                user,
                &m,
                &[],
                u64::MAX,
            );
            let _ = self
                .env
                .send_unmetered(&[compute_limit(1_400_000), liquidation], &[&keeper.wallet])
                .await;
        }
        // Then it de-risks every LP short of its margin, as the real one does; what those
        // de-risks record is held to the same rules as the attacker's transactions.
        for user in users {
            let standing = self.standing().await;
            let derisk = [
                compute_limit(1_400_000),
                instructions::derisk_lp(user, &m, &[]),
            ];
            let keeper = self.honest[KEEPER].wallet.insecure_clone();
            if let Ok(landed) = self
                .env
                .send_unmetered_capturing_events(&derisk, &[&keeper])
                .await
            {
                self.check_rules(&standing, &landed).await?;
            }
        }
        Ok(())
    }
}

/// One step of the market mode: a transaction of the attacker's, or the market moving.
#[derive(Clone, Debug)]
enum Step {
    Attack(Vec<Action>),
    Market { long: bool, base: u64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => transaction().prop_map(Step::Attack),
        1 => (any::<bool>(), 1u64..=20).prop_map(|(long, base)| Step::Market { long, base }),
    ]
}

async fn run_market_sequence(sequence: Vec<Step>, tried: &Tried) -> Result<(), TestCaseError> {
    let mut world = World::new().await;
    // What the attacker may hold: its start plus everything the market's own moves did to its
    // holdings, gains and losses in full and below zero too.
    let mut allowed = world.attacker_value(Valuation::Owed).await;
    for step in sequence.iter() {
        match step {
            Step::Market { long, base } => {
                let held = world.attacker_value(Valuation::Held).await;
                world.market_move(*long, *base).await?;
                allowed += world.attacker_value(Valuation::Held).await - held;
            }
            Step::Attack(actions) => {
                if world.attack(actions, tried).await? {
                    let value = world.attacker_value(Valuation::Owed).await;
                    prop_assert!(
                        value <= allowed,
                        "the attacker is up {} beyond what the market paid it after {:?}",
                        value - allowed,
                        actions
                    );
                }
            }
        }
        world.check().await?;
    }
    Ok(())
}

#[test]
fn an_attacker_profits_no_more_than_the_market_pays_it() {
    run_cases(
        "red team, market mode",
        config(),
        prop::collection::vec(step(), 10..40),
        |sequence, tried| {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(run_market_sequence(sequence, tried))
        },
    );
}
