// Builds dist/cairn once per test run and helps run it as a user would.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DENO_START_FLAGS } from "./_runtime.ts";

const ROOT = join(import.meta.dirname, "..");
export const BINARY = join(ROOT, "dist", "cairn");

let built: Promise<string> | undefined;

/**
 * Compiles the binary with compile.sh, once per test process. With
 * CAIRN_E2E_RUNTIME=deno, it is `cairn` on Deno instead (denoLauncher).
 */
export function buildBinary(): Promise<string> {
  if (process.env.CAIRN_E2E_RUNTIME === "deno") return Promise.resolve(denoLauncher());
  built ??= (async () => {
    const proc = Bun.spawn(["bash", join(ROOT, "compile.sh")], { stdout: "pipe", stderr: "pipe" });
    if ((await proc.exited) !== 0) {
      throw new Error(`compile.sh failed:\n${await new Response(proc.stderr).text()}`);
    }
    return BINARY;
  })();
  return built;
}

/**
 * dist/launch-cairn-on-deno: runs this checkout's src/main.ts on the pinned Deno with the
 * permissions of `deno task start` (deno.json), as README.md's "On Deno" has an organizer do, so
 * the browser tests can play an event against Cairn on Deno. Those about the binary itself (its
 * size, its embedded files, `compile.sh`) do not apply to it.
 */
function denoLauncher(): string {
  const launcher = join(ROOT, "dist", "launch-cairn-on-deno");
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const deno = join(ROOT, "node_modules", "deno", "deno");
  const main = join(ROOT, "src", "main.ts");
  const flags = DENO_START_FLAGS.join(" ");
  writeFileSync(
    launcher,
    `#!/bin/sh\nDENO_NO_UPDATE_CHECK=1 exec "${deno}" run ${flags} "${main}" "$@"\n`,
  );
  chmodSync(launcher, 0o755);
  return launcher;
}

/**
 * Reads a child's stdout and stderr as they come, handing each piece of text
 * to `add`; resolves once both have ended.
 */
export function readOutput(
  proc: { stdout: unknown; stderr: unknown },
  add: (text: string) => void,
): Promise<void> {
  return Promise.all([
    readStream(proc.stdout as ReadableStream<Uint8Array>, add),
    readStream(proc.stderr as ReadableStream<Uint8Array>, add),
  ]).then(() => {});
}

/**
 * Hands each piece of one stream's text to `add` as it comes; resolves once
 * it ends. A character split between two chunks is decoded whole.
 */
export async function readStream(
  stream: ReadableStream<Uint8Array>,
  add: (text: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
  add(decoder.decode());
}

/** A free TCP port on loopback, found by letting the OS pick one (on Bun or on Deno). */
export function freePort(): number {
  if (!("Bun" in globalThis)) {
    const deno = (globalThis as unknown as {
      Deno: {
        listen(options: { hostname: string; port: number }): {
          addr: { port: number };
          close(): void;
        };
      };
    }).Deno;
    const listener = deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    return port;
  }
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`. */
export async function waitFor(url: string, timeoutMs = 10_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.ok) return performance.now() - start;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * A hunt for crash tests: `puzzles` open puzzles `p0`, `p1`, … answered
 * `a0`, `a1`, …, with a guess limit no load reaches, so every wrong guess is
 * judged and stored.
 */
export function crashHunt(title: string, puzzles: number): string {
  return [
    `[hunt]\ntitle = "${title}"\n`,
    ...Array.from(
      { length: puzzles },
      (_, i) =>
        `[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\nanswer = "a${i}"\nguess_limit = { count = 1000000, per = "1s" }\n`,
    ),
  ].join("\n");
}
