/**
 * An account and its market as `add_liquidity` would leave them (`controller/lp.rs`
 * `add_shares`, `math/amm.rs` `rescale_curve`, `controller/amm.rs` `refresh_derived_reserves`):
 * the shares rounded down to the step, the position opened if needed and settled, `sqrt_k` and
 * the reserves rescaled with the price kept, the curve bounds re-derived. Feed the result to
 * `margin`, `deriskPrice` or `liquidationPrice` to see an add before sending it.
 */
import type { PerpMarket, PerpPosition, User } from "./accounts.js";
import { PERCENTAGE_PRECISION } from "./constants.js";
import { mulDivCeil, mulDivFloor, ReadError } from "./math.js";
import { accumulatorsOf, findPosition, simulatedPosition } from "./settle.js";

/** The curve with `sqrt_k` moved to `newSqrtK`: both reserves scale, the base reserve rounded
 * down but never below the lower concentration bound, and the quote reserve from `k` rounded
 * up; the bounds re-derived. */
export function rescaledMarket(market: PerpMarket, newSqrtK: bigint): PerpMarket {
  const amm = market.amm;
  const coefficient = BigInt(amm.concentrationCoef);
  const minBase = mulDivCeil(newSqrtK, PERCENTAGE_PRECISION, coefficient);
  const maxBase = mulDivFloor(newSqrtK, coefficient, PERCENTAGE_PRECISION);
  const scaled = mulDivFloor(amm.baseAssetReserve, newSqrtK, amm.sqrtK);
  const base = scaled > minBase ? scaled : minBase;
  if (base === 0n || base > maxBase) {
    throw new ReadError("ammReserveBounds");
  }
  return {
    ...market,
    amm: {
      ...amm,
      sqrtK: newSqrtK,
      baseAssetReserve: base,
      quoteAssetReserve: mulDivCeil(newSqrtK, newSqrtK, base),
      minBaseAssetReserve: minBase,
      maxBaseAssetReserve: maxBase,
    },
  };
}

/** A fresh position in `market`, as `open_position` opens one. */
function openedPosition(user: User, market: PerpMarket): { slot: number; position: PerpPosition } {
  const existing = findPosition(user, market.marketIndex);
  if (existing) {
    return { slot: user.perpPositions.indexOf(existing), position: existing };
  }
  const slot = user.perpPositions.findIndex((p) => p.active !== 1);
  if (slot < 0) {
    throw new ReadError("maxPositionsReached");
  }
  const blank = user.perpPositions[slot];
  const position: PerpPosition = {
    ...blank,
    baseAssetAmount: 0n,
    quoteAssetAmount: 0n,
    quoteEntryAmount: 0n,
    quoteBreakEvenAmount: 0n,
    lastCumulativeFundingRate: market.funding.cumulativeFundingRate,
    marketIndex: market.marketIndex,
    active: 1,
    openOrders: 0,
    padding: blank.padding.map(() => 0),
    openBids: 0n,
    openAsks: 0n,
    lp: {
      shares: 0n,
      basePerShare: 0n,
      quotePerShare: 0n,
      fundingPerShare: 0n,
      cumulativeFundingRate: 0n,
    },
  };
  return { slot, position };
}

/** What `add_liquidity(shares)` at chain time `now` would leave: the user (position settled,
 * shares added, cooldown restarted) and the market (curve rescaled, users' shares raised), in
 * the fields margin and the LP read side use. Throws `ReadError` where the program would refuse
 * (`zeroAmount` once rounded to the step, `maxPositionsReached`, `ammReserveBounds`). */
export function projectAddLiquidity(
  user: User,
  market: PerpMarket,
  shares: bigint,
  now: bigint,
): { user: User; market: PerpMarket } {
  const step = market.orderStepSize > 0n ? market.orderStepSize : 1n;
  const minted = (shares / step) * step;
  if (minted === 0n) {
    throw new ReadError("zeroAmount");
  }
  const { slot, position } = openedPosition(user, market);
  const settled = simulatedPosition(position, accumulatorsOf(market));
  const rescaled = rescaledMarket(market, market.amm.sqrtK + minted);
  const perpPositions = user.perpPositions.map((p, i) =>
    i === slot ? { ...settled, lp: { ...settled.lp, shares: settled.lp.shares + minted } } : p,
  );
  return {
    user: { ...user, perpPositions, lastAddLiquidityTs: now },
    market: {
      ...rescaled,
      lp: { ...rescaled.lp, userLpShares: rescaled.lp.userLpShares + minted },
    },
  };
}
