import { parse, TomlError } from "smol-toml";
import type { Problem } from "./problem.ts";

export type TomlResult =
  | { kind: "ok"; data: Record<string, unknown> }
  | { kind: "error"; problem: Problem };

/**
 * Parses TOML text. smol-toml is used because its errors carry a line and a
 * column (Bun.TOML's carry neither reliably), and it runs on Deno too.
 */
export function parseToml(text: string, file: string): TomlResult {
  try {
    return { kind: "ok", data: parse(text) as Record<string, unknown> };
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
