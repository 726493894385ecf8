/**
 * HTML for a notebook's output area: tables that wrap as tables, and a disclosure with a
 * marker a person can see. Measured in Debian's Jupyter Notebook 6.4 (notes of issue 19):
 * - a 122-column text table wraps mid-row in an output area of 114 columns; an HTML table
 *   fits its cells to the width, except around a long unbreakable token (a URL), which
 *   `<wbr>` breaks, and which survives the sanitizer of a notebook opened untrusted;
 * - the notebook's CSS (normalize.css) sets `summary { display: block }`, so Chromium draws
 *   no ▶ marker; a text marker with the native one hidden shows one marker everywhere;
 * - `style` attributes are dropped when a saved notebook is reopened untrusted: they only
 *   make things nicer (left-aligned cells), never needed to read.
 */

import { mask } from "./mask";

/** A table as the lab shows it: a text table in a terminal, an HTML one in a notebook. */
export interface Table {
  /** One line above the table, e.g. "inbound (4 entries)". */
  title?: string;
  header: string[];
  rows: (string | number)[][];
  /** Column widths the text table wraps at (default 72). */
  maxWidth?: number;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A token longer than this gets break opportunities. */
const LONG_TOKEN = 20;
/** A run without punctuation longer than this is broken anyway (a key, a hash). */
const LONG_RUN = 30;

/**
 * Text as HTML that a table cell can wrap: long tokens get `<wbr>` after `/ ? & = , ; -` and
 * every 30 characters of a run without one, not in the middle of a word.
 */
export function breakableHtml(text: string): string {
  return text
    .split(/(\s+)/)
    .map((token) => {
      if (token.length <= LONG_TOKEN) return escapeHtml(token);
      const parts: string[] = [];
      let run = "";
      for (const char of token) {
        run += char;
        if ("/?&=,;-".includes(char) || run.length >= LONG_RUN) {
          parts.push(run);
          run = "";
        }
      }
      if (run) parts.push(run);
      return parts.map(escapeHtml).join("<wbr>");
    })
    .join("");
}

const CELL_STYLE = ' style="text-align:left;vertical-align:top"';

/** A table as HTML; cells are masked before they are broken up (a `<wbr>` would hide a secret from `mask`). */
export function tableHtml(table: Table): string {
  const cell = (tag: "th" | "td", value: string | number) => `<${tag}${CELL_STYLE}>${breakableHtml(mask(String(value)))}</${tag}>`;
  const head = `<thead><tr>${table.header.map((h) => cell("th", h)).join("")}</tr></thead>`;
  const body = `<tbody>${table.rows.map((row) => `<tr>${row.map((v) => cell("td", v)).join("")}</tr>`).join("")}</tbody>`;
  const title = table.title === undefined ? "" : `<p><b>${escapeHtml(table.title)}</b></p>`;
  return `${title}<table>${head}${body}</table>`;
}

/**
 * A collapsed section: a one-line label behind a visible ▸ (the native marker is hidden, so
 * that front ends that draw it do not show two).
 */
export function detailsHtml(label: string, bodyHtml: string): string {
  return `<details><summary style="list-style:none;cursor:pointer">▸ ${escapeHtml(label)}</summary>${bodyHtml}</details>`;
}

/** Preformatted text, escaped (the notebook's CSS wraps long lines in HTML `<pre>`). */
export function preHtml(text: string): string {
  return `<pre>${escapeHtml(text)}</pre>`;
}
