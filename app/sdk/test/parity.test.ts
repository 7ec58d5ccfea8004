/**
 * The read side against the program on the ELF: the simulated settle is, field for field, the
 * position `settle_lp` leaves (an LP long, an LP short, LPs after funding updates and oracle
 * moves); the margin report's free collateral is exactly what `withdraw` lets out; de-risking
 * and liquidation start exactly at the prices the client computes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KeyPairSigner } from "@solana/kit";
import {
  deposit,
  deriskLp,
  deriskPrice,
  liquidatePerp,
  liquidationPrice,
  lpSizing,
  margin,
  openOrders,
  placeOrder,
  settleLp,
  settlePnl,
  sharesForLeverage,
  simulateSettle,
  SPOT_CUMULATIVE_INTEREST_PRECISION,
  withdraw,
  type PricedMarket,
} from "../src/index.js";
import {
  addLiquidity,
  BASE,
  collateral,
  Env,
  expectOk,
  expectRefused,
  newTrader,
  nextFundingPeriod,
  setOraclePrice,
  setupTrading,
  START_PRICE,
  trade,
  usd,
  type Exchange,
  type Trader,
} from "./harness.js";

const priced = (env: Env, exchange: Exchange): PricedMarket => ({
  market: env.perpMarket(),
  oraclePrice: env.oracle(exchange.oracle).price,
});

/** Simulates `lp`'s settle from the decoded accounts, settles it for real, and requires the
 * position the program left to be the simulated one, every field. Returns it. */
async function settleMatchesSimulation(
  env: Env,
  exchange: Exchange,
  lp: Trader,
  keeper: KeyPairSigner,
) {
  const expected = simulateSettle(env.user(lp.user), priced(env, exchange));
  assert.ok(expected, "an LP position");
  const settled = expectOk(await env.send(keeper, settleLp(keeper, lp.user, 0)));
  const position = env.user(lp.user).perpPositions.find((p) => p.active === 1);
  assert.deepEqual(position, expected, "the simulated settle is the program's");
  const record = settled.events.find((e) => e.name === "liquidityRecord");
  assert.ok(record, "settle_lp records what it moved");
  return { position: expected, record: record.data };
}

test("the simulated settle equals what settle_lp leaves: LP long, LP short, after funding and oracle moves", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(100_000));
  const keeper = await env.wallet();
  const first = await newTrader(env, exchange, usd(10_000));
  expectOk(await addLiquidity(env, exchange, first, 300n * BASE));

  // Traders sell 40: the AMM, and with it the LP, buys.
  expectOk(await trade(env, exchange, trader, -40n * BASE));
  const long = await settleMatchesSimulation(env, exchange, first, keeper);
  assert.ok(long.position.baseAssetAmount > 0n, "the LP is long");

  // Traders buy 10 back: the settle reduces the LP's long, closing part of its entry cost.
  expectOk(await trade(env, exchange, trader, 10n * BASE));
  const reduced = await settleMatchesSimulation(env, exchange, first, keeper);
  assert.ok(
    reduced.position.baseAssetAmount > 0n &&
      reduced.position.baseAssetAmount < long.position.baseAssetAmount,
    "the LP's long is reduced, not flipped",
  );

  // Traders buy 70 and a funding period passes: the LP's settled long pays the longs' funding
  // while the short it now holds unsettled earns it; settled, it is short.
  expectOk(await trade(env, exchange, trader, 70n * BASE));
  await nextFundingPeriod(env, exchange, keeper);
  const short = await settleMatchesSimulation(env, exchange, first, keeper);
  assert.ok(short.position.baseAssetAmount < 0n, "the LP is short");

  // A second LP joins, traders sell again, funding periods pass with the oracle moving; the
  // LPs hold the inventory unsettled throughout.
  const second = await newTrader(env, exchange, usd(10_000));
  expectOk(await addLiquidity(env, exchange, second, 200n * BASE));
  expectOk(await trade(env, exchange, trader, -30n * BASE));
  const fundingBefore = env.perpMarket().funding.cumulativeFundingRate;
  await nextFundingPeriod(env, exchange, keeper, 98_500_000n);
  expectOk(await trade(env, exchange, trader, 7_300_000_000n));
  await nextFundingPeriod(env, exchange, keeper, 103_500_000n);
  await setOraclePrice(env, exchange, 103_250_000n);
  assert.notEqual(env.perpMarket().funding.cumulativeFundingRate, fundingBefore, "funding moved");
  for (const lp of [first, second]) {
    const { record } = await settleMatchesSimulation(env, exchange, lp, keeper);
    assert.notEqual(
      record.fundingSettled,
      0n,
      "the LP's unsettled inventory paid or earned funding",
    );
  }
});

test("free collateral is exactly what withdraw lets out, LP orders and resting orders counted", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(2_000));
  const lp = await newTrader(env, exchange, usd(3_000));
  const keeper = await env.wallet();
  expectOk(await addLiquidity(env, exchange, lp, 251_700_000_000n));
  expectOk(await trade(env, exchange, trader, 61_234_000_000n));
  await nextFundingPeriod(env, exchange, keeper, 99_000_000n);
  // A resting bid below the AMM's: margin counts it as filled on the worse side.
  const bid = {
    direction: "long" as const,
    baseAmount: 5n * BASE,
    price: 95_000_000n,
    postOnly: true,
    reduceOnly: false,
    expiryTs: 0n,
  };
  expectOk(await env.send(lp.wallet, placeOrder(lp.wallet, lp.user, exchange.market, [], bid)));
  // An uneven price, so no product lands on a multiple that hides a rounding direction.
  await setOraclePrice(env, exchange, 101_537_913n);

  for (const party of [lp, trader]) {
    const market = priced(env, exchange);
    const report = margin(env.user(party.user), env.spotMarket(), [market], "withdrawal");
    assert.ok(report && report.freeCollateral > 0n && report.leverage !== null);
    const out = (amount: bigint) =>
      env.send(
        party.wallet,
        withdraw(collateral(party, exchange), amount, false, [exchange.market]),
      );
    expectRefused(await out(report.freeCollateral + 1n), "insufficientCollateral");
    expectOk(await out(report.freeCollateral));
    const after = margin(env.user(party.user), env.spotMarket(), [market], "withdrawal");
    assert.equal(after?.freeCollateral, 0n, "nothing left above the initial requirement");
  }
  const orders = openOrders(env.user(lp.user), priced(env, exchange));
  assert.ok(orders.bids > 0n && orders.asks > 0n, "the LP's share of the AMM's depth counts");
});

test("with interest accrued, a borrower's and a depositor's free collateral is exactly what withdraw lets out", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const depositor = await newTrader(env, exchange, usd(5_000), 1n);
  const borrower = await newTrader(env, exchange, usd(100));
  expectOk(await trade(env, exchange, depositor, -40_321_000_000n));
  expectOk(await trade(env, exchange, borrower, 5n * BASE));
  // The oracle up 30%, in steps the five-minute TWAP follows (a withdrawal values gains at the
  // worse of the two): the borrower's gain, which the depositor's loss pays, carries a borrow
  // beyond its deposit; the depositor's loss keeps its free collateral below what the vault holds.
  const keeper = await env.wallet();
  for (const price of [108_000_000n, 116_000_000n, 124_000_000n, 130_000_000n]) {
    // Read as soon as published and again five minutes later: the TWAP weighs a price by the
    // time it stood between reads.
    for (const wait of [0n, 300n]) {
      env.advance(wait, 10n);
      await setOraclePrice(env, exchange, price);
      expectOk(await env.send(keeper, settlePnl(depositor.user, exchange.market)));
    }
  }
  const out = (party: Trader, amount: bigint) =>
    env.send(party.wallet, withdraw(collateral(party, exchange), amount, true, [exchange.market]));
  expectOk(await out(borrower, usd(150)));
  assert.equal(env.user(borrower.user).quoteBalance.kind, 1, "a borrow");

  // A day of interest, accrued by the next instruction that touches the quote market.
  env.advance(86_400n, 10n);
  await setOraclePrice(env, exchange, 131_234_567n);
  expectOk(await env.send(depositor.wallet, deposit(collateral(depositor, exchange), 1n)));
  const spot = env.spotMarket();
  assert.ok(spot.cumulativeBorrowInterest > SPOT_CUMULATIVE_INTEREST_PRECISION);
  assert.ok(spot.cumulativeDepositInterest > SPOT_CUMULATIVE_INTEREST_PRECISION);
  // The borrow counts rounded up, the deposit rounded down.
  for (const party of [borrower, depositor]) {
    const report = margin(
      env.user(party.user),
      env.spotMarket(),
      [priced(env, exchange)],
      "withdrawal",
    );
    assert.ok(report && report.freeCollateral > 0n);
    expectRefused(await out(party, report.freeCollateral + 1n), "insufficientCollateral");
    expectOk(await out(party, report.freeCollateral));
  }
});

test("liquidation is refused a cent above the client's liquidation price and allowed at it", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(100));
  const liquidator = await newTrader(env, exchange, usd(1_000));
  expectOk(await trade(env, exchange, trader, 9n * BASE));
  const price = liquidationPrice(
    env.user(trader.user),
    env.spotMarket(),
    [priced(env, exchange)],
    0,
  );
  assert.ok(price !== null && price < START_PRICE && price > 90_000_000n, `${price}`);

  const liquidate = () =>
    env.send(
      liquidator.wallet,
      liquidatePerp(
        liquidator.wallet,
        liquidator.user,
        trader.user,
        exchange.market,
        [],
        2n ** 64n - 1n,
      ),
    );
  await setOraclePrice(env, exchange, price + 10_000n);
  expectRefused(await liquidate(), "notLiquidatable");
  await setOraclePrice(env, exchange, price);
  const done = expectOk(await liquidate());
  const record = done.events.find((e) => e.name === "liquidationRecord");
  assert.ok(record && record.data.baseTransferred > 0n && record.data.user === trader.user);
});

test("de-risking is refused a cent on the safe side of the client's de-risk price and burns at it", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(100_000));
  const keeper = await env.wallet();
  const lp = await newTrader(env, exchange, usd(1_000));
  // Shares whose orders take the LP to 9.5x leverage, as a wallet would size them.
  const shares = sharesForLeverage(lpSizing(env.perpMarket()), usd(1_000), 95_000n, START_PRICE);
  expectOk(await addLiquidity(env, exchange, lp, shares));
  // Traders buy from the LP: it holds a short, and a rising price hurts it twice (its loss,
  // and the requirement of its orders).
  expectOk(await trade(env, exchange, trader, 20n * BASE));
  // No LP is de-risked inside its cooldown: an hour later.
  env.advance(3_600n, 10n);
  await setOraclePrice(env, exchange, START_PRICE);
  const price = deriskPrice(env.user(lp.user), env.spotMarket(), [priced(env, exchange)], 0);
  assert.ok(price !== null && price > START_PRICE && price < 108_000_000n, `${price}`);

  const derisk = () => env.send(keeper, deriskLp(lp.user, exchange.market, []));
  await setOraclePrice(env, exchange, price - 10_000n);
  expectRefused(await derisk(), "nothingToDerisk");
  await setOraclePrice(env, exchange, price);
  const done = expectOk(await derisk());
  const record = done.events.find((e) => e.name === "deriskRecord");
  assert.ok(record && record.data.sharesBurned > 0n, "shares were burned");
  const report = margin(env.user(lp.user), env.spotMarket(), [priced(env, exchange)], "initial");
  assert.ok(report && report.freeCollateral >= 0n, "back at initial margin");
});
