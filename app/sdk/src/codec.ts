/**
 * The program's types as TypeScript sees them, derived from the IDL, and the conversion between
 * them and what @anchor-lang/core's borsh coder reads and writes. Every 64- and 128-bit integer
 * is a `bigint` (the coder's `BN` never leaks out), every key an `Address` (@solana/kit), every
 * enum the name of its variant, and the zero-copy accounts' `WideU128` / `WideI128` /
 * `WideI256` words are joined into one `bigint`.
 */
import { address, type Address } from "@solana/kit";
import anchor, { BorshCoder, web3, type Idl, type IdlType } from "@anchor-lang/core";
import { IDL, type Bal } from "./idl.js";

export const PROGRAM_ADDRESS: Address = address(IDL.address);

/** @anchor-lang/core's coder for the IDL: borsh, which is also the zero-copy layout here (every
 * zero-copy struct names its padding, so `repr(C)` adds none). */
export const coder = new BorshCoder(IDL as Idl);

type TypeDef = Bal["types"][number];
export type TypeName = TypeDef["name"];

/** 128- and 256-bit integers of zero-copy accounts: little-endian u64 words. */
const WIDE = {
  wideU128: { bits: 128, signed: false },
  wideI128: { bits: 128, signed: true },
  wideI256: { bits: 256, signed: true },
} as const;
type WideName = keyof typeof WIDE;

type Field = { readonly name: string; readonly type: unknown };

/** The TypeScript value of an IDL type. */
export type Decoded<T> = T extends "u8" | "i8" | "u16" | "i16" | "u32" | "i32"
  ? number
  : T extends "u64" | "i64" | "u128" | "i128"
    ? bigint
    : T extends "bool"
      ? boolean
      : T extends "pubkey"
        ? Address
        : T extends { option: infer U }
          ? Decoded<U> | null
          : T extends { vec: infer U }
            ? Decoded<U>[]
            : T extends { array: readonly [infer U, number] }
              ? Decoded<U>[]
              : T extends { defined: { name: infer N extends TypeName } }
                ? Defined<N>
                : never;

/** The TypeScript value of the IDL's named type `N`. */
export type Defined<N extends TypeName> = N extends WideName
  ? bigint
  : DefinedBody<Extract<TypeDef, { name: N }>["type"]>;

type DefinedBody<T> = T extends { kind: "struct"; fields: infer F extends readonly Field[] }
  ? FieldsOf<F>
  : T extends { kind: "enum"; variants: infer V extends readonly { name: string }[] }
    ? V[number]["name"]
    : never;

/** An object with one property per IDL field. */
export type FieldsOf<F extends readonly Field[]> = {
  [K in F[number] as K["name"]]: Decoded<K["type"]>;
};

const typeDef = (name: string) => IDL.types.find((t) => t.name === name)!.type;

/** Primitives the coder already gives as `number` or `boolean`, and those it gives as `BN`. */
const AS_IS = new Set(["u8", "i8", "u16", "i16", "u32", "i32", "bool"]);
const AS_BIGINT = new Set(["u64", "i64", "u128", "i128"]);

/** A coder value (`BN`, `PublicKey`, `{ variant: {} }`, ...) as its `Decoded` form. */
export function fromCoder(value: unknown, type: IdlType): unknown {
  if (typeof type === "string") {
    if (AS_IS.has(type)) return value;
    if (AS_BIGINT.has(type)) return BigInt((value as { toString(): string }).toString());
    if (type === "pubkey") return address((value as web3.PublicKey).toBase58());
    throw new Error(`IDL type ${type} is not mapped`);
  }
  if ("option" in type) return value === null ? null : fromCoder(value, type.option);
  if ("vec" in type) return (value as unknown[]).map((v) => fromCoder(v, type.vec));
  if ("array" in type) return (value as unknown[]).map((v) => fromCoder(v, type.array[0]));
  if ("defined" in type) return fromDefined(value, type.defined.name);
  throw new Error(`IDL type ${JSON.stringify(type)} is not mapped`);
}

function fromDefined(value: unknown, name: string): unknown {
  if (name in WIDE) {
    const { bits, signed } = WIDE[name as WideName];
    const words = (value as { words: { toString(): string }[] }).words;
    const joined = words.reduceRight(
      (acc: bigint, word) => (acc << 64n) | BigInt(word.toString()),
      0n,
    );
    return signed ? BigInt.asIntN(bits, joined) : joined;
  }
  const def = typeDef(name);
  if (def.kind === "enum") return Object.keys(value as object)[0];
  return fromFields(value as Record<string, unknown>, def.fields);
}

function fromFields(value: Record<string, unknown>, fields: readonly Field[]): unknown {
  return Object.fromEntries(
    fields.map((f) => [f.name, fromCoder(value[f.name], f.type as IdlType)]),
  );
}

/** A `Decoded` value as the coder expects it: the inverse of `fromCoder`. */
export function toCoder(value: unknown, type: IdlType): unknown {
  if (typeof type === "string") {
    if (AS_IS.has(type)) return value;
    if (AS_BIGINT.has(type)) return new anchor.BN((value as bigint).toString());
    if (type === "pubkey") return new web3.PublicKey(value as Address);
    throw new Error(`IDL type ${type} is not mapped`);
  }
  // An option left out (`undefined`) is `None`, so update parameters can name only what changes.
  if ("option" in type) return value == null ? null : toCoder(value, type.option);
  if ("vec" in type) return (value as unknown[]).map((v) => toCoder(v, type.vec));
  if ("array" in type) return (value as unknown[]).map((v) => toCoder(v, type.array[0]));
  if ("defined" in type) return toDefined(value, type.defined.name);
  throw new Error(`IDL type ${JSON.stringify(type)} is not mapped`);
}

function toDefined(value: unknown, name: string): unknown {
  if (name in WIDE) {
    const { bits } = WIDE[name as WideName];
    const unsigned = BigInt.asUintN(bits, value as bigint);
    const words = Array.from(
      { length: bits / 64 },
      (_, i) => (unsigned >> BigInt(64 * i)) & 0xffff_ffff_ffff_ffffn,
    );
    return { words: words.map((w) => new anchor.BN(w.toString())) };
  }
  const def = typeDef(name);
  if (def.kind === "enum") return { [value as string]: {} };
  return toFields(value as Record<string, unknown>, def.fields);
}

/** Every field of a `Decoded` struct (instruction arguments) as the coder expects it. */
export function toFields(
  value: Record<string, unknown>,
  fields: readonly Field[],
): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, toCoder(value[f.name], f.type as IdlType)]));
}
