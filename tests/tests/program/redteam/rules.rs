//! The rules' own promises, read off the records (`emit_cpi!`) of every attacker transaction
//! that lands. They cover what no measure of the attacker's value sees, because the attacker
//! pays for it too or the loss is an honest party's:
//!
//! - a filler earns a reward only on a fill whose taker and makers its wallet does not sign
//!   for, as authority or delegate (the program cannot tell two wallets of one person apart, so
//!   the wallet is the party);
//! - an LP that opted out of de-risking is never de-risked;
//! - inside its LP cooldown no de-risk burns an LP's shares (a loss its owner made itself
//!   cannot release them early);
//! - an honest account is liquidated only if it was below maintenance margin, at the oracle,
//!   before the attacker's transaction began: nothing the attacker does first in the same
//!   transaction may make an account liquidatable;
//! - a liquidation stops once burning the account's LP shares restored its liquidation margin:
//!   for a transaction of one instruction, the account as the liquidation found it, less the
//!   shares its record says were burned, must still be short before any base moves;
//! - a bankruptcy writes off only the debt its account's own claims (realized gains a pool has
//!   not paid yet) do not cover: what is written off plus what the account still claims
//!   afterwards is at most the debt;
//! - a withdrawal, a liquidity add or a trade that grew the account's position or turned it
//!   (its base with the unsettled LP inventory settled, as the trade itself settles it), sent
//!   alone, leaves the account meeting initial margin as a reader values it: at the oracle,
//!   its unsettled LP inventory included, unsettled gains only as far as the pool can pay;
//! - a mark price weighs exactly the seconds it stood: whatever a transaction trades, the
//!   period's mark sum grows by the price standing before it times the seconds since it began
//!   to stand, and no more (a funding update in the transaction averages exactly that sum), and
//!   the price left standing is within the band (the maximum spread) around the oracle;
//! - nobody steps out of a write-off between an account going under and the write-off
//!   (`bearers`);
//! - in the market mode the keeper's liquidation of an account below maintenance that holds
//!   anything to act on is never refused, and after its round no account holds only debt
//!   beyond its claims: bad debt is resolved, not left on the books.
use super::bearers::Exposure;
use super::World;
use anchor_lang::prelude::Pubkey;
use bal::events::{
    BankruptcyRecord, DeriskRecord, FundingRecord, LiquidationRecord, OrderFillRecord,
};
use bal::math::constants::PERCENTAGE_PRECISION;
use bal::math::position::release_if_empty;
use bal::read::balances::signed_token_amount;
use bal::read::lp::after_burn;
use bal::read::margin::{simulated_position, MarginType, MarketView};
use bal::read::position::find_position;
use bal::read::position::holds_only_claims;
use bal::read::position::increases_risk;
use bal::state::{PerpMarket, SpotMarket, State, User};
use bal_client::pda;
use bal_client::read::{margin, PricedMarket};
use bal_tests::actions::Action;
use bal_tests::TxSuccess;
use proptest::prelude::*;

/// What the rules need to know of an account from before a transaction.
struct Standing {
    user: Pubkey,
    authority: Pubkey,
    opted_out: bool,
    /// Who signs for it besides its authority (the default key: nobody).
    delegate: Pubkey,
    below_maintenance: bool,
    /// Its base in the market, unsettled LP inventory included. precision: BASE
    base: i64,
    /// Until when its last add keeps its shares in. precision: unix seconds
    cooldown_ends: i64,
    honest: bool,
    /// The account itself.
    account: User,
}

/// Every watched account's standing at one moment.
pub struct Standings {
    accounts: Vec<Standing>,
    now: i64,
    pub(super) spot: SpotMarket,
    pub(super) perp: PerpMarket,
    /// precision: PRICE
    pub(super) price: u64,
    /// What the honest depositor and staker held (`bearers`).
    pub(super) bearers: Exposure,
}

impl Standings {
    fn of(&self, user: Pubkey) -> Option<&Standing> {
        self.accounts.iter().find(|s| s.user == user)
    }

    pub(super) fn below_maintenance(&self, user: Pubkey) -> bool {
        self.of(user).is_some_and(|s| s.below_maintenance)
    }

    /// Every account as it stood, in `World::accounts`' order.
    pub(super) fn everyone(&self) -> Vec<User> {
        self.accounts.iter().map(|s| s.account).collect()
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
        let honest = self.honest.iter().map(|h| h.user);
        let honest = honest
            .chain([self.vault.addresses.bal_user])
            .map(|u| (u, true));
        let cooldown = self
            .env
            .account::<State>(pda::state())
            .await
            .lp_cooldown_seconds;
        let meets = |user: &User, kind| {
            margin(user, &spot, &priced, kind).is_some_and(|r| r.summary.meets_requirement())
        };
        let view = MarketView::current(&perp, self.price).unwrap();
        let base = |user: &User| {
            user.perp_positions
                .iter()
                .filter(|p| p.is_active())
                .map(|p| simulated_position(p, &view).unwrap().base_asset_amount)
                .sum()
        };
        let mut accounts = Vec::new();
        for (key, honest) in own.chain(honest).collect::<Vec<_>>() {
            let user: User = self.env.load(key).await;
            accounts.push(Standing {
                user: key,
                authority: user.authority,
                opted_out: user.derisk_opt_out == 1,
                delegate: user.delegate,
                below_maintenance: !meets(&user, MarginType::Maintenance),
                base: base(&user),
                cooldown_ends: user.last_add_liquidity_ts.saturating_add(cooldown),
                honest,
                account: user,
            });
        }
        let now = self.env.clock().await.unix_timestamp;
        let bearers = self.exposure().await;
        Standings {
            accounts,
            now,
            spot,
            perp,
            price: self.price,
            bearers,
        }
    }

    /// Checks the rules above against what `landed` recorded, `before` being the standing of
    /// the accounts when the transaction began.
    pub(super) async fn check_rules(
        &mut self,
        before: &Standings,
        landed: &TxSuccess,
    ) -> Result<(), TestCaseError> {
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        check_mark(before, &perp, landed)?;
        self.check_bearers(&before.bearers, landed).await?;
        for fill in landed.events::<OrderFillRecord>() {
            if fill.filler_reward == 0 {
                continue;
            }
            let party = [fill.taker, fill.maker]
                .iter()
                .filter_map(|user| before.of(*user))
                .any(|standing| {
                    standing.authority == fill.filler || standing.delegate == fill.filler
                });
            prop_assert!(
                !party,
                "the filler {} earned {} on a fill its wallet is party to",
                fill.filler,
                fill.filler_reward
            );
        }
        let derisks = landed.events::<DeriskRecord>();
        // Reading every account again is the slow part of a check; only de-risks need it.
        if !derisks.is_empty() {
            let after = self.standing().await;
            for derisk in derisks {
                let acted = derisk.shares_burned > 0 || derisk.base_reduced > 0;
                let opted_out = [before, &after]
                    .iter()
                    .all(|standings| standings.of(derisk.user).is_some_and(|s| s.opted_out));
                let released_early = derisk.shares_burned > 0
                    && before
                        .of(derisk.user)
                        .is_some_and(|s| before.now < s.cooldown_ends);
                prop_assert!(
                    !released_early,
                    "a de-risk burned {} shares of {} inside its cooldown",
                    derisk.shares_burned,
                    derisk.user
                );
                prop_assert!(
                    !(acted && opted_out),
                    "{} opted out of de-risking and was de-risked ({} shares burned, {} base reduced)",
                    derisk.user,
                    derisk.shares_burned,
                    derisk.base_reduced
                );
            }
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
        for bankruptcy in landed.events::<BankruptcyRecord>() {
            let user: User = self.env.load(bankruptcy.user).await;
            let claims = claims(&user).max(0) as u128;
            let written_off = bankruptcy.socialized
                + u128::from(bankruptcy.covered_by_insurance_fund)
                + u128::from(bankruptcy.covered_by_fee_pool);
            prop_assert!(
                written_off + claims <= bankruptcy.debt,
                "{} had {} of debt written off ({} insured, {} from fees, {} socialized) and \
                 still claims {}",
                bankruptcy.user,
                bankruptcy.debt,
                bankruptcy.covered_by_insurance_fund,
                bankruptcy.covered_by_fee_pool,
                bankruptcy.socialized,
                claims
            );
        }
        Ok(())
    }

    /// The margin rule for one attacker `action` sent alone that landed (see the module);
    /// `before` is the standing from before it.
    pub(super) async fn check_own_margin(
        &mut self,
        before: &Standings,
        action: &Action,
    ) -> Result<(), TestCaseError> {
        let (sub, always) = match *action {
            Action::Withdraw { who, .. } | Action::AddLiquidity { who, .. } => (who, true),
            Action::Trade { who, .. } => (who, false),
            _ => return Ok(()),
        };
        let key = self.subs[sub].user;
        let after = self.standing().await;
        let (Some(was), Some(is)) = (before.of(key), after.of(key)) else {
            return Ok(());
        };
        if !always && !increases_risk(was.base, is.base) {
            return Ok(());
        }
        let priced = [PricedMarket {
            market: &after.perp,
            oracle_price: after.price,
        }];
        let report = margin(&is.account, &after.spot, &priced, MarginType::Initial);
        prop_assert!(
            report.is_some_and(|r| r.summary.meets_requirement()),
            "{:?} landed and left {} below initial margin: {:?}",
            action,
            key,
            report.map(|r| r.summary)
        );
        Ok(())
    }

    /// The liquidation rule for a transaction of one instruction that landed, `before` being
    /// the accounts as that instruction found them (see the module).
    pub(super) fn check_liquidation_stops(
        before: &Standings,
        landed: &TxSuccess,
    ) -> Result<(), TestCaseError> {
        let acted = landed.events::<LiquidationRecord>();
        for liquidation in acted
            .iter()
            .filter(|l| l.shares_burned > 0 && l.base_transferred > 0)
        {
            let Some(was) = before.of(liquidation.user) else {
                continue;
            };
            let (mut user, mut perp) = (was.account, before.perp);
            // What the liquidation did first: cancel the orders (their reservations go with
            // them), settle and burn the shares.
            user.orders = Default::default();
            for position in user.perp_positions.iter_mut() {
                (position.open_orders, position.open_bids, position.open_asks) = (0, 0, 0);
            }
            let slot = find_position(&user, perp.market_index).unwrap();
            let (mut position, burned) =
                after_burn(&user.perp_positions[slot], &perp, liquidation.shares_burned).unwrap();
            release_if_empty(&mut position);
            (user.perp_positions[slot], perp) = (position, *burned);
            let priced = [PricedMarket {
                market: &perp,
                oracle_price: before.price,
            }];
            let burned = margin(&user, &before.spot, &priced, MarginType::Liquidation);
            prop_assert!(
                !burned.is_some_and(|r| r.summary.meets_requirement()),
                "{} met the liquidation margin once {} shares were burned ({:?}), and the \
                 liquidation went on to take {} base",
                liquidation.user,
                liquidation.shares_burned,
                burned.map(|r| r.summary),
                liquidation.base_transferred
            );
        }
        Ok(())
    }

    /// The accounts holding nothing but a debt their claims do not cover: bad debt that
    /// `resolve_bad_debt` should take off the books.
    pub(super) async fn bad_debts(&mut self) -> Vec<Pubkey> {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let mut debts = Vec::new();
        for key in self.accounts() {
            let user: User = self.env.load(key).await;
            let balance = signed_token_amount(&user.quote_balance, &spot).unwrap();
            if holds_only_claims(&user) && balance + claims(&user) < 0 {
                debts.push(key);
            }
        }
        debts
    }
}

/// The mark rule (see the module), from the market before (`before.perp`, at `before.now`,
/// the second the transaction ran in) and after.
fn check_mark(
    before: &Standings,
    perp: &PerpMarket,
    landed: &TxSuccess,
) -> Result<(), TestCaseError> {
    let was = &before.perp.funding;
    let elapsed = u128::try_from((before.now - was.mark_price_ts).max(0)).unwrap();
    let closed = was.mark_price_seconds.get() + u128::from(was.mark_price) * elapsed;
    let sum = perp.funding.mark_price_seconds.get();
    match landed.events::<FundingRecord>().first() {
        None => prop_assert!(
            sum == was.mark_price_seconds.get() || sum == closed,
            "the period's mark sum went from {} to {}: the standing price {} stood {} s, so \
             {} at most",
            was.mark_price_seconds.get(),
            sum,
            was.mark_price,
            elapsed,
            closed
        ),
        Some(update) => {
            let seconds = u128::try_from(before.now - was.last_funding_ts).unwrap();
            let average = u64::try_from(closed / seconds).unwrap();
            prop_assert!(
                update.mark_twap == average && sum == 0,
                "a funding update averaged the mark at {} (the prices that stood: {}) and left \
                 a sum of {}",
                update.mark_twap,
                average,
                sum
            );
        }
    }
    let oracle = perp.amm.last_oracle_price;
    let band = u64::try_from(
        u128::from(oracle) * u128::from(perp.amm.max_spread) / PERCENTAGE_PRECISION as u128,
    )
    .unwrap();
    prop_assert!(
        perp.funding.mark_price.abs_diff(oracle) <= band,
        "the mark left standing, {}, is more than the band {} from the oracle {}",
        perp.funding.mark_price,
        band,
        oracle
    );
    Ok(())
}

/// What the account's positions still claim: with no base left, each position's quote is
/// realized P&L waiting for a pool. precision: QUOTE
fn claims(user: &User) -> i128 {
    user.perp_positions
        .iter()
        .filter(|p| p.is_active())
        .map(|p| p.quote_asset_amount.get())
        .sum()
}
