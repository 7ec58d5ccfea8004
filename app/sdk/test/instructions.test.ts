/**
 * One builder per IDL instruction, each with the IDL's discriminator, accounts and flags, and
 * remaining accounts in the documented order. (The ELF tests show each one is accepted.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AccountRole, generateKeyPairSigner, type Address, type Instruction } from "@solana/kit";
import * as sdk from "../src/index.js";
import { IDL } from "../src/idl.js";
import { defaultInterestCurve, defaultParams, defaultPerpMarket } from "./harness.js";

const { pda } = sdk;
const key = (n: number): Address => pda.programOracle(100 + n);
const [admin, user, other, maker, token] = [1, 2, 3, 4, 5].map(key);
const market = { marketIndex: 0, oracle: key(6) };
const elsewhere = { marketIndex: 1, oracle: key(7) };
const quote = { mint: key(8), tokenProgram: key(9) };
const funds = { signer: admin, user, tokenAccount: token, quote };
const order = { direction: "long" as const, baseAmount: 1n, limitPrice: null, reduceOnly: false };
const resting = {
  direction: "short" as const,
  baseAmount: 1n,
  price: 1n,
  postOnly: true,
  reduceOnly: false,
  expiryTs: 0n,
};

const built: Record<sdk.InstructionName, Instruction> = {
  initialize: sdk.initialize(admin, defaultParams()),
  updateState: sdk.updateState(admin, {}),
  initializeUser: sdk.initializeUser(admin, 0, new Array(32).fill(0)),
  deleteUser: sdk.deleteUser(admin, 0),
  updateUserName: sdk.updateUser(admin, 0, { name: new Array(32).fill(0) }),
  updateUserDelegate: sdk.updateUser(admin, 0, { delegate: other }),
  updateUserCustomMarginRatio: sdk.updateUser(admin, 0, { customMarginRatio: 0 }),
  updateUserDeriskOptOut: sdk.updateUser(admin, 0, { deriskOptOut: false }),
  initializeSpotMarket: sdk.initializeSpotMarket(admin, quote, defaultInterestCurve()),
  updateSpotMarketInterest: sdk.updateSpotMarketInterest(admin, defaultInterestCurve()),
  updateInsuranceUnstakeDelay: sdk.updateInsuranceUnstakeDelay(admin, 86_400n),
  initializeInsuranceStake: sdk.initializeInsuranceStake(user),
  addInsuranceStake: sdk.addInsuranceStake({ authority: user, tokenAccount: token, quote }, 1n),
  removeInsuranceStake: sdk.removeInsuranceStake({ authority: user, tokenAccount: token, quote }),
  requestInsuranceUnstake: sdk.requestInsuranceUnstake(user, 1n),
  cancelInsuranceUnstake: sdk.cancelInsuranceUnstake(user),
  deposit: sdk.deposit(funds, 1n),
  withdraw: sdk.withdraw(funds, 1n, false, [market, elsewhere]),
  initializeProgramOracle: sdk.initializeProgramOracle(admin, 0, other),
  updateProgramOracle: sdk.updateProgramOracle(admin, market.oracle, 1n, 0n),
  initializePerpMarket: sdk.initializePerpMarket(admin, market.oracle, 0, defaultPerpMarket()),
  updatePerpMarket: sdk.updatePerpMarket(admin, 0, {}),
  repegAmm: sdk.repegAmm(admin, 0, market.oracle),
  updateAmmK: sdk.updateAmmK(admin, 0, market.oracle, 1n),
  placePerpOrder: sdk.placePerpOrder(admin, user, market, [elsewhere], order),
  closePosition: sdk.closePosition(admin, user, market, [elsewhere], 99_000_000n),
  updateFundingRate: sdk.updateFundingRate(market),
  recordOracle: sdk.recordOracle(market),
  settlePnl: sdk.settlePnl(user, market, [elsewhere]),
  addLiquidity: sdk.addLiquidity(admin, user, market, [elsewhere], 1n, sdk.addBounds(100_000_000n, 10_000n)),
  removeLiquidity: sdk.removeLiquidity(admin, user, 0, null),
  settleLp: sdk.settleLp(admin, user, 0),
  settleLpMany: sdk.settleLpMany(admin, [user, other], 0, true),
  deriskLp: sdk.deriskLp(user, market, [elsewhere]),
  liquidatePerp: sdk.liquidatePerp(admin, other, user, market, [elsewhere], 1n),
  resolveBadDebt: sdk.resolveBadDebt(user, 0),
  beginSettlement: sdk.beginSettlement(admin, 0, market.oracle, 1n),
  settleExpiredPositions: sdk.settleExpiredPositions([user, other], 0, true),
  finalizeSettlement: sdk.finalizeSettlement(0),
  delistMarket: sdk.delistMarket(admin, 0),
  placeOrder: sdk.placeOrder(admin, user, market, [elsewhere], resting),
  cancelOrder: sdk.cancelOrder(admin, user, 0),
  cancelOrders: sdk.cancelOrders(admin, user, null),
  fillOrder: sdk.fillOrder(
    admin,
    other,
    { user, orderId: 0 },
    [{ user: maker, orderId: 1 }],
    market,
    [elsewhere],
  ),
  settlePnlMany: sdk.settlePnlMany([user, other], market, true),
};

const roleOf = (account: { writable?: boolean; signer?: boolean }): AccountRole =>
  account.signer
    ? account.writable
      ? AccountRole.WRITABLE_SIGNER
      : AccountRole.READONLY_SIGNER
    : account.writable
      ? AccountRole.WRITABLE
      : AccountRole.READONLY;

test("every IDL instruction has a builder with its discriminator, accounts and flags", () => {
  assert.deepEqual(Object.keys(built).sort(), IDL.instructions.map((i) => i.name).sort());
  for (const def of IDL.instructions) {
    const ix = built[def.name];
    assert.equal(ix.programAddress, sdk.PROGRAM_ADDRESS);
    assert.deepEqual([...ix.data!.subarray(0, 8)], [...def.discriminator], def.name);
    const accounts = sdk.instructionAccounts(def.name);
    const named = ix.accounts!.slice(0, accounts.length);
    assert.deepEqual(
      named.map((a) => a.role),
      accounts.map(roleOf),
      def.name,
    );
    for (const [i, account] of accounts.entries()) {
      if ("address" in account) assert.equal(named[i].address, account.address);
      if (account.name === "eventAuthority") assert.equal(named[i].address, pda.eventAuthority());
      if (account.name === "program") assert.equal(named[i].address, sdk.PROGRAM_ADDRESS);
      if (account.name === "state") assert.equal(named[i].address, pda.state());
    }
  }
});

const tail = (ix: Instruction, name: sdk.InstructionName) =>
  ix
    .accounts!.slice(sdk.instructionAccounts(name).length)
    .map((a) => [a.address, a.role]);

test("remaining accounts come in the documented order", () => {
  const pair = (m: sdk.MarketAccounts) => [
    [pda.perpMarket(m.marketIndex), AccountRole.READONLY],
    [m.oracle, AccountRole.READONLY],
  ];
  assert.deepEqual(tail(built.withdraw, "withdraw"), [...pair(market), ...pair(elsewhere)]);
  for (const name of [
    "placePerpOrder",
    "settlePnl",
    "closePosition",
    "addLiquidity",
    "deriskLp",
    "liquidatePerp",
    "placeOrder",
  ] as const) {
    assert.deepEqual(tail(built[name], name), pair(elsewhere), name);
  }
  // fill_order: the makers' users (writable), then the other markets' pairs.
  assert.deepEqual(tail(built.fillOrder, "fillOrder"), [
    [maker, AccountRole.WRITABLE],
    ...pair(elsewhere),
  ]);
  // The keeper batches name their first user and list every user, writable.
  for (const name of ["settlePnlMany", "settleLpMany"] as const) {
    assert.deepEqual(tail(built[name], name), [
      [user, AccountRole.WRITABLE],
      [other, AccountRole.WRITABLE],
    ]);
    assert.ok(built[name].accounts!.some((a, i) => i < 3 && a.address === user));
  }
});

test("a kit signer rides in its account meta; a bare address does not", async () => {
  const signer = await generateKeyPairSigner();
  const [withSigner] = sdk.deleteUser(signer, 0).accounts!;
  assert.equal(withSigner.address, signer.address);
  assert.equal((withSigner as { signer?: unknown }).signer, signer);
  const [bare] = sdk.deleteUser(signer.address, 0).accounts!;
  assert.equal("signer" in bare, false);
  assert.equal(sdk.deleteUser(signer, 0).accounts![1].address, pda.user(signer.address, 0));
});
