import { formatProblem, plural, type Problem, sortProblems } from "../hunt/mod.ts";

export { plural };

/** Every problem, one after another, then a count. */
export function formatReport(problems: Problem[]): string {
  const sorted = sortProblems(problems);
  const errors = sorted.filter((p) => p.severity === "error").length;
  const warnings = sorted.length - errors;
  const lines = sorted.map(formatProblem);
  lines.push(`${plural(errors, "error")}, ${plural(warnings, "warning")}`);
  return lines.join("\n") + "\n";
}
