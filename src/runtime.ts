/**
 * Which JavaScript runtime runs Cairn: Bun, or Deno. Modules that use a
 * runtime's own API (the listener, the password hash, the SQLite driver)
 * pick their implementation once, at load, from this.
 */

interface DenoGlobal {
  version: { deno: string };
}

const deno = (globalThis as { Deno?: DenoGlobal }).Deno;

/** The runtime's name and version, as `cairn version` and `/metrics` report them. */
export const RUNTIME: { name: "bun" | "deno"; version: string } = "Bun" in globalThis
  ? { name: "bun", version: Bun.version }
  : { name: "deno", version: deno?.version.deno ?? "unknown" };

/**
 * The allocator settings `cairn serve` runs with on Bun. Bun's allocator
 * (its mimalloc) gives freed memory back to the system 100 ms after it is
 * freed, and purges the free "holes" of pages still in use whenever the
 * event loop waits. A server that waits on every batch's disk sync (the
 * durable guess) then takes the same memory back page by page: about 0.5 to
 * 1 page fault per guess. With holes kept and a 10 s delay, memory freed
 * and used again under load stays, and an idle server still gives it back
 * (docs/performance.md, "The allocator").
 */
export const SERVER_ALLOCATOR: Readonly<Record<string, string>> = {
  MIMALLOC_PURGE_HOLES: "0",
  MIMALLOC_PURGE_DELAY: "10000",
};

/** What `allocatorRestart` reads of the process. */
export interface ProcessView {
  argv: readonly string[];
  execArgv: readonly string[];
  execPath: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  /** `Bun.main`: the entry file, under `/$bunfs/` in a compiled binary. */
  main: string | undefined;
  /** Whether the runtime can replace the process (`process.execve`). */
  canExec: boolean;
}

/**
 * Bun flags a restart would not carry over as they mean: `--cwd` (a relative
 * folder, already entered), and the debugger's (a second wait for it).
 */
const KEPT_FLAGS = /^--(cwd|inspect)/;

/**
 * How `cairn serve` restarts itself once, in the same process, so that Bun's
 * allocator starts with `SERVER_ALLOCATOR` (it reads its settings only at
 * start): the program, its arguments and its environment for `execve`. None
 * when there is nothing to do: another command, not Bun, Windows (no
 * `execve`), Bun flags that a restart would not keep as they mean
 * (`KEPT_FLAGS`), an argv of another shape than Bun's, or the environment
 * already names one of the settings (the operator's choice wins, and the
 * restarted process stops here).
 */
export function allocatorRestart(
  view: ProcessView,
): { file: string; args: string[]; env: Record<string, string> } | undefined {
  const [command] = view.argv.slice(2);
  if (command !== "serve" || view.main === undefined || !view.canExec) return undefined;
  if (view.platform === "win32" || view.argv[1] !== view.main) return undefined;
  if (view.execArgv.some((flag) => KEPT_FLAGS.test(flag))) return undefined;
  if (Object.keys(SERVER_ALLOCATOR).some((name) => view.env[name] !== undefined)) return undefined;
  // A compiled binary carries its entry inside, and puts it back into argv itself.
  const compiled = view.main.startsWith("/$bunfs/");
  const args = compiled
    ? [view.execPath, ...view.argv.slice(2)]
    : [view.execPath, ...view.execArgv, ...view.argv.slice(1)];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(view.env)) {
    if (value !== undefined) env[name] = value;
  }
  return { file: view.execPath, args, env: { ...env, ...SERVER_ALLOCATOR } };
}

/** A JSON body kept to be sent many times, in the form the runtime sends fastest (`cachedBody`). */
export type CachedBody = Uint8Array | string;

const encoder = new TextEncoder();

/**
 * Keeps a JSON body to be sent many times: as UTF-8 bytes on Bun, which
 * encodes a string body again for every answer (a 200 KB scoreboard cost 7 µs
 * more a request as a string); as the string itself on Deno, whose server
 * sends a string body for less than the same bytes (87 against 115 µs of CPU
 * a request for that board; docs/performance.md, "The scoreboard as a hot
 * route").
 */
export const cachedBody: (json: string) => CachedBody = "Bun" in globalThis
  ? (json) => encoder.encode(json)
  : (json) => json;
