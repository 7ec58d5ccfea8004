import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeHtml, html, raw, render } from "../src/html.js";

test("interpolated values are escaped unless they are markup", () => {
  const name = `<img src=x onerror="alert(1)">`;
  assert.equal(html`<b>${name}</b>`.text, `<b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</b>`);
  assert.equal(html`<i>${html`<b>${"&"}</b>`}</i>`.text, "<i><b>&amp;</b></i>");
  assert.equal(html`${[1, html`<br>`, 2n]}|${null}${undefined}${false}`.text, "1<br>2|");
  assert.equal(html`${raw("<svg/>")}`.text, "<svg/>");
  assert.equal(escapeHtml(`'"`), "&#39;&quot;");
});

test("a container whose markup did not change is left alone", () => {
  let writes = 0;
  const element = {
    set innerHTML(_: string) {
      writes += 1;
    },
  } as unknown as Element;
  render(element, html`<p>${"a"}</p>`);
  render(element, html`<p>${"a"}</p>`);
  assert.equal(writes, 1);
  render(element, html`<p>${"b"}</p>`);
  assert.equal(writes, 2);
});
