import type { CommandSpec, Values } from "./_args.ts";
import { formatReport, readHunt } from "./_hunt.ts";
import { EXIT, type Io } from "./_io.ts";

export const checkSpec: CommandSpec = {
  name: "check",
  summary: "Validate a hunt file and report every problem in it.",
  usage: "cairn check FILE [--graph | --dot] [--json]",
  options: {
    json: { type: "boolean", help: "Print the problems as JSON" },
  },
  positionals: { min: 1, max: 1, names: "FILE" },
  notes: "Exits 0 when the file has no errors (warnings allowed), 1 when it has errors.",
};

/** Validates a hunt file and prints every problem found. */
export async function check(values: Values, positionals: string[], io: Io): Promise<number> {
  const result = await readHunt(positionals[0]);
  const errors = result.problems.filter((p) => p.severity === "error").length;
  if (values.json === true) {
    io.stdout(
      JSON.stringify({ file: result.file, ok: errors === 0, problems: result.problems }, null, 2) +
        "\n",
    );
  } else if (result.problems.length > 0) {
    (errors > 0 ? io.stderr : io.stdout)(formatReport(result.problems));
  } else {
    io.stdout(`${result.file}: ok\n`);
  }
  return errors > 0 ? EXIT.failure : EXIT.ok;
}
