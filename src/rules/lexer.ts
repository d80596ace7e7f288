import type { RuleError, Span } from "./ast.ts";

export type TokenKind =
  | "int"
  | "string"
  | "ident"
  | "and"
  | "or"
  | "not"
  | "true"
  | "false"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "+"
  | "-"
  | "("
  | ")"
  | ","
  | "end";

export interface Token {
  kind: TokenKind;
  /** The decoded value: the digits, the string's contents, or the identifier. */
  text: string;
  span: Span;
}

const KEYWORDS = new Set(["and", "or", "not", "true", "false"]);
const OPERATORS: [string, TokenKind][] = [
  ["==", "=="],
  ["!=", "!="],
  ["<=", "<="],
  [">=", ">="],
  ["<", "<"],
  [">", ">"],
  ["+", "+"],
  ["-", "-"],
  ["(", "("],
  [")", ")"],
  [",", ","],
];
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const SPACE = /\s/;
/** Quotes that word processors substitute for straight ones. */
const CURLY_QUOTES = "\u201C\u201D\u2018\u2019\u201E\u00AB\u00BB";
/** Spellings people bring from other languages, and what to write instead. */
const FOREIGN: Record<string, string> = { "&&": "and", "||": "or", "!": "not", "=": "==" };

export type LexResult = { kind: "ok"; tokens: Token[] } | { kind: "error"; error: RuleError };

/** Splits a rule into tokens, ending with an `end` token. */
export function lex(source: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    // Whitespace separates tokens and is otherwise ignored.
    if (SPACE.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    // Integers: a run of digits.
    if (DIGIT.test(ch)) {
      while (i < source.length && DIGIT.test(source[i]!)) i++;
      if (i < source.length && IDENT_START.test(source[i]!)) {
        return fail(`Unexpected "${source[i]}" after a number`, i, i + 1);
      }
      tokens.push({ kind: "int", text: source.slice(start, i), span: { start, end: i } });
      continue;
    }
    // Identifiers and keywords.
    if (IDENT_START.test(ch)) {
      while (i < source.length && IDENT_PART.test(source[i]!)) i++;
      const text = source.slice(start, i);
      // "AND" or "Not", as other languages and spreadsheets write them, is no function name.
      const lower = text.toLowerCase();
      if (lower !== text && KEYWORDS.has(lower)) {
        return fail(`Unexpected "${text}": write "${lower}" (keywords are lowercase)`, start, i);
      }
      const kind = KEYWORDS.has(text) ? (text as TokenKind) : "ident";
      tokens.push({ kind, text, span: { start, end: i } });
      continue;
    }
    // Strings: double or single quoted, with \\ and \" or \' escapes.
    if (ch === '"' || ch === "'") {
      i++;
      let text = "";
      while (i < source.length && source[i] !== ch) {
        if (source[i] === "\\" && i + 1 < source.length) i++;
        text += source[i];
        i++;
      }
      if (i >= source.length) return fail("Unterminated string", start, source.length);
      i++;
      tokens.push({ kind: "string", text, span: { start, end: i } });
      continue;
    }
    // Operators and punctuation, longest first.
    const op = OPERATORS.find(([spelling]) => source.startsWith(spelling, i));
    if (op) {
      i += op[0].length;
      tokens.push({ kind: op[1], text: op[0], span: { start, end: i } });
      continue;
    }
    const foreign = Object.keys(FOREIGN).find((spelling) => source.startsWith(spelling, i));
    if (foreign) {
      return fail(`Unexpected "${foreign}": write "${FOREIGN[foreign]}"`, i, i + foreign.length);
    }
    if (CURLY_QUOTES.includes(ch)) {
      return fail(`Unexpected character "${ch}": use straight quotes " or '`, i, i + 1);
    }
    return fail(`Unexpected character "${ch}"`, i, i + 1);
  }
  tokens.push({ kind: "end", text: "", span: { start: source.length, end: source.length } });
  return { kind: "ok", tokens };
}

function fail(message: string, start: number, end: number): LexResult {
  return { kind: "error", error: { message, span: { start, end } } };
}
