/**
 * The hunt file: reading it from disk (or the embedded example), validating
 * it, and compiling it into the engine's `Hunt`.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { EXAMPLE_FILE, EXAMPLE_HUNT } from "./example.ts";
import { loadHunt, type LoadResult } from "./load.ts";
import type { Problem } from "./problem.ts";

export { EXAMPLE_FILE, EXAMPLE_HUNT, STARTER_HUNT } from "./example.ts";
export { plural, prerequisites, unlockGraph, unlockGraphDot } from "./graph.ts";
export { loadHunt } from "./load.ts";
export type { LoadOptions, LoadResult } from "./load.ts";
export { formatProblem, sortProblems } from "./problem.ts";
export type { Problem } from "./problem.ts";

/** Loads a hunt file from disk; `body_file` and `assets/` are found beside it. */
export function loadHuntFile(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === "ENOENT"
      ? "No such file"
      : code === "EISDIR"
      ? "It is a folder, not a file"
      : error instanceof Error
      ? error.message
      : String(error);
    const problem: Problem = { severity: "error", message: `Cannot read: ${reason}`, file: path };
    return { problems: [problem] };
  }
  const base = dirname(resolve(path));
  const assets = join(base, "assets");
  return loadHunt(text, {
    file: path,
    readFile: (relative) => {
      try {
        return readFileSync(join(base, relative), "utf8");
      } catch {
        return undefined;
      }
    },
    ...(existsSync(assets) && statSync(assets).isDirectory() && { assetsDir: assets }),
  });
}

/** Loads the hunt at `path`, or the embedded example hunt when there is none. */
export function loadHuntOrExample(path: string | undefined): LoadResult & { file: string } {
  if (path !== undefined) return { ...loadHuntFile(path), file: path };
  return { ...loadHunt(EXAMPLE_HUNT, { file: EXAMPLE_FILE }), file: EXAMPLE_FILE };
}
