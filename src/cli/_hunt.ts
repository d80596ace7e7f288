import { EXAMPLE_FILE, EXAMPLE_HUNT } from "../hunt/example.ts";
import { formatProblem, type Problem, sortProblems } from "../hunt/problem.ts";
import { parseToml } from "../hunt/toml.ts";

export type ReadHunt =
  | { kind: "ok"; file: string; problems: Problem[] }
  | { kind: "error"; file: string; problems: Problem[]; report: string };

/** Reads and validates the hunt a command was pointed at, or the embedded example. */
export async function readHunt(path: string | undefined): Promise<ReadHunt> {
  const file = path ?? EXAMPLE_FILE;
  let text: string;
  if (path === undefined) {
    text = EXAMPLE_HUNT;
  } else {
    try {
      text = await Bun.file(path).text();
    } catch (error) {
      const reason = (error as { code?: string }).code === "ENOENT"
        ? "No such file"
        : error instanceof Error
        ? error.message
        : String(error);
      const problems: Problem[] = [{ severity: "error", message: `Cannot read: ${reason}`, file }];
      return { kind: "error", file, problems, report: formatReport(problems) };
    }
  }
  const parsed = parseToml(text, file);
  if (parsed.kind === "error") {
    const problems = [parsed.problem];
    return { kind: "error", file, problems, report: formatReport(problems) };
  }
  return { kind: "ok", file, problems: [] };
}

/** Every problem, one after another, then a count. */
export function formatReport(problems: Problem[]): string {
  const sorted = sortProblems(problems);
  const errors = sorted.filter((p) => p.severity === "error").length;
  const warnings = sorted.length - errors;
  const lines = sorted.map(formatProblem);
  lines.push(`${plural(errors, "error")}, ${plural(warnings, "warning")}`);
  return lines.join("\n") + "\n";
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
