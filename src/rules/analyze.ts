/**
 * Static analysis of a hunt's unlock rules: which puzzles can never unlock,
 * and why. A puzzle is reachable when its rule could be true given only the
 * puzzles already known reachable; the least fixpoint of that is computed with
 * a worklist. Each rule is judged by an over-approximation (can each part be
 * true, can it be false, what range can each number take), so a reported
 * puzzle really can never unlock, while some contradictions inside a single
 * rule may go unreported.
 */
import type { Span } from "./ast.ts";
import type { Expr } from "./checker.ts";

export interface AnalysisPuzzle {
  id: string;
  round: number;
  tags: readonly number[];
  /** The checked unlock rule, or undefined for a puzzle open from the start. */
  unlock?: Expr;
}

export interface AnalysisInput {
  puzzles: readonly AnalysisPuzzle[];
  rounds: readonly string[];
  tags: readonly string[];
  startsAt?: number;
  endsAt?: number;
  /** ends_at as the organizer wrote it, for messages. */
  endsAtText?: string;
  /** Each route's id and stops (puzzle indices), for the ranges of the route functions. */
  routes?: readonly { id: string; stops: readonly number[] }[];
}

/** Why a puzzle can never unlock, pointing at the part of its rule to blame. */
export interface Blocked {
  puzzle: number;
  kind: "cycle" | "never";
  message: string;
  span?: Span;
}

export interface Analysis {
  /** `[a, b]` where a's unlock rule uses `solved(b)`. */
  edges: [number, number][];
  reachable: Uint8Array;
  blocked: Blocked[];
}

interface Possible {
  t: boolean;
  f: boolean;
}
interface Range {
  lo: number;
  hi: number;
}
interface Env {
  reach: Uint8Array;
  total: number;
  roundCounts: Int32Array;
  tagCounts: Int32Array;
  maxMinutes: number;
  startsAt?: number;
  endsAt?: number;
  /** Stops per route, and the size of the route each puzzle is a stop of (0: none). */
  routeSizes: readonly number[];
  stopRouteSize: Int32Array;
}

const MINUTE = 60_000;

/** Finds every puzzle that can never unlock, and the unlock graph's edges. */
export function analyze(input: AnalysisInput): Analysis {
  const n = input.puzzles.length;
  const env: Env = {
    reach: new Uint8Array(n),
    total: 0,
    roundCounts: new Int32Array(input.rounds.length),
    tagCounts: new Int32Array(input.tags.length),
    // The hunt runs while the clock is before its end: the last minute is the one that ends there.
    maxMinutes: input.startsAt !== undefined && input.endsAt !== undefined
      ? Math.max(0, Math.ceil((input.endsAt - input.startsAt) / MINUTE) - 1)
      : Infinity,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    routeSizes: (input.routes ?? []).map((route) => route.stops.length),
    stopRouteSize: new Int32Array(n),
  };
  for (const route of input.routes ?? []) {
    for (const stop of route.stops) env.stopRouteSize[stop] = route.stops.length;
  }

  // Index who must be looked at again when a puzzle becomes reachable.
  const edges: [number, number][] = [];
  const solvedUsers: number[][] = Array.from({ length: n }, () => []);
  const roundUsers: number[][] = Array.from({ length: input.rounds.length }, () => []);
  const tagUsers: number[][] = Array.from({ length: input.tags.length }, () => []);
  const totalUsers: number[] = [];
  input.puzzles.forEach((puzzle, index) => {
    if (puzzle.unlock === undefined) return;
    walkCalls(puzzle.unlock, (call) => {
      if (call.fn === "solved") {
        edges.push([index, call.arg]);
        solvedUsers[call.arg]!.push(index);
      } else if (call.fn === "solves_in_round") roundUsers[call.arg]!.push(index);
      else if (call.fn === "solves_with_tag") tagUsers[call.arg]!.push(index);
      else if (call.fn === "solves") totalUsers.push(index);
    });
  });

  // Worklist: start with every puzzle; re-queue the users of whatever became reachable.
  const queue: number[] = input.puzzles.map((_, index) => index);
  const queued = new Uint8Array(n).fill(1);
  const enqueue = (index: number) => {
    if (env.reach[index] === 0 && queued[index] === 0) {
      queued[index] = 1;
      queue.push(index);
    }
  };
  while (queue.length > 0) {
    const index = queue.pop()!;
    queued[index] = 0;
    const puzzle = input.puzzles[index]!;
    if (puzzle.unlock !== undefined && !possible(puzzle.unlock, env).t) continue;
    env.reach[index] = 1;
    env.total++;
    env.roundCounts[puzzle.round]!++;
    for (const tag of puzzle.tags) env.tagCounts[tag]!++;
    for (const user of solvedUsers[index]!) enqueue(user);
    for (const user of roundUsers[puzzle.round]!) enqueue(user);
    for (const tag of puzzle.tags) for (const user of tagUsers[tag]!) enqueue(user);
    for (const user of totalUsers) enqueue(user);
  }

  return { edges, reachable: env.reach, blocked: explain(input, env, edges) };
}

/** Names a reason for each unreachable puzzle: a cycle once per cycle, otherwise the blocking part. */
function explain(input: AnalysisInput, env: Env, edges: [number, number][]): Blocked[] {
  const blocked: Blocked[] = [];
  const unreachable = (index: number) => env.reach[index] === 0;
  const inCycle = new Set<number>();
  for (
    const cycle of cyclesAmong(
      input.puzzles.length,
      edges.filter(([a, b]) => unreachable(a) && unreachable(b)),
    )
  ) {
    for (const index of cycle) inCycle.add(index);
    const first = cycle[0]!;
    const path = [...cycle, first].map((index) => input.puzzles[index]!.id).join(" → ");
    const target = input.puzzles[cycle[1] ?? first]!.id;
    blocked.push({
      puzzle: first,
      kind: "cycle",
      message: `Unlock cycle: ${path}, and no way through the rule avoids it`,
      span: findCall(
        input.puzzles[first]!.unlock!,
        (call) => call.fn === "solved" && input.puzzles[call.arg]!.id === target,
      )
        ?.span,
    });
  }
  input.puzzles.forEach((puzzle, index) => {
    if (!unreachable(index) || inCycle.has(index) || puzzle.unlock === undefined) return;
    const atom = blockingAtom(puzzle.unlock, env);
    blocked.push({
      puzzle: index,
      kind: "never",
      message: describe(atom, input, env),
      span: atom.span,
    });
  });
  return blocked.sort((a, b) => a.puzzle - b.puzzle);
}

/** Descends into a rule that cannot be true, to the first part that cannot be true. */
function blockingAtom(expr: Expr, env: Env): Expr {
  if (expr.kind === "logic") {
    if (expr.op === "and") {
      return blockingAtom(possible(expr.left, env).t ? expr.right : expr.left, env);
    }
    return blockingAtom(expr.left, env);
  }
  return expr;
}

function describe(atom: Expr, input: AnalysisInput, env: Env): string {
  const prefix = "Can never unlock: ";
  if (atom.kind === "const") return `${prefix}the rule is always false`;
  if (atom.kind === "call" && atom.fn === "solved") {
    return `${prefix}it needs puzzle "${input.puzzles[atom.arg]!.id}", which can never unlock`;
  }
  if (atom.kind === "call" && atom.fn === "after") {
    const end = input.endsAtText ?? new Date(env.endsAt!).toISOString();
    return `${prefix}this time is not before the hunt's end (ends_at ${end})`;
  }
  const count = findCall(
    atom,
    (call) =>
      [
        "solves_in_round",
        "solves_with_tag",
        "solves",
        "minutes",
        "route_position",
        "route_progress",
      ]
        .includes(call.fn),
  );
  if (count?.kind === "call") {
    switch (count.fn) {
      case "solves_in_round":
        return `${prefix}it needs more solves in round "${
          input.rounds[count.arg]
        }" than the other puzzles there can give (at most ${env.roundCounts[count.arg]})`;
      case "solves_with_tag":
        return `${prefix}it needs more solves with tag "${
          input.tags[count.arg]
        }" than the other puzzles with it can give (at most ${env.tagCounts[count.arg]})`;
      case "solves":
        return `${prefix}it needs more solves than the other puzzles can give (at most ${env.total})`;
      case "minutes":
        return `${prefix}minutes() is at most ${env.maxMinutes} before the hunt ends`;
      case "route_position":
        return `${prefix}route_position("${input.puzzles[count.arg]!.id}") is always 1 to ${
          env.stopRouteSize[count.arg]
        }, as its route has ${env.stopRouteSize[count.arg]} stops`;
      case "route_progress":
        return `${prefix}route "${input.routes![count.arg]!.id}" has only ${
          env.routeSizes[count.arg]
        } stops`;
    }
  }
  return `${prefix}this condition is never true`;
}

/** Whether an expression can be true, and whether it can be false. */
function possible(expr: Expr, env: Env): Possible {
  switch (expr.kind) {
    case "const":
      return { t: expr.value === true, f: expr.value === false };
    case "call":
      switch (expr.fn) {
        case "solved":
          return { t: env.reach[expr.arg] === 1, f: true };
        case "after":
          return {
            t: env.endsAt === undefined || expr.arg < env.endsAt,
            f: env.startsAt === undefined || expr.arg > env.startsAt,
          };
        default:
          return { t: true, f: true };
      }
    case "not": {
      const inner = possible(expr.operand, env);
      return { t: inner.f, f: inner.t };
    }
    case "logic": {
      const left = possible(expr.left, env);
      const right = possible(expr.right, env);
      return expr.op === "and"
        ? { t: left.t && right.t, f: left.f || right.f }
        : { t: left.t || right.t, f: left.f && right.f };
    }
    case "compare":
      return possibleCompare(expr, env);
    case "negate":
    case "arith":
      return { t: true, f: true };
  }
}

function possibleCompare(expr: Extract<Expr, { kind: "compare" }>, env: Env): Possible {
  if (expr.left.type === "bool") {
    const l = possible(expr.left, env);
    const r = possible(expr.right, env);
    const same = (l.t && r.t) || (l.f && r.f);
    const differ = (l.t && r.f) || (l.f && r.t);
    return expr.op === "==" ? { t: same, f: differ } : { t: differ, f: same };
  }
  const l = range(expr.left, env);
  const r = range(expr.right, env);
  switch (expr.op) {
    case "<":
      return { t: l.lo < r.hi, f: l.hi >= r.lo };
    case "<=":
      return { t: l.lo <= r.hi, f: l.hi > r.lo };
    case ">":
      return { t: l.hi > r.lo, f: l.lo <= r.hi };
    case ">=":
      return { t: l.hi >= r.lo, f: l.lo < r.hi };
    case "==":
    case "!=": {
      const overlap = l.lo <= r.hi && r.lo <= l.hi;
      const fixed = l.lo === l.hi && r.lo === r.hi && l.lo === r.lo;
      return expr.op === "==" ? { t: overlap, f: !fixed } : { t: !fixed, f: overlap };
    }
  }
}

/** The range of values a number can take. */
function range(expr: Expr, env: Env): Range {
  switch (expr.kind) {
    case "const":
      return { lo: expr.value as number, hi: expr.value as number };
    case "call":
      return callRange(expr, env);
    case "negate": {
      const inner = range(expr.operand, env);
      return { lo: -inner.hi, hi: -inner.lo };
    }
    case "arith": {
      const l = range(expr.left, env);
      const r = range(expr.right, env);
      return expr.op === "+"
        ? { lo: l.lo + r.lo, hi: l.hi + r.hi }
        : { lo: l.lo - r.hi, hi: l.hi - r.lo };
    }
    default:
      return { lo: -Infinity, hi: Infinity };
  }
}

type Call = Extract<Expr, { kind: "call" }>;

/** The range of values a counting function can return. */
function callRange(call: Call, env: Env): Range {
  switch (call.fn) {
    case "solves":
      return { lo: 0, hi: env.total };
    case "solves_in_round":
      return { lo: 0, hi: env.roundCounts[call.arg]! };
    case "solves_with_tag":
      return { lo: 0, hi: env.tagCounts[call.arg]! };
    case "minutes":
      return { lo: 0, hi: env.maxMinutes };
    case "minutes_since_unlock":
    case "wrong_guesses":
      return { lo: 0, hi: Infinity };
    case "route_position":
      return { lo: 1, hi: env.stopRouteSize[call.arg]! };
    case "route_progress":
      return { lo: 0, hi: env.routeSizes[call.arg]! };
    default:
      // score() moves with hints and manual adjustments: any value.
      return { lo: -Infinity, hi: Infinity };
  }
}

/**
 * Whether a rule can be true only once puzzle `puzzle` is solved or checked
 * in at: judged with `solved(puzzle)` and `checked_in(puzzle)` false and every
 * other part free, an over-approximation, so `true` means it really needs it.
 */
export function needsPuzzle(expr: Expr, puzzle: number): boolean {
  const can = (e: Expr): Possible => {
    switch (e.kind) {
      case "const":
        return { t: e.value === true, f: e.value === false };
      case "call":
        return (e.fn === "solved" || e.fn === "checked_in") && e.arg === puzzle
          ? { t: false, f: true }
          : { t: true, f: true };
      case "not": {
        const inner = can(e.operand);
        return { t: inner.f, f: inner.t };
      }
      case "logic": {
        const left = can(e.left);
        const right = can(e.right);
        return e.op === "and"
          ? { t: left.t && right.t, f: left.f || right.f }
          : { t: left.t || right.t, f: left.f && right.f };
      }
      default:
        return { t: true, f: true };
    }
  };
  return !can(expr).t;
}

/** Calls `visit` on every function call in an expression. */
export function walkCalls(expr: Expr, visit: (call: Call) => void): void {
  switch (expr.kind) {
    case "call":
      visit(expr);
      return;
    case "not":
    case "negate":
      walkCalls(expr.operand, visit);
      return;
    case "logic":
    case "compare":
    case "arith":
      walkCalls(expr.left, visit);
      walkCalls(expr.right, visit);
      return;
    case "const":
      return;
  }
}

function findCall(expr: Expr, match: (call: Call) => boolean): Call | undefined {
  let found: Call | undefined;
  walkCalls(expr, (call) => {
    if (found === undefined && match(call)) found = call;
  });
  return found;
}

/**
 * One cycle per strongly connected component that has one (Tarjan's
 * algorithm), each given as the path from its lowest index back to itself.
 */
function cyclesAmong(n: number, edges: [number, number][]): number[][] {
  const next: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) next[a]!.push(b);
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;

  const connect = (v: number) => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    for (const w of next[v]!) {
      if (index[w] === -1) {
        connect(w);
        low[v] = Math.min(low[v]!, low[w]!);
      } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
    }
    if (low[v] === index[v]) {
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next[v]!.includes(v)) components.push(component);
    }
  };
  for (const [a] of edges) if (index[a] === -1) connect(a);

  // Within each component, the shortest path from its lowest member back to it (BFS).
  return components.map((component) => {
    const members = new Set(component);
    const start = Math.min(...component);
    const parent = new Map<number, number>([[start, -1]]);
    const frontier = [start];
    for (let i = 0; i < frontier.length; i++) {
      const at = frontier[i]!;
      for (const w of next[at]!) {
        if (w === start) {
          const path: number[] = [];
          for (let v = at; v !== -1; v = parent.get(v)!) path.unshift(v);
          return path;
        }
        if (members.has(w) && !parent.has(w)) {
          parent.set(w, at);
          frontier.push(w);
        }
      }
    }
    return [start];
  }).sort((a, b) => a[0]! - b[0]!);
}
