import { crowding, type Hunt } from "../engine/mod.ts";
import {
  loadHuntFile,
  prerequisites,
  sortProblems,
  unlockGraph,
  unlockGraphDot,
} from "../hunt/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { formatReport, plural } from "./_hunt.ts";
import { EXIT, type Io } from "./_io.ts";

export const checkSpec: CommandSpec = {
  name: "check",
  summary: "Validate a hunt file and report every problem in it.",
  usage: "cairn check FILE [--graph | --dot] [--routes N] [--json]",
  options: {
    graph: { type: "boolean", help: "Also print the unlock graph as text" },
    dot: { type: "boolean", help: "Also print the unlock graph in Graphviz DOT" },
    routes: {
      type: "string",
      value: "N",
      help:
        "Also print the route order each of the first N teams would get, the crowding, and the variant counts",
    },
    json: { type: "boolean", help: "Print the result as JSON" },
  },
  positionals: { min: 1, max: 1, names: "FILE" },
  notes: [
    "Exits 0 when the file has no errors (warnings allowed), 1 when it has errors.",
    "Problems go to stderr when there are errors, to stdout otherwise; the graph goes to stdout.",
  ].join("\n"),
};

/** Validates a hunt file and prints every problem found, and the unlock graph when asked. */
export function check(values: Values, positionals: string[], io: Io): Promise<number> {
  if (values.graph === true && values.dot === true) {
    io.stderr("cairn check: give --graph or --dot, not both\n");
    return Promise.resolve(EXIT.usage);
  }
  let teams: number | undefined;
  if (typeof values.routes === "string") {
    teams = /^\d+$/.test(values.routes) ? Number(values.routes) : NaN;
    if (!(teams >= 1 && teams <= MAX_TEAMS)) {
      io.stderr(`cairn check: --routes needs a number of teams from 1 to ${MAX_TEAMS}\n`);
      return Promise.resolve(EXIT.usage);
    }
  }
  const file = positionals[0]!;
  const { hunt, problems } = loadHuntFile(file, { now: io.now?.() ?? Date.now() });
  const errors = problems.filter((p) => p.severity === "error").length;

  if (values.json === true) {
    const needs = hunt && (values.graph === true || values.dot === true)
      ? prerequisites(hunt)
      : undefined;
    const graph = hunt && needs && hunt.puzzles.map((puzzle) => ({
      id: puzzle.id,
      round: puzzle.round,
      unlock: puzzle.unlock?.source ?? null,
      needs: needs[puzzle.index]!,
    }));
    const result = {
      file,
      ok: errors === 0,
      errors,
      warnings: problems.length - errors,
      problems: sortProblems(problems),
      ...(graph && { graph }),
      ...(hunt && teams !== undefined && generation(hunt, teams)),
    };
    io.stdout(JSON.stringify(result, null, 2) + "\n");
    return Promise.resolve(errors > 0 ? EXIT.failure : EXIT.ok);
  }

  if (problems.length > 0) (errors > 0 ? io.stderr : io.stdout)(formatReport(problems));
  if (hunt) {
    if (values.graph === true) io.stdout(unlockGraph(hunt));
    else if (values.dot === true) io.stdout(unlockGraphDot(hunt));
    if (teams !== undefined) io.stdout(formatGeneration(generation(hunt, teams)));
    else if (values.graph === true || values.dot === true) {
      // The graph was the answer.
    } else if (problems.length === 0) {
      io.stdout(
        `${file}: ok (${plural(hunt.puzzles.length, "puzzle")} in ${
          plural(hunt.rounds.length, "round")
        })\n`,
      );
    }
  }
  return Promise.resolve(errors > 0 ? EXIT.failure : EXIT.ok);
}

const MAX_TEAMS = 10_000;

const METHODS = {
  ordered: "ordered: every team takes the listed order",
  rotation: "spread by rotation (a Latin square)",
  search: 'spread by a search ("before" pairs rule out a rotation)',
  random: "not spread: a seeded random order per team",
} as const;

/** What the first `teams` teams would get: route orders with their crowding, and variant counts. */
function generation(hunt: Hunt, teams: number) {
  return {
    teams,
    routes: hunt.routes.map((route) => {
      const orders = route.planner.ordersFor(teams);
      const c = route.constraints;
      // crowding() leaves out the steps at a fixed first or last stop (every team is there).
      const free = !c.ordered && c.stops > 2;
      return {
        id: route.id,
        method: route.planner.method,
        advance: route.advance,
        orders: orders.map((order) => order.map((slot) => hunt.puzzles[route.stops[slot]!]!.id)),
        crowding: crowding(orders, c),
        uncounted: [
          ...(free && c.first !== undefined ? ["first"] : []),
          ...(free && c.last !== undefined ? ["last"] : []),
        ],
        // Every team on one order: all of them at the same stop at every step.
        fixed_order_crowding: teams,
      };
    }),
    variants: hunt.puzzles.filter((p) => p.variants !== undefined).map((puzzle) => {
      const counts = puzzle.variants!.map(() => 0);
      for (let seq = 0; seq < teams; seq++) {
        counts[(puzzle.variantOffset + seq) % counts.length]!++;
      }
      return { puzzle: puzzle.id, teams_per_variant: counts };
    }),
  };
}

function formatGeneration(result: ReturnType<typeof generation>): string {
  const lines: string[] = [];
  if (result.routes.length === 0) lines.push("The hunt has no routes.");
  for (const route of result.routes) {
    const stops = route.orders[0]?.length ?? 0;
    lines.push(
      `route "${route.id}": ${plural(stops, "stop")}, ${METHODS[route.method]}, next stop on ${
        route.advance === "solve" ? "a solve" : "a check-in or a solve"
      }`,
    );
    const width = String(result.teams).length;
    route.orders.forEach((order, i) => {
      lines.push(`  team ${String(i + 1).padStart(width)}: ${order.join(" → ")}`);
    });
    const uncounted = route.uncounted.length === 0
      ? ""
      : `, not counting the fixed ${route.uncounted.join(" and ")} stop${
        route.uncounted.length > 1 ? "s" : ""
      }`;
    lines.push(
      `  crowding: at most ${plural(route.crowding, "team")} at one stop at one step${uncounted}` +
        ` (all teams on one fixed order: ${route.fixed_order_crowding})`,
    );
  }
  for (const variant of result.variants) {
    lines.push(
      `puzzle "${variant.puzzle}": ${variant.teams_per_variant.length} variants, teams per variant: ${
        variant.teams_per_variant.join(", ")
      }`,
    );
  }
  return lines.join("\n") + "\n";
}
