/**
 * Wallet Standard wallets as @solana/kit signers: `standard:connect` for the account, then
 * `solana:signTransaction` (preferred: the page sends and confirms through its own RPC) or
 * `solana:signAndSendTransaction`. Only the types and the adapter live here, not the browser's
 * wallet registry, so the adapter runs in Node's tests against a fake wallet.
 */
import {
  address,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  getTransactionEncoder,
  type SignatureBytes,
  type Transaction,
  type TransactionModifyingSigner,
  type TransactionSendingSigner,
  type TransactionSigner,
  type TransactionWithinSizeLimit,
  type TransactionWithLifetime,
} from "@solana/kit";
import {
  SolanaSignAndSendTransaction,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionFeature,
  type SolanaSignTransactionFeature,
  type SolanaTransactionVersion,
} from "@solana/wallet-standard-features";
import type { IdentifierString, Wallet, WalletAccount } from "@wallet-standard/base";
import { StandardConnect, type StandardConnectFeature } from "@wallet-standard/features";

/** A signer the page can build and send transactions with, and the message version to use. */
export interface WalletSigner {
  signer: TransactionSigner;
  version: 0 | "legacy";
}

type Features = Partial<
  StandardConnectFeature & SolanaSignTransactionFeature & SolanaSignAndSendTransactionFeature
>;

const features = (wallet: Wallet) => wallet.features as Features;

/** Whether `wallet` can connect and sign Solana transactions on `chain`. */
export function isUsableWallet(wallet: Wallet, chain: IdentifierString): boolean {
  const f = features(wallet);
  return (
    wallet.chains.includes(chain) &&
    f[StandardConnect] !== undefined &&
    (f[SolanaSignTransaction] !== undefined || f[SolanaSignAndSendTransaction] !== undefined)
  );
}

/** Version 0 messages where the wallet takes them, else legacy ones. */
const versionFor = (supported: readonly SolanaTransactionVersion[]): 0 | "legacy" =>
  supported.includes(0) ? 0 : "legacy";

/** Asks the wallet for its accounts and adapts the first one on `chain`. */
export async function connectWallet(
  wallet: Wallet,
  chain: IdentifierString,
): Promise<WalletSigner> {
  const connect = features(wallet)[StandardConnect];
  if (!connect) {
    throw new Error(`${wallet.name} cannot connect`);
  }
  const { accounts } = await connect.connect();
  const account = accounts.find((a) => a.chains.includes(chain)) ?? accounts[0];
  if (!account) {
    throw new Error(`${wallet.name} shared no account`);
  }
  return walletSigner(wallet, account, chain);
}

/** The kit signer for `account` of `wallet`: a modifying signer over `solana:signTransaction`
 * (a wallet may add instructions such as priority fees, so the signed transaction it returns
 * replaces ours), or a sending signer over `solana:signAndSendTransaction`. */
export function walletSigner(
  wallet: Wallet,
  account: WalletAccount,
  chain: IdentifierString,
): WalletSigner {
  const f = features(wallet);
  const signTransaction = f[SolanaSignTransaction];
  const signer = address(account.address);
  if (signTransaction) {
    const modifying: TransactionModifyingSigner = {
      address: signer,
      async modifyAndSignTransactions(transactions) {
        const outputs = await signTransaction.signTransaction(
          ...transactions.map((transaction) => ({
            account,
            chain,
            transaction: new Uint8Array(getTransactionEncoder().encode(transaction)),
          })),
        );
        return outputs.map((output, i) => withLifetime(output.signedTransaction, transactions[i]!));
      },
    };
    return { signer: modifying, version: versionFor(signTransaction.supportedTransactionVersions) };
  }
  const signAndSend = f[SolanaSignAndSendTransaction];
  if (!signAndSend) {
    throw new Error(`${wallet.name} cannot sign Solana transactions`);
  }
  const sending: TransactionSendingSigner = {
    address: signer,
    async signAndSendTransactions(transactions) {
      const outputs = await signAndSend.signAndSendTransaction(
        ...transactions.map((transaction) => ({
          account,
          chain,
          transaction: new Uint8Array(getTransactionEncoder().encode(transaction)),
          options: { preflightCommitment: "confirmed" as const, commitment: "confirmed" as const },
        })),
      );
      return outputs.map((output) => output.signature as SignatureBytes);
    },
  };
  return { signer: sending, version: versionFor(signAndSend.supportedTransactionVersions) };
}

/** The wallet's signed bytes as a kit transaction. Its lifetime is read from the message the
 * wallet signed (a wallet may refresh the blockhash); the block height it stays valid to is
 * ours, the only one the page knows. */
function withLifetime(
  signed: Uint8Array,
  original: Transaction | (Transaction & TransactionWithLifetime),
): Transaction & TransactionWithinSizeLimit & TransactionWithLifetime {
  const transaction = getTransactionDecoder().decode(signed);
  const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  if (
    !("lifetimeConstraint" in original) ||
    !("lastValidBlockHeight" in original.lifetimeConstraint)
  ) {
    throw new Error("a transaction to sign needs a blockhash lifetime");
  }
  return {
    ...transaction,
    lifetimeConstraint: {
      blockhash: message.lifetimeToken,
      lastValidBlockHeight: original.lifetimeConstraint.lastValidBlockHeight,
    },
  } as Transaction & TransactionWithinSizeLimit & TransactionWithLifetime;
}
