/** Failures as the user reads them, built the way @solana/kit builds them from RPC answers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { balError, errorCode } from "@bal/sdk";
import { getSolanaErrorFromJsonRpcError, getSolanaErrorFromTransactionError } from "@solana/kit";
import { customErrorCode, describeFailure, TransactionFailed } from "../src/errors.js";

/** The RPC's answer to `sendTransaction` when the preflight simulation fails. */
const preflight = (err: unknown, logs: string[] = []) =>
  getSolanaErrorFromJsonRpcError({
    code: -32002,
    message: "Transaction simulation failed: Error processing Instruction 0",
    data: { err, logs, accounts: null, unitsConsumed: 5_000, returnData: null },
  });

test("a refusal by BAL reads as its message, before sending or after landing", () => {
  const cooldown = { InstructionError: [0, { Custom: 6055 }] };
  const expected = balError(errorCode("lpCooldown"))!.msg;
  assert.equal(customErrorCode(preflight(cooldown)), 6055);
  assert.equal(describeFailure(preflight(cooldown)), expected);
  const landed = new TransactionFailed([], getSolanaErrorFromTransactionError(cooldown));
  assert.equal(describeFailure(landed), expected);
  assert.doesNotMatch(describeFailure(landed), /6055|0x17a7/);
});

test("Anchor's own refusals read as Anchor's messages", () => {
  const seeds = { InstructionError: [0, { Custom: 2006 }] };
  assert.equal(describeFailure(preflight(seeds)), "A seeds constraint was violated");
});

test("another program's refusal reads as what it logged", () => {
  const token = { InstructionError: [0, { Custom: 1 }] };
  const logs = [
    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA invoke [2]",
    "Program log: Error: insufficient funds",
    "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA failed: custom program error: 0x1",
  ];
  assert.equal(describeFailure(preflight(token, logs)), "Insufficient funds");
  assert.equal(
    describeFailure(preflight(token)),
    "Another program called by this transaction refused it",
  );
});

test("transaction-level failures have a sentence; anything else keeps its own message", () => {
  assert.equal(
    describeFailure(preflight("InsufficientFundsForFee")),
    "The wallet has too little SOL to pay the transaction fee",
  );
  assert.equal(
    describeFailure(preflight("BlockhashNotFound")),
    "The transaction expired before it landed: try again",
  );
  assert.equal(
    describeFailure(new Error("User rejected the request.")),
    "User rejected the request.",
  );
  assert.equal(describeFailure("offline"), "offline");
  assert.equal(customErrorCode(new Error("x")), null);
});
