//! Who bears a write-off: nobody steps out of one between the moment an account goes under and
//! its write-off. When a market move leaves an account under water (maintenance collateral
//! below zero, or bad debt waiting), the red team records who was exposed then: the honest
//! depositor's part of all deposits and the honest staker's part of the insurance fund. Until
//! nobody is under water, every transaction that writes something off (the attacker's or the
//! keeper's) may cost the honest depositor at most its recorded part of what depositors bore,
//! and the honest staker at most its recorded part of what the fund paid (write-offs and
//! liquidators' rewards), a unit of rounding each. An attacker that withdraws, asks out of the
//! fund or unstakes after the move and before the write-off, in the same transaction or
//! earlier, leaves the honest parties a larger part and breaks the rule.
use super::World;
use bal::events::{BankruptcyRecord, LiquidationRecord};
use bal::math::constants::SPOT_BALANCE_TO_TOKEN;
use bal::read::balances::signed_token_amount;
use bal::read::margin::MarginType;
use bal::read::position::holds_only_claims;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::pda;
use bal_client::read::{margin, PricedMarket};
use bal_tests::TxSuccess;
use proptest::prelude::*;

/// What the honest depositor and the honest staker hold, and of what. precision: QUOTE
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Exposure {
    depositor: i128,
    deposits: i128,
    staker_shares: u128,
    total_shares: u128,
    /// The honest staker's shares' value.
    staked: u64,
}

/// How much of `charged` a holder of `part` of `whole` bears, rounded up, plus a unit.
fn share_of(charged: u128, part: u128, whole: u128) -> u128 {
    if whole == 0 {
        return 0;
    }
    (charged * part).div_ceil(whole) + 1
}

impl World {
    pub(super) async fn exposure(&mut self) -> Exposure {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let depositor: User = self.env.load(self.honest[super::DEPOSITOR].user).await;
        let stake = self.honest_staker.stake(&mut self.env).await;
        Exposure {
            depositor: signed_token_amount(&depositor.quote_balance, &spot).unwrap(),
            deposits: (spot.deposit_balance.get() * spot.cumulative_deposit_interest.get()
                / SPOT_BALANCE_TO_TOKEN) as i128,
            staker_shares: stake.shares.get(),
            total_shares: spot.insurance.total_shares.get(),
            staked: self.honest_staker.value(&mut self.env).await,
        }
    }

    /// Whether some account is under water: its maintenance collateral below zero, or a
    /// negative balance with nothing else left.
    async fn anyone_under_water(&mut self) -> bool {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let priced = [PricedMarket {
            market: &perp,
            oracle_price: self.price,
        }];
        for key in self.accounts() {
            let user: User = self.env.load(key).await;
            let debt = signed_token_amount(&user.quote_balance, &spot).unwrap() < 0;
            let under = if holds_only_claims(&user) {
                debt
            } else {
                margin(&user, &spot, &priced, MarginType::Maintenance)
                    .is_some_and(|report| report.summary.collateral < 0)
            };
            if under {
                return true;
            }
        }
        false
    }

    /// After a step: records who is exposed when an account first goes under water, and
    /// forgets it once nobody is.
    pub(super) async fn note_exposure(&mut self) {
        if !self.anyone_under_water().await {
            self.exposed = None;
        } else if self.exposed.is_none() {
            self.exposed = Some(self.exposure().await);
        }
    }

    /// The rule for a landed transaction, `before` the honest parties' holdings when it
    /// began.
    pub(super) async fn check_bearers(
        &mut self,
        before: &Exposure,
        landed: &TxSuccess,
    ) -> Result<(), TestCaseError> {
        let Some(exposed) = self.exposed else {
            return Ok(());
        };
        let bankruptcies = landed.events::<BankruptcyRecord>();
        let rewards: u128 = landed
            .events::<LiquidationRecord>()
            .iter()
            .map(|l| u128::from(l.reward_from_insurance))
            .sum();
        if bankruptcies.is_empty() && rewards == 0 {
            return Ok(());
        }
        let socialized: u128 = bankruptcies.iter().map(|b| b.socialized).sum();
        let insured: u128 = bankruptcies
            .iter()
            .map(|b| u128::from(b.covered_by_insurance_fund))
            .sum::<u128>()
            + rewards;
        let now = self.exposure().await;
        let depositor_lost = (before.depositor - now.depositor).max(0) as u128;
        let allowed = share_of(
            socialized,
            exposed.depositor.max(0) as u128,
            exposed.deposits.max(1) as u128,
        );
        prop_assert!(
            depositor_lost <= allowed,
            "the honest depositor bore {} of a {} write-off, its part when the account went \
             under being {}: someone stepped out",
            depositor_lost,
            socialized,
            allowed
        );
        let staker_lost = u128::from(before.staked.saturating_sub(now.staked));
        let allowed = share_of(insured, exposed.staker_shares, exposed.total_shares) + 1;
        prop_assert!(
            staker_lost <= allowed,
            "the honest staker bore {} of {} the fund paid, its part when the account went \
             under being {}: someone stepped out of the fund",
            staker_lost,
            insured,
            allowed
        );
        Ok(())
    }
}
