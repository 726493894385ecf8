/** Text tables, for a terminal and for a notebook cell alike. */
import { table } from "table";
import type { Table } from "./html";
import { isSecretName, mask, maskSecret } from "./mask";

/** A table with a header row; cells are masked, long ones wrapped at `maxWidth`. */
export function textTable(header: string[], rows: (string | number)[][], options: { maxWidth?: number } = {}): string {
  const maxWidth = options.maxWidth ?? 72;
  const data = [header, ...rows.map((row) => row.map((cell) => mask(String(cell))))];
  const widths = header.map((_, i) => Math.min(maxWidth, Math.max(1, ...data.map((row) => (row[i] ?? "").length))));
  return table(data, {
    columns: widths.map((width) => ({ width, wrapWord: true })),
    drawHorizontalLine: (index, size) => index === 0 || index === 1 || index === size,
  }).trimEnd();
}

/** Response headers as a name/value table, sorted by name, secrets masked. */
export function headersTableOf(headers: { forEach(cb: (value: string, name: string) => void): void }): Table {
  const rows: string[][] = [];
  headers.forEach((value, name) => rows.push([name, isSecretName(name) ? maskSecret(value) : value]));
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  return { header: ["header", "value"], rows };
}

/** Response headers as a text table (`headersTableOf`). */
export function headersTable(headers: { forEach(cb: (value: string, name: string) => void): void }): string {
  return tableText(headersTableOf(headers));
}

/** A `Table` as text: its title line, then the table. */
export function tableText(t: Table): string {
  const text = textTable(t.header, t.rows, { maxWidth: t.maxWidth });
  return t.title === undefined ? text : `${mask(t.title)}\n${text}`;
}
