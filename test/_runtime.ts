// What the tests need from the runtime they run on, Bun (`bun test`) or Deno
// (`deno task test`): a sleep, a free port, and a child process running a script or a
// snippet with the same runtime, its stdout piped; and the command line of `cairn` on it.
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free TCP port on loopback, found by letting the OS pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The runtime the tests run on. */
export const RUNTIME_NAME: "bun" | "deno" = "Bun" in globalThis ? "bun" : "deno";

/** A child process of the same runtime. */
export interface Child {
  stdout: ReadableStream<Uint8Array>;
  kill(signal: "SIGKILL" | "SIGTERM"): void;
  /** Resolves with the exit code, or null when a signal ended it. */
  exited: Promise<number | null>;
  /** The signal that ended it, once it has exited. */
  signal(): string | null;
}

interface DenoChild {
  stdout: ReadableStream<Uint8Array>;
  kill(signal: string): void;
  status: Promise<{ code: number; signal: string | null }>;
}
interface DenoCommand {
  execPath(): string;
  Command: new (
    exe: string,
    options: { args: string[]; stdout: "piped"; stderr: "inherit" },
  ) => { spawn(): DenoChild };
}

/**
 * Runs `script` (a file) or `{ eval }` (a snippet) with the runtime the tests
 * run on, with every permission on Deno.
 */
export function spawnRuntime(what: string | { eval: string }, args: string[] = []): Child {
  if ("Bun" in globalThis) {
    const command = typeof what === "string" ? [what] : ["-e", what.eval];
    const child = Bun.spawn([process.execPath, ...command, ...args], {
      stdout: "pipe",
      stderr: "inherit",
    });
    return {
      stdout: child.stdout,
      kill: (signal) => child.kill(signal),
      exited: child.exited.then(() => child.signalCode === null ? child.exitCode : null),
      signal: () => child.signalCode === null ? null : String(child.signalCode),
    };
  }
  const deno = (globalThis as unknown as { Deno: DenoCommand }).Deno;
  const command = typeof what === "string" ? ["run", "-A", what] : ["eval", what.eval];
  const child = new deno.Command(deno.execPath(), {
    args: [...command, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let ended: string | null = null;
  return {
    stdout: child.stdout,
    kill: (signal) => child.kill(signal),
    exited: child.status.then((status) => {
      ended = status.signal;
      return status.signal === null ? status.code : null;
    }),
    signal: () => ended,
  };
}

const ROOT = join(import.meta.dirname, "..");

/**
 * The permission flags `deno task start` gives Cairn (deno.json's start task), which the README's
 * Deno command lines repeat.
 */
export const DENO_START_FLAGS: string[] = (
  JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")) as {
    tasks: { start: { command: string } };
  }
).tasks.start.command.split(/\s+/).filter((word) => /^--(allow|unstable)-/.test(word));

/**
 * The command line of `cairn` from src/ on the runtime the tests run on: `bin/cairn` (`npx
 * cairn`) on Bun, `src/main.ts` with the start task's permissions on Deno.
 */
export const CAIRN_COMMAND: string[] = RUNTIME_NAME === "bun"
  ? [join(ROOT, "bin", "cairn")]
  : [process.execPath, "run", ...DENO_START_FLAGS, join(ROOT, "src", "main.ts")];
