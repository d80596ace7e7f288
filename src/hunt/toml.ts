import { parse, TomlError } from "smol-toml";
import type { Problem } from "./problem.ts";
import { realDay } from "../rules/timestamp.ts";

export type TomlResult =
  | { kind: "ok"; data: Record<string, unknown> }
  | { kind: "error"; problem: Problem };

/**
 * Parses TOML text. smol-toml is used because its errors carry a line and a
 * column (Bun.TOML's carry neither reliably), and it runs on Deno too.
 */
export function parseToml(text: string, file: string): TomlResult {
  try {
    const data = parse(text) as Record<string, unknown>;
    const impossible = impossibleDate(text);
    if (impossible !== undefined) {
      const { line, column, date } = impossible;
      return {
        kind: "error",
        problem: {
          severity: "error",
          message: `Invalid TOML: ${date} is not a day of the calendar`,
          file,
          line,
          column,
          excerpt: sourceExcerpt(text, line, column),
        },
      };
    }
    return { kind: "ok", data };
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const first = error.message.split("\n")[0] ?? "";
    let reason = first.replace(/^Invalid TOML document:\s*/, "");
    let column = error.column;
    // smol-toml reports a string left open at the end of its line as a control
    // character (the newline) in the string; name the real mistake, at its quote.
    const open = unterminatedQuote(text.split("\n")[error.line - 1] ?? "");
    if (reason.startsWith("control characters are not allowed") && open !== undefined) {
      reason = "unterminated string: the quote here is not closed on this line";
      column = open;
    }
    let line = error.line;
    const lines = text.split("\n").map((source) => source.replace(/\r$/, ""));
    if (reason === "invalid value") {
      const how = bareValue(lines[line - 1] ?? "", column);
      if (how !== undefined) reason = `${reason}: ${how}`;
    } else if (reason.startsWith("trying to redefine an already defined table")) {
      const header = misplacedHeader(lines, line);
      if (header !== undefined) ({ reason, line, column } = header);
    }
    return {
      kind: "error",
      problem: {
        severity: "error",
        message: `Invalid TOML: ${reason}`,
        file,
        line,
        column,
        excerpt: sourceExcerpt(text, line, column),
      },
    };
  }
}

/** Keys whose value is a number: a bare word there is no missing quote. */
const NUMBER_KEYS = new Set([
  "points",
  "cost",
  "count",
  "min",
  "max",
  "start",
  "first_solve_bonus",
  "initial",
  "minimum",
  "decay",
]);

/** Keys whose value is `true` or `false`: `gallery = yes` wants no quotes. */
const BOOLEAN_KEYS = new Set(["gallery", "offline_times", "show_solves", "ordered", "spread"]);

/**
 * What to write for a bare word given as a value (`title = The Lighthouse`, `unlock = solved("a")`,
 * `gallery = yes`), the value starting at `column` of `source`: the same line with its quotes, or
 * `true` or `false`. Nothing for a number's key, or a value this cannot put in quotes.
 */
function bareValue(source: string, column: number): string | undefined {
  const match = /^(\s*)([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)(\s*=\s*)/.exec(source);
  if (match === null || match[0].length !== column - 1) return undefined;
  const key = match[2]!.slice(match[2]!.lastIndexOf(".") + 1);
  // A comment after the value is not part of it.
  const value = source.slice(column - 1).replace(/\s+#.*$/, "").trimEnd();
  if (!/^[A-Za-z]/.test(value) || NUMBER_KEYS.has(key)) return undefined;
  if (BOOLEAN_KEYS.has(key)) {
    return "write true or false, in lowercase and without quotes";
  }
  const written = `${match[1]}${match[2]}${match[3]}`.trimStart();
  if (key === "unlock") {
    return value.includes("'") ? undefined : `a rule goes in quotes: write ${written}'${value}'`;
  }
  if (!value.includes('"') && !value.includes("\\")) {
    return `text goes in quotes: write ${written}"${value}"`;
  }
  return value.includes("'") ? undefined : `text goes in quotes: write ${written}'${value}'`;
}

/**
 * A table header that TOML refuses as a table defined twice, where the cause is a hunt file's
 * shape: `[puzzle]` with single brackets after `[[puzzle]]` tables, a second `[hunt]`, or a
 * `[[puzzle.hint]]` (or `.variant`) above the first `[[puzzle]]`, which TOML then takes for
 * `[puzzle]`'s own. The reason, and the line and column to point at.
 */
function misplacedHeader(
  lines: string[],
  line: number,
): { reason: string; line: number; column: number } | undefined {
  const header = (lines[line - 1] ?? "").replace(/#.*$/, "").trim();
  const at = (lines[line - 1] ?? "").indexOf("[") + 1;
  if (/^\[\s*puzzle\s*\]$/.test(header)) {
    return {
      reason:
        "[puzzle] with single brackets: write [[puzzle]], with double brackets, for each puzzle",
      line,
      column: at,
    };
  }
  if (/^\[\s*hunt\s*\]$/.test(header)) {
    const first = lines.findIndex((source) => /^\s*\[\s*hunt\s*\]/.test(source)) + 1;
    if (first > 0 && first < line) {
      return {
        reason: `a second [hunt] table: the file has one, on line ${first}`,
        line,
        column: at,
      };
    }
  }
  const key = /^([A-Za-z0-9_-]+)\s*=/.exec(header)?.[1];
  if (key !== undefined) {
    // The table above it: its header's line.
    let table = line - 2;
    while (table >= 0 && !/^\s*\[/.test(lines[table]!)) table--;
    const first = lines.findIndex((source, i) =>
      i > table && i < line - 1 && new RegExp(`^\\s*${key}\\s*=`).test(source)
    );
    if (first !== -1) {
      return {
        reason: `"${key}" is given twice in its table, here and on line ${first + 1}: keep one`,
        line,
        column: (lines[line - 1] ?? "").search(/\S/) + 1,
      };
    }
  }
  if (/^\[\[\s*puzzle\s*\]\]$/.test(header)) {
    const firstPuzzle = lines.findIndex((source) => /^\s*\[\[\s*puzzle\s*\]\]/.test(source));
    const early = lines.findIndex((source) => /^\s*\[\[?\s*puzzle\s*\./.test(source));
    if (early !== -1 && early < firstPuzzle) {
      const name = lines[early]!.replace(/#.*$/, "").trim();
      return {
        reason: `${name} comes before any [[puzzle]]: put it after the puzzle it belongs to`,
        line: early + 1,
        column: lines[early]!.indexOf("[") + 1,
      };
    }
  }
  return undefined;
}

/** The source line at `line` with a caret under `column` (both 1-based). */
export function sourceExcerpt(text: string, line: number, column: number): string | undefined {
  const source = text.split("\n")[line - 1];
  if (source === undefined) return undefined;
  const visible = source.replace(/\t/g, " ").replace(/\r$/, "");
  return `${visible}\n${" ".repeat(Math.max(0, column - 1))}^`;
}

/** The 1-based column of a one-line string's opening quote left open at the end of `line`. */
function unterminatedQuote(line: string): number | undefined {
  let open: number | undefined;
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (open === undefined) {
      if (ch === "#") return undefined;
      if (ch === '"' || ch === "'") {
        if (line.startsWith(ch.repeat(3), i)) return undefined;
        open = i;
        quote = ch;
      }
    } else if (ch === "\\" && quote === '"') {
      i++;
    } else if (ch === quote) {
      open = undefined;
    }
  }
  return open === undefined ? undefined : open + 1;
}

/**
 * The first date value (`2026-02-30T10:00:00Z`, unquoted) that names a day
 * the month does not have. smol-toml checks a date's month, hour and minute,
 * but moves February 30th to March 2nd. Strings and comments are skipped.
 */
function impossibleDate(text: string): { line: number; column: number; date: string } | undefined {
  const code = withoutStringsAndComments(text);
  // A value: after "=", "," or an array's "[" (not a table header's).
  const DATE = /(?:=|,|(?<!^[ \t]*)\[)[ \t\r\n]*((\d{4})-(\d{2})-(\d{2}))/gm;
  for (const match of code.matchAll(DATE)) {
    const [whole, date, year, month, day] = match;
    if (realDay(Number(year), Number(month), Number(day))) continue;
    const at = match.index + whole.length - date!.length;
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    return { line, column: at - before.lastIndexOf("\n"), date: date! };
  }
  return undefined;
}

/** `text` with every string's and comment's characters but newlines turned into spaces. */
function withoutStringsAndComments(text: string): string {
  let out = "";
  let i = 0;
  const blank = (from: number, to: number) => text.slice(from, to).replace(/[^\n]/g, " ");
  while (i < text.length) {
    const ch = text[i]!;
    let end: number;
    if (ch === "#") {
      end = text.indexOf("\n", i);
      if (end === -1) end = text.length;
    } else if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      const quotes = text.slice(i, i + 3);
      end = i + 3;
      for (;;) {
        const close = text.indexOf(quotes, end);
        if (close === -1) return out + blank(i, text.length);
        // A basic string's escaped quote does not close it.
        if (quotes === '"""' && escaped(text, close)) {
          end = close + 1;
          continue;
        }
        end = close + 3;
        // Up to two more quotes belong to the string ("""a"""" is `a"`).
        while (text[end] === quotes[0] && end < close + 5) end++;
        break;
      }
    } else if (ch === '"' || ch === "'") {
      end = i + 1;
      while (end < text.length && text[end] !== ch && text[end] !== "\n") {
        end += ch === '"' && text[end] === "\\" ? 2 : 1;
      }
      end = Math.min(end + 1, text.length);
    } else {
      out += ch;
      i++;
      continue;
    }
    out += blank(i, end);
    i = end;
  }
  return out;
}

/** Whether the character at `at` follows an odd number of backslashes. */
function escaped(text: string, at: number): boolean {
  let count = 0;
  for (let i = at - 1; i >= 0 && text[i] === "\\"; i--) count++;
  return count % 2 === 1;
}
