/**
 * When the clock alone can change a rule's result: what lets the engine
 * re-check time-based unlocks only when something can have changed.
 */
import type { Expr } from "./checker.ts";

const MINUTE = 60_000;

/** The times, in order, at which some rule can change its result as time passes. */
export interface TimeBoundaries {
  boundaries: number[];
  /** A minutes() inside arithmetic has no single threshold: re-check every minute. */
  everyMinute: boolean;
}

/**
 * The times at which the rules' results can change with the clock alone:
 * each after(t), and each minutes() threshold (minutes count from `startsAt`).
 * A minutes() inside arithmetic has no single threshold, so such rules set
 * `everyMinute`.
 */
export function timeBoundaries(rules: Iterable<Expr>, startsAt: number): TimeBoundaries {
  const times = new Set<number>();
  let everyMinute = false;
  const visit = (expr: Expr): void => {
    switch (expr.kind) {
      case "call":
        if (expr.fn === "after") times.add(expr.arg);
        if (expr.fn === "minutes") everyMinute = true;
        return;
      case "compare": {
        const [call, constant] = expr.left.kind === "call" && expr.right.kind === "const"
          ? [expr.left, expr.right]
          : expr.right.kind === "call" && expr.left.kind === "const"
          ? [expr.right, expr.left]
          : [undefined, undefined];
        if (call?.fn === "minutes" && constant) {
          const k = constant.value as number;
          // Any comparison with k flips at minute k or k + 1.
          times.add(startsAt + k * MINUTE);
          times.add(startsAt + (k + 1) * MINUTE);
          return;
        }
        visit(expr.left);
        visit(expr.right);
        return;
      }
      case "not":
      case "negate":
        visit(expr.operand);
        return;
      case "logic":
      case "arith":
        visit(expr.left);
        visit(expr.right);
        return;
      case "const":
        return;
    }
  };
  for (const expr of rules) visit(expr);
  return { boundaries: [...times].sort((a, b) => a - b), everyMinute };
}
