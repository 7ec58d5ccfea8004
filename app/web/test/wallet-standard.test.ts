/** The Wallet Standard adapter against fake wallets that sign with a real keypair. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Decoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  isTransactionSendingSigner,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signAndSendTransactionMessageWithSigners,
  signTransactionMessageWithSigners,
  verifySignature,
  type Blockhash,
  type KeyPairSigner,
  type SignatureBytes,
} from "@solana/kit";
import type { Wallet, WalletAccount } from "@wallet-standard/base";
import { connectWallet, isUsableWallet, walletSigner } from "../src/wallet-standard.js";

const CHAIN = "solana:localnet";

/** A wallet whose only account is `keys`, signing with them (and with `sendOnly`, only able
 * to sign and send). */
function fakeWallet(keys: KeyPairSigner, sendOnly = false): { wallet: Wallet; sent: Uint8Array[] } {
  const account: WalletAccount = {
    address: keys.address,
    publicKey: new Uint8Array(32),
    chains: [CHAIN],
    features: [],
  };
  const sent: Uint8Array[] = [];
  const sign = async (bytes: Uint8Array) => {
    const transaction = getTransactionDecoder().decode(bytes);
    const [signatures] = await keys.signTransactions([transaction as never]);
    return { ...transaction, signatures: { ...transaction.signatures, ...signatures } };
  };
  const features: Record<string, unknown> = {
    "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [account] }) },
    "solana:signAndSendTransaction": {
      version: "1.0.0",
      supportedTransactionVersions: [0],
      signAndSendTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
        Promise.all(
          inputs.map(async (input) => {
            sent.push(input.transaction);
            const signed = await sign(input.transaction);
            return { signature: signed.signatures[keys.address] as Uint8Array };
          }),
        ),
    },
  };
  if (!sendOnly) {
    features["solana:signTransaction"] = {
      version: "1.0.0",
      supportedTransactionVersions: ["legacy", 0],
      signTransaction: async (...inputs: { transaction: Uint8Array }[]) =>
        Promise.all(
          inputs.map(async (input) => ({
            signedTransaction: new Uint8Array(
              getTransactionEncoder().encode(await sign(input.transaction)),
            ),
          })),
        ),
    };
  }
  const wallet = {
    version: "1.0.0",
    name: "Fake",
    icon: "data:image/svg+xml;base64,AA==",
    chains: [CHAIN],
    features,
    accounts: [account],
  } as unknown as Wallet;
  return { wallet, sent };
}

const message = (payer: Parameters<typeof setTransactionMessageFeePayerSigner>[0]) =>
  pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: "11111111111111111111111111111111" as Blockhash, lastValidBlockHeight: 100n },
        m,
      ),
    (m) => appendTransactionMessageInstructions([], m),
  );

test("a signing wallet becomes a kit signer whose signature verifies", async () => {
  const keys = await generateKeyPairSigner();
  const { wallet } = fakeWallet(keys);
  assert.ok(isUsableWallet(wallet, CHAIN));
  const { signer, version } = await connectWallet(wallet, CHAIN);
  assert.equal(signer.address, keys.address);
  assert.equal(version, 0);
  assert.equal(isTransactionSendingSigner(signer), false, "the page sends through its own RPC");
  const signed = await signTransactionMessageWithSigners(message(signer));
  const signature = signed.signatures[keys.address] as SignatureBytes;
  assert.ok(await verifySignature(keys.keyPair.publicKey, signature, signed.messageBytes));
  assert.equal(getSignatureFromTransaction(signed), getBase58Decoder().decode(signature));
  assert.deepEqual(signed.lifetimeConstraint, {
    blockhash: "11111111111111111111111111111111",
    lastValidBlockHeight: 100n,
  });
});

test("a wallet that can only sign and send becomes a sending signer", async () => {
  const keys = await generateKeyPairSigner();
  const { wallet, sent } = fakeWallet(keys, true);
  assert.ok(isUsableWallet(wallet, CHAIN));
  const { signer } = walletSigner(wallet, wallet.accounts[0]!, CHAIN);
  assert.ok(isTransactionSendingSigner(signer));
  const signature = await signAndSendTransactionMessageWithSigners(message(signer));
  assert.equal(sent.length, 1);
  const transaction = getTransactionDecoder().decode(sent[0]!);
  assert.ok(await verifySignature(keys.keyPair.publicKey, signature, transaction.messageBytes));
});

test("wallets on another chain or without Solana signing are not offered", async () => {
  const keys = await generateKeyPairSigner();
  const { wallet } = fakeWallet(keys);
  assert.equal(isUsableWallet(wallet, "solana:mainnet"), false);
  const noSigning = {
    ...wallet,
    features: { "standard:connect": wallet.features["standard:connect"] },
  } as Wallet;
  assert.equal(isUsableWallet(noSigning, CHAIN), false);
});
