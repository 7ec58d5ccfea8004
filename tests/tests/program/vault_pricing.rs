//! The example vault's share price when its market cannot pay every gain: a redemption is
//! paid the vault's value with its gain counted only as far as the market's P&L pool will pay
//! it, so a holder cannot take the cash a newer depositor brought for a claim nobody may pay.
use bal::math::constants::{BASE_PRECISION, PERCENTAGE_PRECISION};
use bal::math::margin::payable_pnl;
use bal::read::balances::signed_token_amount;
use bal::read::margin::{position_pnl, simulated_position, MarketView};
use bal::state::PositionDirection::Short;
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::fixtures::{
    market, new_trader, order, setup_trading, trade, Exchange, Trader, START_PRICE,
};
use bal_tests::markets::walk_oracle;
use bal_tests::vault::{
    assert_vault_error, buy_shares, create_vault, depositor, redeem_shares, run_invest,
    VaultAddresses,
};
use bal_tests::TestEnv;
use bal_vault::error::VaultError;
use bal_vault::state::Vault;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;

/// The vault's value at `price` two ways: with its unsettled gain at face, and with the gain
/// counted only beyond the market's gain shortfall (what the pool will pay); and the vault's
/// unsettled P&L. precision: QUOTE
async fn values(env: &mut TestEnv, vault: &VaultAddresses, price: u64) -> (i128, i128, i128) {
    let user: User = env.load(vault.bal_user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    let view = MarketView::current(&market, price).unwrap();
    let cash = signed_token_amount(&user.quote_balance, &spot).unwrap();
    let position = user
        .perp_positions
        .iter()
        .find(|p| p.is_active())
        .expect("the vault's position");
    let pnl = position_pnl(&simulated_position(position, &view).unwrap(), &view).unwrap();
    let payable = payable_pnl(pnl, view.gain_shortfall, PERCENTAGE_PRECISION).unwrap();
    (cash + pnl, cash + payable, pnl)
}

/// The AMM's reserve price. precision: PRICE
async fn curve_price(env: &mut TestEnv) -> u64 {
    let market: PerpMarket = env.load(pda::perp_market(0)).await;
    bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier).unwrap()
}

/// A market whose pool cannot pay its winners: a short sold to the AMM alone (the
/// protocol's side long) and the oracle walked down to where the curve stands, read through
/// settles of the short that the empty pool pays nothing. Returns the short and the price.
async fn market_owing_its_winners(env: &mut TestEnv, exchange: &Exchange) -> (Trader, u64) {
    let early_short = new_trader(env, exchange, 50_000 * DOLLAR, 0).await;
    trade(env, exchange, &early_short, order(Short, 60 * BASE))
        .await
        .expect("a short against the AMM alone");
    let to = curve_price(env).await as i64;
    let steps: Vec<i64> = (1..=12)
        .map(|i| START_PRICE + (to - START_PRICE) * i.min(6) / 6)
        .collect();
    walk_oracle(env, exchange, early_short.user, &steps).await;
    (early_short, to as u64)
}

#[tokio::test]
async fn a_redemption_is_paid_no_gain_the_market_cannot_pay() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let manager = env.funded_wallet().await;
    let vault = create_vault(&mut env, &exchange, &manager, 0).await;
    let (early_short, price) = market_owing_its_winners(&mut env, &exchange).await;

    let holder = depositor(&mut env, &exchange, 100_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &vault, &holder, 100_000 * DOLLAR)
        .await
        .expect("the holder's deposit");
    run_invest(&mut env, &exchange, &vault, &manager)
        .await
        .expect("the vault's liquidity");
    // A newer depositor's cash waits in the vault for the next crank.
    let newcomer = depositor(&mut env, &exchange, 50_000 * DOLLAR).await;
    buy_shares(&mut env, &exchange, &vault, &newcomer, 50_000 * DOLLAR)
        .await
        .expect("the newcomer's deposit");
    // A sale the vault's LPs take part of; the oracle holds, and the next funding update
    // repegs the curve up to it (the protocol's side is long: the repeg pays for itself). The
    // vault is long below the oracle: a gain the P&L pool, owing the early short far more,
    // cannot pay.
    let seller = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &seller, order(Short, 40 * BASE))
        .await
        .expect("a sale");
    let keeper = env.funded_wallet().await;
    for _ in 0..6 {
        walk_oracle(&mut env, &exchange, early_short.user, &[price as i64; 12]).await;
        env.send(
            "update_funding_rate",
            &[instructions::update_funding_rate(&market(&exchange))],
            &[&keeper],
        )
        .await
        .expect("funding and a repeg step");
    }
    let curve = curve_price(&mut env).await;
    assert!(
        curve.abs_diff(price) * 100 < price,
        "repegged: curve {curve}, oracle {price}"
    );
    let (face, payable, gain) = values(&mut env, &vault, price).await;
    assert!(
        gain > 0 && payable < face,
        "gain {gain}, face {face}, payable {payable}"
    );

    let account: Vault = env.account(vault.vault).await;
    let shares = env
        .account::<bal_vault::state::Depositor>(vault.depositor(&holder.wallet.pubkey()))
        .await
        .shares
        / 2;
    // A redeemer names the least it accepts: asking for what the shares were worth at face is
    // refused, and nothing moves.
    let face_part_asked = face * i128::from(shares) / i128::from(account.total_shares);
    let too_much = bal_tests::vault::withdraw(
        &vault,
        &exchange,
        &holder.accounts,
        shares,
        face_part_asked as u64,
    );
    let budget = bal_tests::fixtures::compute_limit(1_400_000);
    let watched = [vault.vault, vault.bal_user, holder.accounts.token_account];
    let before = bal_tests::errors::snapshot(&mut env, &watched).await;
    let failure = env
        .send_unmetered(&[budget, too_much], &[&holder.wallet])
        .await
        .expect_err("a payout below the minimum");
    assert_vault_error(&failure, VaultError::PayoutBelowMinimum);
    assert_eq!(
        bal_tests::errors::snapshot(&mut env, &watched).await,
        before
    );

    let tokens = env.token_balance(holder.accounts.token_account).await;
    let redeemed = redeem_shares(&mut env, &exchange, &vault, &holder, shares)
        .await
        .expect("half the holder's shares");
    let paid = i128::from(env.token_balance(holder.accounts.token_account).await - tokens);
    let payable_part = payable * i128::from(redeemed) / i128::from(account.total_shares);
    let face_part = face * i128::from(redeemed) / i128::from(account.total_shares);
    assert!(
        paid <= payable_part,
        "paid {paid}: its part is {payable_part} of what the market will pay, {face_part} at \
         face"
    );
    assert!(
        payable_part - paid < i128::from(DOLLAR),
        "paid {paid} of {payable_part}: its own closing costs only"
    );
    // The newcomer's shares are still worth its cash, counted as the pool will pay.
    let (_, payable_after, _) = values(&mut env, &vault, price).await;
    let account: Vault = env.account(vault.vault).await;
    let newcomer_shares = env
        .account::<bal_vault::state::Depositor>(vault.depositor(&newcomer.wallet.pubkey()))
        .await
        .shares;
    let newcomer_part =
        payable_after * i128::from(newcomer_shares) / i128::from(account.total_shares);
    assert!(
        newcomer_part >= i128::from(50_000 * DOLLAR) - 1,
        "the newcomer's part {newcomer_part}"
    );
}
