/**
 * An LP's round trip on the BAL program, written as an integrator who has only the IDL would
 * write it: the client Codama generates from `idl/bal.json` (`@bal/kit-client`), `@solana/kit`,
 * the SPL Token codecs and `litesvm` running the built ELF. Nothing from `@bal/sdk` or the
 * repository's tests. Every step an integrator must know is here: the upgrade authority in
 * ProgramData (`initialize` is the deployer's), the quote market, an oracle with a first price,
 * a perp market activated after it is created, users, deposits, an LP's add, a trade, the LP's
 * settle and its remove after the cooldown.
 *
 * Units (the IDL's constants): prices PRICE = 1e6, base BASE = 1e9, quote QUOTE = 1e6, rates
 * PERCENTAGE = 1e6 (100%). 128-bit fields are `{ words: [low, high] }`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  appendTransactionMessageInstructions,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getAddressEncoder,
  getProgramDerivedAddress,
  lamports,
  none,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
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
import { LiteSVM } from "litesvm";
import * as bal from "@bal/kit-client";

const ELF = fileURLToPath(new URL("../../../../target/deploy/bal.so", import.meta.url));
const LOADER = "BPFLoaderUpgradeab1e11111111111111111111111" as Address;
const BASE = 1_000_000_000n;
const PRICE = 1_000_000n;
const QUOTE = 1_000_000n;
const U64_MAX = 2n ** 64n - 1n;

const wide = (value: { words: bigint[] }): bigint => value.words[0] + (value.words[1] << 64n);

/** The chain: litesvm with the ELF, a clock, and transactions from Kit messages. */
class Chain {
  readonly svm = new LiteSVM();
  private keys = 0;

  constructor() {
    this.svm.addProgramFromFile(bal.BAL_PROGRAM_ADDRESS, ELF);
    this.svm.warpToSlot(1_000n);
    const clock = this.svm.getClock();
    clock.unixTimestamp = 1_760_000_000n;
    this.svm.setClock(clock);
  }

  async wallet(): Promise<KeyPairSigner> {
    const secret = new Uint8Array(32).fill(7);
    new DataView(secret.buffer).setUint32(0, ++this.keys, true);
    const signer = await createKeyPairSignerFromPrivateKeyBytes(secret);
    this.svm.airdrop(signer.address, lamports(10_000_000_000n) as never);
    return signer;
  }

  write(address: Address, data: Uint8Array, owner: Address): void {
    this.svm.setAccount({
      address,
      data,
      executable: false,
      lamports: lamports(this.svm.minimumBalanceForRentExemption(BigInt(data.length))),
      programAddress: owner,
      space: BigInt(data.length),
    } as never);
  }

  read(address: Address): Uint8Array {
    const account = this.svm.getAccount(address);
    assert.ok(account.exists, `no account at ${address}`);
    return account.data as Uint8Array;
  }

  async send(payer: KeyPairSigner, ...instructions: Instruction[]): Promise<void> {
    this.svm.expireBlockhash();
    const blockhash = { blockhash: this.svm.latestBlockhash(), lastValidBlockHeight: U64_MAX };
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(blockhash as never, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    );
    const result = this.svm.sendTransaction((await signTransactionMessageWithSigners(message)) as never);
    if ("err" in result) {
      assert.fail(`refused: ${result.err()}\n${result.meta().logs().join("\n")}`);
    }
  }

  /** The clock and the slot move on. */
  advance(seconds: bigint): void {
    const before = this.svm.getClock();
    this.svm.warpToSlot(before.slot + 1n + seconds * 2n);
    const clock = this.svm.getClock();
    clock.unixTimestamp = before.unixTimestamp + seconds;
    this.svm.setClock(clock);
  }
}

test("an LP adds, takes its share of a trade, settles and leaves, from the generated client alone", async () => {
  const chain = new Chain();
  const admin = await chain.wallet();

  // `initialize` is the upgrade authority's, read from ProgramData: litesvm's program has none,
  // so write one (bincode: u32 tag 3, u64 slot, Option<Pubkey> authority).
  const [programData] = await getProgramDerivedAddress({
    programAddress: LOADER,
    seeds: [getAddressEncoder().encode(bal.BAL_PROGRAM_ADDRESS)],
  });
  const header = new Uint8Array(45);
  header[0] = 3;
  header[12] = 1;
  header.set(getAddressEncoder().encode(admin.address), 13);
  chain.write(programData, header, LOADER);
  await chain.send(
    admin,
    await bal.getInitializeInstructionAsync({
      admin,
      lpCooldownSeconds: 3_600n,
      fees: { takerFeeRate: 1_000, makerRebateRate: 200, fillerRewardRate: 100_000, liquidatorShareRate: 500_000 },
      pausedOperations: 0,
    }),
  );

  // The quote mint (6 decimals) and the quote market holding it.
  const mint = (await chain.wallet()).address;
  chain.write(
    mint,
    new Uint8Array(
      getMintEncoder().encode({ mintAuthority: none(), supply: 0n, decimals: 6, isInitialized: true, freezeAuthority: none() }),
    ),
    TOKEN_PROGRAM_ADDRESS,
  );
  await chain.send(
    admin,
    await bal.getInitializeSpotMarketInstructionAsync({
      admin,
      mint,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
      marketIndex: 0,
      interestCurve: { optimalUtilization: 800_000, optimalBorrowRate: 100_000, maxBorrowRate: 1_000_000, padding: 0 },
    }),
  );

  // A program oracle with a first price: markets refuse to read an oracle that never published.
  const updater = await chain.wallet();
  const [oracle] = await bal.findOraclePda({ oracleId: 0 });
  await chain.send(admin, await bal.getInitializeProgramOracleInstructionAsync({ admin, oracleId: 0, updater: updater.address }));
  const publish = async (price: bigint) =>
    chain.send(updater, bal.getUpdateProgramOracleInstruction({ updater, oracle, price, confidence: price / 10_000n }));
  await publish(100n * PRICE);

  // A perp market on it, created `Initialized` and then activated.
  const [perpMarket] = await bal.findPerpMarketPda({ marketIndex: 0 });
  await chain.send(
    admin,
    await bal.getInitializePerpMarketInstructionAsync({
      admin,
      oracle,
      marketIndex: 0,
      name: new TextEncoder().encode("SOL-PERP".padEnd(32, "\0")),
      oracleSource: bal.OracleSource.Program,
      pythFeedId: new Uint8Array(32),
      sqrtK: 1_000n * BASE,
      concentrationCoef: 1_414_214,
      spreads: { baseSpread: 1_000, maxSpread: 50_000, priceBand: 100_000 },
      marginRatios: { initial: 1_000, maintenance: 500 },
      orderSizes: { stepSize: BASE / 1_000n, minSize: BASE / 100n },
      oracleGuards: { maxStaleSlots: 50n, maxStaleSeconds: 60n, maxConfidence: 20_000, maxTwapDivergence: 100_000 },
      funding: { period: 3_600n, maxRate: 1_000 },
      risk: { liquidationFee: 10_000, unrealizedPnlAssetWeight: 900_000 },
    }),
  );
  await chain.send(
    admin,
    await bal.getUpdatePerpMarketInstructionAsync({
      admin,
      marketIndex: 0,
      marginRatios: null,
      orderSizes: null,
      spreads: null,
      oracleGuards: null,
      funding: null,
      risk: null,
      lpFeeShare: null,
      concentrationCoef: null,
      status: bal.MarketStatus.Active,
      pausedOperations: null,
      jit: null,
      settlementPriceBand: null,
    }),
  );

  // Two users with $10,000 each deposited from their own token accounts.
  const open = async () => {
    const wallet = await chain.wallet();
    const tokens = (await chain.wallet()).address;
    chain.write(
      tokens,
      new Uint8Array(
        getTokenEncoder().encode({
          mint,
          owner: wallet.address,
          amount: 10_000n * QUOTE,
          delegate: none(),
          state: AccountState.Initialized,
          isNative: none(),
          delegatedAmount: 0n,
          closeAuthority: none(),
        }),
      ),
      TOKEN_PROGRAM_ADDRESS,
    );
    await chain.send(wallet, await bal.getInitializeUserInstructionAsync({ authority: wallet, subAccountId: 0, name: new Uint8Array(32) }));
    const [user] = await bal.findUserPda({ authority: wallet.address, subAccountId: 0 });
    await chain.send(
      wallet,
      await bal.getDepositInstructionAsync({ authority: wallet, user, userTokenAccount: tokens, mint, amount: 10_000n * QUOTE }),
    );
    return { wallet, user };
  };
  const lp = await open();
  const trader = await open();

  // The LP adds 500 shares, accepting any reserve price (the market's band still applies).
  const shares = 500n * BASE;
  await chain.send(
    lp.wallet,
    await bal.getAddLiquidityInstructionAsync({ authority: lp.wallet, user: lp.user, oracle, marketIndex: 0, shares, min: 0n, max: U64_MAX }),
  );

  // The next second, the trader buys 30 base from the curve the LP is now part of.
  chain.advance(1n);
  await publish(100n * PRICE);
  const bought = 30n * BASE;
  await chain.send(
    trader.wallet,
    await bal.getPlacePerpOrderInstructionAsync({
      authority: trader.wallet,
      user: trader.user,
      oracle,
      marketIndex: 0,
      direction: bal.PositionDirection.Long,
      baseAmount: bought,
      limitPrice: null,
      reduceOnly: false,
    }),
  );

  // Settling moves the LP's share of the curve's side into its own position: short, pro rata to
  // its shares of `sqrt_k`.
  await chain.send(lp.wallet, await bal.getSettleLpInstructionAsync({ signer: lp.wallet, user: lp.user, marketIndex: 0 }));
  const market = bal.getPerpMarketDecoder().decode(chain.read(perpMarket));
  const position = bal.getUserDecoder().decode(chain.read(lp.user)).perpPositions.find((p) => p.active === 1 && p.marketIndex === 0);
  assert.ok(position, "the LP holds a position in market 0");
  const sqrtK = wide(market.amm.sqrtK);
  assert.equal(wide(position.lp.shares), shares);
  assert.equal(sqrtK, 1_500n * BASE);
  const share = (bought * shares) / sqrtK;
  assert.equal(position.baseAssetAmount, -share, "a third of the shares, a third of the side: short 10");
  const traderPosition = bal.getUserDecoder().decode(chain.read(trader.user)).perpPositions.find((p) => p.active === 1);
  assert.equal(traderPosition?.baseAssetAmount, bought);

  // After the cooldown (an hour), with the oracle published again, the LP removes every share.
  chain.advance(3_601n);
  await publish(100n * PRICE);
  await chain.send(lp.wallet, await bal.getRemoveLiquidityInstructionAsync({ signer: lp.wallet, user: lp.user, marketIndex: 0, shares: null }));
  const after = bal.getUserDecoder().decode(chain.read(lp.user)).perpPositions.find((p) => p.marketIndex === 0 && p.active === 1);
  assert.equal(wide(after?.lp.shares ?? { words: [0n, 0n] }), 0n);
  assert.equal(wide(bal.getPerpMarketDecoder().decode(chain.read(perpMarket)).amm.sqrtK), 1_000n * BASE);
});
