use bal::error::BalError;
use bal::instructions::OrderParams;
use bal::math::constants::BASE_PRECISION;
use bal::math::funding::funding_payment;
use bal::state::PositionDirection::{Long, Short};
use bal::state::{PerpMarket, SpotMarket, User};
use bal_client::instructions;
use bal_client::pda;
use bal_tests::errors::assert_bal_error;
use bal_tests::fixtures::{
    market, new_trader, next_funding_period, order, set_oracle_price, setup_trading, trade,
    update_market, Exchange, Trader,
};
use bal_tests::TestEnv;
use solana_signer::Signer;

const BASE: u64 = BASE_PRECISION as u64;

async fn position_base(env: &mut TestEnv, trader: &Trader) -> i64 {
    let user: User = env.load(trader.user).await;
    user.perp_positions
        .iter()
        .find(|p| p.is_active())
        .map_or(0, |p| p.base_asset_amount)
}

async fn balance(env: &mut TestEnv, trader: &Trader) -> i128 {
    let user: User = env.load(trader.user).await;
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    bal::read::balances::signed_token_amount(&user.quote_balance, &spot).unwrap()
}

async fn close(env: &mut TestEnv, exchange: &Exchange, trader: &Trader) {
    env.send(
        "close_position",
        &[instructions::close_position(
            trader.wallet.pubkey(),
            trader.user,
            &market(exchange),
            &[],
            None,
        )],
        &[&trader.wallet],
    )
    .await
    .expect("close_position");
}

#[tokio::test]
async fn a_position_opens_grows_shrinks_flips_and_closes_with_fees_to_the_pool() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let start = balance(&mut env, &trader).await;

    let steps: [(bal::state::PositionDirection, u64, i64); 4] = [
        (Long, 2 * BASE, 2),
        (Long, BASE, 3),
        (Short, BASE, 2),
        (Short, 4 * BASE, -2),
    ];
    for (direction, base, expected) in steps {
        trade(&mut env, &exchange, &trader, order(direction, base))
            .await
            .expect("trade");
        assert_eq!(
            position_base(&mut env, &trader).await,
            expected * BASE as i64
        );
        // The AMM holds exactly the opposite of what users hold.
        assert_eq!(
            env.perp_market(0).await.amm.base_asset_amount_with_amm,
            expected * BASE as i64
        );
    }
    close(&mut env, &exchange, &trader).await;
    assert_eq!(position_base(&mut env, &trader).await, 0);
    let market = env.perp_market(0).await;
    assert_eq!(market.amm.base_asset_amount_with_amm, 0);

    // Fees came out of the quote balance into the fee pool, and the vault did not move.
    let fees = start - balance(&mut env, &trader).await;
    assert!(fees > 0);
    assert_eq!(market.fee_pool as i128, fees);
    assert_eq!(market.total_fees as i128, fees);
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    assert_eq!(spot.perp_pools_balance as i128, fees);
    assert_eq!(env.token_balance(pda::spot_vault(0)).await, 10_000_000_000);
    // A round trip through the spread loses: the realized P&L waiting in the position is < 0.
    let user: User = env.load(trader.user).await;
    let position = user
        .perp_positions
        .iter()
        .find(|p| p.is_active())
        .expect("realized P&L");
    assert!(position.quote_asset_amount.get() < 0);
}

#[tokio::test]
async fn orders_are_refused_when_the_account_cannot_carry_them_or_break_the_rules() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    let before_user = env.raw_account(trader.user).await;
    let before_market = env.raw_account(pda::perp_market(0)).await;

    // $2,000 of notional needs $200 of initial margin; the account has $100.
    let failure = trade(&mut env, &exchange, &trader, order(Long, 20 * BASE))
        .await
        .expect_err("too big");
    assert_bal_error(&failure, BalError::InsufficientCollateral);

    let failure = trade(&mut env, &exchange, &trader, order(Long, BASE + 1))
        .await
        .expect_err("not a step");
    assert_bal_error(&failure, BalError::OrderSizeInvalid);

    let reduce = OrderParams {
        reduce_only: true,
        ..order(Short, BASE)
    };
    let failure = trade(&mut env, &exchange, &trader, reduce)
        .await
        .expect_err("nothing to reduce");
    assert_bal_error(&failure, BalError::ReduceOnlyWouldIncrease);

    let tight = OrderParams {
        limit_price: Some(100_000_000),
        ..order(Long, BASE)
    };
    let failure = trade(&mut env, &exchange, &trader, tight)
        .await
        .expect_err("ask above the limit");
    assert_bal_error(&failure, BalError::LimitPriceExceeded);

    assert_eq!(env.raw_account(trader.user).await, before_user);
    assert_eq!(env.raw_account(pda::perp_market(0)).await, before_market);

    let generous = OrderParams {
        limit_price: Some(101_000_000),
        ..order(Long, BASE / 2)
    };
    trade(&mut env, &exchange, &trader, generous)
        .await
        .expect("within the limit");
    // Reduce-only is capped at the position; closing then works for any size.
    let reduce = OrderParams {
        reduce_only: true,
        ..order(Short, 3 * BASE)
    };
    trade(&mut env, &exchange, &trader, reduce)
        .await
        .expect("reduce-only");
    assert_eq!(position_base(&mut env, &trader).await, 0);
}

#[tokio::test]
async fn settling_pnl_pays_winners_only_from_what_losers_paid_in() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let long = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let short = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    trade(&mut env, &exchange, &long, order(Long, 5 * BASE))
        .await
        .expect("long");
    trade(&mut env, &exchange, &short, order(Short, 2 * BASE))
        .await
        .expect("short");
    set_oracle_price(&mut env, &exchange, 105_000_000).await;

    // Nothing in the P&L pool yet: the winner's gain waits.
    let before = balance(&mut env, &long).await;
    env.send(
        "settle_pnl",
        &[instructions::settle_pnl(long.user, &market(&exchange), &[])],
        &[&keeper],
    )
    .await
    .expect("settle winner");
    assert_eq!(balance(&mut env, &long).await, before);

    // The loser pays its loss in full: its position's value at the oracle plus its quote.
    let user: User = env.load(short.user).await;
    let position = user.perp_positions[0];
    let loss = -(bal::math::margin::base_value(position.base_asset_amount, 105_000_000).unwrap()
        + position.quote_asset_amount.get() as i128);
    let short_before = balance(&mut env, &short).await;
    env.send(
        "settle_pnl",
        &[instructions::settle_pnl(
            short.user,
            &market(&exchange),
            &[],
        )],
        &[&keeper],
    )
    .await
    .expect("settle loser");
    let paid_in = short_before - balance(&mut env, &short).await;
    assert!(paid_in > 0);
    assert_eq!(paid_in, loss);
    assert_eq!(env.perp_market(0).await.pnl_pool as i128, paid_in);

    // Now the winner is paid, but only what the pool holds.
    env.send(
        "settle_pnl",
        &[instructions::settle_pnl(long.user, &market(&exchange), &[])],
        &[&keeper],
    )
    .await
    .expect("settle winner again");
    assert_eq!(balance(&mut env, &long).await - before, paid_in);
    assert_eq!(env.perp_market(0).await.pnl_pool, 0);
}

#[tokio::test]
async fn funding_is_one_rate_for_both_sides_and_nets_to_zero() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let long = new_trader(&mut env, &exchange, 5_000_000_000, 0).await;
    let short = new_trader(&mut env, &exchange, 5_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    trade(&mut env, &exchange, &long, order(Long, 30 * BASE))
        .await
        .expect("long");
    trade(&mut env, &exchange, &short, order(Short, 10 * BASE))
        .await
        .expect("short");
    let start: PerpMarket = env.perp_market(0).await;

    for _ in 0..3 {
        next_funding_period(&mut env, &exchange, &keeper).await;
    }
    let end: PerpMarket = env.perp_market(0).await;
    let delta = end.funding.cumulative_funding_rate - start.funding.cumulative_funding_rate;
    // Users are net long and the mark sits above the oracle: longs pay shorts.
    assert!(delta > 0, "{delta}");
    let failure = env
        .send(
            "update_funding_rate",
            &[instructions::update_funding_rate(&market(&exchange))],
            &[&keeper],
        )
        .await
        .expect_err("not due");
    assert_bal_error(&failure, BalError::FundingNotDue);

    let long_paid = funding_payment(30 * BASE as i64, delta).unwrap();
    let short_got = funding_payment(-10 * BASE as i64, delta).unwrap();
    assert!(long_paid < 0 && short_got > 0);
    // The AMM holds −20 base: it receives the users' net payment.
    let amm_got = -funding_payment(20 * BASE as i64, delta).unwrap();
    // One rate, every side: exactly zero up to each position's sub-unit rounding, which the
    // protocol keeps.
    let sum = long_paid as i128 + short_got as i128 + amm_got as i128;
    assert!((-2..=0).contains(&sum), "funding flows sum to {sum}");

    for trader in [&long, &short] {
        env.send(
            "settle_pnl",
            &[instructions::settle_pnl(
                trader.user,
                &market(&exchange),
                &[],
            )],
            &[&keeper],
        )
        .await
        .expect("settle");
        let user: User = env.load(trader.user).await;
        assert_eq!(
            user.perp_positions[0].last_cumulative_funding_rate,
            end.funding.cumulative_funding_rate
        );
    }
}

#[tokio::test]
async fn a_profitable_position_backs_a_borrow_that_pays_depositors_interest() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let depositor = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let borrower = new_trader(&mut env, &exchange, 100_000_000, 0).await;
    let loser = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    trade(&mut env, &exchange, &borrower, order(Long, 5 * BASE))
        .await
        .expect("long");
    // The other side: a short whose loss will pay the borrower's gain, so the gain counts.
    trade(&mut env, &exchange, &loser, order(Short, 5 * BASE))
        .await
        .expect("short");
    // A 20% rise, in steps the five-minute TWAP follows (a withdrawal values gains at the worse
    // of the two): the gain (counted at 90%) now exceeds the position's initial margin.
    let prices = [108_000_000, 116_000_000, 120_000_000];
    bal_tests::markets::walk_oracle(&mut env, &exchange, loser.user, &prices).await;

    // Without its market in the remaining accounts the margin check cannot see the position.
    let failure = env
        .send(
            "withdraw",
            &[instructions::withdraw(
                &borrower.collateral(&exchange),
                120_000_000,
                true,
                &[],
            )],
            &[&borrower.wallet],
        )
        .await
        .expect_err("position not passed");
    assert_bal_error(&failure, BalError::MarginAccountMissing);

    let ix = instructions::withdraw(
        &borrower.collateral(&exchange),
        110_000_000,
        true,
        &[market(&exchange)],
    );
    env.send("withdraw", &[ix], &[&borrower.wallet])
        .await
        .expect("borrow against the gain");
    let owed_at_start = balance(&mut env, &borrower).await;
    assert!(owed_at_start < 0, "a borrow: {owed_at_start}");
    let deposit_at_start = balance(&mut env, &depositor).await;

    // Half a year later, the next touch of the quote market accrues interest.
    env.advance(182 * 24 * 3_600, 10).await;
    env.send(
        "update_spot_market_interest",
        &[instructions::update_spot_market_interest(
            exchange.admin.pubkey(),
            bal_tests::fixtures::default_interest_curve(),
        )],
        &[&exchange.admin],
    )
    .await
    .expect("accrue");
    let owed = balance(&mut env, &borrower).await;
    let earned = balance(&mut env, &depositor).await - deposit_at_start;
    assert!(
        owed < owed_at_start,
        "the borrow grew: {owed_at_start} -> {owed}"
    );
    assert!(earned > 0, "the depositor earned {earned}");
    assert!(
        earned <= owed_at_start - owed,
        "depositors never earn more than borrowers pay"
    );
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    bal::read::balances::validate_vault_covers(&spot, env.token_balance(pda::spot_vault(0)).await)
        .expect("the vault covers every claim");
}

#[tokio::test]
async fn a_keeper_batch_settles_everyone_and_try_mode_skips_a_bad_account() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let long = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let short = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    trade(&mut env, &exchange, &long, order(Long, 3 * BASE))
        .await
        .expect("long");
    trade(&mut env, &exchange, &short, order(Short, 3 * BASE))
        .await
        .expect("short");
    set_oracle_price(&mut env, &exchange, 103_000_000).await;

    // Not a user: the strict batch fails as a whole and changes nothing.
    let users = [long.user, pda::spot_market(0), short.user];
    let before = env.raw_account(short.user).await;
    let failure = env
        .send(
            "settle_pnl_many",
            &[
                instructions::settle_pnl_many(&users, &market(&exchange), false)
                    .expect("a batch of users"),
            ],
            &[&keeper],
        )
        .await
        .expect_err("strict batch");
    assert_eq!(
        bal_tests::errors::custom_code(&failure),
        Some(anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch as u32)
    );
    assert_eq!(env.raw_account(short.user).await, before);

    let success = env
        .send(
            "settle_pnl_many",
            &[
                instructions::settle_pnl_many(&users, &market(&exchange), true)
                    .expect("a batch of users"),
            ],
            &[&keeper],
        )
        .await
        .expect("try-mode batch");
    let codes: Vec<u32> = success
        .return_data
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![
            0,
            anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch as u32,
            0
        ]
    );
    // The loser paid in; the winner took what the pool held.
    let market_after = env.perp_market(0).await;
    let short_user: User = env.load(short.user).await;
    assert_eq!(
        short_user.perp_positions[0].last_cumulative_funding_rate,
        market_after.funding.cumulative_funding_rate
    );
    assert!(balance(&mut env, &short).await < 1_000_000_000);
}

#[tokio::test]
async fn a_market_pause_stops_trading_there_until_lifted() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 1_000_000_000, 0).await;
    let pause_trading = |bits: u32| bal::instructions::UpdatePerpMarketParams {
        paused_operations: Some(bits),
        ..Default::default()
    };
    update_market(&mut env, &exchange, pause_trading(bal::state::PAUSE_TRADE))
        .await
        .expect("pause");
    let failure = trade(&mut env, &exchange, &trader, order(Long, BASE))
        .await
        .expect_err("paused");
    assert_bal_error(&failure, BalError::OperationPaused);
    update_market(&mut env, &exchange, pause_trading(0))
        .await
        .expect("unpause");
    trade(&mut env, &exchange, &trader, order(Long, BASE))
        .await
        .expect("trading again");

    // Exchange-wide: withdrawals paused.
    let paused = bal::instructions::UpdateStateParams {
        paused_operations: Some(bal::state::PAUSE_WITHDRAW),
        ..Default::default()
    };
    env.send(
        "update_state",
        &[instructions::update_state(exchange.admin.pubkey(), paused)],
        &[&exchange.admin],
    )
    .await
    .expect("pause withdrawals");
    let ix = instructions::withdraw(
        &trader.collateral(&exchange),
        1_000_000,
        false,
        &[market(&exchange)],
    );
    let failure = env
        .send("withdraw", &[ix], &[&trader.wallet])
        .await
        .expect_err("paused");
    assert_bal_error(&failure, BalError::OperationPaused);
}

/// The oracle at `price` for an hour (read at its start by a settle of `reader`'s, so it
/// stands in the TWAPs), then a keeper updates funding; returns the update's record.
async fn funding_at(
    env: &mut TestEnv,
    exchange: &Exchange,
    keeper: &solana_keypair::Keypair,
    reader: &Trader,
    price: i64,
) -> bal::events::FundingRecord {
    set_oracle_price(env, exchange, price).await;
    env.send(
        "settle_pnl",
        &[instructions::settle_pnl(
            reader.user,
            &market(exchange),
            &[],
        )],
        &[keeper],
    )
    .await
    .expect("a read of the oracle");
    env.advance(3_600, 10).await;
    set_oracle_price(env, exchange, price).await;
    let success = env
        .send_capturing_events(
            "update_funding_rate",
            &[instructions::update_funding_rate(&market(exchange))],
            &[keeper],
        )
        .await
        .expect("update_funding_rate");
    success.events::<bal::events::FundingRecord>().remove(0)
}

#[tokio::test]
async fn funding_updates_repeg_the_curve_to_the_oracle_when_the_fee_pool_can_pay() {
    let mut env = TestEnv::start().await;
    let exchange = setup_trading(&mut env).await;
    let trader = new_trader(&mut env, &exchange, 10_000_000_000, 0).await;
    let keeper = env.funded_wallet().await;
    let start = env.perp_market(0).await.amm.peg_multiplier;
    // Users long: raising the peg to a 4% higher oracle would cost the fee pool about $20,
    // more than the fees it holds, so the curve stays where it is.
    trade(&mut env, &exchange, &trader, order(Long, 5 * BASE))
        .await
        .expect("long");
    let record = funding_at(&mut env, &exchange, &keeper, &trader, 104_000_000).await;
    assert_eq!((record.peg_multiplier, record.repeg_cost), (start, 0));
    // Users short instead: the same move is a gain for the AMM, so it repegs — at most 1% of
    // the price per update, until the curve is within 0.5% of the oracle.
    close(&mut env, &exchange, &trader).await;
    trade(&mut env, &exchange, &trader, order(Short, 10 * BASE))
        .await
        .expect("short");
    let reserve_price = |market: &PerpMarket| {
        bal::math::amm::reserve_price(&market.amm.curve(), market.amm.peg_multiplier).unwrap()
    };
    let mut repegs = 0;
    for _ in 0..8 {
        let before = reserve_price(&env.perp_market(0).await);
        let record = funding_at(&mut env, &exchange, &keeper, &trader, 104_000_000).await;
        let after = reserve_price(&env.perp_market(0).await);
        assert!(record.repeg_cost <= 0, "a gain, not a cost");
        assert!(
            after.abs_diff(before) <= before / 100 + 1,
            "{before} -> {after}"
        );
        if after != before {
            repegs += 1;
        }
    }
    let reserve = reserve_price(&env.perp_market(0).await);
    assert!(repegs >= 2, "the curve moved in steps");
    assert!(reserve.abs_diff(104_000_000) <= 520_000, "{reserve}");
}
