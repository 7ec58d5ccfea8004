//! Reading accounts the way the program values them: balances, positions, margin and net value
//! at each market's current program-oracle price.
use crate::TestEnv;
use anchor_lang::prelude::Pubkey;
use bal::read::balances::signed_token_amount;
use bal::read::margin::{margin_summary, MarginSummary, MarginType, MarketView, MarketViews};
use bal::state::{PerpMarket, PerpPosition, ProgramOracle, SpotMarket, User};
use bal_client::pda;

/// The quote balance in tokens: negative for a borrow. precision: QUOTE
pub async fn quote_balance(env: &mut TestEnv, user: Pubkey) -> i128 {
    let account: User = env.load(user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    signed_token_amount(&account.quote_balance, &spot).expect("a balance")
}

/// The user's position in `market_index`, or an empty one.
pub async fn position_in(env: &mut TestEnv, user: Pubkey, market_index: u16) -> PerpPosition {
    let account: User = env.load(user).await;
    account
        .perp_positions
        .iter()
        .find(|p| p.is_active() && p.market_index == market_index)
        .copied()
        .unwrap_or_default()
}

/// Views of `markets` at the prices their program oracles publish now.
pub async fn views(env: &mut TestEnv, markets: &[u16]) -> MarketViews {
    let mut views = Vec::new();
    for index in markets {
        let market: PerpMarket = env.load(pda::perp_market(*index)).await;
        let oracle: ProgramOracle = env.load(market.oracle).await;
        views.push(MarketView::current(&market, oracle.price as u64).unwrap());
    }
    MarketViews(views)
}

/// `user`'s margin of `kind` over `markets` (every market it holds a position in).
pub async fn margin(
    env: &mut TestEnv,
    user: Pubkey,
    markets: &[u16],
    kind: MarginType,
) -> MarginSummary {
    let account: User = env.load(user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let views = views(env, markets).await;
    margin_summary(&account, &spot, &views, kind).expect("margin")
}

/// What `user` would be worth closed at the oracle prices of `markets`. precision: QUOTE
pub async fn net_value(env: &mut TestEnv, user: Pubkey, markets: &[u16]) -> i128 {
    let account: User = env.load(user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let views = views(env, markets).await;
    bal::read::margin::net_value(&account, &spot, &views).expect("net value")
}
