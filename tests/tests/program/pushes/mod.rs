//! Prices nobody can push: the attacks that pushed the AMM's curve inside one transaction and
//! acted at the pushed price, each run over pushes from a single base to as deep as the price
//! band lets a trade go (a sale averages at most 10% under the oracle in the fixtures), with
//! the attacker's net measured at every size: never above zero, or within the bound the
//! threat model (`docs/threat-model.md`) states. The vault's crank and deposit are in `vault.rs`.
use bal::error::BalError;
use bal::events::{DeriskRecord, LiquidationRecord};
use bal::math::constants::BASE_PRECISION;
use bal::read::margin::MarginType;
use bal::state::PositionDirection::{self, Long, Short};
use bal::state::{SpotMarket, User};
use bal_client::instructions::{self, MakerOrderRef};
use bal_client::pda;
use bal_tests::errors::{assert_bal_error, custom_code};
use bal_tests::fixtures::{
    add_liquidity, compute_limit, market, new_trader, next_second, order, place_order, repeg,
    resting, set_oracle_price, settle_lp, setup_trading, subaccount, trade, Exchange, Trader,
    START_PRICE,
};
use bal_tests::inspect::{margin, net_value, position_in};
use bal_tests::markets::walk_oracle;
use bal_tests::{TestEnv, TxFailure};
use solana_signer::Signer;

mod band;
mod delegate;
mod oracle;
mod vault;

const BASE: u64 = BASE_PRECISION as u64;
const DOLLAR: u64 = 1_000_000;
/// Pushes of the sweep, in base: from one to past what the band lets a sale reach.
const PUSHES: [u64; 6] = [1, 10, 25, 50, 80, 110];

/// `who` trades `base` in market 0 (no other positions).
fn trade_of(
    who: &Trader,
    exchange: &Exchange,
    direction: PositionDirection,
    base: u64,
) -> anchor_lang::solana_program::instruction::Instruction {
    instructions::place_perp_order(
        who.wallet.pubkey(),
        who.user,
        &market(exchange),
        &[],
        order(direction, base),
    )
}

async fn deposit_index(env: &mut TestEnv) -> u128 {
    env.load::<SpotMarket>(pda::spot_market(0))
        .await
        .cumulative_deposit_interest
        .get()
}

/// The sum of `users`' net values at the oracle. precision: QUOTE
async fn value_of(env: &mut TestEnv, users: &[&Trader]) -> i128 {
    let mut value = 0;
    for user in users {
        value += net_value(env, user.user, &[0]).await;
    }
    value
}

/// What one push did: the attacker's net change, and the refusal if the transaction failed.
struct Pushed {
    gain: i128,
    refused: Option<u32>,
}

/// Sends `ixs` signed by `signers`, measuring `attacker`'s net value and the deposit index
/// around it: a write-off would show in the index.
async fn measured(
    env: &mut TestEnv,
    ixs: &[anchor_lang::solana_program::instruction::Instruction],
    signers: &[&solana_keypair::Keypair],
    attacker: &[&Trader],
) -> Pushed {
    let before = value_of(env, attacker).await;
    let index = deposit_index(env).await;
    let mut sent = vec![compute_limit(1_400_000)];
    sent.extend_from_slice(ixs);
    let outcome = env.send_unmetered(&sent, signers).await;
    assert_eq!(deposit_index(env).await, index, "no write-off");
    Pushed {
        gain: value_of(env, attacker).await - before,
        refused: outcome.err().as_ref().and_then(custom_code),
    }
}

fn code(error: BalError) -> u32 {
    anchor_lang::error::ERROR_CODE_OFFSET + error as u32
}

/// An owner with a long of 50 base bought near $105 and $900 behind it, then the oracle down
/// to $94 with the curve repegged there: about $350 of net value against $235 of maintenance.
/// Its second subaccount, $20,000 deep, pushes.
async fn long_and_pusher(env: &mut TestEnv, exchange: &Exchange) -> (Trader, Trader) {
    let owner = new_trader(env, exchange, 900 * DOLLAR, 20_000 * DOLLAR).await;
    trade(env, exchange, &owner, order(Long, 50 * BASE))
        .await
        .expect("the long");
    let seller = new_trader(env, exchange, 10_000 * DOLLAR, 0).await;
    trade(env, exchange, &seller, order(Short, 50 * BASE))
        .await
        .expect("the curve back near the oracle");
    walk_oracle(env, exchange, seller.user, &[97_000_000, 94_000_000]).await;
    next_second(env, exchange).await;
    repeg(env, exchange).await.expect("the curve at the oracle");
    let pusher = subaccount(env, exchange, &owner, 1, 20_000 * DOLLAR).await;
    next_second(env, exchange).await;
    let value = net_value(env, owner.user, &[0]).await;
    assert!(
        (300 * DOLLAR as i128..400 * DOLLAR as i128).contains(&value),
        "{value}"
    );
    (owner, pusher)
}

#[tokio::test]
async fn a_reducing_close_into_a_pushed_curve_leaves_no_debt_for_its_owner_to_collect() {
    let mut landed = 0;
    for push in PUSHES {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
        let (long, pusher) = long_and_pusher(&mut env, &exchange).await;
        // One owner, one transaction: its second subaccount sells into the curve, the long
        // closes into the fall (reduce-only), the pusher buys back.
        let close = instructions::close_position(
            long.wallet.pubkey(),
            long.user,
            &market(&exchange),
            &[],
            None,
        );
        let ixs = [
            trade_of(&pusher, &exchange, Short, push * BASE),
            close,
            trade_of(&pusher, &exchange, Long, push * BASE),
        ];
        let pushed = measured(&mut env, &ixs, &[&long.wallet], &[&long, &pusher]).await;
        assert!(
            pushed.gain <= 0,
            "a {push}-base push: the owner is up {}",
            pushed.gain
        );
        match pushed.refused {
            None => {
                landed += 1;
                // Closed, and not below zero.
                assert_eq!(
                    position_in(&mut env, long.user, 0).await.base_asset_amount,
                    0
                );
                assert!(net_value(&mut env, long.user, &[0]).await >= 0);
            }
            Some(refused) => assert!(
                refused == code(BalError::ReductionWorsensMargin)
                    || refused == code(BalError::PriceBandExceeded),
                "a {push}-base push refused with {refused}"
            ),
        }
    }
    // The small pushes land (the close itself is allowed), the deep ones do not.
    assert!((1..PUSHES.len()).contains(&landed), "{landed} landed");
}

/// An owner below maintenance: a long of 40 bought near $104 with $650, the oracle walked to
/// $91 and the curve repegged there (about $118 of collateral against $182 of maintenance);
/// its second subaccount pushes.
async fn below_maintenance_and_pusher(env: &mut TestEnv, exchange: &Exchange) -> (Trader, Trader) {
    let owner = new_trader(env, exchange, 650 * DOLLAR, 20_000 * DOLLAR).await;
    trade(env, exchange, &owner, order(Long, 40 * BASE))
        .await
        .expect("the long");
    let reader = new_trader(env, exchange, 10_000 * DOLLAR, 0).await;
    trade(env, exchange, &reader, order(Short, BASE / 100))
        .await
        .expect("a position to settle");
    walk_oracle(env, exchange, reader.user, &[96_000_000, 91_000_000]).await;
    next_second(env, exchange).await;
    repeg(env, exchange).await.expect("the curve at the oracle");
    let pusher = subaccount(env, exchange, &owner, 1, 20_000 * DOLLAR).await;
    next_second(env, exchange).await;
    let maintenance = margin(env, owner.user, &[0], MarginType::Maintenance).await;
    assert!(
        !maintenance.meets_requirement() && maintenance.collateral > 0,
        "{maintenance:?}"
    );
    (owner, pusher)
}

#[tokio::test]
async fn a_reducing_fill_may_not_strip_an_account_below_maintenance_of_its_collateral() {
    // Half the long sold 10 base into the owner's own push loses about $72 against the oracle
    // and frees $91 of maintenance: no larger a shortfall, but its collateral would cover a
    // smaller share of what stays, the rest gone to the pusher. Refused; unpushed, it lands.
    for push in [10, 0] {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        let (long, pusher) = below_maintenance_and_pusher(&mut env, &exchange).await;
        let mut reduce = order(Short, 20 * BASE);
        reduce.reduce_only = true;
        let reduction = instructions::place_perp_order(
            long.wallet.pubkey(),
            long.user,
            &market(&exchange),
            &[],
            reduce,
        );
        let ixs: Vec<_> = if push > 0 {
            vec![
                trade_of(&pusher, &exchange, Short, push * BASE),
                reduction,
                trade_of(&pusher, &exchange, Long, push * BASE),
            ]
        } else {
            vec![reduction]
        };
        let pushed = measured(&mut env, &ixs, &[&long.wallet], &[&long, &pusher]).await;
        assert!(pushed.gain <= 0, "{push}: up {}", pushed.gain);
        if push > 0 {
            assert_eq!(pushed.refused, Some(code(BalError::ReductionWorsensMargin)));
        } else {
            assert_eq!(
                pushed.refused, None,
                "an honest reduction below maintenance"
            );
        }
    }
}

#[tokio::test]
async fn an_lps_shares_stay_until_its_cooldown_ends_whatever_loss_its_owner_makes() {
    // The LP adds at about its initial margin; its owner's other subaccount pushes, the LP's
    // position is closed into the push (a loss of its own making), and anyone settles or
    // de-risks it: the shares stay until the cooldown ends.
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let lp = new_trader(&mut env, &exchange, 470 * DOLLAR, 20_000 * DOLLAR).await;
    add_liquidity(&mut env, &exchange, &lp, 100 * BASE)
        .await
        .expect("100 shares at about initial margin");
    let trader = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
    trade(&mut env, &exchange, &trader, order(Long, 20 * BASE))
        .await
        .expect("the LP takes a short");
    settle_lp(&mut env, &lp).await;
    let pusher = subaccount(&mut env, &exchange, &lp, 1, 20_000 * DOLLAR).await;
    next_second(&mut env, &exchange).await;
    let close =
        instructions::close_position(lp.wallet.pubkey(), lp.user, &market(&exchange), &[], None);
    env.send_unmetered(
        &[
            trade_of(&pusher, &exchange, Long, 20 * BASE),
            close,
            trade_of(&pusher, &exchange, Short, 20 * BASE),
        ],
        &[&lp.wallet],
    )
    .await
    .expect("the LP's short closed into a push up");
    let keeper = env.funded_wallet().await;
    let shares = |u: &User| {
        u.perp_positions
            .iter()
            .map(|p| p.lp.shares.get())
            .sum::<u128>()
    };
    let held = shares(&env.load::<User>(lp.user).await);
    let failure = env
        .send(
            "derisk_lp",
            &[instructions::derisk_lp(lp.user, &market(&exchange), &[])],
            &[&keeper],
        )
        .await
        .expect_err("inside the cooldown");
    assert_bal_error(&failure, BalError::LpCooldown);
    let settled = env
        .send_capturing_events(
            "settle_pnl",
            &[instructions::settle_pnl(lp.user, &market(&exchange), &[])],
            &[&keeper],
        )
        .await
        .expect("a settle settles, de-risking nothing");
    assert!(settled.events::<DeriskRecord>().is_empty());
    assert_eq!(shares(&env.load::<User>(lp.user).await), held);
}

#[tokio::test]
async fn a_filler_cannot_route_a_taker_into_a_push() {
    for push in PUSHES {
        let mut env = TestEnv::start().await;
        let exchange = setup_trading(&mut env).await;
        // An honest resting buy up to $103, and the attacker's maker order at that limit.
        let taker = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
        let maker = new_trader(&mut env, &exchange, 10_000 * DOLLAR, 0).await;
        let filler = new_trader(&mut env, &exchange, 20_000 * DOLLAR, 0).await;
        let limit = START_PRICE as u64 * 103 / 100;
        let bid = place_order(
            &mut env,
            &exchange,
            &taker,
            resting(Long, 10 * BASE, limit, false),
        )
        .await
        .expect("the taker's bid");
        let ask = place_order(
            &mut env,
            &exchange,
            &maker,
            resting(Short, 10 * BASE, limit, true),
        )
        .await
        .expect("the attacker's ask at the limit");
        next_second(&mut env, &exchange).await;
        let fill = instructions::fill_order(
            filler.wallet.pubkey(),
            filler.user,
            (taker.user, bid),
            &[MakerOrderRef {
                user: maker.user,
                order_id: ask,
            }],
            &market(&exchange),
            &[],
        );
        let ixs = [
            trade_of(&filler, &exchange, Long, push * BASE),
            fill,
            trade_of(&filler, &exchange, Short, push * BASE),
        ];
        let pushed = measured(&mut env, &ixs, &[&filler.wallet], &[&filler, &maker]).await;
        assert!(pushed.gain <= 0, "{push}: up {}", pushed.gain);
        // Refused by the second's rule, or (the deepest) the push itself by the band.
        let refused = pushed.refused.expect("refused");
        assert!(
            refused == code(BalError::CurveMovedThisSecond)
                || refused == code(BalError::PriceBandExceeded),
            "{push}: {refused}"
        );
    }
}

/// Market 0 at $84 with a 9x long liquidated there whose only cushion is a gain in market 1
/// the pool there cannot pay; with `push`, the liquidator sells 10 base into market 1 first
/// (lowering what that market's winners are short of) and buys them back after. The fee the
/// liquidation charged.
async fn liquidation_fee_with_another_market_pushed(push: bool) -> u64 {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let eth = bal_tests::markets::second_market(&mut env, &exchange).await;
    let sol = market(&exchange);
    let victim = new_trader(&mut env, &exchange, 200 * DOLLAR, 0).await;
    let liquidator = new_trader(&mut env, &exchange, 100_000 * DOLLAR, 0).await;
    bal_tests::fixtures::trade_in(&mut env, &victim, &sol, &[], order(Long, 9 * BASE))
        .await
        .expect("a 9x long in market 0");
    bal_tests::fixtures::trade_in(&mut env, &victim, &eth, &[sol], order(Long, 5 * BASE))
        .await
        .expect("a long in market 1");
    // Market 1 walks to $108: the long's gain there is owed by the AMM alone, unpayable.
    for price in [104_000_000, 108_000_000] {
        for wait in [0, 300] {
            env.advance(wait, 10).await;
            bal_tests::markets::set_price(&mut env, &exchange, &eth, price).await;
            set_oracle_price(&mut env, &exchange, START_PRICE).await;
            env.send_unmetered(
                &[instructions::settle_pnl(liquidator.user, &eth, &[])],
                &[&liquidator.wallet],
            )
            .await
            .ok();
        }
    }
    set_oracle_price(&mut env, &exchange, 84_000_000).await;
    next_second(&mut env, &exchange).await;
    bal_tests::markets::set_price(&mut env, &exchange, &eth, 108_000_000).await;
    let liquidate = instructions::liquidate_perp(
        liquidator.wallet.pubkey(),
        liquidator.user,
        victim.user,
        &sol,
        &[eth],
        u64::MAX,
    );
    let in_eth = |direction| {
        instructions::place_perp_order(
            liquidator.wallet.pubkey(),
            liquidator.user,
            &eth,
            &[sol],
            order(direction, 10 * BASE),
        )
    };
    let ixs = if push {
        vec![
            compute_limit(1_400_000),
            in_eth(Short),
            liquidate,
            in_eth(Long),
        ]
    } else {
        vec![compute_limit(1_400_000), liquidate]
    };
    let landed = env
        .send_unmetered_capturing_events(&ixs, &[&liquidator.wallet])
        .await
        .unwrap_or_else(|failure: TxFailure| panic!("{failure:?}"));
    let record = &landed.events::<LiquidationRecord>()[0];
    record.fee_to_liquidator + record.fee_to_insurance
}

#[tokio::test]
async fn a_trade_in_another_market_earlier_in_the_transaction_raises_no_liquidation_fee() {
    let plain = liquidation_fee_with_another_market_pushed(false).await;
    let pushed = liquidation_fee_with_another_market_pushed(true).await;
    assert_eq!(pushed, plain);
}
