/**
 * Where the page finds its chain: `config.json`, served beside the page and read at load, so
 * pointing the page at another cluster is a change of that file, not a rebuild.
 */
import { isAddress, type Address } from "@solana/kit";
import { PROGRAM_ADDRESS } from "@bal/sdk";

export interface AppConfig {
  /** JSON-RPC over HTTP; transactions are confirmed by polling it, so no websocket is needed. */
  rpcUrl: string;
  /** `localnet`, `devnet`, `testnet` or `mainnet`: the Wallet Standard chain is `solana:<cluster>`. */
  cluster: string;
  programId: Address;
  quoteMint: Address;
  /** Perp market indexes the page lists, in order. */
  markets: number[];
  /** Offer the exchange's demo keypair (`local-wallet.json`): only ever on a local exchange. */
  localWallet: boolean;
}

export class ConfigError extends Error {}

const text = (raw: Record<string, unknown>, key: string): string => {
  const value = raw[key];
  if (typeof value !== "string" || value === "") {
    throw new ConfigError(`config.json: "${key}" must be a non-empty string`);
  }
  return value;
};

const addressField = (raw: Record<string, unknown>, key: string): Address => {
  const value = text(raw, key);
  if (!isAddress(value)) {
    throw new ConfigError(`config.json: "${key}" is not a base58 address`);
  }
  return value;
};

/** The page's configuration from the parsed `config.json`, or a `ConfigError` naming the first
 * field that is missing or wrong. The program id must be the one the client was built for:
 * every address the page derives depends on it. */
export function parseConfig(raw: unknown): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json must hold a JSON object");
  }
  const fields = raw as Record<string, unknown>;
  const markets = fields.markets;
  if (
    !Array.isArray(markets) ||
    markets.length === 0 ||
    !markets.every((m) => Number.isInteger(m) && m >= 0 && m <= 0xffff)
  ) {
    throw new ConfigError('config.json: "markets" must list perp market indexes');
  }
  const programId = addressField(fields, "programId");
  if (programId !== PROGRAM_ADDRESS) {
    throw new ConfigError(
      `config.json names program ${programId}, but this page is built for ${PROGRAM_ADDRESS}`,
    );
  }
  return {
    rpcUrl: text(fields, "rpcUrl"),
    cluster: text(fields, "cluster"),
    programId,
    quoteMint: addressField(fields, "quoteMint"),
    markets: markets as number[],
    localWallet: fields.localWallet === true,
  };
}

/** The Wallet Standard chain of a cluster name (`mainnet-beta` is Solana's old name for it). */
export const walletChain = (cluster: string): `solana:${string}` =>
  `solana:${cluster === "mainnet-beta" ? "mainnet" : cluster}`;
