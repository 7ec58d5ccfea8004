//! What a transaction's honest choices are worth on their own: the profit oracle's allowance
//! for them.
//!
//! An honest party's own choice can legitimately pay the attacker: a taker order filled at the
//! curve moves it, and whoever trades it back collects the taker's slippage; a delegate's
//! trade pays the LPs (the attacker's among them) their slice; an honest vault deposit's
//! rounding stays with the vault's holders. So for a transaction holding such actions
//! (`actions::involves_honest_party`), those actions alone are first sent from the same state,
//! and what they gave the attacker plus what they cost the honest parties is allowed; then
//! every account is put back and the transaction itself is sent. A push before the same
//! actions earns more than that only if the program acts at the pushed price for the honest
//! party: exactly the class this fuzzer looks for.
use super::actions;
use super::value::Valuation;
use super::World;
use anchor_lang::prelude::Pubkey;
use bal_client::pda;
use bal_tests::actions::Action;
use solana_account::Account;

impl World {
    /// Every account a transaction can write.
    fn watched(&self) -> Vec<Pubkey> {
        let mut accounts = self.accounts();
        accounts.extend(self.subs.iter().map(|s| s.tokens));
        accounts.extend(self.honest.iter().map(|h| h.token_account));
        let vault = &self.vault.addresses;
        let investor = &self.vault.investor.accounts;
        accounts.extend([
            vault.vault,
            vault.tokens,
            vault.depositor(&investor.owner),
            vault.depositor(&self.attacker_depositor().owner),
            investor.token_account,
            pda::perp_market(0),
            pda::spot_market(0),
            pda::spot_vault(0),
        ]);
        accounts
    }

    async fn save(&mut self) -> Vec<(Pubkey, Option<Account>)> {
        let mut saved = Vec::new();
        for address in self.watched() {
            saved.push((address, self.env.raw_account(address).await));
        }
        saved
    }

    fn restore(&mut self, saved: Vec<(Pubkey, Option<Account>)>) {
        for (address, account) in saved {
            self.env.set_account(address, account.unwrap_or_default());
        }
    }

    /// What the honest choices among `actions`, sent alone from the state now, give the
    /// attacker and cost the honest parties, by `rule` (never below zero); the state is put
    /// back afterwards. precision: QUOTE
    pub(super) async fn plain_allowance(&mut self, actions: &[Action], rule: Valuation) -> i128 {
        let plain: Vec<Action> = actions
            .iter()
            .filter(|action| actions::involves_honest_party(action))
            .cloned()
            .collect();
        if plain.is_empty() {
            return 0;
        }
        let saved = self.save().await;
        let attacker = self.attacker_value(rule).await;
        let honest = self.honest_value(rule).await;
        let landed = matches!(self.send(&plain).await, Some(Ok(_)));
        let allowance = if landed {
            let gained = self.attacker_value(rule).await - attacker;
            let cost = honest - self.honest_value(rule).await;
            (gained + cost).max(0)
        } else {
            0
        };
        self.restore(saved);
        allowance
    }
}
