/**
 * A CTFd export's tables, as its exporter writes them: one `db/<table>.json`
 * per table, each `{"count", "results": [rows], "meta"}`, with dates as ISO
 * 8601 text in UTC without an offset. Rows are read loosely, column by
 * column, since CTFd's columns changed across versions.
 */

/** One row of a table, as the JSON holds it. */
export type Row = Record<string, unknown>;

/** The alembic revisions of CTFd 1.x, whose exports Cairn (like CTFd 2 and later) cannot read. */
export const CTFD1_REVISIONS: ReadonlySet<string> = new Set([
  "1ec4a28fe0ff",
  "2539d8b5082e",
  "7e9efd084c5a",
  "87733981ca0e",
  "a4e30c94c360",
  "c12d2a1b0926",
  "c7225db614c1",
  "cb3cfcc47e2f",
  "cbf5620f8e15",
  "d5a224bf5862",
  "d6514ec92738",
  "dab615389702",
  "e62fd69bd417",
]);

/** Parses one `db/<table>.json` file; throws with a message naming it when it is not one. */
export function parseTable(name: string, text: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`db/${name}.json is not valid JSON`);
  }
  const results = (data as { results?: unknown } | null)?.results;
  if (!Array.isArray(results) || results.some((row) => typeof row !== "object" || row === null)) {
    throw new Error(`db/${name}.json has no "results" list of rows`);
  }
  return results as Row[];
}

/** A text column, or undefined when it is absent or empty. */
export function text(row: Row, key: string): string | undefined {
  const value = row[key];
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** A number column (CTFd's JSON sometimes holds numbers as text). */
export function int(row: Row, key: string): number | undefined {
  const value = row[key];
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/** A boolean column (true, 1 or "1"). */
export function flag(row: Row, key: string): boolean {
  const value = row[key];
  return value === true || value === 1 || value === "1" || value === "true";
}

/** A date column as epoch ms: CTFd writes naive UTC times, so one without an offset is UTC. */
export function date(row: Row, key: string): number | undefined {
  const value = row[key];
  if (typeof value !== "string" || value === "") return undefined;
  const iso = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(iso.replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : ms;
}

/** A JSON column: CTFd stores some (requirements) as text in some databases. */
export function json(row: Row, key: string): unknown {
  const value = row[key];
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
