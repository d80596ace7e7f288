import type { Io } from "../src/cli/mod.ts";

/** An Io that records what a command printed, for in-process CLI tests. */
export function fakeIo(env: Record<string, string | undefined> = {}): Io & {
  out: () => string;
  err: () => string;
  stop: (signal?: string) => void;
  /** Asks the command to reload, as SIGHUP does. */
  hup: () => void;
} {
  let out = "";
  let err = "";
  let stop: (signal: string) => void = () => {};
  const shutdown = new Promise<string>((resolve) => (stop = resolve));
  const reloadListeners = new Set<() => void>();
  return {
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    env,
    shutdown,
    onReload: (listener) => {
      reloadListeners.add(listener);
      return () => void reloadListeners.delete(listener);
    },
    hup: () => {
      for (const listener of reloadListeners) listener();
    },
    out: () => out,
    err: () => err,
    stop: (signal = "SIGTERM") => stop(signal),
  };
}
