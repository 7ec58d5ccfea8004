/** Trading, resting orders, fills, funding and P&L settlement builders on the ELF. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LangErrorCode } from "@anchor-lang/core";
import {
  cancelOrder,
  cancelOrders,
  closePosition,
  fillOrder,
  placeOrder,
  placePerpOrder,
  settlePnl,
  settlePnlMany,
  updateFundingRate,
  type RestingOrderParams,
} from "../src/index.js";
import {
  BASE,
  Env,
  expectOk,
  expectRefused,
  newTrader,
  nextFundingPeriod,
  setOraclePrice,
  setupTrading,
  trade,
  u32s,
  usd,
} from "./harness.js";

test("taker orders: limits, steps, a fill's record, closing and settling the P&L", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(1_000));
  const order = (baseAmount: bigint, limitPrice: bigint | null) =>
    placePerpOrder(trader.wallet, trader.user, exchange.market, [], {
      direction: "long",
      baseAmount,
      limitPrice,
      reduceOnly: false,
    });
  expectRefused(await env.send(trader.wallet, order(2n * BASE, 99_000_000n)), "limitPriceExceeded");
  expectRefused(await env.send(trader.wallet, order(BASE + 1n, null)), "orderSizeInvalid");

  const filled = expectOk(await env.send(trader.wallet, order(2n * BASE, null)));
  const [fill] = filled.events;
  assert.ok(fill?.name === "fillRecord");
  assert.equal(fill.data.user, trader.user);
  assert.equal(fill.data.base, 2n * BASE);
  const position = env.user(trader.user).perpPositions[0];
  assert.equal(position.baseAssetAmount, 2n * BASE);
  assert.equal(position.quoteEntryAmount, -fill.data.quote, "paid the fill's quote");
  assert.equal(fill.data.ammBaseAfter, env.perpMarket().amm.baseAssetAmountWithAmm);

  await setOraclePrice(env, exchange, 101_000_000n);
  expectOk(
    await env.send(
      trader.wallet,
      closePosition(trader.wallet, trader.user, exchange.market, [], null),
    ),
  );
  assert.equal(env.user(trader.user).perpPositions[0].baseAssetAmount, 0n);
  const before = env.user(trader.user).quoteBalance.scaledBalance;
  const settled = expectOk(await env.send(trader.wallet, settlePnl(trader.user, exchange.market)));
  const [record] = settled.events;
  assert.ok(
    record?.name === "settlePnlRecord" && record.data.amount < 0n,
    "a round trip through the spread loses",
  );
  assert.equal(
    env.user(trader.user).quoteBalance.scaledBalance,
    before + record.data.amount * 1_000n,
  );
  assert.equal(env.user(trader.user).perpPositions[0].active, 0, "nothing left in the slot");
});

test("funding: refused before the period ends, recorded when it does", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const trader = await newTrader(env, exchange, usd(5_000));
  const keeper = await env.wallet();
  expectOk(await trade(env, exchange, trader, 20n * BASE));
  expectRefused(await env.send(keeper, updateFundingRate(exchange.market)), "fundingNotDue");
  const updated = await nextFundingPeriod(env, exchange, keeper);
  const [record] = updated.events;
  assert.ok(record?.name === "fundingRecord");
  assert.ok(record.data.rate > 0n, "the mark above the oracle: longs pay");
  assert.equal(record.data.cumulativeFundingRate, env.perpMarket().funding.cumulativeFundingRate);
});

test("settle_pnl_many settles each user and, in try mode, reports a code per account", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const long = await newTrader(env, exchange, usd(1_000));
  const short = await newTrader(env, exchange, usd(1_000));
  const keeper = await env.wallet();
  expectOk(await trade(env, exchange, long, 3n * BASE));
  expectOk(await trade(env, exchange, short, -2n * BASE));
  await setOraclePrice(env, exchange, 97_000_000n);

  // A wallet is not a user: without try mode it reverts the batch, with it the batch goes on.
  const stranger = keeper.address;
  const wrongOwner = LangErrorCode.AccountOwnedByWrongProgram;
  expectRefused(
    await env.send(keeper, settlePnlMany([long.user, stranger], exchange.market, false)),
    wrongOwner,
  );
  const batch = expectOk(
    await env.send(keeper, settlePnlMany([long.user, stranger, short.user], exchange.market, true)),
  );
  assert.deepEqual(u32s(batch.returnData), [0, wrongOwner, 0]);
  const [record, ...more] = batch.events;
  assert.ok(record?.name === "settlePnlBatchRecord" && more.length === 0, "one record for the batch");
  assert.deepEqual(
    record.data.settled.map((s) => s.user),
    [long.user, short.user],
  );
});

test("resting orders: placed with an id, cancelled by id or all, a taker's filled against a maker", async () => {
  const env = await Env.start();
  const exchange = await setupTrading(env);
  const maker = await newTrader(env, exchange, usd(5_000));
  const taker = await newTrader(env, exchange, usd(5_000));
  const filler = await newTrader(env, exchange, 0n);
  const rest = (
    direction: "long" | "short",
    baseAmount: bigint,
    price: bigint,
    postOnly: boolean,
  ): RestingOrderParams => ({
    direction,
    baseAmount,
    price,
    postOnly,
    reduceOnly: false,
    expiryTs: 0n,
  });
  const place = async (who: typeof maker, params: RestingOrderParams) =>
    u32s(
      expectOk(
        await env.send(who.wallet, placeOrder(who.wallet, who.user, exchange.market, [], params)),
      ).returnData,
    )[0];

  expectRefused(
    await env.send(
      maker.wallet,
      placeOrder(
        maker.wallet,
        maker.user,
        exchange.market,
        [],
        rest("short", BASE, 99_000_000n, true),
      ),
    ),
    "postOnlyWouldCross",
  );
  const ask = await place(maker, rest("short", 3n * BASE, 100_100_000n, true));
  const spare = await place(maker, rest("long", BASE, 95_000_000n, true));
  assert.deepEqual([ask, spare], [0, 1]);
  const cancelled = expectOk(
    await env.send(maker.wallet, cancelOrder(maker.wallet, maker.user, spare)),
  );
  assert.ok(
    cancelled.events[0]?.name === "orderRecord" && cancelled.events[0].data.orderId === spare,
  );
  expectRefused(
    await env.send(maker.wallet, cancelOrder(maker.wallet, maker.user, spare)),
    "orderNotFound",
  );

  const bid = await place(taker, rest("long", 2n * BASE, 101_000_000n, false));
  expectRefused(
    await env.send(
      filler.wallet,
      fillOrder(
        filler.wallet,
        filler.user,
        { user: maker.user, orderId: ask },
        [{ user: taker.user, orderId: bid }],
        exchange.market,
        [],
      ),
    ),
    "notATakerOrder",
  );
  const fill = expectOk(
    await env.send(
      filler.wallet,
      fillOrder(
        filler.wallet,
        filler.user,
        { user: taker.user, orderId: bid },
        [{ user: maker.user, orderId: ask }],
        exchange.market,
        [],
      ),
    ),
  );
  const pieces = fill.events.filter((e) => e.name === "orderFillRecord").map((e) => e.data);
  const makerPiece = pieces.find((p) => p.maker === maker.user);
  assert.ok(makerPiece, "the maker filled part of it");
  assert.equal(
    pieces.reduce((sum, p) => sum + p.base, 0n),
    2n * BASE,
    "filled in full",
  );
  assert.equal(env.user(taker.user).perpPositions[0].baseAssetAmount, 2n * BASE);
  assert.equal(env.user(maker.user).perpPositions[0].baseAssetAmount, -makerPiece.base);
  assert.ok(env.user(filler.user).quoteBalance.scaledBalance > 0n, "the filler earned its reward");

  const all = expectOk(await env.send(maker.wallet, cancelOrders(maker.wallet, maker.user, null)));
  assert.deepEqual(
    all.events.map((e) => e.name),
    ["orderRecord"],
  );
  expectRefused(
    await env.send(maker.wallet, cancelOrders(maker.wallet, maker.user, 0)),
    "orderNotFound",
  );
});
