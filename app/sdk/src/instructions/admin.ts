/** Admin instructions: the exchange state, the quote market, program oracles, perp markets. */
import type { Address, Instruction } from "@solana/kit";
import type { Defined } from "../codec.js";
import * as pda from "../pda.js";
import { buildInstruction, eventAccounts, type SignerInput } from "./build.js";

export type InitializeParams = Defined<"initializeParams">;
/** Settings left out stay as they are. */
export type UpdateStateParams = Partial<Defined<"updateStateParams">>;
export type InterestCurve = Defined<"interestCurve">;
export type InitializePerpMarketParams = Defined<"initializePerpMarketParams">;
/** Settings left out stay as they are. */
export type UpdatePerpMarketParams = Partial<Defined<"updatePerpMarketParams">>;

/** The quote market's mint and the token program that owns it (SPL Token or Token-2022). */
export interface QuoteMint {
  mint: Address;
  tokenProgram: Address;
}

/** `admin` must be the program's upgrade authority. */
export const initialize = (admin: SignerInput, params: InitializeParams): Instruction =>
  buildInstruction(
    "initialize",
    { admin, state: pda.state(), programData: pda.programData() },
    { params },
  );

export const updateState = (admin: SignerInput, params: UpdateStateParams): Instruction =>
  buildInstruction(
    "updateState",
    { admin, state: pda.state() },
    { params: params as Defined<"updateStateParams"> },
  );

export const initializeSpotMarket = (
  admin: SignerInput,
  quote: QuoteMint,
  interestCurve: InterestCurve,
): Instruction =>
  buildInstruction(
    "initializeSpotMarket",
    {
      admin,
      state: pda.state(),
      spotMarket: pda.spotMarket(0),
      mint: quote.mint,
      vault: pda.spotVault(0),
      tokenProgram: quote.tokenProgram,
    },
    { marketIndex: 0, interestCurve },
  );

export const updateSpotMarketInterest = (
  admin: SignerInput,
  interestCurve: InterestCurve,
): Instruction =>
  buildInstruction(
    "updateSpotMarketInterest",
    { admin, state: pda.state(), spotMarket: pda.spotMarket(0) },
    { interestCurve },
  );

/** `unstakeDelay`: seconds an insurance unstake request waits (one to ninety days). */
export const updateInsuranceUnstakeDelay = (
  admin: SignerInput,
  unstakeDelay: bigint,
): Instruction =>
  buildInstruction(
    "updateInsuranceUnstakeDelay",
    { admin, state: pda.state(), spotMarket: pda.spotMarket(0) },
    { unstakeDelay },
  );

export const initializeProgramOracle = (
  admin: SignerInput,
  oracleId: number,
  updater: Address,
): Instruction =>
  buildInstruction(
    "initializeProgramOracle",
    { admin, state: pda.state(), oracle: pda.programOracle(oracleId) },
    { oracleId, updater },
  );

/** `price` and `confidence`: precision PRICE. */
export const updateProgramOracle = (
  updater: SignerInput,
  oracle: Address,
  price: bigint,
  confidence: bigint,
): Instruction =>
  buildInstruction("updateProgramOracle", { updater, oracle }, { price, confidence });

/** Lists perp market `marketIndex` (the next one) on `oracle`. */
export const initializePerpMarket = (
  admin: SignerInput,
  oracle: Address,
  marketIndex: number,
  params: InitializePerpMarketParams,
): Instruction =>
  buildInstruction(
    "initializePerpMarket",
    { admin, state: pda.state(), perpMarket: pda.perpMarket(marketIndex), oracle },
    { marketIndex, params },
  );

export const updatePerpMarket = (
  admin: SignerInput,
  marketIndex: number,
  params: UpdatePerpMarketParams,
): Instruction =>
  buildInstruction(
    "updatePerpMarket",
    { admin, state: pda.state(), perpMarket: pda.perpMarket(marketIndex) },
    { marketIndex, params: params as Defined<"updatePerpMarketParams"> },
  );

const adminUpdateAmm = (admin: SignerInput, marketIndex: number, oracle: Address) => ({
  admin,
  state: pda.state(),
  perpMarket: pda.perpMarket(marketIndex),
  oracle,
});

export const repegAmm = (admin: SignerInput, marketIndex: number, oracle: Address): Instruction =>
  buildInstruction("repegAmm", adminUpdateAmm(admin, marketIndex, oracle), { marketIndex });

/** `sqrtK`: precision BASE. */
export const updateAmmK = (
  admin: SignerInput,
  marketIndex: number,
  oracle: Address,
  sqrtK: bigint,
): Instruction =>
  buildInstruction("updateAmmK", adminUpdateAmm(admin, marketIndex, oracle), {
    marketIndex,
    sqrtK,
  });

/** Moves a market to settlement at `price` (precision: PRICE), within its band of the oracle. */
export const beginSettlement = (
  admin: SignerInput,
  marketIndex: number,
  oracle: Address,
  price: bigint,
): Instruction =>
  buildInstruction(
    "beginSettlement",
    {
      admin,
      state: pda.state(),
      perpMarket: pda.perpMarket(marketIndex),
      oracle,
      ...eventAccounts(),
    },
    { marketIndex, price },
  );

/** Delists a settled, empty market; its leftover pools go to the insurance fund. */
export const delistMarket = (admin: SignerInput, marketIndex: number): Instruction =>
  buildInstruction(
    "delistMarket",
    {
      admin,
      state: pda.state(),
      spotMarket: pda.spotMarket(0),
      perpMarket: pda.perpMarket(marketIndex),
      ...eventAccounts(),
    },
    { marketIndex },
  );
