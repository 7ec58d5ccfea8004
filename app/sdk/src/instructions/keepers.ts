/** Permissionless keeper instructions: funding, P&L settlement, de-risking, liquidation. */
import type { Address, Instruction } from "@solana/kit";
import * as pda from "../pda.js";
import {
  buildInstruction,
  eventAccounts,
  marginAccounts,
  writableUsers,
  type MarketAccounts,
  type SignerInput,
} from "./build.js";

/** Once per funding period: applies the period's rate, then repegs toward the oracle. */
const fundingAccounts = (market: MarketAccounts) => ({
  state: pda.state(),
  perpMarket: pda.perpMarket(market.marketIndex),
  oracle: market.oracle,
  ...eventAccounts(),
});

export const updateFundingRate = (market: MarketAccounts): Instruction =>
  buildInstruction("updateFundingRate", fundingAccounts(market), {
    marketIndex: market.marketIndex,
  });

/** Records the market's oracle in its TWAPs (permissionless; fresh and certain, however far
 * from its TWAP). */
export const recordOracle = (market: MarketAccounts): Instruction =>
  buildInstruction("recordOracle", fundingAccounts(market), { marketIndex: market.marketIndex });

const settleAccounts = (user: Address, market: MarketAccounts) => ({
  state: pda.state(),
  user,
  spotMarket: pda.spotMarket(0),
  perpMarket: pda.perpMarket(market.marketIndex),
  oracle: market.oracle,
  ...eventAccounts(),
});

/** Settles `user`'s P&L in `market`; an LP below initial margin is de-risked first, for which
 * `others` (the user's other positions' markets) are needed. */
export const settlePnl = (
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[] = [],
): Instruction =>
  buildInstruction(
    "settlePnl",
    settleAccounts(user, market),
    { marketIndex: market.marketIndex },
    marginAccounts(others),
  );

/** Settles every user in `users` (writable remaining accounts); with `tryMode` a refused user
 * is left unchanged and its error code returned (one u32 LE per user, 0 = settled). */
export const settlePnlMany = (
  users: readonly [Address, ...Address[]],
  market: MarketAccounts,
  tryMode: boolean,
): Instruction =>
  buildInstruction(
    "settlePnlMany",
    settleAccounts(users[0], market),
    { marketIndex: market.marketIndex, tryMode },
    writableUsers(users),
  );

/** De-risks `user`'s LP position in `market`; `others`: the user's other positions' markets. */
export const deriskLp = (
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[],
): Instruction =>
  buildInstruction(
    "deriskLp",
    settleAccounts(user, market),
    { marketIndex: market.marketIndex },
    marginAccounts(others),
  );

/** Liquidates `user` in `market`, taking over at most `maxBase` (precision: BASE) of its
 * position into `liquidatorUser` at the oracle price; `others`: every other market in which
 * `user` or the liquidator holds a position. */
export const liquidatePerp = (
  liquidator: SignerInput,
  liquidatorUser: Address,
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[],
  maxBase: bigint,
): Instruction =>
  buildInstruction(
    "liquidatePerp",
    {
      liquidator,
      state: pda.state(),
      liquidatorUser,
      user,
      spotMarket: pda.spotMarket(0),
      perpMarket: pda.perpMarket(market.marketIndex),
      oracle: market.oracle,
      ...eventAccounts(),
    },
    { marketIndex: market.marketIndex, maxBase },
    marginAccounts(others),
  );

/** Writes off `user`'s bad debt (nothing left but a negative balance its claims do not cover);
 * `marketIndex` must be the market whose loss it last settled (`lastLossMarket`), whose fee
 * pool pays first. */
export const resolveBadDebt = (user: Address, marketIndex: number): Instruction =>
  buildInstruction(
    "resolveBadDebt",
    {
      state: pda.state(),
      user,
      spotMarket: pda.spotMarket(0),
      perpMarket: pda.perpMarket(marketIndex),
      ...eventAccounts(),
    },
    { marketIndex },
  );

/** Closes each of `users` (writable remaining accounts) at `marketIndex`'s settlement price:
 * losses collected, gains registered as claims or, once payouts began, paid pro rata. */
export const settleExpiredPositions = (
  users: readonly Address[],
  marketIndex: number,
  tryMode: boolean,
): Instruction =>
  buildInstruction(
    "settleExpiredPositions",
    {
      state: pda.state(),
      spotMarket: pda.spotMarket(0),
      perpMarket: pda.perpMarket(marketIndex),
      ...eventAccounts(),
    },
    { marketIndex, tryMode },
    writableUsers(users),
  );

/** Once every position has closed and the claim window passed, fixes the pro-rata payout. */
export const finalizeSettlement = (marketIndex: number): Instruction =>
  buildInstruction(
    "finalizeSettlement",
    { state: pda.state(), perpMarket: pda.perpMarket(marketIndex), ...eventAccounts() },
    { marketIndex },
  );
