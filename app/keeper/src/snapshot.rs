//! One read of the exchange: the markets to keep with their oracle prices, the quote spot
//! market, and every user, found with filtered program-account queries.
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::{AccountDeserialize, Discriminator};
use bal::read::oracle::read_oracle;
use bal::state::{PerpMarket, SpotMarket, State, User};
use bal_client::instructions::MarketAccounts;
use bal_client::pda;
use bal_client::read::{decode, PricedMarket};
use bal_transport::chain::{AccountData, Chain, ChainError, Filter};

/// A perp market and what its oracle says now.
#[derive(Clone, Debug)]
pub struct MarketState {
    pub market: PerpMarket,
    /// `None` when the oracle cannot be read (the keeper then leaves the market's margin duties
    /// for a later round). precision: PRICE
    pub oracle_price: Option<u64>,
}

impl MarketState {
    pub fn accounts(&self) -> MarketAccounts {
        MarketAccounts {
            market_index: self.market.market_index,
            oracle: self.market.oracle,
        }
    }
}

pub struct Snapshot {
    pub now: i64,
    pub slot: u64,
    /// `State::lp_cooldown_seconds`: no LP is de-risked before its cooldown ends.
    pub lp_cooldown_seconds: i64,
    pub spot: SpotMarket,
    /// Every market found (the margin of a user spans all of them), sorted by index.
    pub all_markets: Vec<MarketState>,
    /// The ones to keep.
    pub markets: Vec<MarketState>,
    pub users: Vec<(Pubkey, User)>,
}

impl Snapshot {
    /// Every perp market's address: the accounts every trade writes, and so the ones a priority
    /// fee is estimated for (a user's own account is for its owner to make look busy).
    pub fn market_addresses(&self) -> Vec<Pubkey> {
        self.all_markets
            .iter()
            .map(|m| pda::perp_market(m.market.market_index))
            .collect()
    }

    /// The keeper's own subaccount, if it exists.
    pub fn keeper_user(&self, signer: Pubkey, sub_account: u16) -> Option<Pubkey> {
        let address = pda::user(&signer, sub_account);
        self.users
            .iter()
            .any(|(key, _)| *key == address)
            .then_some(address)
    }

    /// The markets valued at their oracle prices, for the client's margin report; `None` when
    /// a market `user` holds has no readable price.
    pub fn priced_for(&self, user: &User) -> Option<Vec<PricedMarket<'_>>> {
        let mut priced = Vec::new();
        for position in user.perp_positions.iter().filter(|p| p.is_active()) {
            let state = self
                .all_markets
                .iter()
                .find(|m| m.market.market_index == position.market_index)?;
            priced.push(PricedMarket {
                market: &state.market,
                oracle_price: state.oracle_price?,
            });
        }
        Some(priced)
    }

    /// The markets of `user`'s active positions other than `market_index`, in slot order (the
    /// remaining accounts a margin check takes).
    pub fn other_markets(&self, user: &User, market_index: u16) -> Vec<MarketAccounts> {
        user.perp_positions
            .iter()
            .filter(|p| p.is_active() && p.market_index != market_index)
            .filter_map(|p| {
                self.all_markets
                    .iter()
                    .find(|m| m.market.market_index == p.market_index)
                    .map(MarketState::accounts)
            })
            .collect()
    }
}

fn decode_all<T: bytemuck::Pod + Discriminator>(
    accounts: Vec<(Pubkey, AccountData)>,
) -> Vec<(Pubkey, T)> {
    accounts
        .into_iter()
        .filter_map(|(key, account)| decode::<T>(&account.data).ok().map(|t| (key, t)))
        .collect()
}

fn zero_copy_filters<T: Discriminator>(space: usize) -> [Filter; 2] {
    [
        Filter::Prefix(T::DISCRIMINATOR),
        Filter::DataSize(space as u64),
    ]
}

/// The oracle's price, read by the program's own parser (program oracle or Pyth).
pub fn oracle_price(market: &PerpMarket, oracle: Option<AccountData>) -> Option<u64> {
    let mut account = oracle?;
    let mut lamports = 0;
    let info = AccountInfo::new(
        &market.oracle,
        false,
        false,
        &mut lamports,
        &mut account.data,
        &account.owner,
        false,
    );
    let price = read_oracle(market, &info).ok()?.price;
    u64::try_from(price).ok().filter(|p| *p > 0)
}

pub async fn load<C: Chain>(chain: &mut C, wanted: &[u16]) -> Result<Snapshot, ChainError> {
    let clock = chain.clock().await?;
    let state_data = chain
        .account(pda::state())
        .await?
        .ok_or_else(|| ChainError::other("the program's state does not exist"))?;
    let state = State::try_deserialize(&mut state_data.data.as_slice())
        .map_err(|e| ChainError::other(format!("state: {e}")))?;
    let spot_data = chain
        .account(pda::spot_market(0))
        .await?
        .ok_or_else(|| ChainError::other("the quote spot market does not exist"))?;
    let spot: SpotMarket = decode(&spot_data.data)
        .map_err(|e| ChainError::other(format!("quote spot market: {e:?}")))?;
    let found = chain
        .program_accounts(&zero_copy_filters::<PerpMarket>(PerpMarket::SPACE))
        .await?;
    let mut all_markets = Vec::new();
    for (_, market) in decode_all::<PerpMarket>(found) {
        let oracle = chain.account(market.oracle).await?;
        all_markets.push(MarketState {
            oracle_price: oracle_price(&market, oracle),
            market,
        });
    }
    all_markets.sort_by_key(|m| m.market.market_index);
    let markets = all_markets
        .iter()
        .filter(|m| wanted.is_empty() || wanted.contains(&m.market.market_index))
        .cloned()
        .collect();
    let users = chain
        .program_accounts(&zero_copy_filters::<User>(User::SPACE))
        .await?;
    Ok(Snapshot {
        now: clock.unix_timestamp,
        slot: clock.slot,
        lp_cooldown_seconds: state.lp_cooldown_seconds,
        spot,
        all_markets,
        markets,
        users: decode_all(users),
    })
}
