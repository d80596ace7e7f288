export {};
// The SSE load test's client, in its own process: N raw TCP connections to
// /api/events, no HTTP client library. It waits until every stream has its
// first scoreboard, says "ready", then for each broadcast (an announcement
// whose text is `t=<send time>`) records the delivery lag on every stream,
// and prints the lags as JSON when told "done" on stdin or after a deadline.
// Usage: bun bench/_sse_client.ts PORT N
const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const request = new TextEncoder().encode(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
const marker = /t=(\d+)/g;
const lags: number[] = [];
let ready = 0;
let failed = 0;
const seen = new Set<string>();

type State = { ready: boolean; tail: string; id: number };
for (let i = 0; i < count; i++) {
  const state: State = { ready: false, tail: "", id: i };
  try {
    await Bun.connect<State>({
      hostname: "127.0.0.1",
      port,
      data: state,
      socket: {
        open(socket) {
          socket.write(request);
        },
        data(socket, chunk) {
          const now = Date.now();
          // Keep a short tail so a marker split across chunks is still found.
          const text = socket.data.tail + chunk.toString("latin1");
          if (!socket.data.ready && text.includes("event: scoreboard")) {
            socket.data.ready = true;
            ready++;
          }
          for (const match of text.matchAll(marker)) {
            const key = `${socket.data.id}:${match[1]}`;
            if (seen.has(key)) continue;
            seen.add(key);
            lags.push(now - Number(match[1]));
          }
          socket.data.tail = text.slice(-32);
        },
        close() {},
        error() {
          failed++;
        },
      },
    });
  } catch {
    failed++;
  }
  // Do not flood the accept queue: a short pause every 500 connections.
  if (i % 500 === 499) await Bun.sleep(20);
}
const deadline = Date.now() + 60_000;
while (ready + failed < count && Date.now() < deadline) await Bun.sleep(20);
console.log(JSON.stringify({ kind: "ready", ready, failed }));

for await (const line of console) {
  if (line.trim() === "done") break;
}
console.log(JSON.stringify({ kind: "lags", lags, ready, failed }));
process.exit(0);
