// Route generation, by property: random constraint sets (made satisfiable by
// construction, or broken on purpose), and every order the planner gives
// checked against every constraint.
import { describe, expect, test } from "bun:test";
import {
  crowding,
  routeConflicts,
  type RouteConstraints,
  RoutePlanner,
  satisfies,
} from "../../src/engine/mod.ts";
import { seededRandom } from "../../src/engine/seed.ts";

const names = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);

/** A random satisfiable constraint set: every constraint agrees with one hidden order. */
function randomConstraints(random: ReturnType<typeof seededRandom>): RouteConstraints {
  const n = 1 + random.below(12);
  const ordered = random.below(6) === 0;
  const hidden = Array.from({ length: n }, (_, i) => i);
  if (!ordered) {
    for (let i = n - 1; i > 0; i--) {
      const j = random.below(i + 1);
      [hidden[i], hidden[j]] = [hidden[j]!, hidden[i]!];
    }
  }
  const position = new Map(hidden.map((stop, k) => [stop, k]));
  const before: [number, number][] = [];
  const pairs = random.below(Math.min(8, n));
  for (let p = 0; p < pairs && n > 1; p++) {
    const a = random.below(n);
    const b = random.below(n);
    if (a === b) continue;
    before.push(position.get(a)! < position.get(b)! ? [a, b] : [b, a]);
  }
  const fixFirst = ordered ? random.below(2) === 0 : random.below(3) === 0;
  const fixLast = n > 1 && (ordered ? random.below(2) === 0 : random.below(3) === 0);
  return {
    stops: n,
    ordered,
    ...(fixFirst && { first: hidden[0]! }),
    ...(fixLast && { last: hidden[n - 1]! }),
    before,
    spread: random.below(4) !== 0,
  };
}

describe("RoutePlanner on random constraint sets", () => {
  const random = seededRandom(20261121);
  const cases = Array.from({ length: 300 }, () => randomConstraints(random));

  test("every satisfiable set has no conflicts, and every order keeps every constraint", () => {
    for (const c of cases) {
      expect(routeConflicts(c, names(c.stops))).toEqual([]);
      const teams = 1 + random.below(40);
      const orders = new RoutePlanner(c, "seed").ordersFor(teams);
      for (const order of orders) {
        if (!satisfies(order, c)) throw new Error(`${JSON.stringify(c)} gave ${order}`);
      }
    }
  });

  test("the same seed gives the same orders, however they are asked for", () => {
    for (const c of cases.slice(0, 100)) {
      const all = new RoutePlanner(c, "harbor-2026").ordersFor(25);
      const again = new RoutePlanner(c, "harbor-2026");
      // Asking for team 24 first must not change what team 24 gets.
      expect(again.orderFor(24)).toEqual(all[24]!);
      expect(again.ordersFor(25)).toEqual(all);
    }
  });

  test("another seed gives other orders", () => {
    const c: RouteConstraints = { stops: 8, ordered: false, before: [], spread: false };
    const a = new RoutePlanner(c, "one").ordersFor(10);
    const b = new RoutePlanner(c, "two").ordersFor(10);
    expect(a).not.toEqual(b);
  });

  test("spread never crowds more than one fixed order does, and rotation is optimal", () => {
    for (const c of cases) {
      if (c.ordered || !c.spread) continue;
      const teams = 1 + random.below(60);
      const planner = new RoutePlanner(c, "seed");
      const orders = planner.ordersFor(teams);
      const most = crowding(orders, c);
      expect(most).toBeLessThanOrEqual(teams);
      if (planner.method === "rotation") {
        const free = c.stops - (c.first !== undefined ? 1 : 0) -
          (c.last !== undefined && c.last !== c.first ? 1 : 0);
        const counted = c.stops > 2 ? Math.max(free, 1) : c.stops;
        // A Latin square per block of m teams: ceil(teams / m) at most, when ends are not counted.
        if (c.stops > 2) expect(most).toBe(Math.ceil(teams / counted));
      }
    }
  });
});

describe("RoutePlanner methods", () => {
  test("a free route with no pairs is a rotation: 6 teams on 6 stops never meet", () => {
    const c: RouteConstraints = { stops: 6, ordered: false, before: [], spread: true };
    const planner = new RoutePlanner(c, "seed");
    expect(planner.method).toBe("rotation");
    expect(crowding(planner.ordersFor(6), c)).toBe(1);
    expect(crowding(planner.ordersFor(13), c)).toBe(3);
  });

  test("pairs rule out the rotation; the search reaches the bound the pairs allow", () => {
    // 8 stops, first and last fixed, library (2) before museum (6): the museum can
    // never be at the first free step, so 12 teams share 5 steps there: 3 at best.
    const c: RouteConstraints = {
      stops: 8,
      ordered: false,
      first: 0,
      last: 7,
      before: [[2, 6]],
      spread: true,
    };
    const planner = new RoutePlanner(c, "old-town-2026");
    expect(planner.method).toBe("search");
    const orders = planner.ordersFor(12);
    expect(crowding(orders, c)).toBe(3);
    expect(crowding(Array.from({ length: 12 }, () => orders[0]!), c)).toBe(12);
  });

  test("an ordered route gives every team the listed order", () => {
    const c: RouteConstraints = { stops: 4, ordered: true, before: [[0, 3]], spread: true };
    const planner = new RoutePlanner(c, "seed");
    expect(planner.method).toBe("ordered");
    expect(planner.ordersFor(3)).toEqual([[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]]);
  });

  test("500 teams over 30 stops with pairs: every order valid, crowding near the bound", () => {
    const before: [number, number][] = [[1, 2], [3, 4], [5, 6], [2, 20], [7, 28]];
    const c: RouteConstraints = { stops: 30, ordered: false, first: 0, before, spread: true };
    const planner = new RoutePlanner(c, "big");
    const orders = planner.ordersFor(500);
    for (const order of orders) expect(satisfies(order, c)).toBe(true);
    // Five stops must follow another, so only 24 stops can take the first free
    // step: 21 teams at one stop there at best (ceil(500 / 24)), which the search
    // reaches (a pure greedy gives 86).
    expect(crowding(orders, c)).toBe(21);
  });
});

describe("routeConflicts()", () => {
  const table: [string, Partial<RouteConstraints>, string[]][] = [
    ["a cycle of pairs", { before: [[0, 1], [1, 2], [2, 0]] }, [
      'before[2]: These "before" pairs form a cycle, so no order satisfies them: "s0" → "s1" → "s2" → "s0"',
    ]],
    ["a stop before itself", { before: [[1, 1]] }, [
      'before[0]: A stop cannot come before itself ("s1")',
    ]],
    ["a stop before the first", { first: 0, before: [[2, 0]] }, [
      'before[0]: "s0" is the first stop, so "s2" cannot come before it',
    ]],
    ["the last before a stop", { last: 3, before: [[3, 1]] }, [
      'before[0]: "s3" is the last stop, so it cannot come before "s1"',
    ]],
    ["first and last the same", { first: 2, last: 2 }, [
      'last: "s2" cannot be both the first and the last stop',
    ]],
    ["an ordered route against its list", { ordered: true, before: [[2, 1]] }, [
      'before[0]: The route is ordered and lists "s1" before "s2"',
    ]],
    ["an ordered route with another first", { ordered: true, first: 1 }, [
      'first: The route is ordered, so its first stop is "s0" (listed first), not "s1"',
    ]],
  ];
  for (const [what, partial, expected] of table) {
    test(`reports ${what}`, () => {
      const c: RouteConstraints = {
        stops: 4,
        ordered: false,
        before: [],
        spread: true,
        ...partial,
      };
      const found = routeConflicts(c, names(4)).map((conflict) =>
        `${conflict.key}${
          conflict.index === undefined ? "" : `[${conflict.index}]`
        }: ${conflict.message}`
      );
      expect(found).toEqual(expected);
    });
  }

  test("random sets with a reversed pair added are always reported", () => {
    const random = seededRandom(7);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const c = randomConstraints(random);
      const pair = c.before[0];
      if (pair === undefined || c.ordered) continue;
      const broken = { ...c, before: [...c.before, [pair[1], pair[0]] as [number, number]] };
      expect(routeConflicts(broken, names(c.stops)).length).toBeGreaterThan(0);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });
});
