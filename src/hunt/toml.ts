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
    const reason = first.replace(/^Invalid TOML document:\s*/, "");
    return {
      kind: "error",
      problem: {
        severity: "error",
        message: `Invalid TOML: ${reason}`,
        file,
        line: error.line,
        column: error.column,
        excerpt: sourceExcerpt(text, error.line, error.column),
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
