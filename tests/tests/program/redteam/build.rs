//! How the red team's actions become instructions, and who signs them: the fuzzers'
//! resolution (`bal_tests::actions::resolve`) against this world, and the honest parties' and
//! the vault's actions it adds.
use super::{World, BASE, DOLLAR, HONEST_LP, PRINCIPAL};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use bal::read::margin::MarginType;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::instructions::{self, QuoteMint};
use bal_client::pda;
use bal_client::read::{margin, PricedMarket};
use bal_tests::actions::{resolve, Action, Party, Roster, Target};
use bal_tests::fixtures::{compute_limit, market};
use bal_tests::vault::{self, DepositorAccounts};
use bal_tests::{TestEnv, TxSuccess};
use bal_vault::state::Vault;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The honest LP's add asks for the curve within 1% of the price it saw.
const ADD_TOLERANCE: u32 = 10_000;

impl Roster for World {
    fn env(&mut self) -> &mut TestEnv {
        &mut self.env
    }

    fn quote(&self) -> QuoteMint {
        self.exchange.quote
    }

    fn party(&self, who: usize) -> Party {
        let sub = &self.subs[who];
        Party {
            wallet: sub.wallet.pubkey(),
            user: sub.user,
            sub_account_id: sub_account_id(who),
            tokens: sub.tokens,
        }
    }

    /// Wallet A pays for what anyone may send.
    fn payer(&self) -> Pubkey {
        self.subs[0].wallet.pubkey()
    }

    fn principal(&self) -> Option<Pubkey> {
        Some(self.honest[PRINCIPAL].user)
    }

    fn price(&self) -> u64 {
        self.price
    }

    async fn user_of(&mut self, target: Target) -> Pubkey {
        match target {
            Target::Party(sub) => self.subs[sub].user,
            Target::Honest(who) => self.honest[who].user,
            Target::Weakest => self.weakest().await,
        }
    }
}

impl World {
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

    /// The instruction for `action`: the vocabulary's resolution, or the honest parties' and
    /// the vault's actions this world adds.
    async fn instruction(&mut self, action: &Action) -> Option<Instruction> {
        let m = market(&self.exchange);
        Some(match *action {
            Action::HonestAdd => {
                let seen = self.curve_price().await;
                let lp = &self.honest[HONEST_LP];
                instructions::add_liquidity(
                    lp.wallet.pubkey(),
                    lp.user,
                    &m,
                    &[],
                    10 * BASE,
                    bal_client::lp::add_bounds(seen, ADD_TOLERANCE),
                )
            }
            Action::HonestVaultDeposit => {
                let amount = 1_000 * DOLLAR;
                let min_shares = self.vault_shares_for(amount).await * 99 / 100;
                let investor = &self.vault.investor.accounts;
                vault::deposit(
                    &self.vault.addresses,
                    &self.exchange,
                    investor,
                    amount,
                    min_shares,
                )
            }
            Action::VaultDeposit { dollars } => vault::deposit(
                &self.vault.addresses,
                &self.exchange,
                &self.attacker_depositor(),
                dollars * DOLLAR,
                0,
            ),
            Action::VaultInvest => vault::invest(&self.vault.addresses, &self.exchange),
            _ => resolve(self, action).await?.instruction(&m, &[]),
        })
    }

    /// The wallets of this world that sign an instruction.
    fn keyring(&self) -> impl Iterator<Item = &Keypair> {
        self.subs
            .iter()
            .map(|s| &s.wallet)
            .chain([&self.honest[HONEST_LP].wallet, &self.vault.investor.wallet])
    }

    /// Sends `actions` as one transaction; `None` when none could be built, else what landed
    /// (its records) or `Err` when the program refused it.
    pub(super) async fn send(&mut self, actions: &[Action]) -> Option<Result<TxSuccess, ()>> {
        let mut ixs = vec![compute_limit(1_400_000)];
        let mut signers: Vec<Keypair> = Vec::new();
        for action in actions {
            let ix = self.instruction(action).await?;
            for meta in ix.accounts.iter().filter(|meta| meta.is_signer) {
                let wallet = self.keyring().find(|k| k.pubkey() == meta.pubkey);
                let wallet = wallet.expect("a signer of this world");
                if !signers.iter().any(|k| k.pubkey() == meta.pubkey) {
                    signers.push(wallet.insecure_clone());
                }
            }
            ixs.push(ix);
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
