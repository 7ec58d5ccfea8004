//! Insurance fund stakers for scenarios: a wallet with a token account and a stake.
use crate::fixtures::{create_token_account, Exchange};
use crate::TestEnv;
use anchor_lang::prelude::Pubkey;
use bal::state::{InsuranceStake, SpotMarket};
use bal_client::instructions::{self, StakeAccounts};
use bal_client::pda;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub struct Staker {
    pub wallet: Keypair,
    pub token_account: Pubkey,
}

impl Staker {
    pub fn accounts(&self, exchange: &Exchange) -> StakeAccounts {
        StakeAccounts {
            authority: self.wallet.pubkey(),
            token_account: self.token_account,
            quote: exchange.quote,
        }
    }

    pub async fn stake(&self, env: &mut TestEnv) -> InsuranceStake {
        env.load(pda::insurance_stake(&self.wallet.pubkey(), 0))
            .await
    }

    /// What its shares are worth now. precision: QUOTE
    pub async fn value(&self, env: &mut TestEnv) -> u64 {
        let shares = self.stake(env).await.shares.get();
        let fund = env.load::<SpotMarket>(pda::spot_market(0)).await.insurance;
        bal::math::insurance::value_of_shares(shares, fund.balance, fund.total_shares.get())
            .expect("value")
    }
}

/// A new wallet that stakes `amount` quote tokens in the insurance fund.
pub async fn staker(env: &mut TestEnv, exchange: &Exchange, amount: u64) -> Staker {
    let wallet = env.funded_wallet().await;
    let token_account = create_token_account(env, exchange, &wallet, amount).await;
    let staker = Staker {
        wallet,
        token_account,
    };
    env.send(
        "add_insurance_stake",
        &[
            instructions::initialize_insurance_stake(staker.wallet.pubkey()),
            instructions::add_insurance_stake(&staker.accounts(exchange), amount),
        ],
        &[&staker.wallet],
    )
    .await
    .expect("stake");
    staker
}
