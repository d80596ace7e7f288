// The servers a benchmark tool starts and waits for. A server that exits
// before it serves (a bad flag, a database it cannot open) is reported at once,
// with its exit code and the end of its stderr, not after the whole wait.
import type { Subprocess } from "bun";

/** How much of a child's stderr is kept for a report. */
const TAIL_CHARS = 4_000;

/** A started process, its stderr passed through and its end kept. */
export interface Child {
  proc: Subprocess<"ignore", "ignore", "pipe">;
  /** The end of its stderr: once the stream has ended, or after a second for one held open. */
  stderrTail(): Promise<string>;
}

/** Starts `cmd`, stdout ignored; its stderr goes to ours (unless `echo` is false) as it comes. */
export function startChild(cmd: string[], options: { echo?: boolean } = {}): Child {
  const proc = Bun.spawn(cmd, { stdout: "ignore", stderr: "pipe" });
  const decoder = new TextDecoder();
  let tail = "";
  const drained = (async () => {
    for await (const chunk of proc.stderr) {
      if (options.echo ?? true) process.stderr.write(chunk);
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-TAIL_CHARS);
    }
  })();
  return {
    proc,
    async stderrTail() {
      await Promise.race([drained, Bun.sleep(1_000)]);
      return tail;
    },
  };
}

/** What waiting for a child to serve came to. */
export type Serving =
  | { kind: "serving" }
  | { kind: "exited"; code: number | null; signal: string | null; stderr: string }
  | { kind: "timeout"; timeoutMs: number };

/** A readiness check: `url` answers 2xx. */
export function answers(url: string): () => Promise<boolean> {
  return async function answers() {
    try {
      return (await fetch(url)).ok;
    } catch {
      return false; // Not listening yet.
    }
  };
}

/**
 * Polls `ready` every 10 ms until it holds, the child exits (reported at once)
 * or `timeoutMs` passes.
 */
export async function untilServing(
  child: Child,
  ready: () => Promise<boolean>,
  options: { timeoutMs: number },
): Promise<Serving> {
  const { proc } = child;
  let exited = false;
  // Settles with the exit, so that a check or a pause in flight stops waiting.
  const exit = proc.exited.then(() => {
    exited = true;
    return false;
  });
  const deadline = performance.now() + options.timeoutMs;
  while (!exited && performance.now() < deadline) {
    if (await Promise.race([ready(), exit])) return { kind: "serving" };
    await Promise.race([exit, Bun.sleep(10)]);
  }
  if (!exited) return { kind: "timeout", timeoutMs: options.timeoutMs };
  const stderr = await child.stderrTail();
  const signal = proc.signalCode === null ? null : String(proc.signalCode);
  return { kind: "exited", code: proc.exitCode, signal, stderr };
}

/** How long a report's stderr may be, on its one line. */
const REPORT_CHARS = 300;

/** One line on a child that did not serve: its exit code (or signal) and its last words, or the wait. */
export function describeServing(
  name: string,
  outcome: Exclude<Serving, { kind: "serving" }>,
): string {
  switch (outcome.kind) {
    case "exited": {
      const how = outcome.code === null ? `on ${outcome.signal}` : `with code ${outcome.code}`;
      const said = outcome.stderr.split("\n").map((line) => line.trim()).filter((line) =>
        line !== ""
      ).join(" | ");
      if (said === "") return `${name} exited ${how} before it served, with nothing on stderr`;
      const end = said.length > REPORT_CHARS ? `…${said.slice(-REPORT_CHARS)}` : said;
      return `${name} exited ${how} before it served: ${end}`;
    }
    case "timeout":
      return `${name} did not serve within ${outcome.timeoutMs} ms`;
  }
}
