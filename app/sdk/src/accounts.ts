/**
 * Account decoders: the program's accounts from their raw data (any RPC's or litesvm's), typed
 * from the IDL, with the discriminator checked as the Rust client's `read::decode` does.
 */
import { coder, fromCoder, type Defined } from "./codec.js";
import { IDL, type Bal } from "./idl.js";

export type AccountName = Bal["accounts"][number]["name"];
export type User = Defined<"user">;
export type PerpPosition = Defined<"perpPosition">;
export type Order = Defined<"order">;
export type PerpMarket = Defined<"perpMarket">;
export type LpHistory = Defined<"lpHistory">;
export type LpSample = Defined<"lpSample">;
export type SpotMarket = Defined<"spotMarket">;
export type State = Defined<"state">;
export type ProgramOracle = Defined<"programOracle">;
export type InsuranceStake = Defined<"insuranceStake">;

/** Why account data could not be read as the asked type. */
export class AccountDecodeError extends Error {
  constructor(
    readonly reason: "tooShort" | "wrongDiscriminator",
    readonly account: AccountName,
  ) {
    super(`not a ${account} account: ${reason}`);
  }
}

/** The size of account `name`'s data, discriminator included. */
export const accountSize = (name: AccountName): number => coder.accounts.size(name);

/** Reads account `name` from its data (discriminator first), refusing another type's data. */
export function decodeAccount<N extends AccountName>(name: N, data: Uint8Array): Defined<N> {
  const discriminator = IDL.accounts.find((a) => a.name === name)!.discriminator;
  if (data.length < accountSize(name)) {
    throw new AccountDecodeError("tooShort", name);
  }
  if (discriminator.some((byte, i) => data[i] !== byte)) {
    throw new AccountDecodeError("wrongDiscriminator", name);
  }
  const raw = coder.accounts.decodeUnchecked(name, Buffer.from(data));
  return fromCoder(raw, { defined: { name } }) as Defined<N>;
}

export const decodeUser = (data: Uint8Array): User => decodeAccount("user", data);
export const decodePerpMarket = (data: Uint8Array): PerpMarket => decodeAccount("perpMarket", data);
export const decodeSpotMarket = (data: Uint8Array): SpotMarket => decodeAccount("spotMarket", data);
export const decodeState = (data: Uint8Array): State => decodeAccount("state", data);
export const decodeInsuranceStake = (data: Uint8Array): InsuranceStake =>
  decodeAccount("insuranceStake", data);
export const decodeProgramOracle = (data: Uint8Array): ProgramOracle =>
  decodeAccount("programOracle", data);
