/**
 * Markup from template literals with every interpolated value escaped (names and amounts come
 * from the chain), and a renderer that leaves a container alone when its markup has not
 * changed, so the 2-second refresh never resets an input the user is typing in.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type Value = Html | string | number | bigint | boolean | null | undefined | readonly Value[];

const piece = (value: Value): string => {
  if (value instanceof Html) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return value.map(piece).join("");
  }
  if (value === null || value === undefined || value === false) {
    return "";
  }
  return escapeHtml(String(value));
};

/** `html\`<b>${name}</b>\``: `name` escaped unless it is itself `Html`; `null`, `undefined`
 * and `false` render nothing, arrays render each item. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  return new Html(
    strings.reduce((out, s, i) => out + s + (i < values.length ? piece(values[i]!) : ""), ""),
  );
}

/** Trusted markup (built by this page, e.g. an SVG chart). */
export const raw = (text: string): Html => new Html(text);

const rendered = new WeakMap<Element, string>();

/** Replaces `element`'s content with `markup` unless it already shows exactly that. */
export function render(element: Element, markup: Html): void {
  if (rendered.get(element) === markup.text) {
    return;
  }
  rendered.set(element, markup.text);
  element.innerHTML = markup.text;
}
