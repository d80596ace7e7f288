// The process entry point, and the only file with process-wide side effects:
// it reads argv and the environment, wires signals, and sets the exit code.
import { allocatorRestart } from "./runtime.ts";

// `cairn serve` on Bun restarts itself once, before anything else, with the allocator's settings
// for a server (runtime.ts). `execve` keeps the process id, its parent and its stdin, stdout and
// stderr (not other inherited descriptors, which Bun closes on exec). The commands are imported
// after it (below), so that the restart does not load them twice.
const restart = allocatorRestart({
  argv: process.argv,
  execArgv: process.execArgv,
  execPath: process.execPath,
  env: process.env,
  platform: process.platform,
  main: "Bun" in globalThis ? Bun.main : undefined,
  canExec: typeof process.execve === "function",
});
if (restart !== undefined) {
  try {
    process.execve!(restart.file, restart.args, restart.env);
  } catch (error) {
    // It serves all the same, with Bun's own settings.
    process.stderr.write(
      `cairn: serving with Bun's default allocator settings (restart failed: ${
        (error as Error).message
      })\n`,
    );
  }
}

const { run } = await import("./cli/mod.ts");

// SIGTERM and SIGINT ask a server to stop: it stops taking requests and drains its writes first.
// Every other command is one-shot and keeps the runtime's default for them: it dies at once, even
// inside a long synchronous step (a copy, a write to a full pipe), where a handler would wait.
const shutdown = process.argv[2] === "serve"
  ? new Promise<string>((resolve) => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => resolve(signal));
    }
  })
  : new Promise<string>(() => {});

// SIGHUP asks a server to re-read its hunt file. It is always caught, so that it never kills
// the process (its default), even before the server is ready to reload.
const reloadListeners = new Set<() => void>();
process.on("SIGHUP", () => {
  for (const listener of reloadListeners) listener();
});

// A write to a pipe that is full is queued, and process.exit() would drop the queue: `cairn
// export | jq` got the first 64 KiB. Each stream counts its writes not yet done, and the process
// exits only once every write has finished, or failed. A reader that went away (`| head`, EPIPE)
// ends the output quietly, as it does for any command-line tool; any other failure (a full disk,
// an I/O error) fails the command: one line on stderr, and exit code 1.
interface Output {
  write(text: string): void;
  /** Resolves once every write so far has finished or failed. */
  settled(): Promise<void>;
  /** The first error other than EPIPE, once the stream has failed. */
  failure: Error | undefined;
}
function outputTo(stream: NodeJS.WriteStream): Output {
  let broken = false;
  let pending = 0;
  let idle: (() => void) | undefined;
  const output: Output = { write, settled, failure: undefined };
  function fail(error: Error | null | undefined): void {
    if (error == null || broken) return;
    broken = true;
    if ((error as NodeJS.ErrnoException).code !== "EPIPE") output.failure = error;
  }
  function done(): void {
    if (--pending === 0) idle?.();
  }
  function write(text: string): void {
    if (broken) return;
    pending++;
    try {
      // The callback also reports a write that fails after returning (Bun writes to a file so).
      stream.write(text, (error) => {
        fail(error);
        done();
      });
    } catch (error) {
      // Deno throws a failed write to a file at once.
      fail(error as Error);
      done();
    }
  }
  function settled(): Promise<void> {
    if (pending === 0 || broken) return Promise.resolve();
    return new Promise((resolve) => idle = resolve);
  }
  stream.on("error", (error) => {
    fail(error);
    idle?.();
  });
  stream.on("close", () => idle?.());
  return output;
}
const stdout = outputTo(process.stdout);
const stderr = outputTo(process.stderr);

const code = await run(process.argv.slice(2), {
  stdout: stdout.write,
  stderr: stderr.write,
  env: process.env,
  shutdown,
  onReload: (listener) => {
    reloadListeners.add(listener);
    return () => reloadListeners.delete(listener);
  },
});
await stdout.settled();
if (stdout.failure !== undefined) {
  stderr.write(`cairn: cannot write the output: ${stdout.failure.message}\n`);
}
await stderr.settled();
process.exit(stdout.failure !== undefined || stderr.failure !== undefined ? 1 : code);
