export {};
// The SSE load test's client, in its own process: N raw TCP connections to
// /api/events, no HTTP client library. It waits until every stream has its
// first scoreboard, says "ready", then for each broadcast (an announcement
// whose text is `t=<send time>`) records the delivery lag on every stream,
// and prints the lags as JSON when told "done" on stdin or after a deadline.
//
// The data handler is kept lean on purpose: whatever it spends per chunk is
// added to the lag of every stream read after it, so it reads the bytes in
// place (no string per chunk, no regular expression, no per-event key).
//
// With --spin, once every stream is open, the event loop never sleeps (an
// immediate task is always queued, so it polls without waiting): on loopback a
// client asleep in epoll must be woken for each burst of data, and the server
// pays for that wake-up inside its send().
// Usage: bun bench/_sse_client.ts PORT N [--spin] [PATH]
const spin = process.argv.includes("--spin");
const args = process.argv.slice(2).filter((arg) => arg !== "--spin");
const port = Number(args[0]);
const count = Number(args[1]);
const path = args[2] ?? "/api/events";
const request = new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
const T = 0x74; // "t"
const EQ = 0x3d; // "="
const ZERO = 0x30;
const lags: number[] = [];
let ready = 0;
let failed = 0;
// Streams the server closed after they had opened.
let dropped = 0;
let lastData = 0;

type State = { ready: boolean; last: number; carry: Uint8Array | undefined };

/** The first `t=<digits>` marker after `from`, as [value, end], or undefined if cut short. */
function marker(bytes: Uint8Array, from: number): [number, number] | undefined | null {
  for (let i = from; i < bytes.length - 1; i++) {
    if (bytes[i] !== T || bytes[i + 1] !== EQ) continue;
    let value = 0;
    let j = i + 2;
    for (; j < bytes.length; j++) {
      const digit = bytes[j]! - ZERO;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (j === bytes.length) return undefined; // cut at the chunk's end
    if (j > i + 2) return [value, j];
  }
  // A marker cut right after its "t".
  if (bytes.length > from && bytes[bytes.length - 1] === T) return undefined;
  return null;
}

function onData(state: State, chunk: Uint8Array, now: number) {
  let bytes = chunk;
  if (state.carry !== undefined) {
    bytes = new Uint8Array(state.carry.length + chunk.length);
    bytes.set(state.carry);
    bytes.set(chunk, state.carry.length);
    state.carry = undefined;
  }
  let from = 0;
  for (;;) {
    const found = marker(bytes, from);
    if (found === null) break;
    if (found === undefined) {
      // Keep the unfinished tail for the next chunk.
      state.carry = bytes.slice(Math.max(0, bytes.length - 24));
      break;
    }
    const [sent, end] = found;
    if (sent > state.last) {
      state.last = sent;
      lags.push(now - sent);
    }
    from = end;
  }
}

for (let i = 0; i < count; i++) {
  const state: State = { ready: false, last: 0, carry: undefined };
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
          lastData = now;
          const state = socket.data;
          if (!state.ready) {
            // The first event on a stream is the scoreboard. Its name can be cut in two: keep a tail.
            const seen = state.carry === undefined ? chunk : Buffer.concat([state.carry, chunk]);
            state.carry = undefined;
            if (seen.indexOf("event: scoreboard") === -1) {
              state.carry = seen.subarray(Math.max(0, seen.length - 16));
              return;
            }
            state.ready = true;
            ready++;
          }
          onData(state, chunk, now);
        },
        close(socket) {
          if (socket.data.ready) dropped++;
        },
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
if (spin) {
  const poll = () => void setImmediate(poll);
  poll();
}

for await (const line of console) {
  if (line.trim() === "done") break;
}
// Reading goes on until the streams have been quiet for 200 ms (at most 5 s), so that the last
// broadcast's slowest deliveries still count.
const doneAt = Date.now();
while (Date.now() - lastData < 200 && Date.now() - doneAt < 5_000) await Bun.sleep(20);
console.log(JSON.stringify({ kind: "lags", lags, ready, failed, dropped }));
process.exit(0);
