/**
 * Decoded accounts for the page's unit tests, without a chain: each starts as the program's
 * all-zero account (decoded through the SDK, so every field exists with its real type) and
 * takes the values a fresh exchange gives it (`bal_client::defaults`: a $100 market of 1,000
 * base liquidity, 10x initial / 20x maintenance leverage, 0.001 base steps).
 */
import {
  accountSize,
  type AccountName,
  decodePerpMarket,
  decodeSpotMarket,
  decodeState,
  decodeUser,
  IDL,
  SPOT_CUMULATIVE_INTEREST_PRECISION,
  type PerpMarket,
  type SpotMarket,
  type State,
  type User,
} from "@bal/sdk";
import type { MarketData } from "../src/bal.js";
import { encodeName } from "../src/format.js";

export const BASE = 1_000_000_000n;
export const usd = (dollars: number): bigint => BigInt(Math.round(dollars * 1_000_000));
export const PRICE = 100_000_000n;

function zeroed(name: AccountName): Uint8Array {
  const data = new Uint8Array(accountSize(name));
  data.set(IDL.accounts.find((a) => a.name === name)!.discriminator);
  return data;
}

export function perpMarket(marketIndex = 0, sqrtK = 1_000n * BASE): PerpMarket {
  const market = decodePerpMarket(zeroed("perpMarket"));
  market.marketIndex = marketIndex;
  market.name = encodeName(marketIndex === 0 ? "SOL-PERP" : "ETH-PERP")!;
  market.amm.sqrtK = sqrtK;
  market.amm.baseAssetReserve = sqrtK;
  market.amm.quoteAssetReserve = sqrtK;
  market.amm.concentrationCoef = 1_414_214;
  market.amm.minBaseAssetReserve = (sqrtK * 1_000_000n + 1_414_213n) / 1_414_214n;
  market.amm.maxBaseAssetReserve = (sqrtK * 1_414_214n) / 1_000_000n;
  market.amm.pegMultiplier = PRICE;
  market.marginRatioInitial = 1_000;
  market.marginRatioMaintenance = 500;
  market.orderStepSize = BASE / 1_000n;
  market.minOrderSize = BASE / 100n;
  market.unrealizedPnlAssetWeight = 900_000;
  market.status = 1;
  return market;
}

export function spotMarket(): SpotMarket {
  const spot = decodeSpotMarket(zeroed("spotMarket"));
  spot.cumulativeDepositInterest = SPOT_CUMULATIVE_INTEREST_PRECISION;
  spot.cumulativeBorrowInterest = SPOT_CUMULATIVE_INTEREST_PRECISION;
  spot.decimals = 6;
  return spot;
}

export function state(lpCooldownSeconds = 5n): State {
  const decoded = decodeState(zeroed("state"));
  decoded.lpCooldownSeconds = lpCooldownSeconds;
  return decoded;
}

/** Subaccount `id` holding a deposit of `quote` (precision: QUOTE; scaled at index 1.0). */
export function user(id: number, quote: bigint): User {
  const decoded = decodeUser(zeroed("user"));
  decoded.subAccountId = id;
  decoded.quoteBalance.scaledBalance = quote * 1_000n;
  return decoded;
}

export const priced = (market: PerpMarket, oraclePrice = PRICE): MarketData => ({
  market,
  oraclePrice,
  name: market.marketIndex === 0 ? "SOL-PERP" : "ETH-PERP",
});
