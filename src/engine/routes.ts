/**
 * Route generation: the order in which each team visits a route's stops.
 * Stops are numbered 0..n-1 in the order the hunt file lists them. The
 * constraints (a fixed first and last stop, `before` pairs, an ordered route)
 * are checked once at load (`routeConflicts`); a `RoutePlanner` then gives
 * team i its order, deterministically from the seed and i alone, spreading
 * teams so that as few as possible stand at the same stop at the same step.
 */
import { hashStrings, shuffled } from "./seed.ts";

/** A route's constraints, over stop numbers (positions in the listed `stops`). */
export interface RouteConstraints {
  stops: number;
  /** Every team takes the stops in the listed order. */
  ordered: boolean;
  first?: number;
  last?: number;
  /** `[a, b]`: a comes before b. */
  before: readonly (readonly [number, number])[];
  /** Spread teams out (false: each team gets an independent seeded random order). */
  spread: boolean;
}

/** Why no order satisfies a route's constraints, and which key to blame. */
export interface RouteConflict {
  message: string;
  key: "first" | "last" | "before";
  /** For `before`: the pair to blame. */
  index?: number;
}

/** How a planner builds orders, for `cairn check --routes` and the docs. */
export type PlanMethod = "ordered" | "rotation" | "search" | "random";

/** How many steps one bound of the backtracking search may take before it gives up on that bound. */
const SEARCH_BUDGET = 4_000;

/** Every reason the constraints cannot all hold; empty when some order satisfies them. */
export function routeConflicts(
  c: RouteConstraints,
  names: readonly string[],
): RouteConflict[] {
  const name = (stop: number) => `"${names[stop]}"`;
  const conflicts: RouteConflict[] = [];
  if (c.first !== undefined && c.first === c.last && c.stops > 1) {
    conflicts.push({
      key: "last",
      message: `${name(c.first)} cannot be both the first and the last stop`,
    });
  }
  if (c.ordered && c.first !== undefined && c.first !== 0) {
    conflicts.push({
      key: "first",
      message: `The route is ordered, so its first stop is ${name(0)} (listed first), not ${
        name(c.first)
      }`,
    });
  }
  if (c.ordered && c.last !== undefined && c.last !== c.stops - 1) {
    conflicts.push({
      key: "last",
      message: `The route is ordered, so its last stop is ${name(c.stops - 1)} (listed last), not ${
        name(c.last)
      }`,
    });
  }
  // Pairs that are wrong on their own.
  const sound: number[] = [];
  c.before.forEach(([a, b], index) => {
    const conflict = (message: string) => conflicts.push({ key: "before", index, message });
    if (a === b) conflict(`A stop cannot come before itself (${name(a)})`);
    else if (b === c.first) {
      conflict(`${name(b)} is the first stop, so ${name(a)} cannot come before it`);
    } else if (a === c.last) {
      conflict(`${name(a)} is the last stop, so it cannot come before ${name(b)}`);
    } else if (c.ordered && a > b) {
      conflict(`The route is ordered and lists ${name(b)} before ${name(a)}`);
    } else sound.push(index);
  });
  // The remaining pairs must be acyclic: a depth-first search finds a cycle if there is one.
  const cycle = findCycle(c.stops, sound.map((index) => c.before[index]!));
  if (cycle !== undefined) {
    // Blame the pair, among those on the cycle, written last in the file.
    const onCycle = cycle.edges.map((edge) => sound[edge]!);
    conflicts.push({
      key: "before",
      index: Math.max(...onCycle),
      message: `These "before" pairs form a cycle, so no order satisfies them: ${
        [...cycle.stops, cycle.stops[0]!].map(name).join(" → ")
      }`,
    });
  }
  return conflicts;
}

/** One cycle in a directed graph, as its stops and the indices of its edges; undefined if acyclic. */
function findCycle(
  n: number,
  edges: readonly (readonly [number, number])[],
): { stops: number[]; edges: number[] } | undefined {
  const out: [number, number][][] = Array.from({ length: n }, () => []);
  edges.forEach(([a, b], i) => out[a]!.push([b, i]));
  // 0: unvisited, 1: on the current path, 2: done.
  const color = new Uint8Array(n);
  const pathStops: number[] = [];
  const pathEdges: number[] = [];
  const visit = (v: number): { stops: number[]; edges: number[] } | undefined => {
    color[v] = 1;
    pathStops.push(v);
    for (const [w, edge] of out[v]!) {
      if (color[w] === 1) {
        const from = pathStops.indexOf(w);
        return { stops: pathStops.slice(from), edges: [...pathEdges.slice(from), edge] };
      }
      if (color[w] === 0) {
        pathEdges.push(edge);
        const found = visit(w);
        if (found) return found;
        pathEdges.pop();
      }
    }
    pathStops.pop();
    color[v] = 2;
    return undefined;
  };
  for (let v = 0; v < n; v++) {
    if (color[v] === 0) {
      const found = visit(v);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Gives each team its order of a route's stops. Orders depend only on the
 * constraints, the seed and the team's registration index, so the same hunt
 * file gives every team the same order on every start; the planner keeps the
 * orders it generated, as the search method needs the earlier teams' ones.
 * The constraints must have no conflicts (`routeConflicts`).
 */
export class RoutePlanner {
  readonly method: PlanMethod;
  private readonly c: RouteConstraints;
  private readonly seed: number;
  /** The stops other than a fixed first and last: the ones an order arranges. */
  private readonly middle: readonly number[];
  /** For each stop, the middle stops that must come directly before it, and after it. */
  private readonly preds: readonly number[][];
  private readonly succs: readonly number[][];
  /**
   * For each middle stop, the first and last step (within the middle) it can
   * take at all: after all its ancestors, before all its descendants.
   */
  private readonly windows: { earliest: Int32Array; latest: Int32Array };
  private readonly plans: number[][] = [];
  /** Rotation: the base order of each block of `middle.length` teams. */
  private readonly bases = new Map<number, number[]>();
  /** Search: how many of the planned teams stand at stop s at step k, at `k * stops + s`. */
  private readonly load: Int32Array;
  /** The step of the first middle stop: 1 after a fixed first stop, else 0. */
  private readonly offset: number;

  constructor(constraints: RouteConstraints, seed: string) {
    this.c = constraints;
    this.seed = hashStrings(seed);
    const n = constraints.stops;
    this.middle = Array.from({ length: n }, (_, s) => s).filter((s) =>
      s !== constraints.first && s !== constraints.last
    );
    const preds: number[][] = Array.from({ length: n }, () => []);
    for (const [a, b] of constraints.before) {
      // Pairs with a fixed first or last stop hold by placement alone; a repeated pair counts once.
      if (a !== constraints.first && b !== constraints.last && !preds[b]!.includes(a)) {
        preds[b]!.push(a);
      }
    }
    this.preds = preds;
    const succs: number[][] = Array.from({ length: n }, () => []);
    preds.forEach((list, b) => list.forEach((a) => succs[a]!.push(b)));
    this.succs = succs;
    this.windows = stepWindows(this.middle, preds, succs, n);
    this.load = new Int32Array(n * n);
    this.offset = constraints.first !== undefined ? 1 : 0;
    if (constraints.ordered) this.method = "ordered";
    else if (!constraints.spread) this.method = "random";
    else {
      // A cyclic shift of a base order is a Latin-square rotation: the teams of
      // one block of m stand at m different stops at every step. It is usable
      // only if every shift of the base order keeps every `before` pair.
      const base = this.baseOrder(0);
      const m = base.length;
      let every = true;
      for (let shift = 0; shift < m && every; shift++) every = this.keeps(rotate(base, shift));
      this.method = every ? "rotation" : "search";
    }
  }

  /** The order of stops for the team registered `team`-th (from 0). */
  orderFor(team: number): readonly number[] {
    while (this.plans.length <= team) this.plans.push(this.plan(this.plans.length));
    return this.plans[team]!;
  }

  /** The orders of the first `teams` teams. */
  ordersFor(teams: number): (readonly number[])[] {
    return Array.from({ length: teams }, (_, team) => this.orderFor(team));
  }

  private plan(team: number): number[] {
    const { first, last } = this.c;
    let middle: number[];
    switch (this.method) {
      case "ordered":
        return Array.from({ length: this.c.stops }, (_, s) => s);
      case "random":
        middle = this.topological(
          shuffled(this.c.stops, hashStrings(String(this.seed), "team", String(team))),
        );
        break;
      case "rotation": {
        // Team i takes shift i mod m of its block's base order; each block of m
        // teams has its own seeded base, so teams m apart do not share an order.
        const m = this.middle.length;
        const block = m === 0 ? 0 : Math.floor(team / m);
        middle = rotate(this.baseOrder(block), m === 0 ? 0 : team % m);
        break;
      }
      case "search":
        middle = this.search(team);
        for (let k = 0; k < middle.length; k++) {
          this.load[(k + this.offset) * this.c.stops + middle[k]!]!++;
        }
        break;
    }
    return [
      ...(first !== undefined ? [first] : []),
      ...middle,
      ...(last !== undefined && last !== first ? [last] : []),
    ];
  }

  /** A block's seeded base order: a topological order of the middle stops. */
  private baseOrder(block: number): number[] {
    let base = this.bases.get(block);
    if (base === undefined) {
      base = this.topological(
        shuffled(this.c.stops, hashStrings(String(this.seed), "block", String(block))),
      );
      this.bases.set(block, base);
    }
    return base;
  }

  /**
   * The search method, for routes whose `before` pairs rule out a rotation.
   * Each team in turn takes the order that keeps the crowding lowest given the
   * earlier teams' orders (`load`): the smallest bound L such that some order
   * keeping every pair puts the team, at every step, on a stop fewer than L
   * earlier teams stand at on that step.
   *
   * 1. Two quick orders give an upper bound: a greedy one (step by step, of
   *    the stops whose predecessors are placed, the least loaded at that step,
   *    ties by a seeded per-team ranking), and the rotation the team would get
   *    without pairs, repaired into a topological order. Taking only ready
   *    stops keeps every pair, and never dead-ends, as the pairs are acyclic.
   * 2. Every step must be on some stop, so L is at least one more than the
   *    least load of each step: the lower bound.
   * 3. From the lower bound up to the quick orders' bound, a depth-first
   *    search tries to place the stops under the bound, most constrained
   *    first: the stop with the fewest steps left that can still take it
   *    (under the bound, before all its descendants), then the least loaded.
   *    It drops a branch that leaves some stop with no such step, and a set
   *    of placed stops that failed once is not tried again (the step is its
   *    size). Each bound gets a fixed budget of steps, so the result is
   *    deterministic and the time bounded; when no bound below the quick
   *    orders' is found, the better quick order stands.
   */
  private search(team: number): number[] {
    const n = this.c.stops;
    const rank = rankOf(shuffled(n, hashStrings(String(this.seed), "team", String(team))));
    const { earliest, latest } = this.windows;
    // Candidates are tried least loaded first, then by the team's ranking.
    const middle = [...this.middle].sort((a, b) => rank[a]! - rank[b]!);
    const m = middle.length;
    const load = (k: number, s: number) => this.load[(k + this.offset) * n + s]!;
    const better = (k: number, s: number, t: number) =>
      load(k, s) - load(k, t) || rank[s]! - rank[t]!;

    // 1. Two quick orders; the less crowding one gives the upper bound.
    //    (a) Greedy: step by step, the least loaded ready stop.
    const greedy: number[] = [];
    const waiting = this.waitingCounts();
    for (let k = 0; k < m; k++) {
      let best = -1;
      for (const s of middle) {
        if (waiting[s] === 0 && (best === -1 || better(k, s, best) < 0)) best = s;
      }
      this.place(best, waiting);
      greedy.push(best);
    }
    //    (b) The rotation the team would get without pairs, repaired: a
    //    topological order that takes the ready stop the rotation puts first,
    //    so each stop stays near its Latin-square step.
    const block = Math.floor(team / m);
    const ideal = rotate(this.baseOrder(block), team % m);
    const repaired = this.topological(ideal);
    const cost = (order: readonly number[]) => {
      let most = 0;
      let total = 0;
      order.forEach((s, k) => {
        most = Math.max(most, load(k, s));
        total += load(k, s);
      });
      return { bound: most + 1, total };
    };
    const [a, b] = [cost(greedy), cost(repaired)];
    const [quick, greedyBound] = a.bound < b.bound || (a.bound === b.bound && a.total <= b.total)
      ? [greedy, a.bound]
      : [repaired, b.bound];

    // 2. The lower bound: each step needs a stop that can stand there at all.
    let lower = 1;
    for (let k = 0; k < m; k++) {
      let least = Infinity;
      for (const s of middle) {
        if (earliest[s]! <= k && k <= latest[s]!) least = Math.min(least, load(k, s));
      }
      lower = Math.max(lower, least + 1);
    }

    // 3. The bounded search, from the lower bound up.
    for (let bound = lower; bound < greedyBound; bound++) {
      const found = this.underBound(middle, bound, load, better);
      if (found !== undefined) return found;
    }
    return quick;
  }

  /** An order of `middle` keeping every pair with every step's load below `bound`, if found in budget. */
  private underBound(
    middle: readonly number[],
    bound: number,
    load: (k: number, s: number) => number,
    better: (k: number, s: number, t: number) => number,
  ): number[] | undefined {
    const m = middle.length;
    const { earliest, latest } = this.windows;
    const waiting = this.waitingCounts();
    const order: number[] = [];
    // The set of placed stops fixes the step, so a set that failed fails again.
    // It is kept as a bit set over the middle stops, 52 to a word (exact in a double).
    const word = new Int32Array(this.c.stops);
    const bit = new Float64Array(this.c.stops);
    middle.forEach((s, i) => {
      word[s] = Math.floor(i / 52);
      bit[s] = 2 ** (i % 52);
    });
    const words = new Float64Array(Math.max(1, Math.ceil(m / 52)));
    const keyOf = (): number | string => (words.length === 1 ? words[0]! : words.join(","));
    const failed = new Set<number | string>();
    // room(s, k): how many steps from k on can still take stop s under the bound
    // (within its window), from prefix counts: the most constrained stop goes first.
    const n = this.c.stops;
    const prefix = new Int32Array(n * (m + 1));
    for (const s of middle) {
      for (let j = 0; j < m; j++) {
        const fits = load(j, s) < bound && earliest[s]! <= j && j <= latest[s]!;
        prefix[s * (m + 1) + j + 1] = prefix[s * (m + 1) + j]! + (fits ? 1 : 0);
      }
    }
    const room = (s: number, k: number) =>
      prefix[s * (m + 1) + latest[s]! + 1]! - prefix[s * (m + 1) + Math.min(k, latest[s]! + 1)]!;
    let budget = SEARCH_BUDGET;
    const visit = (k: number): boolean | undefined => {
      if (k === m) return true;
      if (failed.has(keyOf())) return false;
      // A stop with no step left that can take it dooms this branch.
      for (const s of middle) if (waiting[s]! >= 0 && room(s, k) === 0) return false;
      const candidates = middle.filter((s) => waiting[s] === 0 && load(k, s) < bound)
        .sort((a, b) => room(a, k) - room(b, k) || better(k, a, b));
      for (const s of candidates) {
        if (--budget < 0) return undefined;
        this.place(s, waiting);
        order.push(s);
        words[word[s]!]! += bit[s]!;
        const result = visit(k + 1);
        if (result !== false) return result;
        words[word[s]!]! -= bit[s]!;
        order.pop();
        this.unplace(s, waiting);
      }
      failed.add(keyOf());
      return false;
    };
    return visit(0) === true ? order : undefined;
  }

  /** For each middle stop, how many of its predecessors are not placed yet (-1 once it is placed). */
  private waitingCounts(): Int32Array {
    const waiting = new Int32Array(this.c.stops).fill(-1);
    for (const s of this.middle) waiting[s] = this.preds[s]!.length;
    return waiting;
  }

  private place(stop: number, waiting: Int32Array): void {
    waiting[stop] = -1;
    for (const next of this.succs[stop]!) waiting[next]!--;
  }

  private unplace(stop: number, waiting: Int32Array): void {
    for (const next of this.succs[stop]!) waiting[next]!++;
    // It was placed once all its predecessors were, and they still are.
    waiting[stop] = 0;
  }

  /** The middle stops in a topological order, preferring lower `priority` ranks among ready stops. */
  private topological(priority: readonly number[]): number[] {
    // `priority` may list only the middle stops: rank by stop number over all of them.
    const rank = new Int32Array(this.c.stops);
    priority.forEach((s, k) => (rank[s] = k));
    const placed = new Uint8Array(this.c.stops);
    const order: number[] = [];
    while (order.length < this.middle.length) {
      let best = -1;
      for (const s of this.middle) {
        if (placed[s] === 1 || this.preds[s]!.some((p) => placed[p] === 0)) continue;
        if (best === -1 || rank[s]! < rank[best]!) best = s;
      }
      placed[best] = 1;
      order.push(best);
    }
    return order;
  }

  /** Whether a middle order keeps every `before` pair. */
  private keeps(middle: readonly number[]): boolean {
    const position = new Int32Array(this.c.stops);
    middle.forEach((s, k) => (position[s] = k));
    return middle.every((s) => this.preds[s]!.every((p) => position[p]! < position[s]!));
  }
}

/** Counts each middle stop's ancestors and descendants, to bound the steps it can take. */
function stepWindows(
  middle: readonly number[],
  preds: readonly number[][],
  succs: readonly number[][],
  n: number,
): { earliest: Int32Array; latest: Int32Array } {
  const reach = (start: number, next: readonly number[][]): number => {
    const seen = new Uint8Array(n);
    const stack = [...next[start]!];
    let count = 0;
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen[s] === 1) continue;
      seen[s] = 1;
      count++;
      stack.push(...next[s]!);
    }
    return count;
  };
  const earliest = new Int32Array(n);
  const latest = new Int32Array(n);
  for (const s of middle) {
    earliest[s] = reach(s, preds);
    latest[s] = middle.length - 1 - reach(s, succs);
  }
  return { earliest, latest };
}

function rotate(items: readonly number[], shift: number): number[] {
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** The inverse of a permutation: rank[item] = its position. */
function rankOf(permutation: readonly number[]): Int32Array {
  const rank = new Int32Array(permutation.length);
  permutation.forEach((item, k) => (rank[item] = k));
  return rank;
}

/**
 * The crowding of a set of orders: the most teams at one stop at one step.
 * Steps at a fixed first or last stop are left out (every team starts or ends
 * there by design), unless the route has no other steps.
 */
export function crowding(orders: readonly (readonly number[])[], c: RouteConstraints): number {
  const n = c.stops;
  const skipFirst = !c.ordered && c.first !== undefined && n > 2;
  const skipLast = !c.ordered && c.last !== undefined && n > 2;
  const counts = new Int32Array(n * n);
  let most = 0;
  for (const order of orders) {
    order.forEach((stop, step) => {
      if ((skipFirst && step === 0) || (skipLast && step === n - 1)) return;
      const count = ++counts[step * n + stop]!;
      if (count > most) most = count;
    });
  }
  return most;
}

/** Whether an order is a permutation of the route's stops that keeps every constraint. */
export function satisfies(order: readonly number[], c: RouteConstraints): boolean {
  if (order.length !== c.stops || new Set(order).size !== c.stops) return false;
  if (order.some((s) => !Number.isInteger(s) || s < 0 || s >= c.stops)) return false;
  if (c.ordered && order.some((s, k) => s !== k)) return false;
  if (c.first !== undefined && order[0] !== c.first) return false;
  if (c.last !== undefined && order[c.stops - 1] !== c.last) return false;
  const position = rankOf(order);
  return c.before.every(([a, b]) => position[a]! < position[b]!);
}
