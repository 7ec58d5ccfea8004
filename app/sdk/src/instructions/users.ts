/** Subaccounts: creation, deletion, settings, and moving quote collateral in and out. */
import type { Address, Instruction } from "@solana/kit";
import * as pda from "../pda.js";
import type { QuoteMint } from "./admin.js";
import {
  addressOf,
  buildInstruction,
  marginAccounts,
  type MarketAccounts,
  type SignerInput,
} from "./build.js";

/** `name`: UTF-8, zero-padded to 32 bytes. */
export const initializeUser = (
  authority: SignerInput,
  subAccountId: number,
  name: number[],
): Instruction =>
  buildInstruction(
    "initializeUser",
    { authority, user: pda.user(addressOf(authority), subAccountId) },
    { subAccountId, name },
  );

/** Closes an empty subaccount; its rent goes back to `authority`. */
export const deleteUser = (authority: SignerInput, subAccountId: number): Instruction =>
  buildInstruction(
    "deleteUser",
    { authority, user: pda.user(addressOf(authority), subAccountId) },
    { subAccountId },
  );

/** A setting of a subaccount: name, delegate, custom margin ratio (precision: MARGIN, 0 for
 * none) or de-risk opt-out. Only the authority may change them, not its delegate. */
export type UserSetting =
  | { name: number[] }
  | { delegate: Address }
  | { customMarginRatio: number }
  | { deriskOptOut: boolean };

export function updateUser(
  authority: SignerInput,
  subAccountId: number,
  setting: UserSetting,
): Instruction {
  const accounts = { authority, user: pda.user(addressOf(authority), subAccountId) };
  if ("name" in setting)
    return buildInstruction("updateUserName", accounts, { subAccountId, name: setting.name });
  if ("delegate" in setting)
    return buildInstruction("updateUserDelegate", accounts, {
      subAccountId,
      delegate: setting.delegate,
    });
  if ("customMarginRatio" in setting) {
    return buildInstruction("updateUserCustomMarginRatio", accounts, {
      subAccountId,
      marginRatio: setting.customMarginRatio,
    });
  }
  return buildInstruction("updateUserDeriskOptOut", accounts, {
    subAccountId,
    optOut: setting.deriskOptOut,
  });
}

/** Who moves collateral, for which subaccount, through which token account. */
export interface CollateralAccounts {
  /** The user's authority (or, for deposits, its delegate). */
  signer: SignerInput;
  user: Address;
  /** A token account of the quote mint owned by `signer`. */
  tokenAccount: Address;
  quote: QuoteMint;
}

const moveCollateral = (accounts: CollateralAccounts) => ({
  authority: accounts.signer,
  state: pda.state(),
  user: accounts.user,
  spotMarket: pda.spotMarket(0),
  vault: pda.spotVault(0),
  userTokenAccount: accounts.tokenAccount,
  mint: accounts.quote.mint,
  tokenProgram: accounts.quote.tokenProgram,
});

/** `amount`: precision QUOTE. Repays a borrow first. */
export const deposit = (accounts: CollateralAccounts, amount: bigint): Instruction =>
  buildInstruction("deposit", moveCollateral(accounts), { amount });

/**
 * `amount`: precision QUOTE; beyond the deposit it borrows, which needs `allowBorrow`.
 * `markets`: every market the user holds a position in, in slot order, for the margin check
 * (withdraw names no market of its own).
 */
export const withdraw = (
  accounts: CollateralAccounts,
  amount: bigint,
  allowBorrow: boolean,
  markets: readonly MarketAccounts[] = [],
): Instruction =>
  buildInstruction(
    "withdraw",
    moveCollateral(accounts),
    { amount, allowBorrow },
    marginAccounts(markets),
  );
