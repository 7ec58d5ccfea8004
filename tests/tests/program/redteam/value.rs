//! The profit oracle's measure: what the attacker's holdings are worth, and what a funding
//! update in its own transaction may pay them.
use super::rules::Standings;
use super::{World, SUBS};
use bal::controller::margin::{position_pnl, simulated_position, MarketView};
use bal::controller::spot_balance::signed_token_amount;
use bal::math::constants::PERCENTAGE_PRECISION;
use bal::math::margin::payable_pnl;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::pda;

/// How the attacker's subaccounts are valued.
#[derive(Clone, Copy)]
pub(super) enum Valuation {
    /// Unsettled gains only as far as the P&L pool can pay them, each subaccount floored at
    /// zero (strict mode: nothing can make a gain payable but the attacker).
    Payable,
    /// Unsettled gains in full, each subaccount floored at zero (market mode: honest losses
    /// fill the pool at their own pace, a gain the market gave is the attacker's, and so is a
    /// debt a gap left behind: a leveraged account can lose no more than it holds).
    Owed,
}

impl World {
    /// The attacker's value (the profit oracle in `redteam`): its wallets' tokens, plus each
    /// subaccount's net value as `rule` counts it. precision: QUOTE
    pub(super) async fn attacker_value(&mut self, rule: Valuation) -> i128 {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let mut value = 0i128;
        for wallet in [0, 2] {
            value += i128::from(self.env.token_balance(self.subs[wallet].tokens).await);
        }
        let mut users = Vec::new();
        for sub in 0..SUBS {
            users.push(self.env.load::<User>(self.subs[sub].user).await);
        }
        value + accounts_value(&users, &spot, &perp, self.price, rule)
    }

    /// Funding is the market's to give: when a transaction updated it, what the rate it set
    /// pays (or charges) the positions the attacker held when the transaction began, valued
    /// by `rule`, and a unit of rounding a position; 0 otherwise. Positions it opened in the
    /// transaction earn no allowance: open, collect and close in one transaction is the
    /// attacker's own doing. How far one transaction can move the rate itself is the mark
    /// rule's (`rules.rs`).
    pub(super) async fn funding_paid(&mut self, before: &Standings, rule: Valuation) -> i128 {
        let after: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let was = &before.perp;
        if after.funding.cumulative_funding_rate == was.funding.cumulative_funding_rate {
            return 0;
        }
        let mut paid = *was;
        paid.funding.cumulative_funding_rate = after.funding.cumulative_funding_rate;
        paid.lp.funding_per_share = after.lp.funding_per_share;
        let users = before.attacker_accounts(&self.subs);
        let value = |perp| accounts_value(&users, &before.spot, perp, before.price, rule);
        // Funding rounds once per position, against it; a position whose LP inventory the
        // transaction settled before the update is paid on its settled base rather than
        // through the per-share accumulator, which may round the other way: a unit each.
        let positions = users
            .iter()
            .flat_map(|u| u.perp_positions.iter().filter(|p| p.is_active()))
            .count() as i128;
        value(&paid) - value(was) + positions
    }
}

/// The attacker's subaccounts `users` valued by `rule` in `perp` at `price`: each one's
/// balance plus its positions' P&L (LP inventory and unsettled funding included), floored at
/// zero. precision: QUOTE
fn accounts_value(
    users: &[User],
    spot: &SpotMarket,
    perp: &PerpMarket,
    price: u64,
    rule: Valuation,
) -> i128 {
    let view = MarketView::current(perp, price).unwrap();
    let shortfall = match rule {
        Valuation::Payable => view.gain_shortfall,
        Valuation::Owed => 0,
    };
    let mut value = 0;
    for user in users {
        let mut net = signed_token_amount(&user.quote_balance, spot).unwrap();
        for stored in user.perp_positions.iter().filter(|p| p.is_active()) {
            let position = simulated_position(stored, &view).unwrap();
            let pnl = position_pnl(&position, &view).unwrap();
            net += payable_pnl(pnl, shortfall, PERCENTAGE_PRECISION).unwrap();
        }
        value += net.max(0);
    }
    value
}
