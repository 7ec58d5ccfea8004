/**
 * Readable reasons for failed transactions. A refusal by BAL (or by Anchor on its behalf) is
 * its message from the IDL, never its number; other programs' refusals use the message they
 * logged; failures of the transaction itself (fees, blockhash, rent) have a sentence each.
 */
import { errorMessage } from "@bal/sdk";
import {
  isSolanaError,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE,
  SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT,
  type SolanaErrorCode,
} from "@solana/kit";

/** A transaction that landed and failed; `cause` is the kit error for its status, `logs`
 * what the programs printed. */
export class TransactionFailed extends Error {
  constructor(
    readonly logs: readonly string[],
    cause: unknown,
  ) {
    super("transaction failed", { cause });
  }
}

const TRANSACTION_MESSAGES: Partial<Record<SolanaErrorCode, string>> = {
  [SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_FEE]:
    "The wallet has too little SOL to pay the transaction fee",
  [SOLANA_ERROR__TRANSACTION_ERROR__ACCOUNT_NOT_FOUND]:
    "The wallet holds no SOL: fund it to pay transaction fees",
  [SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND]:
    "The transaction expired before it landed: try again",
  [SOLANA_ERROR__TRANSACTION_ERROR__INSUFFICIENT_FUNDS_FOR_RENT]:
    "The wallet has too little SOL for the new account's rent",
  [SOLANA_ERROR__INSTRUCTION_ERROR__INSUFFICIENT_FUNDS]:
    "The wallet has too little SOL for the new account's rent",
};

/** `error` and its causes, outermost first. */
function causes(error: unknown): unknown[] {
  const found: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && !found.includes(e); ) {
    found.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return found;
}

/** The program logs a failure carries: ours after landing, the RPC's simulation before. */
function logsOf(error: unknown): readonly string[] {
  for (const e of causes(error)) {
    if (e instanceof TransactionFailed) {
      return e.logs;
    }
    if (isSolanaError(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
      return e.context.logs ?? [];
    }
  }
  return [];
}

/** The `Custom(code)` an instruction failed with, if any. */
export function customErrorCode(error: unknown): number | null {
  for (const e of causes(error)) {
    if (isSolanaError(e, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) {
      return e.context.code;
    }
  }
  return null;
}

/** The last `Program log: Error: …` line, as SPL programs report their refusals. */
const loggedError = (logs: readonly string[]): string | null => {
  const line = [...logs].reverse().find((l) => l.startsWith("Program log: Error: "));
  return line ? line.slice("Program log: Error: ".length) : null;
};

const sentence = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** What to tell the user about `error`. */
export function describeFailure(error: unknown): string {
  const code = customErrorCode(error);
  if (code !== null) {
    const known = errorMessage(code);
    if (known !== undefined) {
      return known;
    }
    const logged = loggedError(logsOf(error));
    return logged ? sentence(logged) : "Another program called by this transaction refused it";
  }
  for (const e of causes(error)) {
    if (isSolanaError(e)) {
      const message = TRANSACTION_MESSAGES[e.context.__code];
      if (message) {
        return message;
      }
    }
  }
  const logged = loggedError(logsOf(error));
  if (logged) {
    return sentence(logged);
  }
  return error instanceof Error ? error.message : String(error);
}
