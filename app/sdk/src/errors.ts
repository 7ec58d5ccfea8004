/** The program's error codes (`programs/bal/src/error.rs`), from the IDL: code ↔ name ↔ message. */
import { LangErrorMessage } from "@anchor-lang/core";
import { IDL, type Bal } from "./idl.js";

export type BalErrorName = Bal["errors"][number]["name"];

export interface BalError {
  code: number;
  name: BalErrorName;
  msg: string;
}

/** The custom error code the program refuses with for `name` (6000 and up). */
export const errorCode = (name: BalErrorName): number =>
  IDL.errors.find((e) => e.name === name)!.code;

/** The program error behind a transaction's `Custom(code)`, or `undefined` for a code that is
 * not the program's own (Anchor's framework errors, another program's). */
export const balError = (code: number): BalError | undefined =>
  IDL.errors.find((e) => e.code === code);

/** A readable message for a transaction's `Custom(code)`: the program's own errors, then
 * Anchor's framework errors (missing signer, wrong owner, seeds, ...); `undefined` for a code
 * neither defines (another program's). */
export const errorMessage = (code: number): string | undefined =>
  balError(code)?.msg ?? LangErrorMessage.get(code);
