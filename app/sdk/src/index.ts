export * from "./constants.js";
export * from "./lp.js";
export { PROGRAM_ADDRESS, type Decoded, type Defined, type TypeName } from "./codec.js";
export { IDL, type Bal } from "./idl.js";
export * as pda from "./pda.js";
export { BPF_LOADER_UPGRADEABLE_ADDRESS } from "./pda.js";
export {
  buildInstruction,
  instructionAccounts,
  marginAccounts,
  type InstructionAccounts,
  type InstructionArgs,
  type InstructionName,
  type MarketAccounts,
  type SignerInput,
} from "./instructions/build.js";
export * from "./instructions/admin.js";
export * from "./instructions/users.js";
export * from "./instructions/trading.js";
export * from "./instructions/liquidity.js";
export * from "./instructions/keepers.js";
export * from "./instructions/insurance.js";
export * from "./accounts.js";
export * from "./events.js";
export * from "./errors.js";
export { ReadError } from "./math.js";
export * from "./settle.js";
export * from "./margin.js";
export * from "./performance.js";
export * from "./oracle.js";
export * from "./project.js";
