/**
 * What each of the page's transactions sends and how its outcome reads: the instructions a
 * click builds, from what the page read and the user typed. No DOM and no chain reads, so the
 * instructions every button sends are tested without a page.
 */
import type { Instruction, TransactionSigner } from "@solana/kit";
import {
  addBounds,
  addLiquidity,
  closePosition,
  deposit,
  initializeUser,
  removeLiquidity,
  reservePrice,
  simulateSettle,
  settleLp,
  updateUser,
  withdraw,
  type MarketAccounts,
  type PerpPosition,
  type SpotMarket,
  type User,
} from "@bal/sdk";
import { leverageOfRatio, type MarketData, type Subaccount } from "./bal.js";
import { associatedTokenAccount } from "./chain.js";
import { encodeName, formatBase, formatLeverage, formatUsd } from "./format.js";

/** A transaction to send: what to say when it lands or fails, and its instructions for the
 * connected wallet's `signer` (whose address owns the quote token account). */
export interface Action {
  done: string;
  failed: string;
  build: (signer: TransactionSigner) => Promise<Instruction[]> | Instruction[];
}

/** The accounts an instruction in market `index` names for it. */
export function marketAccounts(markets: MarketData[], index: number): MarketAccounts {
  const data = markets.find((m) => m.market.marketIndex === index);
  if (!data) {
    throw new Error(`Market ${index} is not loaded`);
  }
  return { marketIndex: index, oracle: data.market.oracle };
}

/** The markets of `user`'s active positions in slot order, `except` one: the remaining
 * accounts margin checks take. */
export function positionMarkets(
  markets: MarketData[],
  user: User,
  except?: number,
): MarketAccounts[] {
  return user.perpPositions
    .filter((p) => p.active === 1 && p.marketIndex !== except)
    .map((p) => marketAccounts(markets, p.marketIndex));
}

/** A new subaccount `id` named `name` (a name over 32 bytes fails as the action's failure). */
export function createSubaccount(id: number, name: string): Action {
  return {
    done: `Created subaccount ${id}`,
    failed: `Could not create subaccount ${id}`,
    build: (signer) => {
      const encoded = encodeName(name);
      if (!encoded) {
        throw new Error(`"${name}" does not fit a subaccount name`);
      }
      return [initializeUser(signer, id, encoded)];
    },
  };
}

/** A deposit into, or a withdrawal from, `selected` of `amount` quote (6 decimals); a
 * withdrawal names every market the subaccount holds a position in, for its margin check. */
export function moveCollateral(
  kind: "deposit" | "withdraw",
  amount: bigint,
  selected: Subaccount,
  spot: SpotMarket,
  markets: MarketData[],
): Action {
  const shown = formatUsd(amount);
  return {
    done: kind === "deposit" ? `Deposited ${shown}` : `Withdrew ${shown}`,
    failed: kind === "deposit" ? `Could not deposit ${shown}` : `Could not withdraw ${shown}`,
    build: async (signer) => {
      const accounts = {
        signer,
        user: selected.address,
        tokenAccount: await associatedTokenAccount(signer.address, spot.mint, spot.tokenProgram),
        quote: { mint: spot.mint, tokenProgram: spot.tokenProgram },
      };
      return [
        kind === "deposit"
          ? deposit(accounts, amount)
          : withdraw(accounts, amount, false, positionMarkets(markets, selected.user)),
      ];
    },
  };
}

/** How far the curve may move between the page's read and an add landing: 1%
 * (precision: PERCENTAGE). */
export const ADD_PRICE_TOLERANCE = 10_000n;
/** The worst a close may average from the oracle the page read: 2% (precision: PERCENTAGE). */
export const CLOSE_SLIPPAGE = 20_000n;

export function addShares(
  selected: Subaccount,
  market: MarketData,
  markets: MarketData[],
  shares: bigint,
): Action {
  const index = market.market.marketIndex;
  return {
    done: `Added ${formatBase(shares)} shares to ${market.name}`,
    failed: `Could not add liquidity to ${market.name}`,
    build: (signer) => [
      addLiquidity(
        signer,
        selected.address,
        { marketIndex: index, oracle: market.market.oracle },
        positionMarkets(markets, selected.user, index),
        shares,
        addBounds(reservePrice(market.market), ADD_PRICE_TOLERANCE),
      ),
    ],
  };
}

/** Burns `burn` of the `held` shares; all of them go as `None`, so shares the position gains
 * meanwhile cannot be left behind. */
export function removeShares(
  selected: Subaccount,
  market: MarketData,
  burn: bigint,
  held: bigint,
): Action {
  const shares = burn === held ? null : burn;
  return {
    done: `Removed ${formatBase(burn)} shares from ${market.name}`,
    failed: `Could not remove liquidity from ${market.name}`,
    build: (signer) => [
      removeLiquidity(signer, selected.address, market.market.marketIndex, shares),
    ],
  };
}

/** Closes `position`: close_position closes the stored base, so an LP's unsettled part is
 * settled into it first and the whole position the table shows is closed, no worse on
 * average than `CLOSE_SLIPPAGE` from the oracle the page read, on the side the close trades
 * (a long, as settling leaves it, sells; a short buys). */
export function closeWholePosition(
  selected: Subaccount,
  market: MarketData,
  markets: MarketData[],
  position: PerpPosition,
): Action {
  const index = market.market.marketIndex;
  const settleFirst = position.lp.shares > 0n;
  const settled = simulateSettle(selected.user, market) ?? position;
  const bounds = addBounds(market.oraclePrice, CLOSE_SLIPPAGE);
  const limit = settled.baseAssetAmount > 0n ? bounds.min : bounds.max;
  return {
    done: `Closed the ${market.name} position`,
    failed: `Could not close the ${market.name} position`,
    build: (signer) => [
      ...(settleFirst ? [settleLp(signer, selected.address, index)] : []),
      closePosition(
        signer,
        selected.address,
        { marketIndex: index, oracle: market.market.oracle },
        positionMarkets(markets, selected.user, index),
        limit,
      ),
    ],
  };
}

/** Sets the subaccount's margin ratio (MARGIN precision; 0 restores the market default). */
export function setMaxLeverage(selected: Subaccount, ratio: number): Action {
  const leverage = ratio === 0 ? "the market default" : formatLeverage(leverageOfRatio(ratio));
  return {
    done: `Max leverage set to ${leverage}`,
    failed: "Could not set the max leverage",
    build: (signer) => [
      updateUser(signer, selected.user.subAccountId, { customMarginRatio: ratio }),
    ],
  };
}

export function setDeriskOptOut(selected: Subaccount, optOut: boolean): Action {
  return {
    done: optOut ? "Opted out of de-risking" : "De-risking turned back on",
    failed: "Could not change the de-risk setting",
    build: (signer) => [updateUser(signer, selected.user.subAccountId, { deriskOptOut: optOut })],
  };
}
