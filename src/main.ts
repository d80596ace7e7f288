// The process entry point, and the only file with process-wide side effects:
// it reads argv and the environment, wires signals, and sets the exit code.
import { run } from "./cli/mod.ts";

const shutdown = new Promise<string>((resolve) => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => resolve(signal));
});

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  shutdown,
});
process.exit(code);
