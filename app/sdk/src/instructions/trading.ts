/** Taker orders against the AMM, resting orders, and filling them. */
import type { Address, Instruction } from "@solana/kit";
import type { Defined } from "../codec.js";
import * as pda from "../pda.js";
import {
  buildInstruction,
  eventAccounts,
  marginAccounts,
  writableUsers,
  type MarketAccounts,
  type SignerInput,
} from "./build.js";

export type OrderParams = Defined<"orderParams">;
export type RestingOrderParams = Defined<"restingOrderParams">;

const tradeAccounts = (signer: SignerInput, user: Address, market: MarketAccounts) => ({
  authority: signer,
  state: pda.state(),
  user,
  spotMarket: pda.spotMarket(0),
  perpMarket: pda.perpMarket(market.marketIndex),
  oracle: market.oracle,
  ...eventAccounts(),
});

/** A taker order against the AMM; `others`: the user's other positions' markets, for margin. */
export const placePerpOrder = (
  signer: SignerInput,
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[],
  params: OrderParams,
): Instruction =>
  buildInstruction(
    "placePerpOrder",
    tradeAccounts(signer, user, market),
    { marketIndex: market.marketIndex, params },
    marginAccounts(others),
  );

/** Closes the whole position in `market` against the AMM, whatever its size, no worse on
 * average than `limitPrice` (precision: PRICE; `null`: the market's price band alone);
 * `others`: the user's other positions' markets, for the margin check. */
export const closePosition = (
  signer: SignerInput,
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[],
  limitPrice: bigint | null,
): Instruction =>
  buildInstruction(
    "closePosition",
    tradeAccounts(signer, user, market),
    { marketIndex: market.marketIndex, limitPrice },
    marginAccounts(others),
  );

/** Rests a limit order (maker or taker); its id comes back as the return data (u32 LE).
 * `others`: the user's other positions' markets. */
export const placeOrder = (
  signer: SignerInput,
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[],
  params: RestingOrderParams,
): Instruction =>
  buildInstruction(
    "placeOrder",
    tradeAccounts(signer, user, market),
    { marketIndex: market.marketIndex, params },
    marginAccounts(others),
  );

const cancelAccounts = (signer: SignerInput, user: Address) => ({
  authority: signer,
  user,
  ...eventAccounts(),
});

export const cancelOrder = (signer: SignerInput, user: Address, orderId: number): Instruction =>
  buildInstruction("cancelOrder", cancelAccounts(signer, user), { orderId });

/** Cancels every open order of `user`, or only those in `marketIndex`. */
export const cancelOrders = (
  signer: SignerInput,
  user: Address,
  marketIndex: number | null,
): Instruction => buildInstruction("cancelOrders", cancelAccounts(signer, user), { marketIndex });

/** A maker's order for `fillOrder`: its `User` and the order's id. */
export interface MakerOrderRef {
  user: Address;
  orderId: number;
}

/**
 * Fills `taker`'s order against `makers` (their `User`s become the first remaining accounts,
 * writable) and the AMM; `others`: markets of the parties' other positions (each once), as
 * `(PerpMarket, oracle)` pairs after the makers.
 */
export function fillOrder(
  filler: SignerInput,
  fillerUser: Address,
  taker: MakerOrderRef,
  makers: readonly MakerOrderRef[],
  market: MarketAccounts,
  others: readonly MarketAccounts[],
): Instruction {
  return buildInstruction(
    "fillOrder",
    {
      filler,
      state: pda.state(),
      fillerUser,
      taker: taker.user,
      spotMarket: pda.spotMarket(0),
      perpMarket: pda.perpMarket(market.marketIndex),
      oracle: market.oracle,
      ...eventAccounts(),
    },
    {
      marketIndex: market.marketIndex,
      takerOrderId: taker.orderId,
      makerOrderIds: makers.map((m) => m.orderId),
    },
    [...writableUsers(makers.map((m) => m.user)), ...marginAccounts(others)],
  );
}
