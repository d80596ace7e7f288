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
  usage: "cairn check FILE [--graph | --dot] [--json]",
  options: {
    graph: { type: "boolean", help: "Also print the unlock graph as text" },
    dot: { type: "boolean", help: "Also print the unlock graph in Graphviz DOT" },
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
  const file = positionals[0]!;
  const { hunt, problems } = loadHuntFile(file);
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
    };
    io.stdout(JSON.stringify(result, null, 2) + "\n");
    return Promise.resolve(errors > 0 ? EXIT.failure : EXIT.ok);
  }

  if (problems.length > 0) (errors > 0 ? io.stderr : io.stdout)(formatReport(problems));
  if (hunt) {
    if (values.graph === true) io.stdout(unlockGraph(hunt));
    else if (values.dot === true) io.stdout(unlockGraphDot(hunt));
    else if (problems.length === 0) {
      io.stdout(
        `${file}: ok (${plural(hunt.puzzles.length, "puzzle")} in ${
          plural(hunt.rounds.length, "round")
        })\n`,
      );
    }
  }
  return Promise.resolve(errors > 0 ? EXIT.failure : EXIT.ok);
}
