/**
 * The page's markup, section by section, from the numbers `bal.ts` computes. Pure (no DOM, no
 * state), so what each section shows and which buttons it enables are unit-tested. Elements
 * the end-to-end test reads carry a `data-testid`, and raw amounts ride in `data-*` attributes
 * so the test never parses formatted text.
 */
import type { User } from "@bal/sdk";
import type { Address } from "@solana/kit";
import type {
  AddMode,
  AddPreview,
  MarketSummary,
  PerformancePoint,
  PositionRow,
  RemovePreview,
  Snapshot,
  Subaccount,
  AccountSummary,
} from "./bal.js";
import { LEVERAGE_CHOICES, leverageOfRatio, marginRatioForLeverage } from "./bal.js";
import { chartSvg } from "./chart.js";
import {
  decodeName,
  formatBase,
  formatDuration,
  formatLeverage,
  formatPercent,
  formatPrice,
  formatSignedBase,
  formatSignedUsd,
  formatUsd,
  shortAddress,
} from "./format.js";
import { html, raw, render, type Html } from "./html.js";

export type MarketsLayout = "cards" | "table";

export type Modal =
  | { kind: "add"; marketIndex: number; mode: AddMode; input: string; promptDismissed: boolean }
  | { kind: "remove"; marketIndex: number; input: string }
  | { kind: "performance"; marketIndex: number; days: 7 | 30 };

/** `disabled` when `condition` holds, for a button's attribute list. */
const disabledIf = (condition: boolean): string => (condition ? "disabled" : "");

const priceOrDash = (price: bigint | null): string => (price === null ? "—" : formatPrice(price));

const maxLeverageLabel = (ratio: number): string =>
  ratio === 0 ? "Market default" : formatLeverage(leverageOfRatio(ratio));

export interface WalletChoice {
  id: string;
  name: string;
  icon: string | null;
}

export function walletView(
  connected: { name: string; address: Address } | null,
  options: readonly WalletChoice[],
): Html {
  if (connected) {
    return html`<span class="muted">${connected.name}</span>
      <code data-testid="wallet-address" title="${connected.address}">${shortAddress(connected.address)}</code>
      <button class="secondary" data-action="disconnect">Disconnect</button>`;
  }
  if (options.length === 0) {
    return html`<span class="muted">No Solana wallet found: install one that supports the Wallet
      Standard</span>`;
  }
  return html`${options.map(
    (o) => html`<button data-action="connect" data-wallet="${o.id}"
      data-testid="${o.id === "local" ? "wallet-local" : `wallet-${o.name}`}">
      ${o.icon ? html`<img src="${o.icon}" alt="" width="16" height="16">` : null}Connect ${o.name}
    </button>`,
  )}`;
}

export function bannerView(
  snapshot: Snapshot | null,
  refreshError: string | null,
  quoteMint: Address,
): Html {
  const error = refreshError
    ? html`<div class="banner error" data-testid="banner-error">${refreshError}</div>`
    : null;
  const mint =
    snapshot && snapshot.spot.mint !== quoteMint
      ? html`<div class="banner error">config.json names quote mint ${quoteMint}, but the
          exchange uses ${snapshot.spot.mint}</div>`
      : null;
  if (!snapshot) {
    return html`${error}<span class="muted">Reading the exchange…</span>`;
  }
  const time = new Date(Number(snapshot.now) * 1_000).toISOString().replace("T", " ").slice(0, 19);
  return html`${error}${mint}<span class="muted" data-testid="chain-status">slot
    ${snapshot.slot.toString()} · chain time ${time} UTC</span>`;
}

export function accountView(
  snapshot: Snapshot,
  selected: Subaccount | null,
  summary: AccountSummary | null,
  busy: boolean,
): Html {
  const options = snapshot.subaccounts.map(
    (s) => html`<option value="${s.user.subAccountId}"
      ${s === selected ? "selected" : ""}>#${s.user.subAccountId} ${decodeName(s.user.name)}</option>`,
  );
  const wallet =
    snapshot.walletQuote === null ? "no quote token account" : formatUsd(snapshot.walletQuote);
  const head = html`<div class="account-head">
    <label>Subaccount
      <select id="subaccount-select" data-testid="subaccount-select"
        ${disabledIf(snapshot.subaccounts.length === 0)}>${options}</select>
    </label>
    <button class="secondary" data-action="create-subaccount" data-testid="create-subaccount"
      ${disabledIf(busy)}>Create subaccount</button>
    <span class="muted">Wallet: <span data-testid="wallet-quote">${wallet}</span></span>
  </div>`;
  if (!selected || !summary) {
    return html`${head}<p class="muted">${
      snapshot.subaccounts.length === 0
        ? "This wallet has no subaccount yet: create one to deposit and add liquidity."
        : "A market this subaccount holds a position in is not loaded yet."
    }</p>`;
  }
  return html`${head}
    <dl class="stats" data-testid="account-summary" data-subaccount="${selected.user.subAccountId}">
      <div><dt>Quote balance</dt>
        <dd data-testid="account-quote" data-value="${summary.quote}">${formatUsd(summary.quote)}</dd></div>
      <div><dt>Collateral</dt><dd>${formatUsd(summary.collateral)}</dd></div>
      <div><dt>Initial margin</dt><dd>${formatUsd(summary.initialRequirement)}</dd></div>
      <div><dt>Free collateral</dt>
        <dd data-testid="account-free">${formatUsd(summary.freeCollateral)}</dd></div>
      <div><dt>Leverage</dt>
        <dd data-testid="account-leverage">${formatLeverage(summary.leverage)}</dd></div>
    </dl>`;
}

/** The deposit and withdraw inputs: their markup never depends on balances, so a refresh
 * leaves what the user typed alone. */
export function collateralView(busy: boolean): Html {
  return html`<div class="collateral">
    <label>Deposit (quote)
      <input id="deposit-amount" data-testid="deposit-amount" inputmode="decimal"
        autocomplete="off" placeholder="0.00"></label>
    <button data-action="deposit" data-testid="deposit-submit" ${disabledIf(busy)}>Deposit</button>
    <label>Withdraw
      <input id="withdraw-amount" data-testid="withdraw-amount" inputmode="decimal"
        autocomplete="off" placeholder="0.00"></label>
    <button class="secondary" data-action="withdraw" data-testid="withdraw-submit"
      ${disabledIf(busy)}>Withdraw</button>
  </div>`;
}

export function layoutToggle(layout: MarketsLayout): Html {
  const button = (which: MarketsLayout, label: string) =>
    html`<button class="${layout === which ? "active" : ""}" data-action="view"
      data-view="${which}" data-testid="view-${which}">${label}</button>`;
  return html`${button("cards", "Cards")}${button("table", "Table")}`;
}

function liquidity(s: MarketSummary): Html {
  return html`<span data-testid="market-liquidity-${s.marketIndex}"
    data-shares="${s.totalShares}">${formatBase(s.totalShares)}</span>
    <span class="muted">(${formatUsd(s.totalValue)})</span>`;
}

function performanceLink(s: MarketSummary, days: 7 | 30): Html {
  const value = days === 7 ? s.return7d : s.return30d;
  return html`<button class="link ${value !== null && value < 0n ? "loss" : "gain"}"
    data-action="open-performance" data-market="${s.marketIndex}" data-days="${days}"
    data-testid="market-${days}d-${s.marketIndex}">${formatPercent(value)}</button>`;
}

function yourShares(s: MarketSummary, withPart: boolean): Html {
  return html`<span data-testid="market-shares-${s.marketIndex}"
    data-shares="${s.yourShares}">${formatBase(s.yourShares)}</span>${
      withPart ? html` <span class="muted">(${formatPercent(s.yourPart, false)})</span>` : null
    }`;
}

function marketActions(s: MarketSummary, canAct: boolean): Html {
  return html`<button data-action="open-add" data-market="${s.marketIndex}"
      data-testid="add-${s.marketIndex}" ${disabledIf(!canAct)}>Add</button>
    <button class="secondary" data-action="open-remove" data-market="${s.marketIndex}"
      data-testid="remove-${s.marketIndex}" ${disabledIf(!canAct || s.yourShares === 0n)}>Remove</button>`;
}

/** The markets as cards or a table; `canAct`: a wallet is connected and nothing is in flight. */
export function marketsView(
  summaries: readonly MarketSummary[],
  layout: MarketsLayout,
  canAct: boolean,
): Html {
  if (layout === "cards") {
    return html`<div class="cards">${summaries.map(
      (s) => html`<article class="card" data-testid="market-card-${s.marketIndex}">
        <header><h3>${s.name}</h3><span class="muted">${formatPrice(s.oraclePrice)}</span></header>
        <dl>
          <div><dt>Total BAL liquidity</dt><dd>${liquidity(s)}
            <div class="muted small">${formatPercent(s.userPartOfK, false)} of the AMM's
              liquidity</div></dd></div>
          <div><dt>Your shares</dt><dd>${yourShares(s, true)}</dd></div>
          <div><dt>7D</dt><dd>${performanceLink(s, 7)}</dd></div>
          <div><dt>30D</dt><dd>${performanceLink(s, 30)}</dd></div>
        </dl>
        <footer>${marketActions(s, canAct)}</footer>
      </article>`,
    )}</div>`;
  }
  return html`<table data-testid="markets-table"><thead><tr>
      <th>Market</th><th>Oracle</th><th>Total BAL liquidity</th><th>Share of the AMM</th>
      <th>Your shares</th><th>7D</th><th>30D performance</th><th></th>
    </tr></thead><tbody>${summaries.map(
      (s) => html`<tr data-testid="market-row-${s.marketIndex}">
        <td>${s.name}</td><td>${formatPrice(s.oraclePrice)}</td><td>${liquidity(s)}</td>
        <td>${formatPercent(s.userPartOfK, false)}</td><td>${yourShares(s, false)}</td>
        <td>${performanceLink(s, 7)}</td>
        <td>${performanceLink(s, 30)}
          <button class="link" data-action="open-performance" data-market="${s.marketIndex}"
            data-days="30" data-testid="view-performance-${s.marketIndex}">View Performance</button></td>
        <td class="actions">${marketActions(s, canAct)}</td>
      </tr>`,
    )}</tbody></table>`;
}

function positionRow(r: PositionRow, busy: boolean): Html {
  const lp = r.lpShares > 0n;
  const unsettled =
    r.unsettledBase === 0n
      ? null
      : html`<div class="muted small">settled ${formatBase(r.base)},
          <span data-testid="position-unsettled-${r.marketIndex}">unsettled
            ${formatSignedBase(r.unsettledBase)}</span></div>`;
  return html`<tr data-testid="position-row-${r.marketIndex}" data-base="${r.base}"
      data-unsettled="${r.unsettledBase}" data-lp-shares="${r.lpShares}">
    <td>${r.name}${lp ? html` <span class="tag">BAL</span>` : null}</td>
    <td><span data-testid="position-base-${r.marketIndex}">${formatBase(r.totalBase)}</span>
      ${unsettled}</td>
    <td>${priceOrDash(r.entryPrice)}</td>
    <td>${formatPrice(r.oraclePrice)}</td>
    <td class="${r.pnl < 0n ? "loss" : "gain"}"
      data-testid="position-pnl-${r.marketIndex}">${formatSignedUsd(r.pnl)}</td>
    <td data-testid="position-lp-shares-${r.marketIndex}">${lp ? formatBase(r.lpShares) : "—"}</td>
    <td data-testid="position-orders-${r.marketIndex}">${
      lp ? `${formatBase(r.bids)} / ${formatBase(r.asks)}` : "—"
    }</td>
    <td>${priceOrDash(r.deriskPrice)} / ${priceOrDash(r.liquidationPrice)}</td>
    <td class="actions">
      <button class="secondary" data-action="close-position" data-market="${r.marketIndex}"
        data-testid="close-${r.marketIndex}" ${disabledIf(busy || r.totalBase === 0n)}>Close</button>
      ${
        lp
          ? html`<button class="secondary" data-action="open-remove" data-market="${r.marketIndex}"
              data-testid="position-remove-${r.marketIndex}" ${disabledIf(busy)}>Remove</button>`
          : null
      }
    </td>
  </tr>`;
}

/** The selected subaccount's positions; `null` rows: no subaccount is selected. */
export function positionsView(rows: readonly PositionRow[] | null, busy: boolean): Html {
  if (rows === null) {
    return html`<p class="muted">No subaccount selected.</p>`;
  }
  if (rows.length === 0) {
    return html`<p class="muted" data-testid="positions-empty">No positions in this subaccount.</p>`;
  }
  return html`<table data-testid="positions-table"><thead><tr>
      <th>Market</th><th>Position (base)</th><th>Entry</th><th>Oracle</th><th>P&amp;L</th>
      <th>BAL shares</th><th>Open orders (bids / asks)</th><th>De-risk / liquidation</th><th></th>
    </tr></thead><tbody>${rows.map((r) => positionRow(r, busy))}</tbody></table>
    <p class="muted small">BAL positions move as traders fill against the AMM; the unsettled part
      is settled into the position by the keeper, by any add or remove, or by Close.</p>`;
}

/** Max leverage and the de-risk opt-out of `user`, each as stored and with what it does. */
export function settingsView(user: User | null, busy: boolean): Html {
  if (!user) {
    return html`<p class="muted">No subaccount selected.</p>`;
  }
  const ratio = user.customMarginRatio;
  const choices = LEVERAGE_CHOICES.map(marginRatioForLeverage);
  // A ratio set elsewhere (another client) is listed too, so the select shows what is stored.
  const options = [0, ...(ratio === 0 || choices.includes(ratio) ? [] : [ratio]), ...choices];
  const optOut = user.deriskOptOut === 1;
  return html`<div class="setting">
      <div class="setting-row">
        <label>Max leverage
          <select id="max-leverage" data-testid="max-leverage">${options.map(
            (r) =>
              html`<option value="${r}" ${r === ratio ? "selected" : ""}>${maxLeverageLabel(r)}</option>`,
          )}</select>
        </label>
        <button data-action="save-max-leverage" data-testid="max-leverage-save"
          ${disabledIf(busy)}>Save</button>
        <span class="muted">Stored: <span data-testid="max-leverage-stored"
          data-ratio="${ratio}">${maxLeverageLabel(ratio)}</span></span>
      </div>
      <p class="muted small">Caps this subaccount's leverage: it raises the initial margin needed
        to grow positions and add BAL shares (never below a market's own). If the account falls
        below this collateral requirement, the next P&amp;L settle de-risks its BAL positions.</p>
    </div>
    <div class="setting">
      <div class="setting-row">
        <label><input type="checkbox" id="derisk-opt-out" data-testid="derisk-opt-out"
          ${optOut ? "checked" : ""}> Opt out of de-risking</label>
        <button data-action="save-derisk-opt-out" data-testid="derisk-opt-out-save"
          ${disabledIf(busy)}>Save</button>
        <span class="muted">Stored: <span data-testid="derisk-opt-out-stored"
          data-opt-out="${optOut}">${optOut ? "Opted out" : "De-risking on"}</span></span>
      </div>
      <p class="muted small">When opted out, keepers do not burn this subaccount's BAL shares when
        it falls below initial margin: you manage its risk yourself, and below maintenance margin
        it can still be liquidated.</p>
    </div>`;
}

/** A modal's frame with its inputs; the part that changes as the user types goes into
 * `#modal-body` (and the Add modal's subaccount prompt into `#add-prompt`). */
export function modalFrame(modal: Modal, marketName: string): Html {
  const close = html`<button class="link close" data-action="close-modal"
    aria-label="Close">×</button>`;
  const frame = (testid: string, title: string, content: Html, wide = false) =>
    html`<div class="backdrop"><div class="modal ${wide ? "wide" : ""}" role="dialog"
      aria-modal="true" data-testid="${testid}">
      <header><h3>${title} · ${marketName}</h3>${close}</header>
      ${content}
      <div id="modal-body"></div>
    </div></div>`;
  if (modal.kind === "add") {
    const amount = modal.mode === "amount";
    return frame(
      "add-modal",
      "Add liquidity",
      html`<div id="add-prompt"></div>
        <div class="tabs">
          <button class="${amount ? "active" : ""}" data-action="add-mode" data-mode="amount"
            data-testid="add-mode-amount">Amount</button>
          <button class="${amount ? "" : "active"}" data-action="add-mode" data-mode="leverage"
            data-testid="add-mode-leverage">Leverage</button>
        </div>
        <label>${amount ? "Margin to commit (quote, $)" : "Target leverage (x, of the collateral)"}
          <input id="add-input" data-testid="add-input" inputmode="decimal" autocomplete="off"
            placeholder="${amount ? "100.00" : "2"}">
        </label>`,
    );
  }
  if (modal.kind === "remove") {
    return frame(
      "remove-modal",
      "Remove liquidity",
      html`<label>Shares to remove
        <span class="input-row">
          <input id="remove-input" data-testid="remove-shares" inputmode="decimal" autocomplete="off">
          <button class="secondary" data-action="remove-all" data-testid="remove-all">All</button>
        </span>
      </label>`,
    );
  }
  return frame("performance-modal", "Performance", html``, true);
}

/** The recommendation to keep BAL in a subaccount of its own; `continueWith`: the subaccount
 * the user may keep instead, if any. */
export function addPromptView(newId: number, continueWith: number | null, busy: boolean): Html {
  return html`<div class="callout" data-testid="add-subaccount-prompt">
    <p>We recommend a dedicated subaccount for BAL, so BAL and trading P&amp;L stay apart.</p>
    <button data-action="create-bal-subaccount" data-testid="add-create-subaccount"
      ${disabledIf(busy)}>Create subaccount ${newId} for BAL</button>
    ${
      continueWith === null
        ? null
        : html`<button class="link" data-action="dismiss-prompt">Continue with subaccount
            ${continueWith}</button>`
    }
  </div>`;
}

const footer = (action: string, label: string, enabled: boolean) =>
  html`<footer><button class="secondary" data-action="close-modal">Cancel</button>
    <button data-action="${action}" data-testid="${action}" ${disabledIf(!enabled)}>${label}</button>
  </footer>`;

/** What an add would do; `preview` is `null` until the input is a positive amount. */
export function addBodyView(
  mode: AddMode,
  preview: AddPreview | null,
  hasSubaccount: boolean,
  busy: boolean,
): Html {
  if (!hasSubaccount) {
    return html`<p class="problem">Create a subaccount first.</p>${footer("add-submit", "Add", false)}`;
  }
  if (!preview) {
    return html`<p class="muted">Enter ${mode === "amount" ? "the margin to commit" : "a target leverage"}
      to see the shares it buys.</p>${footer("add-submit", "Add", false)}`;
  }
  const free = preview.freeCollateralAfter;
  return html`<dl class="preview">
      <div><dt>Shares</dt>
        <dd data-testid="add-shares" data-shares="${preview.shares}">${formatBase(preview.shares)}</dd></div>
      <div><dt>Margin used</dt><dd data-testid="add-margin">${formatUsd(preview.marginUsed)}</dd></div>
      <div><dt>Free collateral after</dt><dd>${free === null ? "—" : formatUsd(free)}</dd></div>
      <div><dt>Leverage</dt><dd data-testid="add-leverage">${formatLeverage(preview.leverageBefore)}
        → ${formatLeverage(preview.leverageAfter)}</dd></div>
      <div><dt>De-risk price</dt><dd data-testid="add-derisk">${priceOrDash(preview.deriskPrice)}</dd></div>
      <div><dt>Liquidation price</dt><dd>${priceOrDash(preview.liquidationPrice)}</dd></div>
      <div><dt>Your share of BAL liquidity</dt>
        <dd>${formatPercent(preview.yourPartAfter, false)}</dd></div>
    </dl>
    <p class="muted small">Past the de-risk price the subaccount falls below its initial margin and
      the next P&amp;L settle burns shares to restore it (unless opted out in Margin/Leverage
      settings).</p>
    ${
      preview.concentrated
        ? html`<p class="warning" data-testid="add-concentration-warning">Your shares would be
            ${formatPercent(preview.yourPartAfter, false)} of this market's BAL liquidity: you
            would take most of the AMM's positions against traders.</p>`
        : null
    }
    ${preview.problem ? html`<p class="problem" data-testid="add-problem">${preview.problem}</p>` : null}
    ${footer("add-submit", "Add", preview.problem === null && !busy)}`;
}

/** What a removal would settle and leave, and the cooldown while it applies. */
export function removeBodyView(preview: RemovePreview, busy: boolean): Html {
  const { settle } = preview;
  return html`<p class="muted">You hold
      <span data-testid="remove-held">${formatBase(preview.held, 9)}</span> shares.</p>
    <dl class="preview">
      <div><dt>Settles into the position first</dt><dd>
        <span data-testid="remove-settle-base" data-base="${settle.base}">${formatSignedBase(settle.base)}
          base</span>,
        <span data-testid="remove-settle-quote">${formatSignedUsd(settle.quote + settle.funding)}</span>
        <span class="muted">(funding ${formatSignedUsd(settle.funding)})</span></dd></div>
      <div><dt>Position after</dt><dd>${formatBase(preview.baseAfter)} base</dd></div>
      <div><dt>Shares after</dt><dd>${formatBase(preview.sharesAfter)}</dd></div>
      <div><dt>Cooldown</dt><dd data-testid="remove-cooldown" data-seconds="${preview.cooldown}">${
        preview.cooldown > 0 ? `${formatDuration(preview.cooldown)} left` : "none"
      }</dd></div>
    </dl>
    <p class="muted small">The position you keep stays open: close it from the positions table.</p>
    ${preview.problem ? html`<p class="problem" data-testid="remove-problem">${preview.problem}</p>` : null}
    ${footer("remove-submit", "Remove Liquidity", preview.problem === null && !busy)}`;
}

/** The chart of one share's return over `days`, with the 7D/30D toggle. */
export function performanceView(
  days: 7 | 30,
  summary: MarketSummary,
  series: readonly PerformancePoint[],
): Html {
  const tab = (which: 7 | 30, value: bigint | null) =>
    html`<button class="${days === which ? "active" : ""}" data-action="performance-days"
      data-days="${which}" data-testid="performance-${which}d">${which}D ${formatPercent(value)}</button>`;
  return html`<div class="tabs">${tab(7, summary.return7d)}${tab(30, summary.return30d)}</div>
    ${raw(chartSvg(series))}
    <p class="muted small">One LP share's value (fills at traders' prices, fees, funding, inventory
      at the oracle) as a share of the margin its open orders need, from the market's daily
      on-chain samples.</p>`;
}

/** A toast reporting a transaction's outcome, dismissed by its × (or after a while). */
export function toastElement(kind: "success" | "error", text: string): HTMLElement {
  const element = document.createElement("div");
  element.className = `toast ${kind}`;
  element.dataset.testid = "toast";
  element.dataset.kind = kind;
  element.setAttribute("role", kind === "error" ? "alert" : "status");
  render(
    element,
    html`<span>${text}</span><button class="link" data-action="dismiss-toast" aria-label="Dismiss">×</button>`,
  );
  return element;
}
