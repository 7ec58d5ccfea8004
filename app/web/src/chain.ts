/**
 * The page's view of the chain over JSON-RPC: one `getMultipleAccounts` per refresh for the
 * exchange, the markets with their oracles, the wallet's subaccounts and quote token account
 * and the clock; `getProgramAccounts` to find the subaccounts; transactions built with
 * @solana/kit, sent, and confirmed by polling their status.
 */
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  getAddressEncoder,
  getBase58Decoder,
  getBase64Encoder,
  getBase64EncodedWireTransaction,
  getProgramDerivedAddress,
  getSignatureFromTransaction,
  getSolanaErrorFromTransactionError,
  isTransactionSendingSigner,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signAndSendTransactionMessageWithSigners,
  signTransactionMessageWithSigners,
  address,
  type Address,
  type Base58EncodedBytes,
  type Instruction,
  type Signature,
} from "@solana/kit";
import {
  accountSize,
  decodePerpMarket,
  decodeSpotMarket,
  decodeState,
  decodeUser,
  IDL,
  pda,
  PROGRAM_ADDRESS,
  readOracle,
  ReadError,
  type PerpMarket,
} from "@bal/sdk";
import { marketData, readErrorMessage, type MarketData, type Snapshot } from "./bal.js";
import type { AppConfig } from "./config.js";
import { TransactionFailed } from "./errors.js";
import type { WalletSigner } from "./wallet-standard.js";

const ASSOCIATED_TOKEN_PROGRAM = address("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");
const SYSVAR_CLOCK_ADDRESS = address("SysvarC1ock11111111111111111111111111111111");

/** A `User` account's size and discriminator, for the subaccount query. */
const USER_SIZE = BigInt(accountSize("user"));
const USER_DISCRIMINATOR = Uint8Array.from(
  IDL.accounts.find((a) => a.name === "user")!.discriminator,
);

/** getMultipleAccounts takes at most 100 keys. */
const MAX_KEYS = 100;
const CONFIRM_POLL_MS = 400;

interface RawAccount {
  owner: Address;
  data: Uint8Array;
}

/** The wallet's quote token account: the associated one for the quote mint. */
export async function associatedTokenAccount(
  owner: Address,
  mint: Address,
  tokenProgram: Address,
): Promise<Address> {
  const key = getAddressEncoder();
  const [ata] = await getProgramDerivedAddress({
    programAddress: ASSOCIATED_TOKEN_PROGRAM,
    seeds: [key.encode(owner), key.encode(tokenProgram), key.encode(mint)],
  });
  return ata;
}

/** The Clock sysvar's slot (bytes 0..8) and unix timestamp (bytes 32..40). */
function readClock(data: Uint8Array): { slot: bigint; unixTimestamp: bigint } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { slot: view.getBigUint64(0, true), unixTimestamp: view.getBigInt64(32, true) };
}

/** Token amount of an SPL Token or Token-2022 account (bytes 64..72 in both layouts). */
const tokenAmount = (data: Uint8Array): bigint =>
  new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(64, true);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Chain {
  readonly rpc: ReturnType<typeof createSolanaRpc>;
  /** Market index → oracle, learned from each market's first read. */
  private readonly oracles = new Map<number, Address>();
  /** The quote mint's token program, learned from the spot market. */
  private tokenProgram: Address | null = null;

  constructor(readonly config: AppConfig) {
    this.rpc = createSolanaRpc(config.rpcUrl);
  }

  private async accounts(addresses: readonly Address[]): Promise<Map<Address, RawAccount>> {
    const found = new Map<Address, RawAccount>();
    const bytes = getBase64Encoder();
    for (let i = 0; i < addresses.length; i += MAX_KEYS) {
      const chunk = addresses.slice(i, i + MAX_KEYS);
      const { value } = await this.rpc
        .getMultipleAccounts(chunk, { encoding: "base64", commitment: "confirmed" })
        .send();
      value.forEach((account, j) => {
        if (account) {
          found.set(chunk[j]!, {
            owner: account.owner,
            data: new Uint8Array(bytes.encode(account.data[0])),
          });
        }
      });
    }
    return found;
  }

  /** The wallet's subaccounts (`User` accounts it is the authority of), by address. */
  async findSubaccounts(owner: Address): Promise<Address[]> {
    const base58 = getBase58Decoder();
    const accounts = await this.rpc
      .getProgramAccounts(PROGRAM_ADDRESS, {
        encoding: "base64",
        commitment: "confirmed",
        dataSlice: { offset: 0, length: 0 },
        filters: [
          { dataSize: USER_SIZE },
          {
            memcmp: {
              offset: 0n,
              bytes: base58.decode(USER_DISCRIMINATOR) as Base58EncodedBytes,
              encoding: "base58",
            },
          },
          {
            memcmp: {
              offset: 8n,
              bytes: owner as string as Base58EncodedBytes,
              encoding: "base58",
            },
          },
        ],
      })
      .send();
    return accounts.map((a) => a.pubkey);
  }

  /** The accounts a refresh reads, from what is known so far. */
  private async wanted(
    owner: Address | null,
    marketIndexes: ReadonlySet<number>,
    subaccounts: readonly Address[],
  ): Promise<{ addresses: Address[]; ata: Address | null }> {
    const ata =
      owner && this.tokenProgram
        ? await associatedTokenAccount(owner, this.config.quoteMint, this.tokenProgram)
        : null;
    const indexes = [...marketIndexes];
    const addresses = [
      pda.state(),
      pda.spotMarket(0),
      SYSVAR_CLOCK_ADDRESS,
      ...indexes.map(pda.perpMarket),
      ...indexes.flatMap((i) => (this.oracles.has(i) ? [this.oracles.get(i)!] : [])),
      ...subaccounts,
      ...(ata ? [ata] : []),
    ];
    return { addresses, ata };
  }

  /**
   * Everything the page shows for `owner` and its `subaccounts`. Oracles, the token account
   * and markets only a subaccount holds are learned from a first read and read in the next,
   * so a steady refresh is a single `getMultipleAccounts`.
   */
  async snapshot(owner: Address | null, subaccounts: readonly Address[]): Promise<Snapshot> {
    const marketIndexes = new Set(this.config.markets);
    // Each round can reveal one more layer: markets → oracles, spot → token account,
    // subaccounts → markets they hold → those markets' oracles.
    for (let round = 0; round < 4; round += 1) {
      const { addresses, ata } = await this.wanted(owner, marketIndexes, subaccounts);
      const read = await this.accounts(addresses);
      const state = read.get(pda.state());
      const spot = read.get(pda.spotMarket(0));
      const clock = read.get(SYSVAR_CLOCK_ADDRESS);
      if (!state || !spot || !clock) {
        throw new Error("BAL is not initialized on this cluster (no state or quote market)");
      }
      const decodedSpot = decodeSpotMarket(spot.data);
      this.tokenProgram = decodedSpot.tokenProgram;
      const users = subaccounts.flatMap((a) => {
        const account = read.get(a);
        return account ? [{ address: a, user: decodeUser(account.data) }] : [];
      });
      users.sort((a, b) => a.user.subAccountId - b.user.subAccountId);
      const markets = [...marketIndexes].map((index) => {
        const account = read.get(pda.perpMarket(index));
        if (!account) {
          throw new Error(`Perp market ${index} does not exist on this cluster`);
        }
        const market = decodePerpMarket(account.data);
        this.oracles.set(index, market.oracle);
        return market;
      });
      for (const { user } of users) {
        user.perpPositions
          .filter((p) => p.active === 1)
          .forEach((p) => marketIndexes.add(p.marketIndex));
      }
      const next = await this.wanted(owner, marketIndexes, subaccounts);
      if (!next.addresses.every((a) => addresses.includes(a))) {
        continue;
      }
      const { unixTimestamp, slot } = readClock(clock.data);
      const token = ata ? read.get(ata) : undefined;
      return {
        now: unixTimestamp,
        slot,
        state: decodeState(state.data),
        spot: decodedSpot,
        markets: markets.map((market) => this.priced(market, read)),
        subaccounts: users,
        walletQuote: token ? tokenAmount(token.data) : null,
      };
    }
    throw new Error("The exchange's accounts kept changing while being read: retrying");
  }

  private priced(market: PerpMarket, read: Map<Address, RawAccount>): MarketData {
    const account = read.get(market.oracle);
    const data = marketData(market, 0n);
    if (!account) {
      throw new Error(`The oracle of ${data.name} does not exist`);
    }
    try {
      return {
        ...data,
        oraclePrice: readOracle(market, { address: market.oracle, ...account }).price,
      };
    } catch (error) {
      if (error instanceof ReadError) {
        throw new Error(`The oracle of ${data.name} cannot be read: ${readErrorMessage(error)}`);
      }
      throw error;
    }
  }

  /** Builds, signs, sends and confirms one transaction of `instructions` paid by the wallet;
   * throws what the RPC or the chain refused it with. */
  async send(wallet: WalletSigner, instructions: readonly Instruction[]): Promise<Signature> {
    const { value: blockhash } = await this.rpc
      .getLatestBlockhash({ commitment: "confirmed" })
      .send();
    const message = pipe(
      createTransactionMessage({ version: wallet.version }),
      (m) => setTransactionMessageFeePayerSigner(wallet.signer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    let signature: Signature;
    if (isTransactionSendingSigner(wallet.signer)) {
      const bytes = await signAndSendTransactionMessageWithSigners(message);
      signature = getBase58Decoder().decode(bytes) as Signature;
    } else {
      const transaction = await signTransactionMessageWithSigners(message);
      signature = getSignatureFromTransaction(transaction);
      await this.rpc
        .sendTransaction(getBase64EncodedWireTransaction(transaction), {
          encoding: "base64",
          preflightCommitment: "confirmed",
        })
        .send();
    }
    await this.confirm(signature, blockhash.lastValidBlockHeight);
    return signature;
  }

  /** Polls the signature until it is confirmed, failed, or its blockhash has expired. */
  private async confirm(signature: Signature, lastValidBlockHeight: bigint): Promise<void> {
    for (;;) {
      const { value } = await this.rpc.getSignatureStatuses([signature]).send();
      const status = value[0];
      if (status?.err) {
        throw new TransactionFailed(
          await this.logs(signature),
          getSolanaErrorFromTransactionError(status.err),
        );
      }
      if (
        status?.confirmationStatus === "confirmed" ||
        status?.confirmationStatus === "finalized"
      ) {
        return;
      }
      const height = await this.rpc.getBlockHeight({ commitment: "confirmed" }).send();
      if (height > lastValidBlockHeight) {
        throw new Error("The transaction expired before it was confirmed: try again");
      }
      await sleep(CONFIRM_POLL_MS);
    }
  }

  private async logs(signature: Signature): Promise<readonly string[]> {
    const transaction = await this.rpc
      .getTransaction(signature, {
        commitment: "confirmed",
        encoding: "json",
        maxSupportedTransactionVersion: 0,
      })
      .send();
    return transaction?.meta?.logMessages ?? [];
  }
}
