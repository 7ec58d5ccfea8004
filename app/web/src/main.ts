/** Entry point: reads `config.json` beside the page, then starts the BAL page on it. */
import { App } from "./app.js";
import { parseConfig } from "./config.js";
import { escapeHtml } from "./html.js";

async function main(): Promise<void> {
  let config;
  try {
    const response = await fetch(new URL("config.json", location.href), { cache: "no-store" });
    if (!response.ok) {
      throw new Error(`config.json could not be loaded (${response.status})`);
    }
    config = parseConfig(await response.json());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    document.getElementById("banner")!.innerHTML =
      `<div class="banner error" data-testid="banner-error">${escapeHtml(message)}</div>`;
    return;
  }
  new App(config).start();
}

void main();
