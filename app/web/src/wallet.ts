/**
 * The wallets the page offers: the local exchange's demo keypair (only when `config.json`
 * says so) and every Wallet Standard wallet registered in the browser that can sign Solana
 * transactions on the configured cluster.
 */
import { createKeyPairSignerFromBytes } from "@solana/kit";
import { getWallets } from "@wallet-standard/app";
import type { IdentifierString } from "@wallet-standard/base";
import { connectWallet, isUsableWallet, type WalletSigner } from "./wallet-standard.js";

export interface WalletOption {
  id: string;
  name: string;
  /** A data: URL, as the Wallet Standard requires of wallet icons. */
  icon: string | null;
  connect(): Promise<WalletSigner>;
}

/** The demo wallet: a Solana CLI keypair file (a JSON array of 64 bytes) served beside the
 * page by the local exchange. */
export const localWallet = (url: URL): WalletOption => ({
  id: "local",
  name: "Local wallet",
  icon: null,
  async connect() {
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) {
      throw new Error(`The local wallet is not served here (${response.status})`);
    }
    const bytes: unknown = await response.json();
    if (
      !Array.isArray(bytes) ||
      bytes.length !== 64 ||
      !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
    ) {
      throw new Error("local-wallet.json is not a 64-byte keypair");
    }
    return { signer: await createKeyPairSignerFromBytes(Uint8Array.from(bytes)), version: 0 };
  },
});

/** The registered wallets that can sign on `chain`. */
export const standardWallets = (chain: IdentifierString): WalletOption[] =>
  getWallets()
    .get()
    .filter((wallet) => isUsableWallet(wallet, chain))
    .map((wallet) => ({
      id: `standard:${wallet.name}`,
      name: wallet.name,
      icon: wallet.icon,
      connect: () => connectWallet(wallet, chain),
    }));

/** Calls `listener` whenever a wallet registers or unregisters. */
export function onWalletsChanged(listener: () => void): void {
  const wallets = getWallets();
  wallets.on("register", listener);
  wallets.on("unregister", listener);
}
