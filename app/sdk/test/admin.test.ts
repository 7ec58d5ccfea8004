/** The admin builders on the ELF: each succeeds for the admin and is refused as the program says. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeState,
  initialize,
  initializePerpMarket,
  initializeProgramOracle,
  pda,
  repegAmm,
  updateAmmK,
  updatePerpMarket,
  updateProgramOracle,
  updateSpotMarketInterest,
  updateState,
} from "../src/index.js";
import {
  BASE,
  defaultInterestCurve,
  defaultParams,
  defaultPerpMarket,
  Env,
  expectOk,
  expectRefused,
  newTrader,
  nextSecond,
  setOraclePrice,
  setupTrading,
  trade,
  usd,
} from "./harness.js";

test("initialize is the upgrade authority's alone, and only once", async () => {
  const env = await Env.start();
  const stranger = await env.wallet();
  expectRefused(
    await env.send(stranger, initialize(stranger, defaultParams())),
    "notUpgradeAuthority",
  );
  const admin = env.upgradeAuthority;
  expectOk(await env.send(admin, initialize(admin, defaultParams())));
  const state = decodeState(env.data(pda.state()));
  assert.equal(state.admin, admin.address);
  assert.equal(state.lpCooldownSeconds, defaultParams().lpCooldownSeconds);
  expectRefused(
    await env.send(admin, initialize(admin, { ...defaultParams(), lpCooldownSeconds: 1n })),
    "accountAlreadyInitialized",
  );
});

test("update_state changes only what it names, for the admin only", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const stranger = await env.wallet();
  expectRefused(
    await env.send(stranger, updateState(stranger, { lpCooldownSeconds: 60n })),
    "notAdmin",
  );
  expectOk(await env.send(exchange.admin, updateState(exchange.admin, { lpCooldownSeconds: 60n })));
  const state = decodeState(env.data(pda.state()));
  assert.equal(state.lpCooldownSeconds, 60n);
  assert.deepEqual(state.fees, defaultParams().fees, "left as it was");
  expectRefused(
    await env.send(exchange.admin, updateState(exchange.admin, { pausedOperations: 1 << 20 })),
    "invalidPauseBits",
  );
});

test("the quote market's interest curve is the admin's to change, within bounds", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const steeper = { ...defaultInterestCurve(), maxBorrowRate: 2_000_000 };
  expectOk(await env.send(exchange.admin, updateSpotMarketInterest(exchange.admin, steeper)));
  assert.deepEqual(env.spotMarket().interestCurve, steeper);
  const invalid = { ...steeper, optimalUtilization: 0 };
  expectRefused(
    await env.send(exchange.admin, updateSpotMarketInterest(exchange.admin, invalid)),
    "invalidInterestCurve",
  );
});

test("a program oracle takes prices from its updater only", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const stranger = await env.wallet();
  expectRefused(
    await env.send(stranger, updateProgramOracle(stranger, exchange.oracle, 1n, 0n)),
    "notOracleUpdater",
  );
  env.advance(7n, 3n);
  await setOraclePrice(env, exchange, 101_000_000n);
  const oracle = env.oracle(exchange.oracle);
  assert.equal(oracle.price, 101_000_000n);
  assert.equal(oracle.publishSlot, env.svm.getClock().slot);
  assert.equal(oracle.publishTime, env.now());

  const second = pda.programOracle(1);
  expectOk(
    await env.send(exchange.admin, initializeProgramOracle(exchange.admin, 1, stranger.address)),
  );
  assert.equal(env.oracle(second).updater, stranger.address);
  expectOk(await env.send(stranger, updateProgramOracle(stranger, second, 5_000_000n, 500n)));
});

test("perp markets list at the next index and take the admin's updates, each validated", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  expectRefused(
    await env.send(
      exchange.admin,
      initializePerpMarket(exchange.admin, exchange.oracle, 2, defaultPerpMarket()),
    ),
    "invalidMarketIndex",
  );
  expectOk(
    await env.send(
      exchange.admin,
      initializePerpMarket(exchange.admin, exchange.oracle, 1, defaultPerpMarket()),
    ),
  );
  const listed = env.perpMarket(1);
  assert.equal(listed.marketIndex, 1);
  assert.equal(listed.status, 0, "MarketStatus::Initialized until the admin activates it");
  assert.equal(listed.amm.sqrtK, 1_000n * BASE);

  const ratios = { initial: 2_000, maintenance: 1_000 };
  expectOk(
    await env.send(
      exchange.admin,
      updatePerpMarket(exchange.admin, 1, { marginRatios: ratios, status: "active" }),
    ),
  );
  const updated = env.perpMarket(1);
  assert.deepEqual(
    [updated.marginRatioInitial, updated.marginRatioMaintenance, updated.status],
    [2_000, 1_000, 1],
  );
  assert.equal(updated.orderStepSize, listed.orderStepSize, "left as it was");
  expectRefused(
    await env.send(
      exchange.admin,
      updatePerpMarket(exchange.admin, 1, { marginRatios: { initial: 500, maintenance: 500 } }),
    ),
    "invalidMarginRatio",
  );
  expectRefused(
    await env.send(exchange.admin, updatePerpMarket(exchange.admin, 1, { status: "initialized" })),
    "invalidMarketStatusTransition",
  );
});

test("repeg and k changes keep the price where the oracle is, paid from the fee pool", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  // With no inventory against the AMM a repeg costs nothing.
  await setOraclePrice(env, exchange, 102_000_000n);
  expectOk(await env.send(exchange.admin, repegAmm(exchange.admin, 0, exchange.oracle)));
  assert.equal(env.perpMarket().amm.pegMultiplier, 102_000_000n);
  // The repeg moved the curve this second: a change of k waits for the next.
  expectRefused(
    await env.send(exchange.admin, updateAmmK(exchange.admin, 0, exchange.oracle, 2_000n * BASE)),
    "curveMovedThisSecond",
  );
  await nextSecond(env, exchange, 102_000_000n);
  expectOk(
    await env.send(exchange.admin, updateAmmK(exchange.admin, 0, exchange.oracle, 2_000n * BASE)),
  );
  assert.equal(env.perpMarket().amm.sqrtK, 2_000n * BASE);
  expectRefused(
    await env.send(exchange.admin, updateAmmK(exchange.admin, 0, exchange.oracle, 1n)),
    "invalidAmmParameters",
  );

  // Users long 10 against the AMM: raising the peg about 3% above its price costs the AMM's
  // short far more than the fees collected so far.
  const trader = await newTrader(env, exchange, usd(10_000));
  expectOk(await trade(env, exchange, trader, 10n * BASE));
  await nextSecond(env, exchange, 106_000_000n);
  expectRefused(
    await env.send(exchange.admin, repegAmm(exchange.admin, 0, exchange.oracle)),
    "feePoolInsufficient",
  );
  const stranger = await env.wallet();
  expectRefused(await env.send(stranger, repegAmm(stranger, 0, exchange.oracle)), "notAdmin");
});
