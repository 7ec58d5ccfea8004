/**
 * The generated client and `@bal/sdk`'s hand-written builders build the same instructions: for
 * each instruction below, from the same inputs, the same program, the same accounts in the same
 * order with the same roles, and the same data bytes. The generated builders derive the state,
 * the quote market, the perp market (from `marketIndex`), the subaccount of an owner's own
 * settings (from `subAccountId`), the event authority and the program themselves; the rest are
 * inputs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { address, generateKeyPairSigner, type Address } from "@solana/kit";
import * as sdk from "@bal/sdk";
import * as gen from "../src/index.js";

interface Comparable {
  programAddress: string;
  accounts?: readonly { address: string; role: number }[];
  data?: ArrayLike<number>;
}

function shape(ix: Comparable) {
  return {
    program: ix.programAddress,
    accounts: (ix.accounts ?? []).map((a) => `${a.address}:${a.role}`),
    data: Array.from(ix.data ?? []),
  };
}

const same = (name: string, generated: Comparable, handWritten: Comparable) =>
  assert.deepEqual(shape(generated), shape(handWritten), name);

test("the generated builders build what @bal/sdk builds", async () => {
  const owner = await generateKeyPairSigner();
  const keeper = await generateKeyPairSigner();
  // The SDK takes a signer of its own Kit version or a bare address: the accounts and data are
  // the same either way, only the signer object rides along.
  const signer = owner.address as Address;
  const user = sdk.pda.user(signer as never, 0) as unknown as Address;
  const other = address("Sysvar1nstructions1111111111111111111111111");
  const oracle = address("SysvarC1ock11111111111111111111111111111111");
  const market = { marketIndex: 3, oracle: oracle as never };
  const order = { direction: "long" as const, baseAmount: 2_000_000_000n, limitPrice: 123n, reduceOnly: true };

  same(
    "placePerpOrder",
    await gen.getPlacePerpOrderInstructionAsync({
      authority: owner,
      user,
      oracle,
      marketIndex: 3,
      direction: gen.PositionDirection.Long,
      baseAmount: order.baseAmount,
      limitPrice: order.limitPrice,
      reduceOnly: true,
    }),
    sdk.placePerpOrder(signer as never, user as never, market, [], order as never) as never,
  );
  same(
    "addLiquidity",
    await gen.getAddLiquidityInstructionAsync({
      authority: owner,
      user,
      oracle,
      marketIndex: 3,
      shares: 5_000_000_000n,
      min: 1n,
      max: 2n,
    }),
    sdk.addLiquidity(signer as never, user as never, market, [], 5_000_000_000n, { min: 1n, max: 2n }) as never,
  );
  same(
    "removeLiquidity",
    await gen.getRemoveLiquidityInstructionAsync({
      signer: owner,
      user,
      marketIndex: 3,
      shares: null,
    }),
    sdk.removeLiquidity(signer as never, user as never, 3, null) as never,
  );
  same(
    "settlePnl",
    await gen.getSettlePnlInstructionAsync({ user: other, oracle, marketIndex: 3 }),
    sdk.settlePnl(other as never, market) as never,
  );
  same(
    "liquidatePerp",
    await gen.getLiquidatePerpInstructionAsync({
      liquidator: keeper,
      liquidatorUser: user,
      user: other,
      oracle,
      marketIndex: 3,
      maxBase: 7n,
    }),
    sdk.liquidatePerp(keeper.address as never, user as never, other as never, market, [], 7n) as never,
  );
  same(
    "updateFundingRate",
    await gen.getUpdateFundingRateInstructionAsync({ oracle, marketIndex: 3 }),
    sdk.updateFundingRate(market) as never,
  );
  same(
    "updateUserCustomMarginRatio",
    await gen.getUpdateUserCustomMarginRatioInstructionAsync({
      authority: owner,
      subAccountId: 0,
      marginRatio: 2_500,
    }),
    sdk.updateUser(signer as never, 0, { customMarginRatio: 2_500 }) as never,
  );
  same(
    "deleteUser",
    await gen.getDeleteUserInstructionAsync({ authority: owner, subAccountId: 0 }),
    sdk.deleteUser(signer as never, 0) as never,
  );
});
