/**
 * A problem found in a hunt file: where it is, what is wrong, and whether it
 * stops the hunt from running (`error`) or only deserves a look (`warning`).
 */
export interface Problem {
  severity: "error" | "warning";
  message: string;
  file: string;
  line?: number;
  column?: number;
  /** The puzzle the problem is in, by id (or `#N` when the id is missing). */
  puzzle?: string;
  /** The route the problem is in, by id (or `#N` when the id is missing). */
  route?: string;
  /** The key path inside the puzzle or hunt, e.g. `unlock` or `hint[0].cost` (lists count from 0). */
  field?: string;
  /** Source lines to show under the message, e.g. a rule with a caret under the bad spot. */
  excerpt?: string;
}

/** Renders a problem for a terminal: `file:line:col: error: …` plus its excerpt. */
export function formatProblem(problem: Problem): string {
  let where = problem.file;
  if (problem.line !== undefined) {
    where += `:${problem.line}`;
    if (problem.column !== undefined) where += `:${problem.column}`;
  }
  const context: string[] = [];
  if (problem.puzzle !== undefined) {
    context.push(
      problem.puzzle.startsWith("#") ? `puzzle ${problem.puzzle}` : `puzzle "${problem.puzzle}"`,
    );
  }
  if (problem.route !== undefined) {
    context.push(
      problem.route.startsWith("#") ? `route ${problem.route}` : `route "${problem.route}"`,
    );
  }
  if (problem.field !== undefined) context.push(`field ${problem.field}`);
  const prefix = context.length > 0 ? `${context.join(", ")}: ` : "";
  let text = `${where}: ${problem.severity}: ${prefix}${problem.message}`;
  if (problem.excerpt !== undefined) {
    text += "\n" + problem.excerpt.split("\n").map((line) => `    ${line}`).join("\n");
  }
  return text;
}

/** Sorts problems by position, errors before warnings on the same spot. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) =>
    (a.line ?? Infinity) - (b.line ?? Infinity) ||
    (a.column ?? 0) - (b.column ?? 0) ||
    (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1)
  );
}
