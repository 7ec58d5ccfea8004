/**
 * Program-derived addresses, from the seeds the program declares (`programs/bal/src/state/
 * seeds.rs`), as the Rust client's `pda.rs` derives them; exported as the `pda` namespace
 * (`pda.user(authority, 0)`). Synchronous (web3.js's bump search), so instruction builders need
 * no `await`.
 */
import { address, getAddressEncoder, type Address } from "@solana/kit";
import { web3 } from "@anchor-lang/core";
import { PROGRAM_ADDRESS } from "./codec.js";

/** The upgradeable BPF loader, which owns the program's `ProgramData` account. */
export const BPF_LOADER_UPGRADEABLE_ADDRESS = address(
  "BPFLoaderUpgradeab1e11111111111111111111111",
);

const text = (seed: string) => new TextEncoder().encode(seed);
const u16 = (value: number) => Uint8Array.of(value & 0xff, value >> 8);
const key = (value: Address) => getAddressEncoder().encode(value) as Uint8Array;

function find(seeds: Uint8Array[], program: Address = PROGRAM_ADDRESS): Address {
  const [pda] = web3.PublicKey.findProgramAddressSync(seeds, new web3.PublicKey(program));
  return address(pda.toBase58());
}

export const state = (): Address => find([text("state")]);

export const user = (authority: Address, subAccountId: number): Address =>
  find([text("user"), key(authority), u16(subAccountId)]);

export const spotMarket = (marketIndex: number): Address =>
  find([text("spot_market"), u16(marketIndex)]);

/** The quote market's token vault; its token authority is the spot market PDA. */
export const spotVault = (marketIndex: number): Address =>
  find([text("spot_vault"), u16(marketIndex)]);

/** A wallet's stake in a quote market's insurance fund. */
export const insuranceStake = (authority: Address, marketIndex: number): Address =>
  find([text("insurance_stake"), key(authority), u16(marketIndex)]);

export const perpMarket = (marketIndex: number): Address =>
  find([text("perp_market"), u16(marketIndex)]);

export const programOracle = (oracleId: number): Address =>
  find([text("program_oracle"), u16(oracleId)]);

/** The upgradeable loader's data account for the program; it names the upgrade authority,
 * the only key `initialize` accepts. */
export const programData = (): Address =>
  find([key(PROGRAM_ADDRESS)], BPF_LOADER_UPGRADEABLE_ADDRESS);

/** The PDA that signs the program's self-CPI event records (`emit_cpi!`). */
export const eventAuthority = (): Address => find([text("__event_authority")]);
