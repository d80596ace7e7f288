/**
 * The closure compiler: turns a checked `Expr` into nested plain closures,
 * once, at load time. No eval and no `new Function`: each node becomes a small
 * function that calls its children, with indices and constants captured.
 */
import type { CompareOp } from "./ast.ts";
import type { Expr } from "./checker.ts";
import { hintKey, type RuleState, type StateLayout } from "./state.ts";

/** A compiled condition. `puzzle` is the index of the puzzle a hint rule belongs to. */
export type Condition = (state: RuleState, puzzle: number) => boolean;
type IntFn = (state: RuleState, puzzle: number) => number;

const MINUTE = 60_000;

/** Compiles a checked condition into a closure. */
export function compileCondition(expr: Expr, layout: StateLayout): Condition {
  return bool(expr, layout);
}

/*
 * Atoms. Most rules are built from tests like `solved("a")`, `after("…")` or
 * `solves_in_round("r") >= 2`. Each is a range test over one value of the
 * state: solved(x) is solved[x] ∈ [1, 1]; `count >= k` is count ∈ [k, ∞];
 * `count < k` is count ∈ [−∞, k−1]; `!=` negates `==`; after(t) is now ∈ [t, ∞];
 * `minutes() >= k` is (now − huntStart) ∈ [k·MINUTE, ∞), which moves the
 * rounding out of the evaluation. An atom compiles to one closure that reads
 * its value straight from the state: no child calls, no dispatch; two atoms
 * joined by `and` or `or` compile to one fused closure.
 */

/** How an atom reads its value. */
const READ = { counter: 0, puzzleCounter: 1, now: 2, huntMs: 3, unlockMs: 4 } as const;

/** A range test `lo <= value < hi` (half-open), negated when `negate`. */
interface Atom {
  read: number;
  offset: number;
  lo: number;
  hi: number;
  negate: boolean;
}

/** The atom an expression is, if it is one. */
function atomOf(expr: Expr, layout: StateLayout): Atom | undefined {
  if (expr.kind === "not") {
    const inner = atomOf(expr.operand, layout);
    return inner && { ...inner, negate: !inner.negate };
  }
  if (expr.kind === "call") {
    const counter = (offset: number, value: number): Atom => ({
      read: READ.counter,
      offset,
      lo: value,
      hi: value + 1,
      negate: false,
    });
    switch (expr.fn) {
      case "solved":
        return counter(layout.solved + expr.arg, 1);
      case "checked_in":
        return counter(layout.checkedIn + expr.arg, 1);
      case "division":
        return counter(layout.division, expr.arg);
      case "after":
        return { read: READ.now, offset: 0, lo: expr.arg, hi: Infinity, negate: false };
      default:
        return undefined;
    }
  }
  if (expr.kind !== "compare" || expr.left.kind !== "call" || expr.right.kind !== "const") {
    return undefined;
  }
  if (expr.left.type !== "int") return undefined;
  const k = expr.right.value as number;
  const [lo, hi, negate] = expr.op === ">="
    ? [k, Infinity, false]
    : expr.op === ">"
    ? [k + 1, Infinity, false]
    : expr.op === "<="
    ? [-Infinity, k, false]
    : expr.op === "<"
    ? [-Infinity, k - 1, false]
    : [k, k, expr.op === "!="];
  const arg = expr.left.arg;
  // Integers in [lo, hi] are the half-open [lo, hi + 1).
  const at = (read: number, offset: number): Atom => ({ read, offset, lo, hi: hi + 1, negate });
  // floor(ms / MINUTE) ∈ [lo, hi]  ⇔  ms ∈ [lo·MINUTE, (hi+1)·MINUTE), for any ms.
  const minutes = (read: number): Atom => ({
    read,
    offset: 0,
    lo: lo * MINUTE,
    hi: (hi + 1) * MINUTE,
    negate,
  });
  switch (expr.left.fn) {
    case "solves":
      return at(READ.counter, layout.solves);
    case "score":
      return at(READ.counter, layout.score);
    case "solves_in_round":
      return at(READ.counter, layout.roundSolves + arg);
    case "solves_with_tag":
      return at(READ.counter, layout.tagSolves + arg);
    case "wrong_guesses":
      return at(READ.puzzleCounter, layout.wrongGuesses);
    case "route_position":
      return at(READ.counter, layout.routePosition + arg);
    case "route_progress":
      return at(READ.counter, layout.routeProgress + arg);
    case "minutes":
      return minutes(READ.huntMs);
    case "minutes_since_unlock":
      return minutes(READ.unlockMs);
    default:
      return undefined;
  }
}

/**
 * Reads an atom's value, for the fused closures below. Its case labels are
 * literals (the values of READ) so that the switch is a jump table.
 */
function read(s: RuleState, p: number, kind: number, offset: number): number {
  switch (kind) {
    case 0: // READ.counter
      return s.counts[offset]!;
    case 1: // READ.puzzleCounter
      return s.counts[offset + p]!;
    case 2: // READ.now
      return s.now;
    case 3: // READ.huntMs
      return s.now - s.huntStart;
    default: // READ.unlockMs: NaN while the puzzle is locked, in no range
      return s.now - s.unlockedAt[p]!;
  }
}

/**
 * `atom and atom` / `atom or atom`, the commonest rule shapes, as one closure
 * with no nested calls. Besides the calls saved, it keeps the number of
 * distinct closure bodies at the engine's call site small, which JSC handles
 * far better than a megamorphic site (bench/rules_bench.ts).
 */
function fusedCondition(op: "and" | "or", a: Atom, b: Atom): Condition {
  const { read: ka, offset: oa, lo: la, hi: ha, negate: na } = a;
  const { read: kb, offset: ob, lo: lb, hi: hb, negate: nb } = b;
  if (op === "and") {
    return (s, p) => {
      const x = read(s, p, ka, oa);
      if ((x >= la && x < ha) === na) return false;
      const y = read(s, p, kb, ob);
      return (y >= lb && y < hb) !== nb;
    };
  }
  return (s, p) => {
    const x = read(s, p, ka, oa);
    if ((x >= la && x < ha) !== na) return true;
    const y = read(s, p, kb, ob);
    return (y >= lb && y < hb) !== nb;
  };
}

/** An atom as one closure specialized to how it reads: no dispatch at evaluation time. */
function atomCondition(a: Atom): Condition {
  const { offset: o, lo, hi } = a;
  switch (a.read) {
    case READ.counter:
      return a.negate
        ? (s) => !(s.counts[o]! >= lo && s.counts[o]! < hi)
        : (s) => s.counts[o]! >= lo && s.counts[o]! < hi;
    case READ.puzzleCounter:
      return a.negate
        ? (s, p) => !(s.counts[o + p]! >= lo && s.counts[o + p]! < hi)
        : (s, p) => s.counts[o + p]! >= lo && s.counts[o + p]! < hi;
    case READ.now:
      return a.negate ? (s) => !(s.now >= lo && s.now < hi) : (s) => s.now >= lo && s.now < hi;
    case READ.huntMs:
      return a.negate
        ? (s) => !(s.now - s.huntStart >= lo && s.now - s.huntStart < hi)
        : (s) => s.now - s.huntStart >= lo && s.now - s.huntStart < hi;
    default:
      return a.negate
        ? (s, p) => !(s.now - s.unlockedAt[p]! >= lo && s.now - s.unlockedAt[p]! < hi)
        : (s, p) => s.now - s.unlockedAt[p]! >= lo && s.now - s.unlockedAt[p]! < hi;
  }
}

function bool(expr: Expr, layout: StateLayout): Condition {
  const atom = atomOf(expr, layout);
  if (atom) return atomCondition(atom);
  if (expr.kind === "logic") {
    const left = atomOf(expr.left, layout);
    const right = atomOf(expr.right, layout);
    if (left && right) return fusedCondition(expr.op, left, right);
  }
  // The general case: one closure per node, calling its children.
  switch (expr.kind) {
    case "const": {
      const value = expr.value as boolean;
      return () => value;
    }
    case "not": {
      const operand = bool(expr.operand, layout);
      return (s, p) => !operand(s, p);
    }
    case "logic": {
      const left = bool(expr.left, layout);
      const right = bool(expr.right, layout);
      return expr.op === "and"
        ? (s, p) => left(s, p) && right(s, p)
        : (s, p) => left(s, p) || right(s, p);
    }
    case "compare":
      return expr.left.type === "bool"
        ? compareBool(expr.op, bool(expr.left, layout), bool(expr.right, layout))
        : compareInt(expr.op, int(expr.left, layout), int(expr.right, layout));
    case "call": {
      // Every other condition call is an atom.
      if (expr.fn !== "hint_taken") throw new Error(`Bug: ${expr.fn}() is not an atom`);
      const hint = expr.arg;
      return (s, p) => s.taken.has(hintKey(p, hint));
    }
    case "negate":
    case "arith":
      throw new Error(`Bug: ${expr.kind} is not compiled as a condition here`);
  }
}

function compareBool(op: CompareOp, left: Condition, right: Condition): Condition {
  return op === "==" ? (s, p) => left(s, p) === right(s, p) : (s, p) => left(s, p) !== right(s, p);
}

function compareInt(op: CompareOp, left: IntFn, right: IntFn): Condition {
  switch (op) {
    case "==":
      return (s, p) => left(s, p) === right(s, p);
    case "!=":
      return (s, p) => left(s, p) !== right(s, p);
    case "<":
      return (s, p) => left(s, p) < right(s, p);
    case "<=":
      return (s, p) => left(s, p) <= right(s, p);
    case ">":
      return (s, p) => left(s, p) > right(s, p);
    case ">=":
      return (s, p) => left(s, p) >= right(s, p);
  }
}

function int(expr: Expr, layout: StateLayout): IntFn {
  switch (expr.kind) {
    case "const": {
      const value = expr.value as number;
      return () => value;
    }
    case "call":
      return intCall(expr, layout);
    case "negate": {
      const operand = int(expr.operand, layout);
      return (s, p) => -operand(s, p);
    }
    case "arith": {
      const left = int(expr.left, layout);
      const right = int(expr.right, layout);
      return expr.op === "+"
        ? (s, p) => left(s, p) + right(s, p)
        : (s, p) => left(s, p) - right(s, p);
    }
    case "not":
    case "logic":
    case "compare":
      throw new Error(`Bug: ${expr.kind} is not a number`);
  }
}

/** A number-valued function call, reading the state. */
function intCall(expr: Extract<Expr, { kind: "call" }>, layout: StateLayout): IntFn {
  const arg = expr.arg;
  switch (expr.fn) {
    case "solves":
    case "score":
    case "solves_in_round":
    case "solves_with_tag":
    case "route_position":
    case "route_progress": {
      const offset = expr.fn === "solves"
        ? layout.solves
        : expr.fn === "score"
        ? layout.score
        : expr.fn === "solves_in_round"
        ? layout.roundSolves + arg
        : expr.fn === "solves_with_tag"
        ? layout.tagSolves + arg
        : expr.fn === "route_position"
        ? layout.routePosition + arg
        : layout.routeProgress + arg;
      return (s) => s.counts[offset]!;
    }
    case "wrong_guesses": {
      const offset = layout.wrongGuesses;
      return (s, p) => s.counts[offset + p]!;
    }
    case "minutes":
      return (s) => Math.floor((s.now - s.huntStart) / MINUTE);
    case "minutes_since_unlock":
      // NaN (still locked) compares false with everything, as a locked puzzle's hint should.
      return (s, p) => Math.floor((s.now - s.unlockedAt[p]!) / MINUTE);
    default:
      throw new Error(`Bug: ${expr.fn}() is not a number`);
  }
}
