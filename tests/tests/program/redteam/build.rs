//! How the red team's actions become instructions, and who signs them.
use super::actions::{Action, Target};
use super::{World, BASE, DOLLAR, HONEST_LP, HONEST_TAKER, PRINCIPAL, SUBS};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::instructions::OrderParams;
use bal::read::margin::MarginType;
use bal::state::PriceBounds;
use bal::state::RestingOrderParams;
use bal::state::{InsuranceStake, PerpMarket, SpotMarket, User};
use bal_client::instructions::{
    self, CollateralAccounts, MakerOrderRef, StakeAccounts, UserSetting,
};
use bal_client::pda;
use bal_client::read::{margin, PricedMarket};
use bal_tests::fixtures::{compute_limit, market, order};
use bal_tests::fuzzing::direction;
use bal_tests::inspect::quote_balance;
use bal_tests::vault::{self, DepositorAccounts};
use bal_tests::TxSuccess;
use bal_vault::state::Vault;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The order step of the fuzzers' market. precision: BASE
const STEP: u64 = BASE / 1_000;
/// The honest LP's add asks for the curve within 1% of the price it saw.
const ADD_TOLERANCE: u32 = 10_000;

/// Who signs an action: an attacker subaccount's wallet, or an honest party the attacker
/// orders transactions for.
#[derive(Clone, Copy)]
pub(super) enum Signs {
    /// A permissionless instruction: wallet A pays for the transaction if nobody else signs.
    Anyone,
    Sub(usize),
    HonestLp,
    Investor,
}

impl World {
    pub(super) async fn user_of(&mut self, target: Target) -> Pubkey {
        match target {
            Target::Own(sub) => self.subs[sub].user,
            Target::Honest(who) => self.honest[who].user,
            Target::Weakest => self.weakest().await,
        }
    }

    /// The honest account with the least maintenance margin to spare, as a keeper's reader
    /// would rank them.
    async fn weakest(&mut self) -> Pubkey {
        let spot: SpotMarket = self.env.load(pda::spot_market(0)).await;
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        let priced = [PricedMarket {
            market: &perp,
            oracle_price: self.price,
        }];
        let mut candidates: Vec<Pubkey> = self.honest.iter().map(|h| h.user).collect();
        candidates.push(self.vault.addresses.bal_user);
        let mut weakest = (i128::MAX, candidates[0]);
        for key in candidates {
            let user: User = self.env.load(key).await;
            let spare = margin(&user, &spot, &priced, MarginType::Maintenance)
                .map_or(i128::MAX, |report| report.free_collateral);
            if spare < weakest.0 {
                weakest = (spare, key);
            }
        }
        weakest.1
    }

    fn principal(&self) -> Pubkey {
        self.honest[PRINCIPAL].user
    }

    fn collateral(&self, sub: usize) -> CollateralAccounts {
        CollateralAccounts {
            signer: self.subs[sub].wallet.pubkey(),
            user: self.subs[sub].user,
            token_account: self.subs[sub].tokens,
            quote: self.exchange.quote,
        }
    }

    /// `sub`'s wallet as an insurance staker, through the subaccount's token account.
    fn stake_accounts(&self, sub: usize) -> StakeAccounts {
        StakeAccounts {
            authority: self.subs[sub].wallet.pubkey(),
            token_account: self.subs[sub].tokens,
            quote: self.exchange.quote,
        }
    }

    /// Wallet A as a vault depositor.
    pub(super) fn attacker_depositor(&self) -> DepositorAccounts {
        DepositorAccounts {
            owner: self.subs[0].wallet.pubkey(),
            token_account: self.subs[0].tokens,
        }
    }

    /// The curve's reserve price now. precision: PRICE
    async fn curve_price(&mut self) -> u64 {
        let perp: PerpMarket = self.env.load(pda::perp_market(0)).await;
        bal::math::amm::reserve_price(&perp.amm.curve(), perp.amm.peg_multiplier).unwrap()
    }

    /// The vault shares `amount` buys at the vault's value now, as a depositor's page would
    /// quote them (the vault's own rule: its subaccount's net value at the oracle).
    async fn vault_shares_for(&mut self, amount: u64) -> u64 {
        let account: Vault = self.env.account(self.vault.addresses.vault).await;
        let value = self.vault_value().await.max(1);
        (i128::from(amount) * i128::from(account.total_shares) / value) as u64
    }

    /// `user`'s first open order that is (or is not) post-only.
    pub(super) async fn order_id(&mut self, user: Pubkey, post_only: bool) -> Option<u32> {
        let user: User = self.env.load(user).await;
        user.orders
            .iter()
            .find(|o| o.is_open() && (o.post_only == 1) == post_only)
            .map(|o| o.order_id)
    }

    /// The instruction for `action` and who signs it.
    async fn instruction(&mut self, action: &Action) -> Option<(Instruction, Signs)> {
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
                Signs::Sub(sub),
            ),
            Action::Close { sub } => (
                instructions::close_position(signer(sub), self.subs[sub].user, &m, &[], None),
                Signs::Sub(sub),
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
                        // A settled LP's position is exact, not a step multiple.
                        base.unsigned_abs().checked_sub(leave.base())? / STEP * STEP,
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
                    Signs::Sub(sub),
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
                Signs::Sub(sub),
            ),
            Action::RemoveLiquidity { sub } => (
                instructions::remove_liquidity(signer(sub), self.subs[sub].user, 0, None),
                Signs::Sub(sub),
            ),
            Action::Deposit { sub, dollars } => (
                instructions::deposit(&self.collateral(sub), dollars * DOLLAR),
                Signs::Sub(sub),
            ),
            Action::Withdraw {
                sub,
                dollars,
                borrow,
            } => {
                let ix =
                    instructions::withdraw(&self.collateral(sub), dollars * DOLLAR, borrow, &[m]);
                (ix, Signs::Sub(sub))
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
                    Signs::Sub(sub),
                )
            }
            Action::Fill {
                filler,
                taker,
                maker,
            } => {
                let taker_order = self.order_id(self.subs[taker].user, false).await?;
                let maker_user = match maker {
                    SUBS => self.principal(),
                    own => self.subs[own].user,
                };
                let makers = match self.order_id(maker_user, true).await {
                    Some(order_id) if maker != taker => vec![MakerOrderRef {
                        user: maker_user,
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
                    Signs::Sub(filler),
                )
            }
            Action::CancelAll { sub } => (
                instructions::cancel_orders(signer(sub), self.subs[sub].user, None),
                Signs::Sub(sub),
            ),
            Action::SettlePnl { target } => (
                instructions::settle_pnl(self.user_of(target).await, &m, &[]),
                Signs::Anyone,
            ),
            Action::SettleLp { target } => (
                instructions::settle_lp(signer(0), self.user_of(target).await, 0),
                Signs::Sub(0),
            ),
            Action::Derisk { target } => (
                instructions::derisk_lp(self.user_of(target).await, &m, &[]),
                Signs::Anyone,
            ),
            Action::Liquidate { liquidator, target } => (
                instructions::liquidate_perp(
                    signer(liquidator),
                    self.subs[liquidator].user,
                    self.user_of(target).await,
                    &m,
                    &[],
                    u64::MAX,
                ),
                Signs::Sub(liquidator),
            ),
            Action::ResolveBadDebt { target } => {
                let key = self.user_of(target).await;
                let user: User = self.env.load(key).await;
                (
                    instructions::resolve_bad_debt(key, user.last_loss_market),
                    Signs::Anyone,
                )
            }
            Action::MarginRatio { sub, ratio } => (
                instructions::update_user(
                    signer(sub),
                    sub_account_id(sub),
                    UserSetting::CustomMarginRatio(ratio),
                ),
                Signs::Sub(sub),
            ),
            Action::OptOut { sub, opt_out } => (
                instructions::update_user(
                    signer(sub),
                    sub_account_id(sub),
                    UserSetting::DeriskOptOut(opt_out),
                ),
                Signs::Sub(sub),
            ),
            Action::UpdateFunding => (instructions::update_funding_rate(&m), Signs::Anyone),
            Action::FillHonest { filler, maker } => {
                let taker = self.honest[HONEST_TAKER].user;
                let taker_order = self.order_id(taker, false).await?;
                let mut makers = Vec::new();
                if let Some(maker) = maker {
                    let user = self.subs[maker].user;
                    if let Some(order_id) = self.order_id(user, true).await {
                        makers.push(MakerOrderRef { user, order_id });
                    }
                }
                (
                    instructions::fill_order(
                        signer(filler),
                        self.subs[filler].user,
                        (taker, taker_order),
                        &makers,
                        &m,
                        &[],
                    ),
                    Signs::Sub(filler),
                )
            }
            Action::DelegateClose => (
                instructions::close_position(signer(0), self.principal(), &m, &[], None),
                Signs::Sub(0),
            ),
            Action::DelegateTrade { long, size } => (
                instructions::place_perp_order(
                    signer(0),
                    self.principal(),
                    &m,
                    &[],
                    order(direction(long), size.base()),
                ),
                Signs::Sub(0),
            ),
            Action::DelegateOrder { long, offset_bps } => {
                let price = self.price as i64;
                let params = RestingOrderParams {
                    direction: direction(long),
                    base_amount: BASE,
                    price: (price + price * offset_bps / 10_000) as u64,
                    post_only: true,
                    reduce_only: false,
                    expiry_ts: 0,
                };
                (
                    instructions::place_order(signer(0), self.principal(), &m, &[], params),
                    Signs::Sub(0),
                )
            }
            Action::HonestAdd => {
                let seen = self.curve_price().await;
                let lp = &self.honest[HONEST_LP];
                (
                    instructions::add_liquidity(
                        lp.wallet.pubkey(),
                        lp.user,
                        &m,
                        &[],
                        10 * BASE,
                        bal_client::lp::add_bounds(seen, ADD_TOLERANCE),
                    ),
                    Signs::HonestLp,
                )
            }
            Action::HonestVaultDeposit => {
                let amount = 1_000 * DOLLAR;
                let min_shares = self.vault_shares_for(amount).await * 99 / 100;
                let investor = &self.vault.investor.accounts;
                (
                    vault::deposit(
                        &self.vault.addresses,
                        &self.exchange,
                        investor,
                        amount,
                        min_shares,
                    ),
                    Signs::Investor,
                )
            }
            Action::VaultDeposit { dollars } => (
                vault::deposit(
                    &self.vault.addresses,
                    &self.exchange,
                    &self.attacker_depositor(),
                    dollars * DOLLAR,
                    0,
                ),
                Signs::Sub(0),
            ),
            Action::VaultInvest => (
                vault::invest(&self.vault.addresses, &self.exchange),
                Signs::Anyone,
            ),
            Action::WithdrawAll { sub } => {
                let held = quote_balance(&mut self.env, self.subs[sub].user).await;
                let amount = u64::try_from(held).ok().filter(|a| *a > 0)?;
                let ix = instructions::withdraw(&self.collateral(sub), amount, false, &[m]);
                (ix, Signs::Sub(sub))
            }
            Action::Stake { sub, dollars } => (
                instructions::add_insurance_stake(&self.stake_accounts(sub), dollars * DOLLAR),
                Signs::Sub(sub),
            ),
            Action::AskOut { sub } => {
                let stake: InsuranceStake =
                    self.env.load(pda::insurance_stake(&signer(sub), 0)).await;
                let shares = Some(stake.shares.get()).filter(|s| *s > 0)?;
                (
                    instructions::request_insurance_unstake(signer(sub), shares),
                    Signs::Sub(sub),
                )
            }
            Action::Unstake { sub } => (
                instructions::remove_insurance_stake(&self.stake_accounts(sub)),
                Signs::Sub(sub),
            ),
        })
    }

    /// Sends `actions` as one transaction; `None` when none could be built, else what landed
    /// (its records) or `Err` when the program refused it.
    pub(super) async fn send(&mut self, actions: &[Action]) -> Option<Result<TxSuccess, ()>> {
        let mut ixs = vec![compute_limit(1_400_000)];
        let mut signers: Vec<Keypair> = Vec::new();
        for action in actions {
            let (ix, signs) = self.instruction(action).await?;
            ixs.push(ix);
            let wallet = match signs {
                Signs::Anyone => continue,
                Signs::Sub(sub) => &self.subs[sub].wallet,
                Signs::HonestLp => &self.honest[HONEST_LP].wallet,
                Signs::Investor => &self.vault.investor.wallet,
            };
            if !signers.iter().any(|k| k.pubkey() == wallet.pubkey()) {
                signers.push(wallet.insecure_clone());
            }
        }
        if signers.is_empty() {
            signers.push(self.subs[0].wallet.insecure_clone());
        }
        let payers: Vec<&Keypair> = signers.iter().collect();
        Some(
            self.env
                .send_unmetered_capturing_events(&ixs, &payers)
                .await
                .map_err(|_| ()),
        )
    }
}

fn sub_account_id(sub: usize) -> u16 {
    if sub == 1 {
        1
    } else {
        0
    }
}
