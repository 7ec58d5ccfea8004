//! The rules' own promises, read off the records (`emit_cpi!`) of every attacker transaction
//! that lands. They cover what no measure of the attacker's value sees, because the attacker
//! pays for it too or the loss is an honest party's:
//!
//! - a filler earns a reward only on a fill whose taker and makers its wallet does not sign
//!   for (the program cannot tell two wallets of one person apart, so the wallet is the party);
//! - an LP that opted out of de-risking is never de-risked;
//! - inside its LP cooldown an LP's shares are burned by a de-risk only if it was short of the
//!   margin it added at before the transaction began (raising its own ratio releases nothing:
//!   anything else it does in the transaction has to meet a stricter margin anyway);
//! - an honest account is liquidated only if it was below maintenance margin, at the oracle,
//!   before the attacker's transaction began: nothing the attacker does first in the same
//!   transaction may make an account liquidatable.
use super::World;
use anchor_lang::prelude::Pubkey;
use bal::controller::margin::MarginType;
use bal::events::{DeriskRecord, LiquidationRecord, OrderFillRecord};
use bal::state::{PerpMarket, SpotMarket, State, User};
use bal_client::pda;
use bal_client::read::{margin, PricedMarket};
use bal_tests::TxSuccess;
use proptest::prelude::*;

/// What the rules need to know of an account from before a transaction.
struct Standing {
    user: Pubkey,
    authority: Pubkey,
    opted_out: bool,
    below_maintenance: bool,
    meets_added_margin: bool,
    /// Until when its last add keeps its shares in. precision: unix seconds
    cooldown_ends: i64,
    honest: bool,
}

/// Every watched account's standing at one moment.
pub struct Standings {
    accounts: Vec<Standing>,
    now: i64,
}

impl Standings {
    fn of(&self, user: Pubkey) -> Option<&Standing> {
        self.accounts.iter().find(|s| s.user == user)
    }
}

impl World {
    /// The standing of the attacker's and the honest parties' accounts now.
    pub(super) async fn standing(&mut self) -> Standings {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let priced = [PricedMarket {
            market: &perp,
            oracle_price: self.price,
        }];
        let own = self.subs.iter().map(|s| (s.user, false));
        let honest = self.honest.iter().map(|h| (h.user, true));
        let cooldown = self
            .env
            .account::<State>(pda::state())
            .await
            .lp_cooldown_seconds;
        let meets = |user: &User, kind| {
            margin(user, &spot, &priced, kind).is_some_and(|r| r.summary.meets_requirement())
        };
        let mut accounts = Vec::new();
        for (key, honest) in own.chain(honest).collect::<Vec<_>>() {
            let user: User = self.env.load(key).await;
            accounts.push(Standing {
                user: key,
                authority: user.authority,
                opted_out: user.derisk_opt_out == 1,
                below_maintenance: !meets(&user, MarginType::Maintenance),
                meets_added_margin: meets(&user, MarginType::InitialAsAdded),
                cooldown_ends: user.last_add_liquidity_ts.saturating_add(cooldown),
                honest,
            });
        }
        let now = self.env.clock().await.unix_timestamp;
        Standings { accounts, now }
    }

    /// Checks the rules above against what `landed` recorded, `before` being the standing of
    /// the accounts when the transaction began.
    pub(super) async fn check_rules(
        &mut self,
        before: &Standings,
        landed: &TxSuccess,
    ) -> Result<(), TestCaseError> {
        for fill in landed.events::<OrderFillRecord>() {
            if fill.filler_reward == 0 {
                continue;
            }
            let party = [fill.taker, fill.maker]
                .iter()
                .filter_map(|user| before.of(*user))
                .any(|standing| standing.authority == fill.filler);
            prop_assert!(
                !party,
                "the filler {} earned {} on a fill its wallet is party to",
                fill.filler,
                fill.filler_reward
            );
        }
        let after = self.standing().await;
        for derisk in landed.events::<DeriskRecord>() {
            let acted = derisk.shares_burned > 0 || derisk.base_reduced > 0;
            let opted_out = [before, &after]
                .iter()
                .all(|standings| standings.of(derisk.user).is_some_and(|s| s.opted_out));
            let released_early = derisk.shares_burned > 0
                && before.of(derisk.user).is_some_and(|s| s.meets_added_margin)
                && after
                    .of(derisk.user)
                    .is_some_and(|s| after.now < s.cooldown_ends);
            prop_assert!(
                !released_early,
                "{} met the margin it added at, inside its cooldown, and a de-risk burned {} \
                 of its shares",
                derisk.user,
                derisk.shares_burned
            );
            prop_assert!(
                !(acted && opted_out),
                "{} opted out of de-risking and was de-risked ({} shares burned, {} base reduced)",
                derisk.user,
                derisk.shares_burned,
                derisk.base_reduced
            );
        }
        for liquidation in landed.events::<LiquidationRecord>() {
            let Some(victim) = before.of(liquidation.user) else {
                continue;
            };
            prop_assert!(
                !victim.honest || victim.below_maintenance,
                "{} was at or above maintenance before the transaction and was liquidated \
                 ({} base to the liquidator, {} fee)",
                liquidation.user,
                liquidation.base_transferred,
                liquidation.fee_to_liquidator
            );
        }
        Ok(())
    }
}
