/**
 * The program's deployable ELF in litesvm, and ready-made exchange states built from scratch
 * through the client's own builders (as `tests/src/{env,fixtures}.rs` build them in Rust).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getAddressEncoder,
  lamports,
  none,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
  type Address,
  type Instruction,
  type KeyPairSigner,
} from "@solana/kit";
import {
  AccountState,
  getMintEncoder,
  getTokenEncoder,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { LiteSVM, type FailedTransactionMetadata, type TransactionMetadata } from "litesvm";
import {
  BASE_PRECISION,
  BPF_LOADER_UPGRADEABLE_ADDRESS,
  addLiquidity as addLiquidityIx,
  UNBOUNDED,
  decodeEvents,
  decodePerpMarket,
  decodeProgramOracle,
  decodeSpotMarket,
  decodeUser,
  deposit,
  errorCode,
  initialize,
  initializePerpMarket,
  initializeProgramOracle,
  initializeSpotMarket,
  initializeUser,
  pda,
  placePerpOrder,
  PROGRAM_ADDRESS,
  updateFundingRate,
  updatePerpMarket,
  updateProgramOracle,
  type BalErrorName,
  type BalEvent,
  type CollateralAccounts,
  type InitializeParams,
  type InitializePerpMarketParams,
  type InterestCurve,
  type MarketAccounts,
  type PerpMarket,
  type ProgramOracle,
  type QuoteMint,
  type SpotMarket,
  type User,
} from "../src/index.js";

const ELF = fileURLToPath(new URL("../../../../target/deploy/bal.so", import.meta.url));

/** Oracle price the fixtures start at: $100. precision: PRICE */
export const START_PRICE = 100_000_000n;
export const BASE = BASE_PRECISION;
/** A quote amount in whole dollars. precision: QUOTE */
export const usd = (dollars: number): bigint => BigInt(dollars) * 1_000_000n;

/** A transaction's result: what it left (logs, return data, records) or why it was refused. */
export type Outcome =
  | { ok: true; logs: string[]; returnData: Uint8Array; events: BalEvent[] }
  | { ok: false; code: number | null; logs: string[]; error: string };

export type Success = Extract<Outcome, { ok: true }>;

export function expectOk(outcome: Outcome): Success {
  if (!outcome.ok) {
    assert.fail(`transaction refused: ${outcome.error}\n${outcome.logs.join("\n")}`);
  }
  return outcome;
}

/** Asserts the program refused with its error `name`, or with an Anchor framework `code`. */
export function expectRefused(outcome: Outcome, error: BalErrorName | number): void {
  assert.ok(!outcome.ok, `expected ${error}, but the transaction succeeded`);
  const code = typeof error === "number" ? error : errorCode(error);
  assert.equal(
    outcome.code,
    code,
    `expected ${error}: ${outcome.error}\n${outcome.logs.join("\n")}`,
  );
}

/** The u32s a keeper batch or `place_order` returns, little-endian. */
export const u32s = (data: Uint8Array): number[] =>
  Array.from({ length: data.length / 4 }, (_, i) =>
    new DataView(data.buffer, data.byteOffset).getUint32(4 * i, true),
  );

/** Fresh wallets' lamports. */
const WALLET_LAMPORTS = 100_000_000_000n;
/** The clock the environment starts at: a plausible recent time, slot well past genesis. */
const START_TS = 1_760_000_000n;
const START_SLOT = 1_000n;

export class Env {
  private wallets = 0;

  private constructor(
    readonly svm: LiteSVM,
    readonly upgradeAuthority: KeyPairSigner,
  ) {}

  /** litesvm with the ELF under the IDL's program id and a `ProgramData` account naming a
   * fresh upgrade authority (bincode of `UpgradeableLoaderState::ProgramData { slot: 0,
   * upgrade_authority_address: Some(authority) }`), which `initialize` checks. */
  static async start(): Promise<Env> {
    if (!existsSync(ELF)) {
      throw new Error(`the program's ELF is missing at ${ELF}: build it with scripts/build-sbf.sh`);
    }
    const svm = new LiteSVM();
    svm.addProgramFromFile(PROGRAM_ADDRESS, ELF);
    svm.warpToSlot(START_SLOT);
    const clock = svm.getClock();
    clock.unixTimestamp = START_TS;
    svm.setClock(clock);
    const env = new Env(svm, await Env.keyPair(0));
    env.fund(env.upgradeAuthority.address);
    // u32 tag 3 (ProgramData), u64 slot 0, then Option<Pubkey>: tag 1 and the key.
    const header = new Uint8Array(45);
    header[0] = 3;
    header[12] = 1;
    header.set(getAddressEncoder().encode(env.upgradeAuthority.address), 13);
    env.setAccount(pda.programData(), header, BPF_LOADER_UPGRADEABLE_ADDRESS);
    return env;
  }

  /** Keys from a counter, not the OS's randomness, so PDA bumps repeat from run to run. */
  private static keyPair(n: number): Promise<KeyPairSigner> {
    const secret = new Uint8Array(32).fill(0x5a);
    new DataView(secret.buffer).setUint32(0, n, true);
    return createKeyPairSignerFromPrivateKeyBytes(secret);
  }

  private fund(address: Address): void {
    this.svm.airdrop(address, lamports(WALLET_LAMPORTS));
  }

  async wallet(): Promise<KeyPairSigner> {
    this.wallets += 1;
    const wallet = await Env.keyPair(this.wallets);
    this.fund(wallet.address);
    return wallet;
  }

  setAccount(address: Address, data: Uint8Array, owner: Address): void {
    this.svm.setAccount({
      address,
      data,
      executable: false,
      lamports: lamports(this.svm.minimumBalanceForRentExemption(BigInt(data.length))),
      programAddress: owner,
      space: BigInt(data.length),
    });
  }

  /** Sends `instructions` in one transaction paid by `payer`; every other signer rides in the
   * instructions' account metas. */
  async send(payer: KeyPairSigner, ...instructions: Instruction[]): Promise<Outcome> {
    // A fresh blockhash each time: an identical transaction would be refused as processed.
    this.svm.expireBlockhash();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => this.svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const result = this.svm.sendTransaction(await signTransactionMessageWithSigners(message));
    if ("err" in result) {
      return refusal(result);
    }
    return success(result);
  }

  data(address: Address): Uint8Array {
    const account = this.svm.getAccount(address);
    assert.ok(account.exists, `account ${address} does not exist`);
    return account.data as Uint8Array;
  }

  exists(address: Address): boolean {
    return this.svm.getAccount(address).exists;
  }

  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  /** Moves the clock `seconds` forward and the slot by `slots`. */
  advance(seconds: bigint, slots: bigint): void {
    const before = this.svm.getClock();
    this.svm.warpToSlot(before.slot + slots);
    const clock = this.svm.getClock();
    clock.unixTimestamp = before.unixTimestamp + seconds;
    this.svm.setClock(clock);
  }

  user = (address: Address): User => decodeUser(this.data(address));
  perpMarket = (index = 0): PerpMarket => decodePerpMarket(this.data(pda.perpMarket(index)));
  spotMarket = (): SpotMarket => decodeSpotMarket(this.data(pda.spotMarket(0)));
  oracle = (address: Address): ProgramOracle => decodeProgramOracle(this.data(address));

  /** Token amount of an SPL token account (the amount sits at byte 64). */
  tokenBalance(address: Address): bigint {
    return new DataView(this.data(address).buffer).getBigUint64(64, true);
  }
}

function success(result: TransactionMetadata): Outcome {
  const inner = result.innerInstructions().flat();
  return {
    ok: true,
    logs: result.logs(),
    returnData: result.returnData().data(),
    events: decodeEvents(inner.map((i) => i.instruction().data())),
  };
}

function refusal(result: FailedTransactionMetadata): Outcome {
  const error = result.err();
  let code: number | null = null;
  if (typeof error === "object" && "err" in error) {
    const inner = error.err();
    if (typeof inner === "object" && "code" in inner) {
      code = inner.code;
    }
  }
  return { ok: false, code, logs: result.meta().logs(), error: error.toString() };
}

/** The fee schedule the fixtures assume: 10 bps taker, 2 bps maker rebate. */
export const defaultParams = (): InitializeParams => ({
  lpCooldownSeconds: 3_600n,
  fees: {
    takerFeeRate: 1_000,
    makerRebateRate: 200,
    fillerRewardRate: 100_000,
    liquidatorShareRate: 500_000,
  },
  pausedOperations: 0,
});

/** 10% a year at 80% utilization, up to 100% when fully borrowed. */
export const defaultInterestCurve = (): InterestCurve => ({
  optimalUtilization: 800_000,
  optimalBorrowRate: 100_000,
  maxBorrowRate: 1_000_000,
  padding: 0,
});

export const paddedName = (name: string): number[] => {
  const bytes = new Array<number>(32).fill(0);
  bytes.splice(0, name.length, ...new TextEncoder().encode(name));
  return bytes;
};

/** A SOL-like market: $100, 1,000 base of liquidity, 10x initial / 20x maintenance leverage. */
export const defaultPerpMarket = (): InitializePerpMarketParams => ({
  name: paddedName("SOL-PERP"),
  oracleSource: "program",
  pythFeedId: new Array<number>(32).fill(0),
  sqrtK: 1_000n * BASE,
  concentrationCoef: 1_414_214,
  spreads: { baseSpread: 1_000, maxSpread: 50_000, priceBand: 100_000 },
  marginRatios: { initial: 1_000, maintenance: 500 },
  orderSizes: { stepSize: BASE / 1_000n, minSize: BASE / 100n },
  oracleGuards: {
    maxStaleSlots: 50n,
    maxStaleSeconds: 60n,
    maxConfidence: 20_000,
    maxTwapDivergence: 100_000,
  },
  funding: { period: 3_600n, maxRate: 1_000 },
  risk: { liquidationFee: 10_000, unrealizedPnlAssetWeight: 900_000 },
});

/** An exchange with state, the quote market, program oracle 0 and perp market 0. */
export interface Exchange {
  admin: KeyPairSigner;
  quote: QuoteMint;
  oracleUpdater: KeyPairSigner;
  /** Program oracle 0, perp market 0's. */
  oracle: Address;
  market: MarketAccounts;
}

/** A wallet with subaccount 0 and a quote token account. */
export interface Trader {
  wallet: KeyPairSigner;
  user: Address;
  tokenAccount: Address;
}

export const collateral = (trader: Trader, exchange: Exchange): CollateralAccounts => ({
  signer: trader.wallet,
  user: trader.user,
  tokenAccount: trader.tokenAccount,
  quote: exchange.quote,
});

/** A 6-decimal mint on SPL Token, written directly (its authority is never needed: token
 * accounts are written with their balance). */
async function createMint(env: Env): Promise<Address> {
  const mint = (await env.wallet()).address;
  const data = getMintEncoder().encode({
    mintAuthority: none(),
    supply: 0n,
    decimals: 6,
    isInitialized: true,
    freezeAuthority: none(),
  });
  env.setAccount(mint, new Uint8Array(data), TOKEN_PROGRAM_ADDRESS);
  return mint;
}

/** A token account of the quote mint owned by `owner`, holding `amount`. */
export async function createTokenAccount(
  env: Env,
  exchange: Exchange,
  owner: Address,
  amount: bigint,
): Promise<Address> {
  const account = (await env.wallet()).address;
  const data = getTokenEncoder().encode({
    mint: exchange.quote.mint,
    owner,
    amount,
    delegate: none(),
    state: AccountState.Initialized,
    isNative: none(),
    delegatedAmount: 0n,
    closeAuthority: none(),
  });
  env.setAccount(account, new Uint8Array(data), TOKEN_PROGRAM_ADDRESS);
  return account;
}

/** Publishes `price` (confidence 0.01%) on program oracle 0. */
export async function setOraclePrice(env: Env, exchange: Exchange, price: bigint): Promise<void> {
  const confidence = price / 10_000n;
  expectOk(
    await env.send(
      exchange.oracleUpdater,
      updateProgramOracle(exchange.oracleUpdater, exchange.oracle, price, confidence),
    ),
  );
}

/** The next second (and slot), the oracle republished at `price`: what a test does next
 * happens after, not in the same second as, what it did before (an add, a fill, a repeg or a
 * de-risk's reduction refuses a curve moved earlier in its second). */
export async function nextSecond(env: Env, exchange: Exchange, price = START_PRICE): Promise<void> {
  env.advance(1n, 1n);
  await setOraclePrice(env, exchange, price);
}

/** State, the quote market, program oracle 0 at `START_PRICE` and perp market 0, active. */
export async function setupTrading(env: Env): Promise<Exchange> {
  const admin = env.upgradeAuthority;
  expectOk(await env.send(admin, initialize(admin, defaultParams())));
  const quote = { mint: await createMint(env), tokenProgram: TOKEN_PROGRAM_ADDRESS };
  expectOk(await env.send(admin, initializeSpotMarket(admin, quote, defaultInterestCurve())));
  const oracleUpdater = await env.wallet();
  expectOk(await env.send(admin, initializeProgramOracle(admin, 0, oracleUpdater.address)));
  const oracle = pda.programOracle(0);
  const exchange: Exchange = {
    admin,
    quote,
    oracleUpdater,
    oracle,
    market: { marketIndex: 0, oracle },
  };
  await setOraclePrice(env, exchange, START_PRICE);
  expectOk(await env.send(admin, initializePerpMarket(admin, oracle, 0, defaultPerpMarket())));
  expectOk(await env.send(admin, updatePerpMarket(admin, 0, { status: "active" })));
  return exchange;
}

/** A new wallet with subaccount 0 holding a deposit of `amount` quote, `spare` more in its
 * token account. */
export async function newTrader(
  env: Env,
  exchange: Exchange,
  amount: bigint,
  spare = 0n,
): Promise<Trader> {
  const wallet = await env.wallet();
  const tokenAccount = await createTokenAccount(env, exchange, wallet.address, amount + spare);
  expectOk(await env.send(wallet, initializeUser(wallet, 0, paddedName(""))));
  const trader = { wallet, user: pda.user(wallet.address, 0), tokenAccount };
  if (amount > 0n) {
    expectOk(await env.send(wallet, deposit(collateral(trader, exchange), amount)));
  }
  return trader;
}

/** A market order of `base` (signed: positive buys) for `trader` in market 0. */
export async function trade(
  env: Env,
  exchange: Exchange,
  trader: Trader,
  base: bigint,
): Promise<Outcome> {
  const params = {
    direction: base > 0n ? ("long" as const) : ("short" as const),
    baseAmount: base > 0n ? base : -base,
    limitPrice: null,
    reduceOnly: false,
  };
  return env.send(
    trader.wallet,
    placePerpOrder(trader.wallet, trader.user, exchange.market, [], params),
  );
}

export async function addLiquidity(
  env: Env,
  exchange: Exchange,
  lp: Trader,
  shares: bigint,
): Promise<Outcome> {
  return env.send(
    lp.wallet,
    addLiquidityIx(lp.wallet, lp.user, exchange.market, [], shares, UNBOUNDED),
  );
}

/** A funding period passes: an hour later the oracle republishes `price` and `keeper` updates
 * market 0's funding. */
export async function nextFundingPeriod(
  env: Env,
  exchange: Exchange,
  keeper: KeyPairSigner,
  price = START_PRICE,
): Promise<Success> {
  env.advance(3_600n, 10n);
  await setOraclePrice(env, exchange, price);
  return expectOk(await env.send(keeper, updateFundingRate(exchange.market)));
}
