/** Oracle prices as the program reads them: real Pyth `PriceUpdateV2` bytes and the program's
 * own oracle on the ELF, each refused where the program refuses it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parsePriceUpdate,
  priceUpdateToOraclePrice,
  PYTH_RECEIVER_ADDRESS,
  readOracle,
  ReadError,
  ORACLE_SOURCE_PYTH_PULL,
  type OracleAccount,
  type PerpMarket,
} from "../src/index.js";
import { Env, setOraclePrice, setupTrading, START_PRICE } from "./harness.js";

/** The Rust parser's fixtures (`programs/bal/src/state/pyth/tests.rs`): BONK/USD fully
 * verified, SOL/USD partially verified (two guardian signatures). */
const BONK_FULL =
  "22f123639d7ef4cdb4eacbe402ae9165c2ab7dfcdbe5044d27f284106f88a90bfddefa5fbff60ca00172b021217ca3fe68922a19aaf990109cb9d84e9ad004b4d2025ad6f529314419b6450500000000000502000000000000f6ffffffc578586600000000c578586600000000931f0500000000009f01000000000000053306100000000000";
const SOL_PARTIAL =
  "22f123639d7ef4cd971d0cabc898cc1e807612aea951af898f9bf82a44f583fbc965016a78fc3e0a0002ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d8bc5aa72030000000b0ec80000000000f8ffffffaf9cbb6600000000af9cbb660000000008a0c372030000001634b60000000000f737e41000000000";

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"));

const refusedWith = (reason: string) => (error: unknown) =>
  error instanceof ReadError && error.reason === reason;

test("a real fully verified Pyth update reads as the program reads it; a partial one is refused", () => {
  const update = parsePriceUpdate(bytes(BONK_FULL));
  assert.equal(update.price, 345_526n);
  assert.equal(update.confidence, 517n);
  assert.equal(update.exponent, -10);
  assert.equal(update.publishTime, 1_717_074_117n);
  assert.equal(update.postedSlot, 268_841_733n);
  assert.deepEqual([...update.feedId.slice(0, 4)], [0x72, 0xb0, 0x21, 0x21], "BONK/USD 72b02121…");
  // 0.0000345526 USD in six decimals.
  const price = priceUpdateToOraclePrice(update);
  assert.equal(price.price, 34n);
  assert.equal(price.publishSlot, 268_841_733n);

  assert.throws(() => parsePriceUpdate(bytes(SOL_PARTIAL)), refusedWith("oracleNotVerified"));
  const wrongType = bytes(BONK_FULL);
  wrongType[0] ^= 1;
  assert.throws(() => parsePriceUpdate(wrongType), refusedWith("invalidOracle"));
  assert.throws(
    () => parsePriceUpdate(bytes(BONK_FULL).slice(0, 100)),
    refusedWith("invalidOracle"),
  );
});

test("Pyth exponents convert both ways, rounding toward zero and keeping the sign", () => {
  const update = {
    ...parsePriceUpdate(bytes(BONK_FULL)),
    price: -14_808_696_203n,
    confidence: 13_110_795n,
    exponent: -8,
  };
  const price = priceUpdateToOraclePrice(update);
  assert.equal(price.price, -148_086_962n);
  assert.equal(price.confidence, 131_107n);
  assert.equal(priceUpdateToOraclePrice({ ...update, price: 42n, exponent: 0 }).price, 42_000_000n);
  assert.throws(
    () => priceUpdateToOraclePrice({ ...update, exponent: 14 }),
    refusedWith("invalidOracle"),
    "10^20 is beyond the program's u64 factor",
  );
  assert.throws(
    () => priceUpdateToOraclePrice({ ...update, price: 1n << 62n, exponent: 0 }),
    refusedWith("mathError"),
  );
});

test("a market's own oracle is read, program or Pyth; any other account is refused", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  await setOraclePrice(env, exchange, START_PRICE + 1_234n);
  const market = env.perpMarket();
  const account = (address = exchange.oracle): OracleAccount => {
    const stored = env.svm.getAccount(address);
    assert.ok(stored.exists);
    return { address, owner: stored.programAddress, data: stored.data };
  };
  const read = readOracle(market, account());
  assert.equal(read.price, START_PRICE + 1_234n);
  assert.equal(read.confidence, (START_PRICE + 1_234n) / 10_000n);
  assert.equal(read.publishTime, env.now());
  assert.throws(
    () => readOracle({ ...market, oracle: exchange.quote.mint }, account()),
    refusedWith("invalidOracle"),
    "not the market's oracle",
  );
  assert.throws(
    () => readOracle(market, { ...account(), owner: PYTH_RECEIVER_ADDRESS }),
    refusedWith("invalidOracle"),
    "a program oracle owned by another program",
  );

  const pyth = parsePriceUpdate(bytes(BONK_FULL));
  const pythMarket: PerpMarket = {
    ...market,
    oracleSource: ORACLE_SOURCE_PYTH_PULL,
    pythFeedId: [...pyth.feedId],
  };
  const update = { address: market.oracle, owner: PYTH_RECEIVER_ADDRESS, data: bytes(BONK_FULL) };
  assert.equal(readOracle(pythMarket, update).price, 34n);
  assert.throws(
    () => readOracle({ ...pythMarket, pythFeedId: new Array<number>(32).fill(7) }, update),
    refusedWith("invalidOracle"),
    "another feed",
  );
  assert.throws(
    () => readOracle(pythMarket, { ...update, owner: market.oracle }),
    refusedWith("invalidOracle"),
    "not written by Pyth's receiver",
  );
});
