// The process entry point, and the only file with process-wide side effects:
// it reads argv and the environment, wires signals, and sets the exit code.
import { run } from "./cli/mod.ts";

const shutdown = new Promise<string>((resolve) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => resolve(signal));
});

// SIGHUP asks a server to re-read its hunt file. It is always caught, so that it never kills
// the process (its default), even before the server is ready to reload.
const reloadListeners = new Set<() => void>();
process.on("SIGHUP", () => {
  for (const listener of reloadListeners) listener();
});

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  shutdown,
  onReload: (listener) => {
    reloadListeners.add(listener);
    return () => reloadListeners.delete(listener);
  },
});
process.exit(code);
