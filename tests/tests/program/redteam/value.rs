//! The profit oracle's measure, in the fuzzer's own arithmetic: what an account is worth,
//! computed from its fields, the market's accumulators and the oracle price alone. It calls
//! none of the program's margin, settle, funding or shortfall code (only its account types and
//! its 256-bit integer type), so a bug there cannot hide from it by moving both sides of the
//! check. Every amount is kept exact, as a numerator over one denominator (`DENOMINATOR`), and
//! floored once per account: a rounding the program makes (always against the account) can
//! only lower it.
//!
//! What still shares the program's code: the mark rule and the own-margin rule in `rules.rs`
//! read `bal_client::read::margin` (the program's margin engine), and the vault's share
//! quote in `build.rs` is the vault's own rule.
use super::rules::Standings;
use super::{World, SUBS};
use bal::math::wide::U256;
use bal::state::{InsuranceStake, PerpMarket, PerpPosition, SpotBalance, SpotMarket, User};
use bal_client::pda;
use bal_vault::state::{Depositor, Vault};
use solana_signer::Signer;

/// One quote unit in the model's numerators: LP_ACC (1e24) × the funding divisor (1e12) ×
/// BASE (1e9), so every term below is an integer.
fn denominator() -> U256 {
    U256::exp10(45)
}

/// An exact signed amount of quote, as a two's-complement numerator over `denominator()`.
#[derive(Clone, Copy)]
struct Exact(U256);

impl Exact {
    const ZERO: Exact = Exact(U256::zero());

    /// The product of `factors` times 10^`exponent`.
    fn product(factors: &[i128], exponent: usize) -> Exact {
        let negative = factors.iter().filter(|f| **f < 0).count() % 2 == 1;
        let magnitude = factors.iter().fold(U256::exp10(exponent), |acc, f| {
            acc * U256::from(f.unsigned_abs())
        });
        Exact::signed(negative, magnitude)
    }

    fn signed(negative: bool, magnitude: U256) -> Exact {
        let value = Exact(magnitude);
        if negative {
            value.neg()
        } else {
            value
        }
    }

    fn neg(self) -> Exact {
        Exact((!self.0).overflowing_add(U256::one()).0)
    }

    fn add(self, other: Exact) -> Exact {
        Exact(self.0.overflowing_add(other.0).0)
    }

    fn sub(self, other: Exact) -> Exact {
        self.add(other.neg())
    }

    fn is_negative(self) -> bool {
        self.0.bit(255)
    }

    fn max(self, other: Exact) -> Exact {
        if self.sub(other).is_negative() {
            other
        } else {
            self
        }
    }

    /// Whole quote units, rounded toward −∞. precision: QUOTE
    fn floor(self) -> i128 {
        let (quotient, remainder) = if self.is_negative() {
            self.neg().0.div_mod(denominator())
        } else {
            self.0.div_mod(denominator())
        };
        let whole = i128::try_from(quotient.as_u128()).expect("a quote amount");
        match (self.is_negative(), remainder.is_zero()) {
            (false, _) => whole,
            (true, true) => -whole,
            (true, false) => -whole - 1,
        }
    }
}

/// A two's-complement 256-bit field as an `Exact` numerator scaled by 10^`exponent`.
fn wide_times(value: U256, factor: u128, exponent: usize) -> Exact {
    let negative = value.bit(255);
    let magnitude = if negative {
        (!value).overflowing_add(U256::one()).0
    } else {
        value
    };
    Exact::signed(
        negative,
        magnitude * U256::from(factor) * U256::exp10(exponent),
    )
}

/// The quote balance: scaled × index / 1e13 tokens (a borrow negative).
fn balance(balance: &SpotBalance, spot: &SpotMarket) -> Exact {
    let (index, negative) = match balance.kind {
        0 => (spot.cumulative_deposit_interest.get(), false),
        _ => (spot.cumulative_borrow_interest.get(), true),
    };
    let scaled = balance.scaled_balance.get();
    Exact::signed(
        negative,
        U256::from(scaled) * U256::from(index) * U256::exp10(32),
    )
}

/// A position's P&L at `price`: its quote, its base at the price, the funding its base owes
/// since it last settled, and its LP entitlement (its share of every fill's base and quote
/// since, and the funding on that inventory).
fn position_pnl(position: &PerpPosition, perp: &PerpMarket, price: u64) -> Exact {
    let base = i128::from(position.base_asset_amount);
    let rate = i128::from(perp.funding.cumulative_funding_rate);
    let quote = Exact::product(&[position.quote_asset_amount.get()], 45);
    let at_price = Exact::product(&[base, i128::from(price)], 36);
    let funding = Exact::product(
        &[
            base,
            rate - i128::from(position.last_cumulative_funding_rate),
        ],
        33,
    );
    let lp = &position.lp;
    let shares = lp.shares.get() as i128;
    let base_delta = perp.lp.base_per_share.get() - lp.base_per_share.get();
    let quote_delta = perp.lp.quote_per_share.get() - lp.quote_per_share.get();
    let lp_base = Exact::product(&[base_delta, shares, i128::from(price)], 12);
    let lp_quote = Exact::product(&[quote_delta, shares], 21);
    // s · ((G − G₀) − B₀ · (F − F₀)), paid by the position.
    let g_delta = perp
        .lp
        .funding_per_share
        .get()
        .overflowing_sub(lp.funding_per_share.get())
        .0;
    let held_on_snapshot = Exact::product(
        &[
            lp.base_per_share.get(),
            rate - i128::from(lp.cumulative_funding_rate),
        ],
        0,
    );
    let held = Exact(g_delta).sub(held_on_snapshot);
    let lp_funding = wide_times(held.0, lp.shares.get(), 9);
    quote
        .add(at_price)
        .sub(funding)
        .add(lp_base)
        .add(lp_quote)
        .sub(lp_funding)
}

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

/// Values accounts of market 0 at one price. The gain shortfall (`Payable`) is the users' net
/// P&L over every account of the market less what the P&L pool holds, charged to every gain.
pub(super) struct Model<'a> {
    spot: &'a SpotMarket,
    perp: &'a PerpMarket,
    price: u64,
    shortfall: Exact,
}

impl<'a> Model<'a> {
    /// `everyone` must be every account holding a position in the market.
    pub(super) fn new(
        spot: &'a SpotMarket,
        perp: &'a PerpMarket,
        price: u64,
        everyone: &[User],
        rule: Valuation,
    ) -> Self {
        let shortfall = match rule {
            Valuation::Owed => Exact::ZERO,
            Valuation::Payable => {
                let net = everyone
                    .iter()
                    .flat_map(|u| u.perp_positions.iter().filter(|p| p.is_active()))
                    .fold(Exact::ZERO, |sum, p| sum.add(position_pnl(p, perp, price)));
                let pool = Exact::product(&[i128::from(perp.pnl_pool)], 45);
                net.sub(pool).max(Exact::ZERO)
            }
        };
        Model {
            spot,
            perp,
            price,
            shortfall,
        }
    }

    /// `user`'s net value: its balance plus each position's P&L, a gain less the shortfall,
    /// floored at zero (a subaccount in debt is walked away from). precision: QUOTE
    pub(super) fn value(&self, user: &User) -> i128 {
        let mut net = balance(&user.quote_balance, self.spot);
        for position in user.perp_positions.iter().filter(|p| p.is_active()) {
            let pnl = position_pnl(position, self.perp, self.price);
            let counted = if pnl.is_negative() {
                pnl
            } else {
                pnl.sub(self.shortfall).max(Exact::ZERO)
            };
            net = net.add(counted);
        }
        net.floor().max(0)
    }
}

impl World {
    async fn users(&mut self, keys: &[anchor_lang::prelude::Pubkey]) -> Vec<User> {
        let mut users = Vec::with_capacity(keys.len());
        for key in keys {
            users.push(self.env.load::<User>(*key).await);
        }
        users
    }

    /// Values accounts as they stand, by `rule`: `f` gets the model and every account.
    async fn with_model<T>(&mut self, rule: Valuation, f: impl FnOnce(&Model, &[User]) -> T) -> T {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let keys = self.accounts();
        let everyone = self.users(&keys).await;
        let model = Model::new(&spot, &perp, self.price, &everyone, rule);
        f(&model, &everyone)
    }

    /// The vault's value: its subaccount's, by the model with gains in full (the vault's own
    /// rule prices its shares at net value). precision: QUOTE
    pub(super) async fn vault_value(&mut self) -> i128 {
        // `accounts` lists the vault's subaccount last.
        self.with_model(Valuation::Owed, |model, everyone| {
            model.value(everyone.last().expect("the vault's subaccount"))
        })
        .await
    }

    /// What the insurance stake of `sub`'s wallet pays: its shares at the fund's price, a
    /// pending request at most what it was worth when asked. precision: QUOTE
    async fn stake_value(&mut self, sub: usize) -> i128 {
        let owner = self.subs[sub].wallet.pubkey();
        let stake: InsuranceStake = self.env.load(pda::insurance_stake(&owner, 0)).await;
        let fund = self
            .env
            .load::<SpotMarket>(pda::spot_market(0))
            .await
            .insurance;
        // The fund's price, rounded down, in the fuzzer's own arithmetic.
        let worth = |shares: u128| {
            (shares * u128::from(fund.balance))
                .checked_div(fund.total_shares.get())
                .map_or(0, |value| value as u64)
        };
        let requested = stake.requested_shares.get();
        let kept = worth(stake.shares.get() - requested);
        let asked = worth(requested).min(stake.requested_value);
        i128::from(kept) + i128::from(asked)
    }

    /// What `owner`'s vault shares are worth at `vault_value`. precision: QUOTE
    async fn vault_holding(
        &mut self,
        owner: &anchor_lang::prelude::Pubkey,
        vault_value: i128,
    ) -> i128 {
        let address = self.vault.addresses.depositor(owner);
        let Some(raw) = self.env.raw_account(address).await else {
            return 0;
        };
        if raw.data.is_empty() {
            return 0;
        }
        let holding: Depositor = self.env.account(address).await;
        let vault: Vault = self.env.account(self.vault.addresses.vault).await;
        if vault.total_shares == 0 {
            return 0;
        }
        vault_value * i128::from(holding.shares) / i128::from(vault.total_shares)
    }

    /// The attacker's value (the profit oracle in `redteam`): its wallets' tokens, its vault
    /// shares and each subaccount's net value as `rule` counts it. precision: QUOTE
    pub(super) async fn attacker_value(&mut self, rule: Valuation) -> i128 {
        let mut value = 0i128;
        for wallet in [0, 2] {
            value += i128::from(self.env.token_balance(self.subs[wallet].tokens).await);
        }
        value += self
            .with_model(rule, |model, everyone| {
                everyone[..SUBS]
                    .iter()
                    .map(|u| model.value(u))
                    .sum::<i128>()
            })
            .await;
        for wallet in [0, 2] {
            value += self.stake_value(wallet).await;
        }
        let vault_value = self.vault_value().await;
        let owner = self.subs[0].wallet.pubkey();
        value + self.vault_holding(&owner, vault_value).await
    }

    /// The honest parties' value: their subaccounts, the vault depositor's tokens and
    /// shares. precision: QUOTE
    pub(super) async fn honest_value(&mut self, rule: Valuation) -> i128 {
        let honest = self
            .with_model(rule, |model, everyone| {
                let vault = everyone.len() - 1;
                everyone[SUBS..vault]
                    .iter()
                    .map(|u| model.value(u))
                    .sum::<i128>()
            })
            .await;
        let investor = self.vault.investor.accounts;
        let tokens = i128::from(self.env.token_balance(investor.token_account).await);
        let vault_value = self.vault_value().await;
        honest + tokens + self.vault_holding(&investor.owner, vault_value).await
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
        let everyone = before.everyone();
        let value = |perp: &PerpMarket| {
            let model = Model::new(&before.spot, perp, before.price, &everyone, rule);
            everyone[..SUBS]
                .iter()
                .map(|u| model.value(u))
                .sum::<i128>()
        };
        // Funding rounds once per position, against it; a position whose LP inventory the
        // transaction settled before the update is paid on its settled base rather than
        // through the per-share accumulator, which may round the other way: a unit each.
        let positions = everyone[..SUBS]
            .iter()
            .flat_map(|u| u.perp_positions.iter().filter(|p| p.is_active()))
            .count() as i128;
        value(&paid) - value(was) + positions
    }
}
