// Baselines the compiled closures are measured against, over the same rules:
// - `interpretAst`, the brief's "AST interpreter": a tree walk over the
//   parser's syntax tree, resolving names as it goes;
// - `interpret`, a stricter one: a tree walk over the checked `Expr`, whose
//   names are already resolved to indices, so it measures only what closures
//   save over dispatching on `kind` at every node. The tests also use it as
//   the reference the closures must agree with.
import type { CompareOp } from "../src/rules/ast.ts";
import type { Expr, Node, RuleScope, RuleState, StateLayout } from "../src/rules/mod.ts";

/** Evaluates a checked expression against a team state, by walking it. */
export function interpret(
  expr: Expr,
  layout: StateLayout,
  state: RuleState,
  puzzle: number,
): number | boolean {
  const c = state.counts;
  switch (expr.kind) {
    case "const":
      return expr.value;
    case "call":
      switch (expr.fn) {
        case "solved":
          return c[layout.solved + expr.arg] === 1;
        case "solves":
          return c[layout.solves]!;
        case "solves_in_round":
          return c[layout.roundSolves + expr.arg]!;
        case "solves_with_tag":
          return c[layout.tagSolves + expr.arg]!;
        case "score":
          return c[layout.score]!;
        case "checked_in":
          return c[layout.checkedIn + expr.arg] === 1;
        case "after":
          return state.now >= expr.arg;
        case "minutes":
          return Math.floor((state.now - state.huntStart) / 60_000);
        case "minutes_since_unlock":
          return Math.floor((state.now - state.unlockedAt[puzzle]!) / 60_000);
        case "wrong_guesses":
          return c[layout.wrongGuesses + puzzle]!;
        case "division":
          return c[layout.division] === expr.arg;
      }
      throw new Error("unreachable");
    case "not":
      return !interpret(expr.operand, layout, state, puzzle);
    case "negate":
      return -(interpret(expr.operand, layout, state, puzzle) as number);
    case "logic":
      return expr.op === "and"
        ? (interpret(expr.left, layout, state, puzzle) as boolean) &&
          (interpret(expr.right, layout, state, puzzle) as boolean)
        : (interpret(expr.left, layout, state, puzzle) as boolean) ||
          (interpret(expr.right, layout, state, puzzle) as boolean);
    case "arith": {
      const left = interpret(expr.left, layout, state, puzzle) as number;
      const right = interpret(expr.right, layout, state, puzzle) as number;
      return expr.op === "+" ? left + right : left - right;
    }
    case "compare": {
      return compare(
        expr.op,
        interpret(expr.left, layout, state, puzzle),
        interpret(expr.right, layout, state, puzzle),
      );
    }
  }
}

/** What the syntax-tree interpreter resolves names against, at every evaluation. */
export interface AstEnv {
  scope: RuleScope;
  layout: StateLayout;
}

/**
 * The brief's baseline: a straightforward interpreter over the parser's
 * syntax tree, with no compile step. It looks names up in the hunt's maps and
 * parses after()'s time each time it meets them, as a rule engine without a
 * compiler would.
 */
export function interpretAst(
  node: Node,
  env: AstEnv,
  state: RuleState,
  puzzle: number,
): number | boolean {
  const c = state.counts;
  const { scope, layout } = env;
  switch (node.kind) {
    case "int":
    case "bool":
      return node.value;
    case "string":
      throw new Error("a string outside a call");
    case "not":
      return !interpretAst(node.operand, env, state, puzzle);
    case "negate":
      return -(interpretAst(node.operand, env, state, puzzle) as number);
    case "logic":
      return node.op === "and"
        ? (interpretAst(node.left, env, state, puzzle) as boolean) &&
          (interpretAst(node.right, env, state, puzzle) as boolean)
        : (interpretAst(node.left, env, state, puzzle) as boolean) ||
          (interpretAst(node.right, env, state, puzzle) as boolean);
    case "arith": {
      const left = interpretAst(node.left, env, state, puzzle) as number;
      const right = interpretAst(node.right, env, state, puzzle) as number;
      return node.op === "+" ? left + right : left - right;
    }
    case "compare": {
      return compare(
        node.op,
        interpretAst(node.left, env, state, puzzle),
        interpretAst(node.right, env, state, puzzle),
      );
    }
    case "call": {
      const arg = (node.args[0] as { value?: string } | undefined)?.value ?? "";
      switch (node.name) {
        case "solved":
          return c[layout.solved + scope.puzzles.get(arg)!] === 1;
        case "solves":
          return c[layout.solves]!;
        case "solves_in_round":
          return c[layout.roundSolves + scope.rounds.get(arg)!]!;
        case "solves_with_tag":
          return c[layout.tagSolves + scope.tags.get(arg)!]!;
        case "score":
          return c[layout.score]!;
        case "checked_in":
          return c[layout.checkedIn + scope.puzzles.get(arg)!] === 1;
        case "after":
          return state.now >= Date.parse(arg);
        case "minutes":
          return Math.floor((state.now - state.huntStart) / 60_000);
        case "minutes_since_unlock":
          return Math.floor((state.now - state.unlockedAt[puzzle]!) / 60_000);
        case "wrong_guesses":
          return c[layout.wrongGuesses + puzzle]!;
        case "division":
          return c[layout.division] === scope.divisions.get(arg);
      }
      throw new Error(`unknown function ${node.name}`);
    }
  }
}

/** Applies a comparison operator, the same way for both interpreters. */
function compare(op: CompareOp, left: number | boolean, right: number | boolean): boolean {
  switch (op) {
    case "==":
      return left === right;
    case "!=":
      return left !== right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case ">":
      return left > right;
    case ">=":
      return left >= right;
  }
}
