//! The red team's market mode.
//!
//! **The profit oracle.** Between the attacker's transactions the market moves: an honest flow
//! trades against the AMM and the oracle follows to the curve's new mid (held five minutes, so
//! its TWAP follows and interest accrues), once for an ordinary move or several times over
//! before anyone acts for a gap; then a keeper updates funding when due, liquidates whoever is
//! below maintenance, the
//! attacker's subaccounts too, de-risks every LP short of its margin and resolves every bad
//! debt (its records held to the rules in `rules.rs`, and no bad debt may be left after its
//! round). What a move does to the attacker's holdings is its to keep: each subaccount's net
//! value before and after, unsettled gains in full, floored at zero (a gap may leave a
//! leveraged subaccount in debt; it loses no more than it held). After every attacker
//! transaction that lands, its value counted the same way must not exceed the start plus what
//! the moves gave it: a subaccount the attacker's own transaction leaves in debt, or value
//! moved from an honest account by it, shows up. Risk taken beyond the margin, which pays only
//! when a gap follows, is the margin rule's to catch (`rules.rs`).
//!
//! Funding: the clock may also run to a second around the next update's due time (one early,
//! on time, one late) with nobody updating, so the attacker's transaction can come first and
//! trade around the update in it. What the update's rate pays the positions it held when the
//! transaction began is the market's to give (`World::funding_paid`); what the positions it
//! opened in the transaction collect is not. How far anything earlier in the transaction moved
//! the rate is bounded by the mark rule (`rules.rs`).
use super::actions::MARKET_KINDS;
use super::{
    config, transaction, violation, Action, Valuation, World, BASE, FLOW, KEEPER, LANDED_PERCENT,
};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::math::amm::reserve_price;
use bal::read::position::holds_only_claims;
use bal::state::{PerpMarket, User};
use bal_client::{instructions, pda};
use bal_tests::fixtures::{compute_limit, market, order, set_oracle_price, trade};
use bal_tests::fuzzing::{direction, run_cases, Expected, Tried};
use proptest::prelude::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

impl World {
    /// The market moves: `hops` times the honest flow trades `base` against the AMM and the
    /// oracle follows to the curve's new mid (held five minutes, so its TWAP follows); one hop
    /// is an ordinary move, several before the keeper acts are a gap. Then the keeper's round,
    /// unless the attacker gets to the liquidations and de-risks first (the keeper's round then
    /// comes with the next move).
    async fn market_move(&mut self, moved: &Move) -> Result<(), TestCaseError> {
        let Move {
            long,
            base,
            hops,
            keeper_first,
        } = *moved;
        for _ in 0..hops {
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
            // Read as soon as published (a keeper's settle), so the price stands in the TWAP
            // for the five minutes it is held.
            set_oracle_price(&mut self.env, &self.exchange, mid as i64).await;
            self.read_oracle().await;
            self.env.advance(300, 10).await;
            set_oracle_price(&mut self.env, &self.exchange, mid as i64).await;
            self.price = mid;
        }
        if keeper_first {
            self.keeper_round().await
        } else {
            Ok(())
        }
    }

    /// The clock runs to `offset` seconds from when the next funding update comes due (when
    /// that is still ahead), the oracle republishes and a keeper's settle reads it, accruing
    /// interest; nobody updates funding, so the attacker's next transaction may be first.
    async fn run_clock_to_funding_due(&mut self, offset: i64) {
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let due = perp.funding.last_funding_ts + perp.funding.funding_period + offset;
        let now = self.env.clock().await.unix_timestamp;
        if due <= now {
            return;
        }
        self.env.advance(due - now, 10).await;
        set_oracle_price(&mut self.env, &self.exchange, self.price as i64).await;
        self.read_oracle().await;
    }

    /// A keeper's settle of the flow's account: a read of the oracle, accruing interest.
    async fn read_oracle(&mut self) {
        let keeper = self.honest[KEEPER].wallet.insecure_clone();
        let settle = instructions::settle_pnl(self.honest[FLOW].user, &market(&self.exchange), &[]);
        let _ = self.env.send_unmetered(&[settle], &[&keeper]).await;
    }

    /// The keeper liquidates whoever is below maintenance, the attacker's subaccounts too,
    /// de-risks every LP short of its margin, settles the losses of accounts left with nothing
    /// else and resolves every bad debt, as the real one does; what its transactions record is held to the same rules as the attacker's, no
    /// liquidation that is due may be refused, and afterwards no bad debt may be left on the
    /// books.
    async fn keeper_round(&mut self) -> Result<(), TestCaseError> {
        let m = market(&self.exchange);
        let keeper = self.honest[KEEPER].wallet.insecure_clone();
        let keeper_user = self.honest[KEEPER].user;
        let flow = self.honest[FLOW].user;
        let mut users: Vec<Pubkey> = self.subs.iter().map(|s| s.user).collect();
        users.extend(self.honest[..FLOW].iter().map(|h| h.user));
        users.push(self.vault.addresses.bal_user);
        // The settle reads the oracle into its TWAP; then funding if due, and every
        // liquidation that is due.
        let _ = self
            .env
            .send_unmetered(&[instructions::settle_pnl(flow, &m, &[])], &[&keeper])
            .await;
        self.keeper_sends(instructions::update_funding_rate(&m), &keeper)
            .await?;
        // An account below maintenance that still holds something to act on can always be
        // liquidated: nothing it holds (LP shares the curve cannot release, say) may block it.
        let due = self.standing().await;
        for user in users.iter().copied() {
            let liquidation =
                instructions::liquidate_perp(keeper.pubkey(), keeper_user, user, &m, &[], u64::MAX);
            let refused = !self.keeper_sends(liquidation, &keeper).await?;
            let blocked = refused && due.below_maintenance(user);
            prop_assert!(
                !blocked || holds_only_claims(&self.env.load::<User>(user).await),
                "{} was below maintenance and the keeper could not liquidate it",
                user
            );
        }
        for user in users {
            self.keeper_sends(instructions::derisk_lp(user, &m, &[]), &keeper)
                .await?;
        }
        // An account left holding nothing but an unsettled loss beyond its balance: the real
        // keeper's settles come before its write-offs, and the settle turns the loss into the
        // debt a write-off resolves.
        for user in self.bad_debts().await {
            let settle = instructions::settle_pnl(user, &m, &[]);
            self.keeper_sends(settle, &keeper).await?;
        }
        for user in self.bad_debts().await {
            let loss_market = self.env.load::<User>(user).await.last_loss_market;
            let resolve = instructions::resolve_bad_debt(user, loss_market);
            self.keeper_sends(resolve, &keeper).await?;
        }
        let left = self.bad_debts().await;
        prop_assert!(
            left.is_empty(),
            "bad debt left on the books after the keeper's round: {:?}",
            left
        );
        Ok(())
    }

    /// Sends one keeper instruction; what it records, if it lands, is held to the rules.
    /// Whether it landed.
    async fn keeper_sends(
        &mut self,
        instruction: Instruction,
        keeper: &Keypair,
    ) -> Result<bool, TestCaseError> {
        let standing = self.standing().await;
        let sent = [compute_limit(1_400_000), instruction];
        match self
            .env
            .send_unmetered_capturing_events(&sent, &[keeper])
            .await
        {
            Ok(landed) => {
                self.check_rules(&standing, &landed).await?;
                World::check_liquidation_stops(&standing, &landed)?;
                Ok(true)
            }
            Err(_) => Ok(false),
        }
    }
}

/// One step of the market mode: a transaction of the attacker's, the market moving (one
/// hop, or a gap of several before the keeper acts), or the clock running to a second
/// around the next funding update's due time, so the attacker can act first.
#[derive(Clone, Debug)]
enum Step {
    Attack(Vec<Action>),
    Market(Move),
    FundingDue { offset: i64 },
}

/// A market move: `hops` trades of `base` by the honest flow, the oracle following each, and
/// the keeper's round after it or not.
#[derive(Clone, Copy, Debug)]
struct Move {
    long: bool,
    base: u64,
    hops: u8,
    keeper_first: bool,
}

fn step() -> impl Strategy<Value = Step> {
    let hop = (any::<bool>(), 1u64..=20, any::<bool>()).prop_map(|(long, base, keeper_first)| {
        Step::Market(Move {
            long,
            base,
            hops: 1,
            keeper_first,
        })
    });
    let gap = (any::<bool>(), 10u64..=40, 2u8..=6, any::<bool>()).prop_map(
        |(long, base, hops, keeper_first)| {
            Step::Market(Move {
                long,
                base,
                hops,
                keeper_first,
            })
        },
    );
    prop_oneof![
        8 => transaction().prop_map(Step::Attack),
        2 => hop,
        1 => gap,
        2 => (-1i64..=1).prop_map(|offset| Step::FundingDue { offset }),
    ]
}

async fn run_market_sequence(sequence: Vec<Step>, tried: &Tried) -> Result<(), TestCaseError> {
    let mut world = World::new().await;
    // What the attacker may hold: its start plus everything the market's own moves did to its
    // holdings, gains and losses in full and below zero too.
    let mut allowed = world.attacker_value(Valuation::Owed).await;
    for step in sequence.iter() {
        match step {
            Step::Market(moved) => {
                let owed = world.attacker_value(Valuation::Owed).await;
                world.market_move(moved).await?;
                allowed += world.attacker_value(Valuation::Owed).await - owed;
            }
            Step::FundingDue { offset } => {
                let owed = world.attacker_value(Valuation::Owed).await;
                world.run_clock_to_funding_due(*offset).await;
                allowed += world.attacker_value(Valuation::Owed).await - owed;
            }
            Step::Attack(actions) => {
                if let Some(funding) = world.attack(actions, tried, Valuation::Owed).await? {
                    allowed += funding;
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
        world.note_exposure().await;
        world.check().await?;
    }
    Ok(())
}

#[test]
fn an_attacker_profits_no_more_than_the_market_pays_it() {
    run_cases(
        "red team, market mode",
        config(),
        &Expected {
            landed_percent: LANDED_PERCENT,
            kinds: MARKET_KINDS,
        },
        prop::collection::vec(step(), 10..40),
        |sequence, tried| {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(run_market_sequence(sequence, tried))
                .map_err(violation)
        },
    );
}
