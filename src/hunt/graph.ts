/**
 * The unlock graph for `cairn check --graph` (text) and `--dot` (Graphviz).
 * An arrow runs from a puzzle to the puzzles whose rules need it solved.
 */
import type { Hunt } from "../engine/model.ts";
import { walkCalls } from "../rules/mod.ts";

/** For each puzzle, the puzzles its unlock rule needs solved (`solved("…")`), each once. */
export function prerequisites(hunt: Hunt): string[][] {
  return hunt.puzzles.map((puzzle) => {
    const needs: string[] = [];
    if (puzzle.unlock) {
      walkCalls(puzzle.unlock.expr, (call) => {
        if (call.fn !== "solved") return;
        const id = hunt.puzzles[call.arg]!.id;
        if (!needs.includes(id)) needs.push(id);
      });
    }
    return needs;
  });
}

/** The graph as text, round by round: each puzzle, its rule, and what it needs solved. */
export function unlockGraph(hunt: Hunt): string {
  const needs = prerequisites(hunt);
  const opens = hunt.puzzles.map(() => [] as string[]);
  needs.forEach((list, i) => {
    for (const id of list) opens[hunt.puzzleIndex.get(id)!]!.push(hunt.puzzles[i]!.id);
  });
  const stops = routeStops(hunt);
  const width = Math.max(...hunt.puzzles.map((p) => p.id.length));
  const lines = [
    `Unlock graph of "${hunt.title}": ${plural(hunt.puzzles.length, "puzzle")}, ${
      plural(hunt.rounds.length, "round")
    }`,
  ];
  for (const round of hunt.rounds) {
    lines.push("", `round ${round}`);
    for (const puzzle of hunt.puzzles) {
      if (puzzle.round !== round) continue;
      const own = puzzle.unlock?.source.replace(/\s+/g, " ").trim();
      const stop = stops.get(puzzle.index);
      // A route stop opens in each team's own order: only a fixed first stop opens at the start.
      const rule = stop === undefined
        ? own ?? "open from the start"
        : stop.first
        ? `${own ?? "open from the start"}, the first stop of route ${stop.route}`
        : `its turn on route ${stop.route}${own === undefined ? "" : `, and ${own}`}`;
      const checkpoint = puzzle.checkpoint ? `  [checkpoint ${puzzle.checkpoint.code}]` : "";
      lines.push(`  ${puzzle.id.padEnd(width)}  ${rule}${checkpoint}`);
      if (opens[puzzle.index]!.length > 0) {
        lines.push(`  ${"".padEnd(width)}  → opens ${opens[puzzle.index]!.join(", ")}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

/** Each route stop's route, by puzzle index, and whether it is the route's fixed first stop. */
function routeStops(hunt: Hunt): Map<number, { route: string; first: boolean }> {
  const stops = new Map<number, { route: string; first: boolean }>();
  for (const route of hunt.routes) {
    // Every team starts at a fixed first stop, or at the first listed on an ordered route.
    const at = route.constraints.first ?? (route.constraints.ordered ? 0 : undefined);
    const first = at === undefined ? undefined : route.stops[at];
    for (const index of route.stops) stops.set(index, { route: route.id, first: index === first });
  }
  return stops;
}

/** `1 puzzle`, `2 puzzles`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The graph in Graphviz's DOT language, one cluster per round. */
export function unlockGraphDot(hunt: Hunt): string {
  const q = (text: string) => JSON.stringify(text);
  const stops = routeStops(hunt);
  const lines = ["digraph unlocks {", "  rankdir=LR;", "  node [shape=box, style=rounded];"];
  hunt.rounds.forEach((round, r) => {
    lines.push(`  subgraph cluster_${r} {`, `    label=${q(round)};`);
    for (const puzzle of hunt.puzzles) {
      if (puzzle.round !== round) continue;
      const stop = stops.get(puzzle.index);
      const open = puzzle.unlock === undefined && (stop === undefined || stop.first);
      const shape = open ? ", peripheries=2" : "";
      lines.push(
        `    ${q(puzzle.id)} [label=${
          q(`${puzzle.title}\n${puzzle.id} · ${puzzle.points} pts`)
        }${shape}];`,
      );
    }
    lines.push("  }");
  });
  prerequisites(hunt).forEach((needs, i) => {
    for (const id of needs) lines.push(`  ${q(id)} -> ${q(hunt.puzzles[i]!.id)};`);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}
