/**
 * Any program instruction from its IDL entry: accounts in the IDL's order with the IDL's
 * writable and signer flags, arguments encoded by @anchor-lang/core's coder, remaining accounts
 * appended. The result is a @solana/kit `Instruction`; a signer passed as a kit
 * `TransactionSigner` rides along in its account meta, so `signTransactionMessageWithSigners`
 * finds it.
 */
import {
  AccountRole,
  address,
  type AccountMeta,
  type AccountSignerMeta,
  type Address,
  type Instruction,
  type TransactionSigner,
} from "@solana/kit";
import type { IdlType } from "@anchor-lang/core";
import { coder, PROGRAM_ADDRESS, toFields, type FieldsOf } from "../codec.js";
import { IDL, type Bal } from "../idl.js";
import * as pda from "../pda.js";

/** A signing account: its address, or a kit signer that will sign for it. */
export type SignerInput = Address | TransactionSigner;

export const addressOf = (signer: SignerInput): Address =>
  typeof signer === "string" ? signer : signer.address;

type InstructionDef = Bal["instructions"][number];
export type InstructionName = InstructionDef["name"];
type Def<N extends InstructionName> = Extract<InstructionDef, { name: N }>;

/** The arguments of instruction `N`, by name. */
export type InstructionArgs<N extends InstructionName> = FieldsOf<Def<N>["args"]>;

/** An instruction's single accounts, a composite's (`{ name, accounts }`, such as the market's
 * accounts every instruction acting in a market embeds) in its place. */
type Leaves<A> = A extends { accounts: readonly (infer C)[] } ? Leaves<C> : A;

/** The accounts of instruction `N`, by name; accounts the IDL fixes (system program) excluded. */
export type InstructionAccounts<N extends InstructionName> = {
  [A in Leaves<Def<N>["accounts"][number]> as A extends { address: string }
    ? never
    : A["name"]]: A extends {
    signer: true;
  }
    ? SignerInput
    : Address;
};

type AccountDef = { name: string; writable?: boolean; signer?: boolean; address?: string };
type AccountItem = AccountDef | { name: string; accounts: readonly AccountItem[] };

const leaves = (items: readonly AccountItem[]): AccountDef[] =>
  items.flatMap((item) => ("accounts" in item ? leaves(item.accounts) : [item]));

/** The IDL's accounts of instruction `name` in the order they are passed, a composite's in
 * its place. */
export const instructionAccounts = (name: InstructionName): AccountDef[] =>
  leaves(IDL.instructions.find((i) => i.name === name)!.accounts as readonly AccountItem[]);

function role(def: AccountDef): AccountRole {
  if (def.signer) return def.writable ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER;
  return def.writable ? AccountRole.WRITABLE : AccountRole.READONLY;
}

function meta(def: AccountDef, value: SignerInput): AccountMeta | AccountSignerMeta {
  if (typeof value === "string") {
    return { address: value, role: role(def) };
  }
  return { address: value.address, role: role(def) as AccountSignerMeta["role"], signer: value };
}

/** Instruction `name` with its accounts by name, its arguments by name, then `remaining`. */
export function buildInstruction<N extends InstructionName>(
  name: N,
  accounts: InstructionAccounts<N>,
  args: InstructionArgs<N>,
  remaining: readonly AccountMeta[] = [],
): Instruction {
  const def = IDL.instructions.find((i) => i.name === name)!;
  const given = accounts as Record<string, SignerInput>;
  const metas = instructionAccounts(name).map((account) =>
    meta(account, account.address ? address(account.address) : given[account.name]),
  );
  const fields = def.args as readonly { name: string; type: IdlType }[];
  const data = coder.instruction.encode(name, toFields(args as Record<string, unknown>, fields));
  return {
    programAddress: PROGRAM_ADDRESS,
    accounts: [...metas, ...remaining],
    data: new Uint8Array(data),
  };
}

/** The accounts every `emit_cpi!` instruction takes last: the event authority and the program. */
export const eventAccounts = () => ({
  eventAuthority: pda.eventAuthority(),
  program: PROGRAM_ADDRESS,
});

/** A market and its oracle. */
export interface MarketAccounts {
  marketIndex: number;
  oracle: Address;
}

/**
 * Remaining accounts for margin: `(PerpMarket, oracle)` pairs, read-only, in the order given
 * (the user's active positions in slot order, the instruction's own market left out where it
 * is already named).
 */
export function marginAccounts(markets: readonly MarketAccounts[]): AccountMeta[] {
  return markets.flatMap((m) => [
    { address: pda.perpMarket(m.marketIndex), role: AccountRole.READONLY },
    { address: m.oracle, role: AccountRole.READONLY },
  ]);
}

/** Users as writable remaining accounts (the keeper batches, a fill's makers). */
export const writableUsers = (users: readonly Address[]): AccountMeta[] =>
  users.map((user) => ({ address: user, role: AccountRole.WRITABLE }));
