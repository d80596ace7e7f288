// The SSE load tools' C client (bench/sse_client.c) opens its streams as the
// teams of a tokens file, in turn, and with the path it is given, so that
// bench/sse_board.ts measures streams as phones open them.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen } from "../../src/server/mod.ts";
import { makeApp } from "../http/_app.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-sse-client-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("--tokens opens each stream as the next team's session, with the path given", async () => {
  const built = Bun.spawnSync([
    "cc",
    "-O2",
    "-o",
    join(dir, "sse_client"),
    join(import.meta.dir, "..", "..", "bench", "sse_client.c"),
  ]);
  expect(built.stderr.toString()).toBe("");
  const { app, register, live } = makeApp();
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
  const client = { proc: undefined as ReturnType<typeof Bun.spawn> | undefined };
  try {
    const tokens = [await register("Gulls"), await register("Terns")];
    writeFileSync(join(dir, "tokens"), tokens.join("\n") + "\n");
    const proc = Bun.spawn([
      join(dir, "sse_client"),
      String(server.port),
      "5",
      "--tokens",
      join(dir, "tokens"),
      "/api/events?scoreboard=team",
    ], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    client.proc = proc;
    const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      line += value;
    }
    expect(JSON.parse(line)).toEqual({ kind: "ready", ready: 5, failed: 0 });
    // Five streams, the two teams in turn: three for the first, two for the second.
    expect([live.streamsOf(1), live.streamsOf(2), live.connections]).toEqual([3, 2, 5]);
  } finally {
    client.proc?.kill();
    await client.proc?.exited;
    await server.stop(true);
  }
});

test("--tokens with a file it cannot read stops with one line", () => {
  const result = Bun.spawnSync([join(dir, "sse_client"), "1", "1", "--tokens", join(dir, "none")]);
  expect(result.exitCode).toBe(2);
  expect(result.stderr.toString()).toBe(`sse_client: cannot read ${join(dir, "none")}\n`);
});
