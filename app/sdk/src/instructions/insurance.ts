/**
 * The insurance fund, which pays a write-off before any depositor does: a wallet opens its
 * stake, stakes quote tokens, asks for shares back (paid after the fund's delay, within a day
 * of it, bearing losses until then), withdraws the request, and is paid.
 */
import type { Address, Instruction } from "@solana/kit";
import * as pda from "../pda.js";
import type { QuoteMint } from "./admin.js";
import { addressOf, buildInstruction, eventAccounts, type SignerInput } from "./build.js";

export const initializeInsuranceStake = (authority: SignerInput): Instruction =>
  buildInstruction(
    "initializeInsuranceStake",
    {
      authority,
      spotMarket: pda.spotMarket(0),
      stake: pda.insuranceStake(addressOf(authority), 0),
    },
    {},
  );

/** Who stakes, through which token account of the quote mint it owns. */
export interface StakeAccounts {
  authority: SignerInput;
  tokenAccount: Address;
  quote: QuoteMint;
}

const moveStake = (accounts: StakeAccounts) => ({
  authority: accounts.authority,
  state: pda.state(),
  spotMarket: pda.spotMarket(0),
  stake: pda.insuranceStake(addressOf(accounts.authority), 0),
  vault: pda.spotVault(0),
  authorityTokenAccount: accounts.tokenAccount,
  mint: accounts.quote.mint,
  tokenProgram: accounts.quote.tokenProgram,
  ...eventAccounts(),
});

/** `amount`: precision QUOTE; buys shares at the fund's price, rounded down. */
export const addInsuranceStake = (accounts: StakeAccounts, amount: bigint): Instruction =>
  buildInstruction("addInsuranceStake", moveStake(accounts), { amount });

/** Pays a matured request: the lesser of its value when asked and now. */
export const removeInsuranceStake = (accounts: StakeAccounts): Instruction =>
  buildInstruction("removeInsuranceStake", moveStake(accounts), {});

const updateStake = (authority: SignerInput) => ({
  authority,
  spotMarket: pda.spotMarket(0),
  stake: pda.insuranceStake(addressOf(authority), 0),
  ...eventAccounts(),
});

export const requestInsuranceUnstake = (authority: SignerInput, shares: bigint): Instruction =>
  buildInstruction("requestInsuranceUnstake", updateStake(authority), { shares });

export const cancelInsuranceUnstake = (authority: SignerInput): Instruction =>
  buildInstruction("cancelInsuranceUnstake", updateStake(authority), {});
