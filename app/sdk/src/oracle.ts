/**
 * A market's oracle price from the oracle account's raw data, read as the program reads it
 * (`state/oracle.rs`, `state/pyth.rs`): a `ProgramOracle` of this program, or a fully verified
 * Pyth pull `PriceUpdateV2` for the market's feed, converted to PRICE precision. Only the
 * reading: whether an action may use the price (staleness, confidence, TWAP divergence) is the
 * program's call at the time of the transaction.
 */
import { address, type Address } from "@solana/kit";
import { decodeProgramOracle, type PerpMarket } from "./accounts.js";
import { PROGRAM_ADDRESS } from "./codec.js";
import { ReadError } from "./math.js";

/** Pyth's Solana receiver program: the only valid owner of a `PriceUpdateV2` account. */
export const PYTH_RECEIVER_ADDRESS: Address = address(
  "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ",
);

/** `sha256("account:PriceUpdateV2")[..8]`. */
const PRICE_UPDATE_V2_DISCRIMINATOR = Uint8Array.of(34, 241, 35, 99, 157, 126, 244, 205);

/** `PerpMarket.oracleSource`: 0 a program oracle, 1 Pyth pull. */
export const ORACLE_SOURCE_PROGRAM = 0;
export const ORACLE_SOURCE_PYTH_PULL = 1;

/** A price in this program's units, as any oracle gives it. */
export interface OraclePrice {
  /** precision: PRICE; signed, as the program reads it before refusing a non-positive one */
  price: bigint;
  /** Half-width of the confidence interval. precision: PRICE */
  confidence: bigint;
  publishTime: bigint;
  publishSlot: bigint;
}

/** An oracle account as an RPC returns it. */
export interface OracleAccount {
  address: Address;
  owner: Address;
  data: Uint8Array;
}

/** The fields of a `PriceUpdateV2` the program uses, in Pyth's own units. */
export interface PriceUpdate {
  feedId: Uint8Array;
  price: bigint;
  confidence: bigint;
  exponent: number;
  publishTime: bigint;
  postedSlot: bigint;
}

/** Verification tags of the borsh `VerificationLevel` enum. */
const PARTIAL = 0;
const FULL = 1;

/** Parses a fully verified `PriceUpdateV2` (discriminator, write authority, verification
 * level, the price feed message, the posted slot); a partially verified one is refused. */
export function parsePriceUpdate(data: Uint8Array): PriceUpdate {
  if (data.length < 133 || PRICE_UPDATE_V2_DISCRIMINATOR.some((byte, i) => data[i] !== byte)) {
    throw new ReadError("invalidOracle");
  }
  if (data[40] === PARTIAL) {
    throw new ReadError("oracleNotVerified");
  }
  if (data[40] !== FULL) {
    throw new ReadError("invalidOracle");
  }
  const message = new DataView(data.buffer, data.byteOffset + 41, data.length - 41);
  return {
    feedId: data.slice(41, 73),
    price: message.getBigInt64(32, true),
    confidence: message.getBigUint64(40, true),
    exponent: message.getInt32(48, true),
    publishTime: message.getBigInt64(52, true),
    postedSlot: message.getBigUint64(84, true),
  };
}

const U64_MAX = (1n << 64n) - 1n;

/** A Pyth value with `exponent` in PRICE precision (1e6), rounded toward zero. */
function toPricePrecision(value: bigint, exponent: number): bigint {
  const shift = exponent + 6;
  // 10^20 no longer fits the program's u64 factor.
  if (Math.abs(shift) > 19) {
    throw new ReadError("invalidOracle");
  }
  const factor = 10n ** BigInt(Math.abs(shift));
  const converted = shift >= 0 ? value * factor : value / factor;
  if (converted > U64_MAX) {
    throw new ReadError("mathError");
  }
  return converted;
}

/** The update's price in this program's units; a negative price keeps its sign. */
export function priceUpdateToOraclePrice(update: PriceUpdate): OraclePrice {
  const magnitude = toPricePrecision(
    update.price < 0n ? -update.price : update.price,
    update.exponent,
  );
  if (magnitude > (1n << 63n) - 1n) {
    throw new ReadError("mathError");
  }
  return {
    price: update.price < 0n ? -magnitude : magnitude,
    confidence: toPricePrecision(update.confidence, update.exponent),
    publishTime: update.publishTime,
    publishSlot: update.postedSlot,
  };
}

/** `market`'s price in `account`, refusing any account but the market's own oracle of its
 * source (`InvalidOracle`), as the program's `read_oracle` does. */
export function readOracle(market: PerpMarket, account: OracleAccount): OraclePrice {
  if (account.address !== market.oracle) {
    throw new ReadError("invalidOracle");
  }
  if (market.oracleSource === ORACLE_SOURCE_PROGRAM) {
    if (account.owner !== PROGRAM_ADDRESS) {
      throw new ReadError("invalidOracle");
    }
    let oracle;
    try {
      oracle = decodeProgramOracle(account.data);
    } catch {
      throw new ReadError("invalidOracle");
    }
    return {
      price: oracle.price,
      confidence: oracle.confidence,
      publishTime: oracle.publishTime,
      publishSlot: oracle.publishSlot,
    };
  }
  if (market.oracleSource !== ORACLE_SOURCE_PYTH_PULL || account.owner !== PYTH_RECEIVER_ADDRESS) {
    throw new ReadError("invalidOracle");
  }
  const update = parsePriceUpdate(account.data);
  if (update.feedId.some((byte, i) => byte !== market.pythFeedId[i])) {
    throw new ReadError("invalidOracle");
  }
  return priceUpdateToOraclePrice(update);
}
