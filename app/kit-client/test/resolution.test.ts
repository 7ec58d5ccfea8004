/**
 * Every account the generated client can resolve, it does: for each instruction of the IDL, a
 * caller gives its signers, the accounts `idl/caller-inputs.json` says a caller names (the
 * subaccounts it acts on, its token accounts, an oracle or mint it introduces) and the
 * arguments (zero values of their IDL types); the generated builder fills in every other
 * account itself, or it throws. Relations (a market's oracle, the quote mint and its token
 * program) the renderer leaves to the caller, who reads them from the market: they are given
 * here as the caller would, read from an account.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import * as gen from "../src/index.js";

type IdlType =
  | string
  | { option: IdlType }
  | { vec: IdlType }
  | { array: [IdlType, number] }
  | { defined: { name: string } };
interface IdlField {
  name: string;
  type: IdlType;
}
interface IdlTypeDef {
  name: string;
  type: { kind: "struct"; fields?: IdlField[] } | { kind: "enum"; variants: { name: string }[] };
}
interface IdlAccount {
  name: string;
  signer?: boolean;
  relations?: string[];
}
/** A single account, or a composite's (`{ name, accounts }`), which Codama flattens in place. */
type IdlAccountItem = IdlAccount | { name: string; accounts: IdlAccountItem[] };
interface Idl {
  instructions: { name: string; accounts: IdlAccountItem[]; args: IdlField[] }[];
  types: IdlTypeDef[];
}

const leaves = (items: IdlAccountItem[]): IdlAccount[] =>
  items.flatMap((item) => ("accounts" in item ? leaves(item.accounts) : [item]));

const root = new URL("../../../../", import.meta.url);
const idl = JSON.parse(readFileSync(new URL("idl/bal.json", root), "utf8")) as Idl;
const inputs = JSON.parse(readFileSync(new URL("idl/caller-inputs.json", root), "utf8")).inputs as Record<
  string,
  string[]
>;

type Builder = (input: object) => { accounts: { address: Address }[] } | Promise<{ accounts: { address: Address }[] }>;

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const typeDef = (name: string) => idl.types.find((t) => t.name === name)!;

/** The zero value of an IDL type, as the generated codecs take it. */
function zero(type: IdlType): unknown {
  if (typeof type === "string") {
    if (type === "bool") return false;
    if (type === "pubkey") return gen.BAL_PROGRAM_ADDRESS;
    return ["u64", "i64", "u128", "i128"].includes(type) ? 0n : 0;
  }
  if ("option" in type) return null;
  if ("vec" in type) return [];
  if ("array" in type) {
    const [item, length] = type.array;
    return item === "u8" ? new Uint8Array(length) : Array.from({ length }, () => zero(item));
  }
  const def = typeDef(type.defined.name);
  return def.type.kind === "enum" ? 0 : fields(def.type.fields ?? []);
}

const fields = (list: IdlField[]) =>
  Object.fromEntries(list.map((field) => [camel(field.name), zero(field.type)]));

/** Whether a type is a field of another (an account, a record, a type): Codama then keeps it
 * a type of its own; one only instructions take, it inlines. */
const usedByTypes = (name: string) => JSON.stringify(idl.types).includes(`{"defined":{"name":"${name}"}}`);

/** The builder's input data: the fields of a struct argument of a type only instructions take
 * stand at the top, as Codama renders them. */
function argumentsOf(args: IdlField[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const arg of args) {
    const def = typeof arg.type === "object" && "defined" in arg.type ? typeDef(arg.type.defined.name) : null;
    if (def?.type.kind === "struct" && !usedByTypes(def.name)) {
      Object.assign(input, fields(def.type.fields ?? []));
    } else {
      input[camel(arg.name)] = zero(arg.type);
    }
  }
  return input;
}

test("every generated builder resolves every account a caller does not name", async () => {
  const named = new Set<string>();
  for (const instruction of idl.instructions) {
    // An instruction with nothing to derive has only the synchronous builder.
    const pascal = camel(instruction.name).replace(/^./, (c) => c.toUpperCase());
    const builders = gen as unknown as Record<string, Builder>;
    const builder = builders[`get${pascal}InstructionAsync`] ?? builders[`get${pascal}Instruction`];
    assert.ok(builder, `${pascal}'s builder is generated`);
    const given = new Set(inputs[instruction.name] ?? []);
    const input: Record<string, unknown> = argumentsOf(instruction.args);
    const accounts = leaves(instruction.accounts);
    for (const account of accounts) {
      if (account.signer) {
        input[camel(account.name)] = await generateKeyPairSigner();
      } else if (given.has(account.name) || account.relations) {
        const address = (await generateKeyPairSigner()).address;
        input[camel(account.name)] = address;
        named.add(`${instruction.name}.${account.name}`);
      }
    }
    const built = await builder(input);
    assert.equal(built.accounts.length, accounts.length, instruction.name);
    // An account the builder could not fill stands as the program's address (Codama's
    // placeholder for a missing account): only the `program` account may be that.
    for (const [i, meta] of built.accounts.entries()) {
      const name = accounts[i].name;
      const placeholder = meta.address === gen.BAL_PROGRAM_ADDRESS;
      assert.equal(placeholder, name === "program", `${instruction.name}: ${name} resolved`);
    }
  }
  // Each input the list names was an account of its instruction.
  for (const [instruction, accounts] of Object.entries(inputs)) {
    for (const account of accounts) {
      assert.ok(named.has(`${instruction}.${account}`), `${instruction}.${account} is an account`);
    }
  }
});
