/** The instructions each of the page's buttons sends, built from what the page read. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import {
  addLiquidity,
  closePosition,
  deposit,
  pda,
  removeLiquidity,
  reservePrice,
  settleLp,
  updateUser,
  withdraw,
  type PerpPosition,
  type User,
} from "@bal/sdk";
import * as actions from "../src/actions.js";
import { marginRatioForLeverage, type MarketData, type Subaccount } from "../src/bal.js";
import { associatedTokenAccount } from "../src/chain.js";
import { BASE, perpMarket, priced, spotMarket, usd, user } from "./fixtures.js";

const oracle = (n: number): Address => pda.programOracle(200 + n);

function read(index: number): MarketData {
  const market = perpMarket(index);
  market.oracle = oracle(index);
  return priced(market);
}
/** Both markets, SOL-PERP (0) then ETH-PERP (1). */
const markets = (): [MarketData, MarketData] => [read(0), read(1)];

function slot(account: Subaccount, index: number): PerpPosition {
  const position = account.user.perpPositions[index];
  assert.ok(position, `no position slot ${index}`);
  return position;
}

/** Subaccount 0 with a position in each of `indices` (slot order), `shares` of BAL in each. */
function holding(indices: number[], shares = 0n): Subaccount {
  const account: User = user(0, usd(1_000));
  const subaccount = { address: pda.user(oracle(9), 0), user: account };
  indices.forEach((marketIndex, index) => {
    const position = slot(subaccount, index);
    position.active = 1;
    position.marketIndex = marketIndex;
    position.baseAssetAmount = BASE;
    position.lp.shares = shares;
  });
  return subaccount;
}

test("closing an LP's position settles its BAL part first, a trader's closes alone", async () => {
  const signer = await generateKeyPairSigner();
  const all = markets();
  // A long sells no lower than 2% under the oracle the page read, a short buys no higher.
  const below = all[1].oraclePrice - (all[1].oraclePrice * 2n) / 100n;
  const above = all[1].oraclePrice + (all[1].oraclePrice * 2n) / 100n;
  const lp = holding([1], 5n * BASE);
  const lpPosition = slot(lp, 0);
  const sol = { marketIndex: 1, oracle: oracle(1) };
  assert.deepEqual(await actions.closeWholePosition(lp, all[1], all, lpPosition).build(signer), [
    settleLp(signer, lp.address, 1),
    closePosition(signer, lp.address, sol, [], below),
  ]);
  const trader = holding([1, 0]);
  const alone = slot(trader, 0);
  alone.baseAssetAmount = -BASE;
  assert.deepEqual(await actions.closeWholePosition(trader, all[1], all, alone).build(signer), [
    closePosition(signer, trader.address, sol, [{ marketIndex: 0, oracle: oracle(0) }], above),
  ]);
});

test("removing every share sends None (shares gained meanwhile go too)", async () => {
  const signer = await generateKeyPairSigner();
  const [sol] = markets();
  const lp = holding([0], 5n * BASE);
  const all = await actions.removeShares(lp, sol, 5n * BASE, 5n * BASE).build(signer);
  assert.deepEqual(all, [removeLiquidity(signer, lp.address, 0, null)]);
  const part = await actions.removeShares(lp, sol, 2n * BASE, 5n * BASE).build(signer);
  assert.deepEqual(part, [removeLiquidity(signer, lp.address, 0, 2n * BASE)]);
  assert.notDeepEqual(all, part);
});

test("a withdrawal names every market the subaccount holds; a deposit none", async () => {
  const signer = await generateKeyPairSigner();
  const all = markets();
  const spot = spotMarket();
  spot.mint = oracle(7);
  spot.tokenProgram = oracle(8);
  const trader = holding([1, 0]);
  const accounts = {
    signer,
    user: trader.address,
    tokenAccount: await associatedTokenAccount(signer.address, spot.mint, spot.tokenProgram),
    quote: { mint: spot.mint, tokenProgram: spot.tokenProgram },
  };
  const slotOrder = [
    { marketIndex: 1, oracle: oracle(1) },
    { marketIndex: 0, oracle: oracle(0) },
  ];
  const out = actions.moveCollateral("withdraw", usd(5), trader, spot, all);
  assert.equal(out.done, "Withdrew $5.00");
  assert.deepEqual(await out.build(signer), [withdraw(accounts, usd(5), false, slotOrder)]);
  const into = actions.moveCollateral("deposit", usd(5), trader, spot, all);
  assert.deepEqual(await into.build(signer), [deposit(accounts, usd(5))]);
});

test("adding liquidity names its market once and the other markets held after it", async () => {
  const signer = await generateKeyPairSigner();
  const all = markets();
  const lp = holding([0, 1], BASE);
  // Within 1% of the curve's price as the page read it.
  const price = reservePrice(all[0].market);
  assert.deepEqual(await actions.addShares(lp, all[0], all, 3n * BASE).build(signer), [
    addLiquidity(
      signer,
      lp.address,
      { marketIndex: 0, oracle: oracle(0) },
      [{ marketIndex: 1, oracle: oracle(1) }],
      3n * BASE,
      { min: price - price / 100n, max: price + price / 100n },
    ),
  ]);
});

test("a market the page has not read, or a name too long, is refused unsent", async () => {
  const signer = await generateKeyPairSigner();
  const trader = holding([3]);
  const spot = spotMarket();
  const withdrawal = actions.moveCollateral("withdraw", usd(5), trader, spot, markets());
  await assert.rejects(async () => withdrawal.build(signer), /Market 3 is not loaded/);
  assert.throws(() => actions.createSubaccount(1, "x".repeat(33)).build(signer), /does not fit/);
  assert.equal((await actions.createSubaccount(1, "BAL").build(signer)).length, 1);
});

test("the settings say what they set and send one update of that field alone", async () => {
  const signer = await generateKeyPairSigner();
  const trader = holding([0]);
  const five = actions.setMaxLeverage(trader, marginRatioForLeverage(5));
  assert.equal(five.done, "Max leverage set to 5.00x");
  assert.deepEqual(await five.build(signer), [
    updateUser(signer, 0, { customMarginRatio: marginRatioForLeverage(5) }),
  ]);
  const reset = actions.setMaxLeverage(trader, 0);
  assert.equal(reset.done, "Max leverage set to the market default");
  assert.deepEqual(await reset.build(signer), [updateUser(signer, 0, { customMarginRatio: 0 })]);
  const out = actions.setDeriskOptOut(trader, true);
  assert.equal(out.done, "Opted out of de-risking");
  assert.deepEqual(await out.build(signer), [updateUser(signer, 0, { deriskOptOut: true })]);
  const back = actions.setDeriskOptOut(trader, false);
  assert.equal(back.done, "De-risking turned back on");
  assert.deepEqual(await back.build(signer), [updateUser(signer, 0, { deriskOptOut: false })]);
});
