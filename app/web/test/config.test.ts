import { test } from "node:test";
import assert from "node:assert/strict";
import { PROGRAM_ADDRESS } from "@bal/sdk";
import { ConfigError, parseConfig, walletChain } from "../src/config.js";

const valid = {
  rpcUrl: "http://127.0.0.1:8899",
  wsUrl: "ws://127.0.0.1:8900",
  cluster: "localnet",
  programId: PROGRAM_ADDRESS,
  quoteMint: "So11111111111111111111111111111111111111112",
  markets: [0, 1],
  localWallet: true,
};

test("the local exchange's config.json is read as served", () => {
  assert.deepEqual(parseConfig(valid), {
    rpcUrl: "http://127.0.0.1:8899",
    cluster: "localnet",
    programId: PROGRAM_ADDRESS,
    quoteMint: "So11111111111111111111111111111111111111112",
    markets: [0, 1],
    localWallet: true,
  });
});

test("the local wallet is offered only when the config says true", () => {
  assert.equal(parseConfig({ ...valid, localWallet: "true" }).localWallet, false);
  const { localWallet: _, ...without } = valid;
  assert.equal(parseConfig(without).localWallet, false);
});

test("a config that is missing a field or names another program is refused with the reason", () => {
  const refused = (raw: unknown, pattern: RegExp) =>
    assert.throws(
      () => parseConfig(raw),
      (e) => e instanceof ConfigError && pattern.test(e.message),
    );
  refused([], /JSON object/);
  refused({ ...valid, rpcUrl: "" }, /"rpcUrl"/);
  refused({ ...valid, quoteMint: "not-an-address" }, /"quoteMint" is not a base58 address/);
  refused({ ...valid, markets: [] }, /"markets"/);
  refused({ ...valid, markets: [0, -1] }, /"markets"/);
  refused({ ...valid, programId: "So11111111111111111111111111111111111111112" }, /built for/);
});

test("clusters map to Wallet Standard chains", () => {
  assert.equal(walletChain("devnet"), "solana:devnet");
  assert.equal(walletChain("mainnet-beta"), "solana:mainnet");
  assert.equal(walletChain("localnet"), "solana:localnet");
});
