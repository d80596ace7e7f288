// Route generation: the orders of 500 teams over a 30-stop route, built from
// a fresh planner each time, for each way the planner can work: a rotation
// (no "before" pairs), the bounded search (pairs rule out a rotation), and
// independent seeded orders (spread = false).
import { bench, do_not_optimize, run, summary } from "mitata";
import { crowding, type RouteConstraints, RoutePlanner } from "../src/engine/mod.ts";

const STOPS = 30;
const TEAMS = 500;
const shapes: Record<string, RouteConstraints> = {
  rotation: { stops: STOPS, ordered: false, first: 0, before: [], spread: true },
  search: {
    stops: STOPS,
    ordered: false,
    first: 0,
    last: STOPS - 1,
    before: [[1, 2], [3, 4], [5, 6], [2, 20], [7, 28]],
    spread: true,
  },
  random: { stops: STOPS, ordered: false, first: 0, before: [[1, 2], [3, 4]], spread: false },
};

for (const [name, c] of Object.entries(shapes)) {
  const orders = new RoutePlanner(c, "bench").ordersFor(TEAMS);
  console.log(
    `${name}: crowding ${crowding(orders, c)} for ${TEAMS} teams (one fixed order: ${TEAMS})`,
  );
}

summary(() => {
  bench(
    `$shape: ${TEAMS} teams × ${STOPS} stops`,
    function* (state: { get(name: string): unknown }) {
      const c = shapes[state.get("shape") as string]!;
      yield () => do_not_optimize(new RoutePlanner(c, "bench").ordersFor(TEAMS));
    },
  ).args("shape", Object.keys(shapes));
});

// A benchmark that throws fails the suite (mitata would print the error and exit 0).
await run({ throw: true });
