/**
 * The decoders read what real instructions wrote, at every depth of the zero-copy layouts
 * (fields after the large arrays included), refuse other accounts' data, and encode back to
 * the same bytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IdlType } from "@anchor-lang/core";
import {
  AccountDecodeError,
  decodeEvent,
  decodePerpMarket,
  decodeSpotMarket,
  decodeState,
  decodeUser,
  pda,
  placeOrder,
  SPOT_CUMULATIVE_INTEREST_PRECISION,
  updatePerpMarket,
  updateUser,
} from "../src/index.js";
import { coder, fromCoder, toCoder } from "../src/codec.js";
import {
  BASE,
  defaultParams,
  Env,
  expectOk,
  newTrader,
  setupTrading,
  START_PRICE,
  trade,
  usd,
} from "./harness.js";

test("decoded accounts hold what the instructions wrote", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(1_500));
  const jit = { ammIntensity: 250_000, lpIntensity: 100_000, lpTargetBasePerShare: -7n };
  expectOk(await env.send(exchange.admin, updatePerpMarket(exchange.admin, 0, { jit })));
  expectOk(
    await env.send(trader.wallet, updateUser(trader.wallet, 0, { customMarginRatio: 2_000 })),
  );
  expectOk(await trade(env, exchange, trader, -3n * BASE));
  const ask = {
    direction: "short" as const,
    baseAmount: BASE,
    price: 104_000_000n,
    postOnly: true,
    reduceOnly: false,
    expiryTs: 0n,
  };
  expectOk(
    await env.send(trader.wallet, placeOrder(trader.wallet, trader.user, exchange.market, [], ask)),
  );

  const state = decodeState(env.data(pda.state()));
  assert.equal(state.admin, exchange.admin.address);
  assert.deepEqual(state.fees, defaultParams().fees);
  assert.equal(state.numberOfPerpMarkets, 1);

  const spot = env.spotMarket();
  assert.equal(spot.mint, exchange.quote.mint);
  assert.equal(spot.vault, pda.spotVault(0));
  assert.equal(spot.cumulativeDepositInterest, SPOT_CUMULATIVE_INTEREST_PRECISION);
  assert.equal(spot.decimals, 6);

  const market = env.perpMarket();
  assert.equal(String.fromCharCode(...market.name.slice(0, 8)), "SOL-PERP");
  assert.equal(market.oracle, exchange.oracle);
  assert.equal(market.amm.pegMultiplier, START_PRICE);
  assert.equal(market.amm.baseAssetAmountWithAmm, -3n * BASE, "users are short 3 against the AMM");
  assert.equal(market.status, 1, "MarketStatus::Active, stored as its index");
  assert.deepEqual(market.jit, jit, "the last field before the reserved tail");
  assert.ok(market.reserved.every((byte) => byte === 0));

  const user = env.user(trader.user);
  assert.equal(user.authority, trader.wallet.address);
  assert.equal(user.totalDeposits, usd(1_500));
  assert.equal(spot.depositBalance, user.quoteBalance.scaledBalance, "the only deposit");
  assert.ok(
    user.quoteBalance.scaledBalance < usd(1_500) * 1_000n,
    "less the taker fee, at index 1.0",
  );
  assert.equal(user.customMarginRatio, 2_000);
  assert.equal(user.perpPositions[0].baseAssetAmount, -3n * BASE);
  assert.equal(user.perpPositions[0].openAsks, BASE);
  assert.deepEqual(
    {
      id: user.orders[0].orderId,
      price: user.orders[0].price,
      direction: user.orders[0].direction,
      postOnly: user.orders[0].postOnly,
    },
    { id: 0, price: 104_000_000n, direction: 1, postOnly: 1 },
  );
  assert.equal(user.nextOrderId, 1, "the field between the position and order arrays");

  const oracle = env.oracle(exchange.oracle);
  assert.equal(oracle.updater, exchange.oracleUpdater.address);
  assert.equal(oracle.price, START_PRICE);
  assert.equal(oracle.confidence, START_PRICE / 10_000n);
});

test("another account's data, or too little of it, is refused", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const marketData = env.data(pda.perpMarket(0));
  assert.throws(
    () => decodeUser(marketData),
    (e: unknown) => e instanceof AccountDecodeError && e.reason === "wrongDiscriminator",
  );
  assert.throws(
    () => decodePerpMarket(marketData.subarray(0, 100)),
    (e: unknown) => e instanceof AccountDecodeError && e.reason === "tooShort",
  );
  assert.equal(decodeSpotMarket(env.data(pda.spotMarket(0))).mint, exchange.quote.mint);
});

test("decoding then encoding gives back the account's bytes", async () => {
  const env = await Env.start();
  await setupTrading(env);
  for (const [name, address] of [
    ["spotMarket", pda.spotMarket(0)],
    ["programOracle", pda.programOracle(0)],
    ["state", pda.state()],
  ] as const) {
    const data = env.data(address);
    const type = { defined: { name } };
    const decoded = fromCoder(coder.types.decode(name, Buffer.from(data.subarray(8))), type);
    const encoded = coder.types.encode(name, toCoder(decoded, type));
    assert.deepEqual(new Uint8Array(encoded), data.subarray(8), name);
  }
});

test("128- and 256-bit words round-trip at their extremes", () => {
  const cases: [string, bigint[]][] = [
    ["wideU128", [0n, 1n, 2n ** 64n - 1n, 2n ** 64n, 2n ** 128n - 1n]],
    ["wideI128", [0n, -1n, 1n, -(2n ** 63n), -(2n ** 127n), 2n ** 127n - 1n]],
    ["wideI256", [0n, -1n, 2n ** 200n, -(2n ** 255n), 2n ** 255n - 1n]],
  ];
  for (const [name, values] of cases) {
    const type = { defined: { name } } as IdlType;
    for (const value of values) {
      const words = toCoder(value, type) as { words: { toString(): string }[] };
      assert.equal(fromCoder(words, type), value, `${name} ${value}`);
    }
  }
  // Two's complement, little-endian words: −1 is every bit set.
  const minusOne = toCoder(-1n, { defined: { name: "wideI128" } } as IdlType) as {
    words: { toString(): string }[];
  };
  assert.deepEqual(minusOne.words.map(String), ["18446744073709551615", "18446744073709551615"]);
});

test("only the program's records decode as events", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(1_000));
  const traded = expectOk(await trade(env, exchange, trader, BASE));
  assert.deepEqual(
    traded.events.map((e) => e.name),
    ["fillRecord"],
  );
  const ix = updateUser(trader.wallet, 0, { deriskOptOut: true });
  assert.equal(decodeEvent(ix.data as Uint8Array), null, "an instruction, not a record");
  const tag = [0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d];
  assert.equal(
    decodeEvent(Uint8Array.from([...tag, ...new Array(40).fill(7)])),
    null,
    "no record's discriminator",
  );
});
