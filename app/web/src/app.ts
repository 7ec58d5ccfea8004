/**
 * The BAL page: markets with their BAL liquidity and performance, the Add and Remove modals,
 * positions, margin settings and collateral for the selected subaccount. State lives in this
 * class; each refresh (every 2 s and after every transaction) re-renders the sections whose
 * markup changed. Clicks are handled once, on the document, by each element's `data-action`.
 */
import type { Address } from "@solana/kit";
import { findPosition } from "@bal/sdk";
import * as actions from "./actions.js";
import type { Action } from "./actions.js";
import {
  accountSummary,
  addPreview,
  balSubAccountId,
  chainNow,
  marketSummary,
  nextSubAccountId,
  performanceSeries,
  positionRows,
  recommendsBalSubaccount,
  removePreview,
  type AddPreview,
  type MarketData,
  type RemovePreview,
  type Snapshot,
  type Subaccount,
} from "./bal.js";
import { Chain } from "./chain.js";
import { walletChain, type AppConfig } from "./config.js";
import { describeFailure } from "./errors.js";
import { formatBase, parseFixed } from "./format.js";
import { html, render } from "./html.js";
import {
  accountView,
  addBodyView,
  addPromptView,
  bannerView,
  collateralView,
  layoutToggle,
  marketsView,
  modalFrame,
  performanceView,
  positionsView,
  removeBodyView,
  settingsView,
  toastElement,
  walletView,
  type MarketsLayout,
  type Modal,
} from "./views.js";
import { localWallet, onWalletsChanged, standardWallets, type WalletOption } from "./wallet.js";
import type { WalletSigner } from "./wallet-standard.js";

const REFRESH_MS = 2_000;
const COUNTDOWN_MS = 1_000;
const TOAST_MS = 10_000;

interface Connected {
  name: string;
  wallet: WalletSigner;
  address: Address;
}

const $ = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`the page lacks #${id}`);
  }
  return element;
};

export class App {
  private readonly chain: Chain;
  private connected: Connected | null = null;
  private subaccountAddresses: Address[] = [];
  private selectedId: number | null = null;
  /** A subaccount just created: it stays selected while the node catches up with it. */
  private awaitedId: number | null = null;
  private snapshot: Snapshot | null = null;
  private readAt = 0;
  private layout: MarketsLayout = "cards";
  private modal: Modal | null = null;
  /** A transaction is in flight: every action button waits for it. */
  private busy = false;
  private refreshing: Promise<void> | null = null;
  private refreshError: string | null = null;

  constructor(private readonly config: AppConfig) {
    this.chain = new Chain(config);
  }

  start(): void {
    $("cluster").textContent = this.config.cluster;
    document.addEventListener("click", (event) => this.onClick(event));
    document.addEventListener("input", (event) => this.onInput(event));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.modal) {
        this.closeModal();
      }
    });
    onWalletsChanged(() => this.renderWallet());
    this.renderWallet();
    this.renderAll();
    void this.refresh();
    setInterval(() => void this.refresh(), REFRESH_MS);
    // The cooldown counts down by the second between reads of the chain.
    setInterval(() => this.modal?.kind === "remove" && this.renderModal(), COUNTDOWN_MS);
  }

  // ---- data -------------------------------------------------------------------------------

  /** Reads the chain once; a refresh already running is joined rather than doubled, unless
   * the read must start after now (after a transaction: the running one may predate it). */
  private async refresh(fresh = false): Promise<void> {
    if (fresh && this.refreshing) {
      await this.refreshing;
    }
    this.refreshing ??= (async () => {
      try {
        this.snapshot = await this.chain.snapshot(
          this.connected?.address ?? null,
          this.subaccountAddresses,
        );
        this.readAt = Date.now();
        this.refreshError = null;
        this.keepSelection();
      } catch (error) {
        this.refreshError = `Cannot read the exchange: ${describeFailure(error)}`;
      } finally {
        this.refreshing = null;
      }
      this.renderAll();
    })();
    return this.refreshing;
  }

  /** Selects the first subaccount holding BAL shares (else the first) when the selection is
   * gone or was never made. */
  private keepSelection(): void {
    const subaccounts = this.snapshot?.subaccounts ?? [];
    if (subaccounts.some((s) => s.user.subAccountId === this.selectedId)) {
      if (this.selectedId === this.awaitedId) {
        this.awaitedId = null;
      }
      return;
    }
    if (this.awaitedId !== null && this.selectedId === this.awaitedId) {
      return;
    }
    const lp = subaccounts.find((s) => s.user.perpPositions.some((p) => p.lp.shares > 0n));
    this.selectedId = (lp ?? subaccounts[0])?.user.subAccountId ?? null;
  }

  private get selected(): Subaccount | null {
    return this.snapshot?.subaccounts.find((s) => s.user.subAccountId === this.selectedId) ?? null;
  }

  private market(index: number): MarketData | undefined {
    return this.snapshot?.markets.find((m) => m.market.marketIndex === index);
  }

  // ---- transactions -----------------------------------------------------------------------

  /** Sends `action`'s transaction, runs `after` once it is confirmed, refreshes, then reports
   * it (`done`, or `failed` and the reason), so a report always finds the page already showing
   * what happened. */
  private async transact(action: Action, after?: () => Promise<void>): Promise<boolean> {
    const connected = this.connected;
    if (!connected || this.busy) {
      return false;
    }
    this.busy = true;
    this.renderAll();
    let failure: unknown = null;
    try {
      await this.chain.send(connected.wallet, await action.build(connected.wallet.signer));
      await after?.();
    } catch (error) {
      failure = error;
    }
    this.busy = false;
    await this.refresh(true);
    if (failure === null) {
      this.toast("success", action.done);
      return true;
    }
    this.toast("error", `${action.failed}: ${describeFailure(failure)}`);
    return false;
  }

  private async connect(option: WalletOption): Promise<void> {
    try {
      const wallet = await option.connect();
      this.connected = { name: option.name, wallet, address: wallet.signer.address };
      this.selectedId = null;
      this.awaitedId = null;
      await this.loadSubaccounts();
    } catch (error) {
      this.toast("error", `Could not connect ${option.name}: ${describeFailure(error)}`);
    }
    this.renderWallet();
    await this.refresh(true);
  }

  private async loadSubaccounts(): Promise<void> {
    this.subaccountAddresses = this.connected
      ? await this.chain.findSubaccounts(this.connected.address)
      : [];
  }

  private async createSubaccount(id: number, name: string): Promise<void> {
    await this.transact(actions.createSubaccount(id, name), async () => {
      this.selectedId = id;
      this.awaitedId = id;
      await this.loadSubaccounts();
    });
  }

  private async depositOrWithdraw(kind: "deposit" | "withdraw"): Promise<void> {
    const input = document.getElementById(`${kind}-amount`) as HTMLInputElement | null;
    const amount = parseFixed(input?.value ?? "", 6);
    const selected = this.selected;
    const snapshot = this.snapshot;
    if (!selected || !snapshot || amount === null || amount === 0n) {
      this.toast("error", "Enter an amount in dollars, up to 6 decimals");
      return;
    }
    const action = actions.moveCollateral(kind, amount, selected, snapshot.spot, snapshot.markets);
    if ((await this.transact(action)) && input) {
      input.value = "";
    }
  }

  private async submitAdd(): Promise<void> {
    const modal = this.modal;
    const preview = this.currentAddPreview();
    const selected = this.selected;
    const market = modal && this.market(modal.marketIndex);
    if (modal?.kind !== "add" || !preview || preview.problem || !selected || !market) {
      return;
    }
    const markets = this.snapshot?.markets ?? [];
    if (await this.transact(actions.addShares(selected, market, markets, preview.shares))) {
      this.closeModal();
    }
  }

  private async submitRemove(): Promise<void> {
    const modal = this.modal;
    const selected = this.selected;
    const preview = this.currentRemovePreview();
    const market = modal && this.market(modal.marketIndex);
    if (modal?.kind !== "remove" || !selected || !preview || preview.problem || !market) {
      return;
    }
    if (await this.transact(actions.removeShares(selected, market, preview.burn, preview.held))) {
      this.closeModal();
    }
  }

  private async closeMarketPosition(marketIndex: number): Promise<void> {
    const selected = this.selected;
    const market = this.market(marketIndex);
    const position = selected && findPosition(selected.user, marketIndex);
    if (!selected || !market || !position) {
      return;
    }
    const markets = this.snapshot?.markets ?? [];
    await this.transact(actions.closeWholePosition(selected, market, markets, position));
  }

  private async saveMaxLeverage(): Promise<void> {
    const selected = this.selected;
    const input = document.getElementById("max-leverage") as HTMLSelectElement | null;
    if (selected && input) {
      await this.transact(actions.setMaxLeverage(selected, Number(input.value)));
    }
  }

  private async saveDeriskOptOut(): Promise<void> {
    const selected = this.selected;
    const input = document.getElementById("derisk-opt-out") as HTMLInputElement | null;
    if (selected && input) {
      await this.transact(actions.setDeriskOptOut(selected, input.checked));
    }
  }

  // ---- events -----------------------------------------------------------------------------

  private onClick(event: MouseEvent): void {
    const target = (event.target as Element).closest<HTMLElement>("[data-action]");
    if (!target || (target as HTMLButtonElement).disabled) {
      if ((event.target as Element).classList.contains("backdrop")) {
        this.closeModal();
      }
      return;
    }
    const action = target.dataset.action;
    const market = Number(target.dataset.market);
    switch (action) {
      case "connect": {
        const option = this.walletOptions().find((o) => o.id === target.dataset.wallet);
        if (option) {
          void this.connect(option);
        }
        break;
      }
      case "disconnect":
        this.connected = null;
        this.subaccountAddresses = [];
        this.selectedId = null;
        this.awaitedId = null;
        this.renderWallet();
        void this.refresh();
        break;
      case "create-subaccount": {
        const ids = this.snapshot?.subaccounts.map((s) => s.user.subAccountId) ?? [];
        const id = nextSubAccountId(ids);
        void this.createSubaccount(id, id === 0 ? "Main" : `Subaccount ${id}`);
        break;
      }
      case "create-bal-subaccount": {
        const ids = this.snapshot?.subaccounts.map((s) => s.user.subAccountId) ?? [];
        void this.createSubaccount(balSubAccountId(ids), "BAL");
        break;
      }
      case "deposit":
      case "withdraw":
        void this.depositOrWithdraw(action);
        break;
      case "view":
        this.layout = target.dataset.view === "table" ? "table" : "cards";
        this.renderAll();
        break;
      case "open-add":
        this.openModal({
          kind: "add",
          marketIndex: market,
          mode: "amount",
          input: "",
          promptDismissed: false,
        });
        break;
      case "open-remove": {
        const shares = this.selected && findPosition(this.selected.user, market)?.lp.shares;
        this.openModal({
          kind: "remove",
          marketIndex: market,
          input: formatBase(shares ?? 0n, 9).replace(/,/g, ""),
        });
        break;
      }
      case "open-performance":
        this.openModal({
          kind: "performance",
          marketIndex: market,
          days: target.dataset.days === "7" ? 7 : 30,
        });
        break;
      case "performance-days":
        if (this.modal?.kind === "performance") {
          this.modal.days = target.dataset.days === "7" ? 7 : 30;
          this.renderModal();
        }
        break;
      case "add-mode":
        if (this.modal?.kind === "add") {
          this.modal.mode = target.dataset.mode === "leverage" ? "leverage" : "amount";
          this.modal.input = "";
          this.renderModal(true);
        }
        break;
      case "dismiss-prompt":
        if (this.modal?.kind === "add") {
          this.modal.promptDismissed = true;
          this.renderModal();
        }
        break;
      case "add-submit":
        void this.submitAdd();
        break;
      case "remove-all":
        if (this.modal?.kind === "remove") {
          const held = this.currentRemovePreview()?.held ?? 0n;
          this.modal.input = formatBase(held, 9).replace(/,/g, "");
          this.renderModal(true);
        }
        break;
      case "remove-submit":
        void this.submitRemove();
        break;
      case "close-modal":
        this.closeModal();
        break;
      case "close-position":
        void this.closeMarketPosition(market);
        break;
      case "save-max-leverage":
        void this.saveMaxLeverage();
        break;
      case "save-derisk-opt-out":
        void this.saveDeriskOptOut();
        break;
      case "dismiss-toast":
        target.closest(".toast")?.remove();
        break;
    }
  }

  private onInput(event: Event): void {
    const target = event.target as HTMLElement;
    if (target.id === "subaccount-select") {
      this.selectedId = Number((target as HTMLSelectElement).value);
      this.renderAll();
      return;
    }
    if (this.modal && (target.id === "add-input" || target.id === "remove-input")) {
      if (this.modal.kind !== "performance") {
        this.modal.input = (target as HTMLInputElement).value;
      }
      this.renderModal();
    }
  }

  private openModal(modal: Modal): void {
    this.modal = modal;
    this.renderModal(true);
    document.getElementById(modal.kind === "add" ? "add-input" : "remove-input")?.focus();
  }

  private closeModal(): void {
    this.modal = null;
    this.renderModal(true);
  }

  // ---- rendering --------------------------------------------------------------------------

  private renderAll(): void {
    this.renderBanner();
    this.renderAccount();
    this.renderMarkets();
    this.renderPositions();
    this.renderSettings();
    this.renderModal();
  }

  private toast(kind: "success" | "error", text: string): void {
    const element = toastElement(kind, text);
    $("toasts").append(element);
    setTimeout(() => element.remove(), TOAST_MS);
  }

  private walletOptions(): WalletOption[] {
    const options = standardWallets(walletChain(this.config.cluster));
    return this.config.localWallet
      ? [localWallet(new URL("local-wallet.json", location.href)), ...options]
      : options;
  }

  private renderWallet(): void {
    render($("wallet"), walletView(this.connected, this.walletOptions()));
  }

  private renderBanner(): void {
    render($("banner"), bannerView(this.snapshot, this.refreshError, this.config.quoteMint));
  }

  private renderAccount(): void {
    const snapshot = this.snapshot;
    const selected = this.selected;
    if (!this.connected || !snapshot) {
      render($("account"), html`<p class="muted">Connect a wallet to provide liquidity.</p>`);
      render($("collateral"), html``);
      return;
    }
    const summary = selected && accountSummary(selected.user, snapshot.spot, snapshot.markets);
    render($("account"), accountView(snapshot, selected, summary, this.busy));
    render($("collateral"), selected ? collateralView(this.busy) : html``);
  }

  private renderMarkets(): void {
    render($("view-toggle"), layoutToggle(this.layout));
    const snapshot = this.snapshot;
    if (!snapshot) {
      render($("markets"), html`<p class="muted">Loading markets…</p>`);
      return;
    }
    const user = this.selected?.user ?? null;
    const summaries = snapshot.markets
      .filter((m) => this.config.markets.includes(m.market.marketIndex))
      .map((m) => marketSummary(m, user));
    render(
      $("markets"),
      marketsView(summaries, this.layout, this.connected !== null && !this.busy),
    );
  }

  private renderPositions(): void {
    const snapshot = this.snapshot;
    const selected = this.selected;
    const rows =
      snapshot && selected ? positionRows(selected.user, snapshot.spot, snapshot.markets) : null;
    render($("positions"), positionsView(rows, this.busy));
  }

  private renderSettings(): void {
    render($("settings"), settingsView(this.selected?.user ?? null, this.busy));
  }

  private currentAddPreview(): AddPreview | null {
    const modal = this.modal;
    const snapshot = this.snapshot;
    const selected = this.selected;
    if (modal?.kind !== "add" || !snapshot || !selected) {
      return null;
    }
    // Amounts in quote (6 decimals); leverage in MARGIN precision (4 decimals, 2 = 2x).
    const value = parseFixed(modal.input, modal.mode === "amount" ? 6 : 4);
    if (value === null || value === 0n) {
      return null;
    }
    return addPreview({
      user: selected.user,
      spot: snapshot.spot,
      markets: snapshot.markets,
      marketIndex: modal.marketIndex,
      now: chainNow(snapshot, this.readAt, Date.now()),
      mode: modal.mode,
      value,
    });
  }

  private currentRemovePreview(): RemovePreview | null {
    const modal = this.modal;
    const snapshot = this.snapshot;
    const selected = this.selected;
    const market = modal && this.market(modal.marketIndex);
    if (modal?.kind !== "remove" || !snapshot || !selected || !market) {
      return null;
    }
    const held = findPosition(selected.user, modal.marketIndex)?.lp.shares ?? 0n;
    const typed = parseFixed(modal.input, 9);
    return removePreview(
      snapshot.state,
      selected.user,
      market,
      typed === null ? 0n : typed >= held ? null : typed,
      chainNow(snapshot, this.readAt, Date.now()),
    );
  }

  /** The modal: its frame (with the inputs) only when opened or its mode changes, so typing
   * is never interrupted; its computed part on every render. */
  private renderModal(frame = false): void {
    const modal = this.modal;
    if (!modal) {
      render($("modal"), html``);
      return;
    }
    const market = this.market(modal.marketIndex);
    if (frame) {
      render($("modal"), modalFrame(modal, market?.name ?? `Market ${modal.marketIndex}`));
      const input = document.getElementById(modal.kind === "add" ? "add-input" : "remove-input");
      if (input instanceof HTMLInputElement && modal.kind !== "performance") {
        input.value = modal.input;
      }
    }
    const body = $("modal-body");
    if (modal.kind === "add") {
      const selected = this.selected;
      const ids = this.snapshot?.subaccounts.map((s) => s.user.subAccountId) ?? [];
      const prompt =
        recommendsBalSubaccount(selected?.user ?? null) && !(modal.promptDismissed && selected);
      render(
        $("add-prompt"),
        prompt
          ? addPromptView(balSubAccountId(ids), selected?.user.subAccountId ?? null, this.busy)
          : html``,
      );
      render(body, addBodyView(modal.mode, this.currentAddPreview(), selected !== null, this.busy));
    } else if (modal.kind === "remove") {
      const preview = this.currentRemovePreview();
      render(
        body,
        preview ? removeBodyView(preview, this.busy) : html`<p class="muted">Loading…</p>`,
      );
    } else if (market) {
      render(
        body,
        performanceView(
          modal.days,
          marketSummary(market, null),
          performanceSeries(market.market.lpHistory, modal.days),
        ),
      );
    }
  }
}
