// The BAL page end to end against a running exchange (BAL_WEB_URL, default the local exchange
// at http://127.0.0.1:8080): Debian's chromium, headless, through playwright-core. It connects
// the local wallet, creates a subaccount, deposits, adds liquidity, waits for the simulated
// traders' fills to move the BAL position, removes the liquidity once the cooldown allows,
// closes the position, stores a max leverage and the de-risk opt-out, and withdraws. Any
// browser console error, page error or error toast fails it. Screenshots go to
// e2e/screenshots/; 3-bal-position.png is the one app/web/README.md shows (app/web/bal-page.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const URL_UNDER_TEST = process.env.BAL_WEB_URL ?? "http://127.0.0.1:8080";
const CHROMIUM = process.env.BAL_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = new URL("./screenshots/", import.meta.url).pathname;
/** How long the traders may take to trade against the new liquidity. */
const FILL_TIMEOUT_MS = 120_000;
const TX_TIMEOUT_MS = 60_000;

test(
  "the BAL page: subaccount, deposit, add, fills, remove, close, settings, withdraw",
  { timeout: 600_000 },
  async () => {
    const profile = mkdtempSync(join(tmpdir(), "bal-e2e-"));
    mkdirSync(SCREENSHOTS, { recursive: true });
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
      viewport: { width: 1280, height: 900 },
    });
    const browserErrors = [];
    const config = await (await fetch(new URL("config.json", URL_UNDER_TEST))).json();
    // A Wallet Standard wallet registering itself as an extension would: the page must offer it.
    await context.addInitScript((chain) => {
      const wallet = {
        version: "1.0.0",
        name: "E2E Wallet",
        icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
        chains: [chain],
        accounts: [],
        features: {
          "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [] }) },
          "solana:signTransaction": {
            version: "1.0.0",
            supportedTransactionVersions: [0],
            signTransaction: async () => {
              throw new Error("not used");
            },
          },
        },
      };
      window.addEventListener("wallet-standard:app-ready", (event) =>
        event.detail.register(wallet),
      );
    }, `solana:${config.cluster}`);
    const page = context.pages()[0] ?? (await context.newPage());
    try {
      page.on("console", (message) => {
        if (message.type() === "error") {
          browserErrors.push(`console: ${message.text()}`);
        }
      });
      page.on("pageerror", (error) => browserErrors.push(`page error: ${error.message}`));
      const byId = (id) => page.getByTestId(id);
      /** A screenshot of the whole page, or of the window while a modal is open. */
      const shot = (name, fullPage = true) =>
        page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });

      /** Clicks `id`, then waits for the success toast matching `text`; an error toast fails. */
      /** Clicks `id` and waits for the success toast holding `text`. With `read` (a test id and
       * an attribute), returns that attribute as the page showed it in the same browser task as
       * the click, so no refresh between reading and clicking can change what was submitted. */
      async function transact(id, text, read) {
        let shown = null;
        if (read) {
          shown = await page.evaluate(
            ([button, [from, name]]) => {
              const selector = (testId) => `[data-testid="${testId}"]`;
              const value = document.querySelector(selector(from))?.getAttribute(name) ?? null;
              document.querySelector(selector(button))?.click();
              return value;
            },
            [id, read],
          );
        } else {
          await byId(id).click();
        }
        const success = page.locator('[data-testid="toast"][data-kind="success"]', {
          hasText: text,
        });
        const failure = page.locator('[data-testid="toast"][data-kind="error"]').first();
        await Promise.race([
          success.first().waitFor({ timeout: TX_TIMEOUT_MS }),
          failure.waitFor({ timeout: TX_TIMEOUT_MS }).then(async () => {
            throw new Error(`transaction failed: ${await failure.innerText()}`);
          }),
        ]);
        await page
          .locator('[data-testid="toast"]')
          .evaluateAll((toasts) => toasts.forEach((t) => t.remove()));
        return shown;
      }

      /** Polls `read` until `check` holds on its value. */
      async function waitUntil(read, check, what, timeout = TX_TIMEOUT_MS) {
        const deadline = Date.now() + timeout;
        let value;
        while (Date.now() < deadline) {
          value = await read();
          if (check(value)) {
            return value;
          }
          await page.waitForTimeout(500);
        }
        throw new Error(`timed out waiting for ${what} (last: ${value})`);
      }
      const attribute = (id, name) => async () =>
        byId(id)
          .getAttribute(name, { timeout: 1_000 })
          .catch(() => null);
      const selectedSubaccount = attribute("account-summary", "data-subaccount");

      await page.goto(URL_UNDER_TEST);
      await byId("market-card-0").waitFor();
      await byId("wallet-E2E Wallet").waitFor();
      await byId("wallet-local").click();
      await byId("wallet-address").waitFor();

      // A fresh subaccount per run: the demo wallet keeps the ones earlier runs made.
      await byId("subaccount-select").waitFor();
      const ids = await page
        .locator("#subaccount-select option")
        .evaluateAll((options) => options.map((o) => Number(o.value)));
      let subaccount = String(ids.length === 0 ? 0 : Math.max(...ids) + 1);
      await transact("create-subaccount", `Created subaccount ${subaccount}`);
      assert.equal(await selectedSubaccount(), subaccount, "the new subaccount is selected");

      // Subaccount 0 is the wallet's trading account: the Add modal recommends a BAL one.
      await byId("add-0").click();
      const prompt = byId("add-subaccount-prompt");
      if (subaccount === "0") {
        await prompt.waitFor();
        await transact("add-create-subaccount", "Created subaccount 1");
        subaccount = await waitUntil(selectedSubaccount, (id) => id === "1", "the BAL subaccount");
      }
      assert.equal(await prompt.count(), 0, "a dedicated subaccount needs no prompt");
      await page.keyboard.press("Escape");

      await byId("deposit-amount").fill("1000");
      await transact("deposit-submit", "Deposited $1,000.00");
      await waitUntil(
        attribute("account-quote", "data-value"),
        (v) => v === "1000000000",
        "the deposit",
      );
      await shot("1-deposited");

      // The Add modal: a leverage target previews shares too; the add itself commits $300.
      await byId("add-0").click();
      await byId("add-mode-leverage").click();
      await byId("add-input").fill("1");
      await waitUntil(
        attribute("add-shares", "data-shares"),
        (v) => v !== null && BigInt(v) > 0n,
        "shares for 1x",
      );
      await byId("add-mode-amount").click();
      await byId("add-input").fill("300");
      await waitUntil(
        attribute("add-shares", "data-shares"),
        (v) => v !== null && BigInt(v) > 0n,
        "shares for $300",
      );
      assert.match(await byId("add-margin").innerText(), /^\$300\.\d\d$/);
      assert.match(await byId("add-derisk").innerText(), /^\$[\d,]+\.\d+$/, "a de-risk price");
      assert.match(await byId("add-leverage").innerText(), /x → .*x$/);
      await shot("2-add-modal", false);
      // The preview follows every refresh (prices move): the shares added are those it showed
      // when the button was clicked.
      const shares = BigInt(await transact("add-submit", "Added", ["add-shares", "data-shares"]));
      await waitUntil(
        attribute("market-shares-0", "data-shares"),
        (v) => v !== null && BigInt(v) === shares,
        "the new shares",
      );
      assert.equal(await byId("add-modal").count(), 0, "the modal closes after the add");

      // The traders trade every few seconds: the LP's share of their fills moves its position.
      const moved = async () => {
        const row = byId("position-row-0");
        if ((await row.count()) === 0) {
          return null;
        }
        const [base, unsettled] = await Promise.all([
          row.getAttribute("data-base"),
          row.getAttribute("data-unsettled"),
        ]);
        return `${base}/${unsettled}`;
      };
      await waitUntil(
        moved,
        (v) => v !== null && v !== "0/0",
        "traders' fills to reach the BAL position",
        FILL_TIMEOUT_MS,
      );
      assert.notEqual(
        await byId("position-orders-0").innerText(),
        "—",
        "the LP's open orders show",
      );
      await shot("3-bal-position");

      // The table view and the performance chart.
      await byId("view-table").click();
      await byId("markets-table").waitFor();
      await byId("view-performance-0").click();
      await byId("performance-chart").waitFor();
      await byId("performance-7d").click();
      await byId("performance-chart").waitFor();
      await shot("4-performance", false);
      await page.keyboard.press("Escape");
      await byId("view-cards").click();

      // Remove everything once the cooldown allows (the button waits and says how long).
      await byId("position-remove-0").click();
      await byId("remove-modal").waitFor();
      assert.equal(BigInt((await byId("remove-shares").inputValue()).replace(".", "")), shares);
      await byId("remove-settle-base").waitFor();
      const cooldown = Number(await byId("remove-cooldown").getAttribute("data-seconds"));
      if (cooldown > 0) {
        assert.ok(await byId("remove-submit").isDisabled(), "disabled while cooling down");
        await shot("5-cooldown", false);
      }
      await waitUntil(
        async () => byId("remove-submit").isEnabled(),
        (v) => v,
        "the cooldown to pass",
      );
      await transact("remove-submit", "Removed");
      await waitUntil(
        attribute("market-shares-0", "data-shares"),
        (v) => v === "0",
        "the shares to burn",
      );
      await waitUntil(
        attribute("position-row-0", "data-lp-shares"),
        (v) => v === "0",
        "the position without shares",
      );

      // What the LP took stays as an ordinary position until closed.
      if (await byId("close-0").isEnabled()) {
        await transact("close-0", "Closed the SOL-PERP position");
        await waitUntil(
          attribute("position-row-0", "data-base"),
          (v) => v === null || v === "0",
          "the closed position",
        );
      }

      await byId("max-leverage").selectOption("3333");
      await transact("max-leverage-save", "Max leverage set to 3.00x");
      await waitUntil(
        attribute("max-leverage-stored", "data-ratio"),
        (v) => v === "3333",
        "the stored max leverage",
      );
      await byId("derisk-opt-out").check();
      await transact("derisk-opt-out-save", "Opted out of de-risking");
      await waitUntil(
        attribute("derisk-opt-out-stored", "data-opt-out"),
        (v) => v === "true",
        "the stored opt-out",
      );

      // A refusal reads as the program's message, never its number.
      await byId("withdraw-amount").fill("1000000");
      await byId("withdraw-submit").click();
      const refusal = page.locator('[data-testid="toast"][data-kind="error"]');
      await refusal.waitFor({ timeout: TX_TIMEOUT_MS });
      assert.equal(
        await refusal.locator("span").innerText(),
        "Could not withdraw $1,000,000.00: Withdrawal would borrow; pass allow_borrow to borrow",
      );
      await refusal.evaluate((toast) => toast.remove());

      await byId("withdraw-amount").fill("100");
      await transact("withdraw-submit", "Withdrew $100.00");
      await shot("6-done");
      assert.equal(await selectedSubaccount(), subaccount, "still on the subaccount the run made");
    } catch (error) {
      await page.screenshot({ path: join(SCREENSHOTS, "failure.png"), fullPage: true });
      throw new Error(`${error.message}\nbrowser errors: ${JSON.stringify(browserErrors)}`, {
        cause: error,
      });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    assert.deepEqual(browserErrors, [], "the browser reported errors");
  },
);
