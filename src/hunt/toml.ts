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
    return {
      kind: "error",
      problem: {
        severity: "error",
        message: `Invalid TOML: ${reason}`,
        file,
        line: error.line,
        column,
        excerpt: sourceExcerpt(text, error.line, column),
      },
    };
  }
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
