// SSE under load: the compiled binary holds N streams (default 10,000) opened
// by a separate, lean client process over raw sockets; then B broadcasts (admin
// announcements carrying their send time) go out, and the client measures the
// delivery lag on every stream. Reports lag p50, p99 and max, and the
// server's RSS at idle, with the streams open, and after the broadcasts.
// Loopback only; bounded in count and time. Run ./compile.sh first.
// Usage: bun bench/sse_load.ts [--connections 10000] [--broadcasts 10] [--binary dist/cairn] [--pin]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY, freePort, waitFor } from "../test/_binary.ts";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "10000" },
    broadcasts: { type: "string", default: "10" },
    binary: { type: "string", default: BINARY },
    // The server on CPU 0 and the client on CPU 1 (taskset), instead of wherever the OS puts them.
    pin: { type: "boolean", default: false },
  },
});
const connections = Number(values.connections);
const broadcasts = Number(values.broadcasts);
const dir = mkdtempSync(join(tmpdir(), "cairn-sse-"));
const port = freePort();
const admin = "sse-load-admin-token";
const rss = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};

// User and system CPU time a process has used, in ms (clock ticks are 10 ms).
const cpu = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
};

const server = Bun.spawn(
  [
    ...(values.pin ? ["taskset", "-c", "0"] : []),
    values.binary,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--db",
    join(dir, "c.db"),
    "--admin-token",
    admin,
    "--log-level",
    "warn",
  ],
  { stdout: "ignore", stderr: "inherit" },
);
let client: ReturnType<typeof Bun.spawn> | undefined;
try {
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  const idle = rss(server.pid);
  const opened = performance.now();
  const proc = Bun.spawn([
    ...(values.pin ? ["taskset", "-c", "1"] : []),
    process.execPath,
    join(import.meta.dir, "_sse_client.ts"),
    String(port),
    String(connections),
  ], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  client = proc;
  const lines = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  const nextLine = async (): Promise<string> => {
    for (;;) {
      const newline = pending.indexOf("\n");
      if (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        return line;
      }
      const { value, done } = await lines.read();
      if (done) throw new Error("the client ended early");
      pending += value;
    }
  };
  const ready = JSON.parse(await nextLine()) as { ready: number; failed: number };
  const openMs = performance.now() - opened;
  const connected = rss(server.pid);
  const cpuBefore = cpu(server.pid);

  for (let i = 0; i < broadcasts; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/admin/announcements`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ text: `t=${Date.now()}` }),
    });
    if (res.status !== 201) throw new Error(`announcement: ${res.status}`);
    await Bun.sleep(1000);
  }
  proc.stdin.write("done\n");
  await proc.stdin.end();
  const result = JSON.parse(await nextLine()) as { lags: number[] };
  const after = rss(server.pid);
  const cpuAfter = cpu(server.pid);
  const lags = result.lags.sort((a, b) => a - b);
  const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * p))] ?? NaN;
  console.table([{
    streams: ready.ready,
    "failed to open": ready.failed,
    "open all (ms)": Math.round(openMs),
    broadcasts,
    deliveries: lags.length,
    "expected deliveries": ready.ready * broadcasts,
    "lag p50 (ms)": pct(0.5),
    "lag p99 (ms)": pct(0.99),
    "lag max (ms)": lags.at(-1),
    "server CPU user/sys per broadcast (ms)": `${
      Math.round((cpuAfter.user - cpuBefore.user) / broadcasts)
    }/${Math.round((cpuAfter.sys - cpuBefore.sys) / broadcasts)}`,
    "RSS idle (MB)": idle,
    "RSS with streams (MB)": connected,
    "RSS after broadcasts (MB)": after,
  }]);
} finally {
  client?.kill();
  server.kill("SIGTERM");
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
}
