/**
 * Explains a checked rule as the conditions a player can act on or wait for:
 * "after 20 minutes on this puzzle", "after 3 wrong guesses", "after you
 * solve X". Only rules made of such conditions joined by `and` / `or` are
 * explained; anything else (arithmetic, `not`, an upper bound) is not.
 */
import type { Expr, FunctionName } from "./checker.ts";

/** One condition a player can wait for or work towards. */
export type Reason =
  /** `fn() >= count`, for a counting function: minutes, guesses, solves, score. */
  | { kind: "at_least"; fn: CountingFunction; arg: number; count: number }
  /** `solved(id)`, `checked_in(id)`: `arg` is the puzzle's index. */
  | { kind: "done"; fn: "solved" | "checked_in"; arg: number }
  /** `after(time)`: epoch milliseconds. */
  | { kind: "time"; at: number }
  /** `hint_taken(id)`: `arg` is the hint's index in its puzzle. */
  | { kind: "taken"; arg: number };

/** A rule as reasons: all of them, or any one of them. */
export type Explanation =
  | Reason
  | { kind: "all"; parts: Explanation[] }
  | { kind: "any"; parts: Explanation[] };

type CountingFunction = Extract<
  FunctionName,
  | "minutes"
  | "minutes_since_unlock"
  | "wrong_guesses"
  | "solves"
  | "solves_in_round"
  | "solves_with_tag"
  | "score"
>;

const COUNTING: ReadonlySet<string> = new Set<CountingFunction>([
  "minutes",
  "minutes_since_unlock",
  "wrong_guesses",
  "solves",
  "solves_in_round",
  "solves_with_tag",
  "score",
]);

/** The rule as reasons a player can understand, or undefined when it cannot be put that way. */
export function explainRule(expr: Expr): Explanation | undefined {
  switch (expr.kind) {
    case "logic": {
      const left = explainRule(expr.left);
      const right = explainRule(expr.right);
      if (left === undefined || right === undefined) return undefined;
      const kind = expr.op === "and" ? "all" : "any";
      // `a and b and c` is one list, not a nested pair.
      const flat = (e: Explanation) => e.kind === kind ? e.parts : [e];
      return { kind, parts: [...flat(left), ...flat(right)] };
    }
    case "call":
      if (expr.fn === "solved" || expr.fn === "checked_in") {
        return { kind: "done", fn: expr.fn, arg: expr.arg };
      }
      if (expr.fn === "after") return { kind: "time", at: expr.arg };
      if (expr.fn === "hint_taken") return { kind: "taken", arg: expr.arg };
      return undefined;
    case "compare":
      return atLeast(expr);
    case "const":
    case "not":
    case "negate":
    case "arith":
      return undefined;
  }
}

/** `fn() >= n`, `fn() > n`, `n <= fn()`, `n < fn()` (and `minutes() >= n` as a time). */
function atLeast(expr: Extract<Expr, { kind: "compare" }>): Reason | undefined {
  let { op, left, right } = expr;
  if (left.kind === "const" && right.kind === "call") {
    const flipped = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as const;
    if (!(op in flipped)) return undefined;
    op = flipped[op as keyof typeof flipped];
    [left, right] = [right, left];
  }
  if (left.kind !== "call" || right.kind !== "const" || typeof right.value !== "number") {
    return undefined;
  }
  if (!COUNTING.has(left.fn) || (op !== ">=" && op !== ">")) return undefined;
  const count = op === ">" ? right.value + 1 : right.value;
  return { kind: "at_least", fn: left.fn as CountingFunction, arg: left.arg, count };
}
