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

const shutdown = new Promise<string>((resolve) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => resolve(signal));
});

// SIGHUP asks a server to re-read its hunt file. It is always caught, so that it never kills
// the process (its default), even before the server is ready to reload.
const reloadListeners = new Set<() => void>();
process.on("SIGHUP", () => {
  for (const listener of reloadListeners) listener();
});

// A write to a pipe that is full is queued, and process.exit() would drop the queue: `cairn
// export | jq` got the first 64 KiB. Each write that queues is remembered, and the process exits
// only once the stream has drained, or failed: a reader that went away (`| head`) ends the output
// quietly, as it does for any command-line tool.
const draining: Promise<unknown>[] = [];
function writeTo(stream: NodeJS.WriteStream): (text: string) => void {
  let broken = false;
  stream.on("error", () => broken = true);
  return (text) => {
    if (broken || stream.write(text)) return;
    draining.push(
      new Promise((resolve) => {
        stream.once("drain", resolve);
        stream.once("error", resolve);
        stream.once("close", resolve);
      }),
    );
  };
}

const code = await run(process.argv.slice(2), {
  stdout: writeTo(process.stdout),
  stderr: writeTo(process.stderr),
  env: process.env,
  shutdown,
  onReload: (listener) => {
    reloadListeners.add(listener);
    return () => reloadListeners.delete(listener);
  },
});
await Promise.all(draining);
process.exit(code);
