/**
 * Finds where a key of the hunt file stands in its source, so that schema and
 * rule errors can name `file:line:col`. TOML parsers return values without
 * positions, so this scans the text once, following table headers, arrays of
 * tables, inline tables and arrays (also over several lines), and indexes
 * every key path it sees (`puzzle.2.hint.0.cost`). It is built only when
 * there is a problem to place.
 */

export interface Position {
  line: number;
  column: number;
}

export type KeyPath = readonly (string | number)[];

const HEADER = /^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?/;
/** A key: bare or quoted, or dotted (`points.initial`, `"answr"`). */
const KEY =
  /^(\s*)((?:[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*'))*)\s*=\s*/;
const KEY_PART = /[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*'/g;
const BARE_KEY = /^[A-Za-z0-9_-]+/;

/** The tables of a dotted key that are indexed, at most: no hunt's key has more than a few. */
const MAX_DOTTED_TABLES = 16;

/** Indexes the positions of every key in a TOML text. */
export class SourceMap {
  /** Key path → offset of the key (or header, or array element) in the text. */
  private readonly offsets = new Map<string, number>();
  private readonly lineStarts: number[] = [0];

  /** Key paths indexed (for tests). */
  get size(): number {
    return this.offsets.size;
  }

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") this.lineStarts.push(i + 1);
    const counters = new Map<string, number>();
    let table: (string | number)[] = [];
    let offset = 0;
    while (offset < text.length) {
      const end = lineEnd(text, offset);
      const line = text.slice(offset, end);
      const header = HEADER.exec(line);
      const key = header ? null : KEY.exec(line);
      let next = end + 1;
      if (header) {
        const names = header[2]!.split(".");
        table = resolveTable(names, header[1] === "[[", counters);
        const at = offset + line.indexOf("[");
        this.record(table, at);
        // An array of tables is also found by its bare name (`puzzles` for `[[puzzles]]`),
        // and by its path in its table (`puzzle.0.hints` for a mistyped `[[puzzle.hints]]`).
        this.record(table.filter((step) => typeof step === "string"), at);
        if (typeof table.at(-1) === "number") this.record(table.slice(0, -1), at);
      } else if (key) {
        const parts = key[2]!.match(KEY_PART)!.map((part) => part.replace(/^["']|["']$/g, ""));
        // A dotted key's tables are found at the key too (`points` for `points.initial = 5`): the
        // first few, as each is a string of its own, and a hostile file's key of 100,000 parts
        // took minutes to index whole.
        for (let n = 1; n < Math.min(parts.length, MAX_DOTTED_TABLES + 1); n++) {
          this.record([...table, ...parts.slice(0, n)], offset + key[1]!.length);
        }
        const path = [...table, ...parts];
        this.record(path, offset + key[1]!.length);
        // The value may run over several lines (arrays, multi-line strings): skip all of it.
        next = Math.max(next, this.scanValue(path, offset + key[0].length) + 1);
      }
      offset = next;
    }
  }

  /** The position of the deepest recorded prefix of `path`. */
  find(path: KeyPath): Position | undefined {
    for (let length = path.length; length > 0; length--) {
      const found = this.offsets.get(path.slice(0, length).join("."));
      if (found !== undefined) return this.position(found);
    }
    return undefined;
  }

  /**
   * Where the characters of a string value begin, if the value at `path` is a
   * string whose source text equals `value` (no escapes), so that an offset
   * into the value maps straight onto the file. Multi-line strings count.
   */
  findStringValue(path: KeyPath, value: string): ((offset: number) => Position) | undefined {
    const key = this.offsets.get(path.join("."));
    if (key === undefined) return undefined;
    const match = KEY.exec(this.text.slice(key, lineEnd(this.text, key)));
    if (!match) return undefined;
    let start = key + match[0].length;
    const quote = this.text[start];
    if (quote !== '"' && quote !== "'") return undefined;
    if (this.text.startsWith(quote.repeat(3), start)) {
      start += 3;
      // TOML drops a newline right after the opening delimiter.
      if (this.text.startsWith("\r\n", start)) start += 2;
      else if (this.text[start] === "\n") start += 1;
    } else start += 1;
    if (!this.text.startsWith(value, start)) return undefined;
    return (offset) => this.position(start + offset);
  }

  private position(offset: number): Position {
    // Binary search for the last line starting at or before `offset`.
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /**
   * Scans one value starting at `start`, recording the elements of arrays and
   * the keys of inline tables under `path`; returns the offset where it ends.
   */
  private scanValue(path: (string | number)[], start: number): number {
    const text = this.text;
    const ch = text[start];
    if (ch === '"' || ch === "'") return skipString(text, start);
    if (ch === "{") {
      let i = start + 1;
      while (i < text.length && text[i] !== "}") {
        const key = BARE_KEY.exec(text.slice(i, i + 64));
        if (key && /^\s*=/.test(text.slice(i + key[0].length))) {
          this.record([...path, key[0]], i);
          i += key[0].length;
          i = text.indexOf("=", i) + 1;
          while (text[i] === " " || text[i] === "\t") i++;
          i = this.scanValue([...path, key[0]], i) + 1;
          continue;
        }
        i++;
      }
      return i;
    }
    if (ch === "[") {
      let index = 0;
      let expectElement = true;
      for (let i = start + 1; i < text.length; i++) {
        const c = text[i]!;
        if (c === "]") return i;
        if (c === "#") {
          i = lineEnd(text, i) - 1;
          continue;
        }
        if (c === ",") {
          index++;
          expectElement = true;
          continue;
        }
        if (c === " " || c === "\t" || c === "\r" || c === "\n") continue;
        if (expectElement) {
          this.record([...path, index], i);
          expectElement = false;
          i = this.scanValue([...path, index], i);
        }
      }
      return text.length;
    }
    // A scalar (number, boolean, date) ends where the enclosing structure goes on.
    let i = start;
    while (i < text.length && !",}]#\n".includes(text[i]!)) i++;
    return i - 1;
  }

  private record(path: (string | number)[], offset: number): void {
    const key = path.join(".");
    if (!this.offsets.has(key)) this.offsets.set(key, offset);
  }
}

/** The table path a header names, with the current index of each array of tables. */
function resolveTable(names: string[], isArray: boolean, counters: Map<string, number>) {
  const path: (string | number)[] = [];
  names.forEach((name, i) => {
    path.push(name);
    const key = path.join(".");
    if (i === names.length - 1 && isArray) {
      const next = (counters.get(key) ?? -1) + 1;
      counters.set(key, next);
      // A new element resets the counters of the arrays nested under the previous one.
      for (const other of counters.keys()) {
        if (other.startsWith(`${key}.${next - 1}.`)) counters.delete(other);
      }
      path.push(next);
    } else if (counters.has(key)) {
      path.push(counters.get(key)!);
    }
  });
  return path;
}

/** The offset just past the end of a string starting at `start` (its closing quote). */
function skipString(text: string, start: number): number {
  const quote = text[start]!;
  const triple = text.startsWith(quote.repeat(3), start);
  const closer = triple ? quote.repeat(3) : quote;
  let i = start + closer.length;
  while (i < text.length) {
    if (quote === '"' && text[i] === "\\") {
      i += 2;
      continue;
    }
    if (text.startsWith(closer, i)) {
      // A closing `"""` may be followed by one or two more quotes that belong to the string.
      let end = i + closer.length;
      while (triple && text[end] === quote && end - i < 5) end++;
      return end - 1;
    }
    if (!triple && text[i] === "\n") return i - 1;
    i++;
  }
  return text.length - 1;
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf("\n", offset);
  return end === -1 ? text.length : end;
}
