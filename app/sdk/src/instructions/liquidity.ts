/** BAL liquidity: adding, removing and settling LP shares. */
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

/** The reserve prices within which a caller accepts to add liquidity (precision: PRICE). */
export type PriceBounds = Defined<"priceBounds">;

/** No bound of the caller's own: only the market's price band and the second's rule apply. */
export const UNBOUNDED: PriceBounds = { min: 0n, max: 2n ** 64n - 1n };

/** Mints `shares` (precision: BASE, rounded down to the step by the program) where the curve's
 * reserve price lies within the market's price band around the oracle and within `bounds`
 * (`addBounds` around the price the caller saw); `others`: the user's other positions'
 * markets, for the margin check. */
export const addLiquidity = (
  signer: SignerInput,
  user: Address,
  market: MarketAccounts,
  others: readonly MarketAccounts[],
  shares: bigint,
  bounds: PriceBounds,
): Instruction =>
  buildInstruction(
    "addLiquidity",
    {
      authority: signer,
      state: pda.state(),
      user,
      spotMarket: pda.spotMarket(0),
      perpMarket: pda.perpMarket(market.marketIndex),
      oracle: market.oracle,
      ...eventAccounts(),
    },
    { marketIndex: market.marketIndex, shares, bounds },
    marginAccounts(others),
  );

const manageLiquidity = (signer: SignerInput, user: Address, marketIndex: number) => ({
  signer,
  state: pda.state(),
  user,
  perpMarket: pda.perpMarket(marketIndex),
  ...eventAccounts(),
});

/** Settles, then burns `shares` (precision: BASE); `null` burns all. */
export const removeLiquidity = (
  signer: SignerInput,
  user: Address,
  marketIndex: number,
  shares: bigint | null,
): Instruction =>
  buildInstruction("removeLiquidity", manageLiquidity(signer, user, marketIndex), {
    marketIndex,
    shares,
  });

/** Permissionless and idempotent: moves `user`'s LP entitlement into its position. */
export const settleLp = (signer: SignerInput, user: Address, marketIndex: number): Instruction =>
  buildInstruction("settleLp", manageLiquidity(signer, user, marketIndex), { marketIndex });

/** Settles every LP in `users` (writable remaining accounts); `tryMode` skips accounts that
 * are not users, with their error code in the return data. */
export const settleLpMany = (
  signer: SignerInput,
  users: readonly [Address, ...Address[]],
  marketIndex: number,
  tryMode: boolean,
): Instruction =>
  buildInstruction(
    "settleLpMany",
    manageLiquidity(signer, users[0], marketIndex),
    { marketIndex, tryMode },
    writableUsers(users),
  );
