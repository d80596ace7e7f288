// Temporary folders for tests, under the system's temporary folder (TMPDIR:
// `npm test` gives the suite one of its own, and fails the run when anything
// is left in it). A test removes what it made: in a `finally`, or with
// `tempDirs()` in the file's `afterAll`, which runs whether its tests passed
// or failed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Removes a file or a folder and everything inside it, if it is there. */
export function remove(path: string): void {
  rmSync(path, { recursive: true, force: true, maxRetries: 3 });
}

/** The folders `make` made, until `removeAll` removes them. */
export interface TempDirs {
  /** A new empty folder whose name starts with `prefix` (such as `cairn-ops-`). */
  make(prefix: string): string;
  /** Removes every folder made so far. */
  removeAll(): void;
}

/**
 * A test file's temporary folders: `make` them in its tests, and
 * `afterAll(() => dirs.removeAll())` after the hooks that stop what writes in
 * them (bun runs `afterAll` hooks in the order they were declared).
 */
export function tempDirs(): TempDirs {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) remove(dir);
    },
  };
}
