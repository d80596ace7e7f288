import { OutdatedError } from "../store/outdated.ts";

/** What a command may touch outside itself, so tests can run commands in-process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Resolves with the signal's name when the process is asked to stop. */
  shutdown: Promise<string>;
  /** Calls `listener` whenever the process is asked to reload (SIGHUP); returns an unsubscribe. */
  onReload(listener: () => void): () => void;
  /** The wall clock, in ms since the epoch (default: `Date.now()`), so tests can set the time. */
  now?(): number;
}

/**
 * Exit codes shared by every command. `outdated`: the database or the shared
 * log was written by a newer Cairn (store/outdated.ts), so this binary must be
 * replaced, and starting it again cannot help (the units in deploy/ do not).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, outdated: 3 } as const;

/** The exit code of a command that failed with `error`: 3 when only a newer Cairn can go on. */
export function failureCode(error: unknown): number {
  return error instanceof OutdatedError ? EXIT.outdated : EXIT.failure;
}
