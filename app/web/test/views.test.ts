/** What each section shows and which actions it enables, from the page's computed numbers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AddPreview, MarketSummary, PositionRow, RemovePreview } from "../src/bal.js";
import {
  addBodyView,
  marketsView,
  positionsView,
  removeBodyView,
  settingsView,
  walletView,
} from "../src/views.js";
import { BASE, PRICE, usd, user } from "./fixtures.js";

/** The attributes of the element with `data-testid="<id>"`. */
function element(markup: string, id: string): string {
  const match = new RegExp(`<[a-z]+[^>]*data-testid="${id}"[^>]*>`).exec(
    markup.replace(/\s+/g, " "),
  );
  assert.ok(match, `no ${id} in the markup`);
  return match[0];
}
const disabled = (markup: string, id: string) => / disabled[ >]/.test(element(markup, id));

const summary = (overrides: Partial<MarketSummary> = {}): MarketSummary => ({
  marketIndex: 0,
  name: "SOL-PERP",
  oraclePrice: PRICE,
  totalShares: 300n * BASE,
  totalValue: usd(30_000),
  userPartOfK: 230_000n,
  yourShares: 0n,
  yourPart: 0n,
  return7d: -1_900n,
  return30d: null,
  ...overrides,
});

test("market cards and the table: liquidity, returns, and Remove only with shares", () => {
  const cards = marketsView(
    [summary(), summary({ marketIndex: 1, yourShares: BASE })],
    "cards",
    true,
  ).text;
  assert.match(element(cards, "market-liquidity-0"), /data-shares="300000000000"/);
  assert.match(cards, /300\.000<\/span>\s+<span class="muted">\(\$30,000\.00\)/);
  assert.match(cards, /-0\.19%/);
  assert.match(cards, /data-testid="market-30d-0">—/);
  assert.ok(!disabled(cards, "add-0"));
  assert.ok(disabled(cards, "remove-0"), "nothing to remove");
  assert.ok(!disabled(cards, "remove-1"));
  assert.ok(disabled(marketsView([summary()], "cards", false).text, "add-0"), "no wallet yet");
  const table = marketsView([summary()], "table", true).text;
  assert.match(table, /data-testid="markets-table"/);
  assert.match(element(table, "view-performance-0"), /data-action="open-performance"/);
});

test("chain data is escaped wherever it shows", () => {
  const markup = marketsView(
    [summary({ name: "<img src=x onerror=alert(1)>" })],
    "cards",
    true,
  ).text;
  assert.doesNotMatch(markup, /<img/);
  assert.match(markup, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

const preview = (overrides: Partial<AddPreview> = {}): AddPreview => ({
  shares: 73_735_000_000n,
  marginUsed: usd(300.11),
  freeCollateralAfter: usd(699.89),
  leverageBefore: 0n,
  leverageAfter: 30_000n,
  deriskPrice: 328_850_000n,
  liquidationPrice: 657_710_000n,
  yourPartAfter: 197_300n,
  concentrated: false,
  problem: null,
  ...overrides,
});

test("the Add modal shows the projection, warns on concentration, and refuses with the reason", () => {
  const ok = addBodyView("amount", preview(), true, false).text;
  assert.match(element(ok, "add-shares"), /data-shares="73735000000"/);
  assert.match(ok, /\$300\.11/);
  assert.match(ok, /0\.00x\s+→ 3\.00x/);
  assert.match(ok, /\$328\.85/);
  assert.doesNotMatch(ok, /add-concentration-warning/);
  assert.ok(!disabled(ok, "add-submit"));
  assert.ok(disabled(addBodyView("amount", preview(), true, true).text, "add-submit"), "in flight");
  const most = addBodyView(
    "amount",
    preview({ concentrated: true, yourPartAfter: 800_000n }),
    true,
    false,
  ).text;
  assert.match(most, /data-testid="add-concentration-warning">Your shares would be\s+80\.00%/);
  const refused = addBodyView("amount", preview({ problem: "Too much" }), true, false).text;
  assert.match(refused, /data-testid="add-problem">Too much/);
  assert.ok(disabled(refused, "add-submit"));
  assert.ok(disabled(addBodyView("leverage", null, true, false).text, "add-submit"));
  assert.match(addBodyView("amount", null, false, false).text, /Create a subaccount first/);
});

const removal = (overrides: Partial<RemovePreview> = {}): RemovePreview => ({
  held: 100n * BASE,
  burn: 100n * BASE,
  settle: { base: BASE, quote: -usd(101), funding: -usd(0.5) },
  baseAfter: 3n * BASE,
  sharesAfter: 0n,
  cooldown: 0,
  problem: null,
  ...overrides,
});

test("the Remove modal shows what settles, and waits out the cooldown with the time left", () => {
  const ready = removeBodyView(removal(), false).text;
  assert.match(ready, /\+1\.000\s+base/);
  assert.match(ready, /-\$101\.50/, "quote with the funding it settles");
  assert.match(element(ready, "remove-cooldown"), /data-seconds="0"/);
  assert.ok(!disabled(ready, "remove-submit"));
  const cooling = removeBodyView(removal({ cooldown: 125, problem: "LP cooldown" }), false).text;
  assert.match(cooling, /data-testid="remove-cooldown" data-seconds="125">2m 05s left/);
  assert.ok(disabled(cooling, "remove-submit"));
});

const row = (overrides: Partial<PositionRow> = {}): PositionRow => ({
  marketIndex: 0,
  name: "SOL-PERP",
  base: 2n * BASE,
  unsettledBase: BASE,
  totalBase: 3n * BASE,
  entryPrice: 100_333_333n,
  oraclePrice: PRICE,
  pnl: -usd(1),
  lpShares: 100n * BASE,
  bids: 41_421_400_000n,
  asks: 29_289_343_762n,
  deriskPrice: 318_380_000n,
  liquidationPrice: null,
  ...overrides,
});

test("positions: BAL rows show the unsettled part, orders and Remove; Close needs a position", () => {
  const lp = positionsView([row()], false).text;
  assert.match(element(lp, "position-row-0"), /data-base="2000000000" data-unsettled="1000000000"/);
  assert.match(lp, /unsettled\s+\+1\.000/);
  assert.match(lp, /41\.421 \/ 29\.289/);
  assert.match(lp, /-\$1\.00/);
  assert.match(lp, /\$318\.38 \/ —/);
  assert.ok(!disabled(lp, "close-0"));
  assert.ok(!disabled(lp, "position-remove-0"));
  const flat = positionsView(
    [row({ lpShares: 0n, unsettledBase: 0n, base: 0n, totalBase: 0n })],
    false,
  ).text;
  assert.doesNotMatch(flat, /position-remove-0|position-unsettled-0/);
  assert.ok(disabled(flat, "close-0"), "nothing to close");
  assert.match(positionsView([], false).text, /positions-empty/);
  assert.match(positionsView(null, false).text, /No subaccount selected/);
});

test("settings show what is stored, a ratio set elsewhere included", () => {
  const capped = user(1, 0n);
  capped.customMarginRatio = 2_500;
  capped.deriskOptOut = 1;
  const markup = settingsView(capped, false).text;
  assert.match(markup, /<option value="2500" selected>4\.00x<\/option>/);
  assert.match(element(markup, "max-leverage-stored"), /data-ratio="2500"/);
  assert.match(element(markup, "derisk-opt-out"), / checked/);
  assert.match(element(markup, "derisk-opt-out-stored"), /data-opt-out="true"/);
  const fresh = settingsView(user(1, 0n), false).text;
  assert.match(fresh, /<option value="0" selected>Market default<\/option>/);
  assert.match(fresh, /<option value="3333" >3\.00x<\/option>/);
  assert.doesNotMatch(element(fresh, "derisk-opt-out"), / checked/);
});

test("wallets: the local one and Wallet Standard ones, or a hint when there are none", () => {
  const options = walletView(null, [
    { id: "local", name: "Local wallet", icon: null },
    { id: "standard:Phantom", name: "Phantom", icon: "data:image/svg+xml;base64,AA==" },
  ]).text;
  assert.match(options, /data-testid="wallet-local"/);
  assert.match(options, /data-testid="wallet-Phantom"/);
  assert.match(walletView(null, []).text, /No Solana wallet found/);
});
