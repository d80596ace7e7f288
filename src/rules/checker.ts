/**
 * The type checker: resolves every name a rule mentions against the hunt,
 * checks types (conditions and numbers), and lowers the syntax tree into an
 * `Expr` whose calls carry indices instead of names.
 */
import type { ArithOp, CompareOp, LogicOp, Node, RuleError, Span } from "./ast.ts";
import { didYouMean } from "./suggest.ts";
import { parseTimestamp } from "./timestamp.ts";

export type RuleType = "bool" | "int";
/** Where a rule stands: a puzzle's unlock, or a hint's (which may use hint-only functions). */
export type RuleContext = "puzzle" | "hint";

type ArgKind =
  | "puzzle"
  | "checkpoint"
  | "round"
  | "tag"
  | "division"
  | "time"
  | "stop"
  | "route"
  | "hint";

interface FunctionSpec {
  arg?: ArgKind;
  type: RuleType;
  hintOnly?: boolean;
  help: string;
}

/** Every function a rule may call. */
export const FUNCTIONS = {
  solved: { arg: "puzzle", type: "bool", help: "the team solved puzzle id" },
  solves: { type: "int", help: "number of puzzles the team solved" },
  solves_in_round: { arg: "round", type: "int", help: "solves in a round" },
  solves_with_tag: { arg: "tag", type: "int", help: "solves of puzzles with a tag" },
  score: { type: "int", help: "the team's current score" },
  checked_in: { arg: "checkpoint", type: "bool", help: "checked in at puzzle id's checkpoint" },
  after: { arg: "time", type: "bool", help: "now is at or past that time" },
  minutes: { type: "int", help: "minutes since the hunt started" },
  minutes_since_unlock: {
    type: "int",
    hintOnly: true,
    help: "minutes since this puzzle unlocked for the team",
  },
  wrong_guesses: {
    type: "int",
    hintOnly: true,
    help: "the team's incorrect and partial guesses on this puzzle",
  },
  hint_taken: {
    arg: "hint",
    type: "bool",
    hintOnly: true,
    help: "the team took hint id of this puzzle",
  },
  division: { arg: "division", type: "bool", help: "the team is in that division" },
  route_position: {
    arg: "stop",
    type: "int",
    help: "where stop id comes in the team's route (1 for its first stop)",
  },
  route_progress: {
    arg: "route",
    type: "int",
    help: "how many stops of a route the team is done with",
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;

/** A checked rule: names resolved to indices (or, for `after`, to epoch milliseconds). */
export type Expr =
  | { kind: "const"; type: RuleType; value: number | boolean; span: Span }
  | { kind: "call"; type: RuleType; fn: FunctionName; arg: number; span: Span }
  | { kind: "not"; type: "bool"; operand: Expr; span: Span }
  | { kind: "negate"; type: "int"; operand: Expr; span: Span }
  | { kind: "logic"; type: "bool"; op: LogicOp; left: Expr; right: Expr; span: Span }
  | { kind: "compare"; type: "bool"; op: CompareOp; left: Expr; right: Expr; span: Span }
  | { kind: "arith"; type: "int"; op: ArithOp; left: Expr; right: Expr; span: Span };

/** The names a rule can refer to, each mapped to its index. */
export interface RuleScope {
  puzzles: ReadonlyMap<string, number>;
  /** Indices of the puzzles that have a checkpoint. */
  checkpoints: ReadonlySet<number>;
  rounds: ReadonlyMap<string, number>;
  tags: ReadonlyMap<string, number>;
  divisions: ReadonlyMap<string, number>;
  /** Route ids; none when omitted. */
  routes?: ReadonlyMap<string, number>;
  /** Indices of the puzzles that are route stops. */
  stops?: ReadonlySet<number>;
  /** In a hint's rule: the puzzle's hint ids, each mapped to its index. */
  hints?: ReadonlyMap<string, number>;
}

export type CheckResult = { kind: "ok"; expr: Expr } | { kind: "error"; errors: RuleError[] };

const TYPE_NAMES: Record<RuleType | "string", string> = {
  bool: "a condition (true or false)",
  int: "a number",
  string: "a string",
};

/** Checks a parsed rule in its scope and context, collecting every error. */
export function checkRule(ast: Node, scope: RuleScope, context: RuleContext): CheckResult {
  const errors: RuleError[] = [];
  const expr = lower(ast, scope, context, errors);
  if (expr !== undefined && expr.type !== "bool") {
    errors.push({
      message: `The rule must be a condition (true or false), but this is ${TYPE_NAMES[expr.type]}`,
      span: ast.span,
    });
  }
  return errors.length > 0 || expr === undefined ? { kind: "error", errors } : { kind: "ok", expr };
}

/** Lowers one node; returns undefined (after recording why) when it cannot be typed. */
function lower(
  node: Node,
  scope: RuleScope,
  context: RuleContext,
  errors: RuleError[],
): Expr | undefined {
  const want = (child: Node, type: RuleType, role: string): Expr | undefined => {
    const expr = lower(child, scope, context, errors);
    if (expr !== undefined && expr.type !== type) {
      errors.push({
        message: `${role} needs ${TYPE_NAMES[type]}, not ${TYPE_NAMES[expr.type]}`,
        span: child.span,
      });
      return undefined;
    }
    return expr;
  };

  switch (node.kind) {
    case "int":
      return { kind: "const", type: "int", value: node.value, span: node.span };
    case "bool":
      return { kind: "const", type: "bool", value: node.value, span: node.span };
    case "string": {
      const message = /^-?\d+$/.test(node.value)
        ? `Write the number ${node.value} without quotes`
        : "A string can only be the argument of a function";
      errors.push({ message, span: node.span });
      return undefined;
    }
    case "not": {
      const operand = want(node.operand, "bool", '"not"');
      return operand && { kind: "not", type: "bool", operand, span: node.span };
    }
    case "negate": {
      const operand = want(node.operand, "int", '"-"');
      return operand && { kind: "negate", type: "int", operand, span: node.span };
    }
    case "logic": {
      const left = want(node.left, "bool", `"${node.op}"`);
      const right = want(node.right, "bool", `"${node.op}"`);
      return left && right &&
        { kind: "logic", type: "bool", op: node.op, left, right, span: node.span };
    }
    case "arith": {
      const left = want(node.left, "int", `"${node.op}"`);
      const right = want(node.right, "int", `"${node.op}"`);
      return left && right &&
        { kind: "arith", type: "int", op: node.op, left, right, span: node.span };
    }
    case "compare": {
      if (node.op === "==" || node.op === "!=") {
        const left = lower(node.left, scope, context, errors);
        const right = lower(node.right, scope, context, errors);
        if (left === undefined || right === undefined) return undefined;
        if (left.type !== right.type) {
          errors.push({
            message: `Cannot compare ${TYPE_NAMES[left.type]} with ${TYPE_NAMES[right.type]}`,
            span: node.span,
          });
          return undefined;
        }
        return { kind: "compare", type: "bool", op: node.op, left, right, span: node.span };
      }
      const left = want(node.left, "int", `"${node.op}"`);
      const right = want(node.right, "int", `"${node.op}"`);
      return left && right &&
        { kind: "compare", type: "bool", op: node.op, left, right, span: node.span };
    }
    case "call":
      return lowerCall(node, scope, context, errors);
  }
}

function lowerCall(
  node: Extract<Node, { kind: "call" }>,
  scope: RuleScope,
  context: RuleContext,
  errors: RuleError[],
): Expr | undefined {
  if (!Object.hasOwn(FUNCTIONS, node.name)) {
    errors.push({
      message: `Unknown function "${node.name}"${didYouMean(node.name, Object.keys(FUNCTIONS))}`,
      span: node.nameSpan,
    });
    return undefined;
  }
  const fn = node.name as FunctionName;
  const spec: FunctionSpec = FUNCTIONS[fn];
  if (spec.hintOnly && context !== "hint") {
    errors.push({ message: `${fn}() can only be used in a hint's rule`, span: node.span });
    return undefined;
  }
  const arity = spec.arg === undefined ? 0 : 1;
  if (node.args.length !== arity) {
    const wanted = spec.arg === undefined ? "no arguments" : `1 argument (${ARG_HELP[spec.arg]})`;
    errors.push({ message: `${fn}() takes ${wanted}, not ${node.args.length}`, span: node.span });
    return undefined;
  }
  let arg = 0;
  if (spec.arg !== undefined) {
    const argNode = node.args[0]!;
    if (argNode.kind !== "string") {
      errors.push({
        message: `The argument of ${fn}() must be ${ARG_HELP[spec.arg]} in quotes`,
        span: argNode.span,
      });
      return undefined;
    }
    const resolved = resolveArg(spec.arg, argNode.value, scope);
    if (typeof resolved === "string") {
      errors.push({ message: resolved, span: argNode.span });
      return undefined;
    }
    arg = resolved;
  }
  return { kind: "call", type: spec.type, fn, arg, span: node.span };
}

const ARG_HELP: Record<ArgKind, string> = {
  puzzle: "a puzzle id",
  checkpoint: "the id of a puzzle with a checkpoint",
  round: "a round id",
  tag: "a tag",
  division: "a division",
  time: 'a time such as "2026-11-21T13:00:00+01:00"',
  stop: "the id of a puzzle that is a route stop",
  route: "a route id",
  hint: "the id of a hint of this puzzle",
};

/** Resolves a function's argument to its index, or returns why it cannot. */
function resolveArg(kind: ArgKind, value: string, scope: RuleScope): number | string {
  switch (kind) {
    case "puzzle":
    case "checkpoint":
    case "stop": {
      const index = scope.puzzles.get(value);
      if (index === undefined) {
        return `Unknown puzzle "${value}"${didYouMean(value, scope.puzzles.keys())}`;
      }
      if (kind === "checkpoint" && !scope.checkpoints.has(index)) {
        return `Puzzle "${value}" has no checkpoint`;
      }
      if (kind === "stop" && !scope.stops?.has(index)) {
        return `Puzzle "${value}" is not a stop of any route`;
      }
      return index;
    }
    case "route": {
      const routes = scope.routes ?? new Map<string, number>();
      if (routes.size === 0) return `Unknown route "${value}": the hunt defines no routes`;
      return routes.get(value) ?? `Unknown route "${value}"${didYouMean(value, routes.keys())}`;
    }
    case "hint": {
      const hints = scope.hints ?? new Map<string, number>();
      return hints.get(value) ??
        `Unknown hint "${value}" of this puzzle${didYouMean(value, hints.keys())}`;
    }
    case "round":
      return scope.rounds.get(value) ??
        `Unknown round "${value}"${didYouMean(value, scope.rounds.keys())}`;
    case "tag":
      return scope.tags.get(value) ??
        `Unknown tag "${value}"${didYouMean(value, scope.tags.keys())}`;
    case "division":
      if (scope.divisions.size === 0) {
        return `Unknown division "${value}": the hunt defines no divisions`;
      }
      return scope.divisions.get(value) ??
        `Unknown division "${value}"${didYouMean(value, scope.divisions.keys())}`;
    case "time": {
      const ms = parseTimestamp(value);
      if (ms === undefined) {
        return `Invalid time "${value}": write a date, time and offset, e.g. "2026-11-21T13:00:00+01:00"`;
      }
      return ms;
    }
  }
}
