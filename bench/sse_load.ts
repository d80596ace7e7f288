// SSE under load, against baselines measured in the same run. Each server in
// turn holds N streams (default 10,000) opened by a separate, lean raw-socket
// client process; then B broadcasts (admin announcements carrying their send
// time) go out, and the client measures the delivery lag on every stream.
//
// The servers, alternated round by round:
// - cairn: the compiled binary (the lag includes the announcement's commit and fsync);
// - bare:  a bare Bun.serve with the same transport and nothing else (bench/sse_bare.ts);
// - floor: one send() per stream from C (bench/sse_floor.c), what the kernel alone costs.
//
// The client is bench/sse_client.c (or bench/_sse_client.ts with --client bun).
// By default it polls without sleeping on a core of its own (--wait spin), and
// the server is pinned to the other core: on loopback a sleeping client's
// wake-ups are paid inside the server's send(), which a phone on Wi-Fi never
// costs it. --wait epoll measures with a sleeping client instead.
//
// Reports, per run and as medians over the rounds: lag p50, p99 and max, the
// server's CPU per broadcast and its RSS; and Cairn's p99 as a ratio to each
// baseline's. Writes bench/results/sse.json. Loopback only; bounded in count
// and time. Needs cc (apt-get install -y gcc) unless run with
// --client bun --servers cairn,bare. Run ./compile.sh first.
// Usage: see USAGE below (bun bench/sse_load.ts --help).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY, freePort, waitFor } from "../test/_binary.ts";

const RESULTS = join(import.meta.dir, "results", "sse.json");
const USAGE = `Usage: bun bench/sse_load.ts [options]
  --connections N   streams each server holds (default 10000, at most 19000)
  --broadcasts B    announcements per run (default 10)
  --interval MS     pause after each announcement (default 1000)
  --rounds R        rounds; each runs every server once, in turn (default 3)
  --servers LIST    of cairn, bare, floor (default cairn,bare,floor)
  --client c|bun    bench/sse_client.c (default) or bench/_sse_client.ts
  --wait spin|epoll the client polls without sleeping (default), or sleeps in epoll
  --free            do not pin the server to CPU 0 and the client to CPU 1
  --binary PATH     Cairn's binary (default dist/cairn; run ./compile.sh first)
  --out PATH        where the results go (default bench/results/sse.json)`;

function fail(message: string): never {
  console.error(`sse_load: ${message}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      connections: { type: "string", default: "10000" },
      broadcasts: { type: "string", default: "10" },
      interval: { type: "string", default: "1000" },
      rounds: { type: "string", default: "3" },
      servers: { type: "string", default: "cairn,bare,floor" },
      client: { type: "string", default: "c" },
      wait: { type: "string", default: "spin" },
      free: { type: "boolean", default: false },
      binary: { type: "string", default: BINARY },
      out: { type: "string", default: RESULTS },
      help: { type: "boolean", default: false },
    },
  });
} catch (error) {
  fail(`${(error as Error).message} (see --help)`);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

type Server = "cairn" | "bare" | "floor";
const SERVERS: readonly Server[] = ["cairn", "bare", "floor"];

const connections = Number(values.connections);
const broadcasts = Number(values.broadcasts);
const interval = Number(values.interval);
const rounds = Number(values.rounds);
const servers = values.servers.split(",").map((name) => name.trim()) as Server[];
for (
  const [name, value] of [
    ["connections", connections],
    ["broadcasts", broadcasts],
    ["rounds", rounds],
  ] as const
) {
  if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a whole number from 1`);
}
if (!Number.isInteger(interval) || interval < 0) fail("--interval must be a whole number from 0");
if (connections > 19_000) {
  fail("--connections is at most 19000 (the limit is 20,000 files a process)");
}
if (servers.length === 0 || servers.some((name) => !SERVERS.includes(name))) {
  fail(`--servers takes a list of ${SERVERS.join(", ")}`);
}
if (values.client !== "c" && values.client !== "bun") fail("--client is c or bun");
if (values.wait !== "spin" && values.wait !== "epoll") fail("--wait is spin or epoll");
const pin = !values.free;
const spin = values.wait === "spin";

if ((values.client === "c" || servers.includes("floor")) && Bun.which("cc") === null) {
  fail(
    "needs a C compiler for its client and floor (apt-get install -y gcc); " +
      "or run with --client bun --servers cairn,bare",
  );
}
if (pin && Bun.which("taskset") === null) fail("needs taskset (util-linux), or run with --free");

const dir = mkdtempSync(join(tmpdir(), "cairn-sse-"));
const admin = "sse-load-admin-token";

/** Builds a C tool from bench/ into the run's folder. */
function buildC(name: string): string {
  const out = join(dir, name);
  const built = Bun.spawnSync(["cc", "-O2", "-o", out, join(import.meta.dir, `${name}.c`)]);
  if (built.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true });
    fail(`cc ${name}.c failed:\n${built.stderr.toString()}`);
  }
  return out;
}

const clientCommand = values.client === "c"
  ? [buildC("sse_client")]
  : [process.execPath, join(import.meta.dir, "_sse_client.ts")];
const floorBinary = servers.includes("floor") ? buildC("sse_floor") : "";
const rss = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};

// User and system CPU time a process has used, in ms (clock ticks are 10 ms).
const cpu = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
};

function serverCommand(server: Server, port: number, db: string): string[] {
  switch (server) {
    case "cairn":
      return [
        values.binary,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--db",
        db,
        "--admin-token",
        admin,
        "--log-level",
        "warn",
      ];
    case "bare":
      return [process.execPath, join(import.meta.dir, "sse_bare.ts"), "--port", String(port)];
    case "floor":
      return [floorBinary, "--port", String(port)];
  }
}

interface Run {
  server: Server;
  round: number;
  streams: number;
  failed: number;
  /** Streams the server closed after they had opened. */
  dropped: number;
  deliveries: number;
  expected: number;
  openMs: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
  cpuUser: number;
  cpuSys: number;
  rssIdle: number;
  rssStreams: number;
  rssAfter: number;
}

/** Reads the client's stdout a line at a time. */
function lineReader(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
  const lines = stream.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  return async (): Promise<string> => {
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
}

/** One server, one client: open the streams, broadcast, and collect every lag. */
async function measure(server: Server, round: number): Promise<Run> {
  const port = freePort();
  const proc = Bun.spawn(
    [
      ...(pin ? ["taskset", "-c", "0"] : []),
      ...serverCommand(server, port, join(dir, `${round}.db`)),
    ],
    { stdout: "ignore", stderr: "inherit" },
  );
  let client: ReturnType<typeof Bun.spawn> | undefined;
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`);
    const rssIdle = rss(proc.pid);
    const opened = performance.now();
    const started = Bun.spawn([
      ...(pin ? ["taskset", "-c", "1"] : []),
      ...clientCommand,
      String(port),
      String(connections),
      ...(spin ? ["--spin"] : []),
    ], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    client = started;
    const nextLine = lineReader(started.stdout);
    const ready = JSON.parse(await nextLine()) as { ready: number; failed: number };
    const openMs = performance.now() - opened;
    const rssStreams = rss(proc.pid);
    const before = cpu(proc.pid);
    let sent = 0;
    for (let i = 0; i < broadcasts; i++) {
      // Each marker is later than the last: the client counts a stream's markers only as they grow.
      while (Date.now() <= sent) await Bun.sleep(1);
      sent = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/api/admin/announcements`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ text: `t=${sent}` }),
      });
      if (res.status !== 201) throw new Error(`${server}: announcement answered ${res.status}`);
      await res.arrayBuffer();
      await Bun.sleep(interval);
    }
    const after = cpu(proc.pid);
    started.stdin.write("done\n");
    await started.stdin.end();
    const { lags, dropped } = JSON.parse(await nextLine()) as { lags: number[]; dropped: number };
    const deliveries = lags.length;
    // An event that never arrived counts as the slowest there is, so that a server that drops
    // slow streams cannot look faster for it.
    for (let i = deliveries; i < ready.ready * broadcasts; i++) lags.push(Infinity);
    lags.sort((a, b) => a - b);
    const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * p))] ?? NaN;
    return {
      server,
      round,
      streams: ready.ready,
      failed: ready.failed,
      dropped,
      deliveries,
      expected: ready.ready * broadcasts,
      openMs: Math.round(openMs),
      min: lags[0] ?? NaN,
      p50: pct(0.5),
      p99: pct(0.99),
      max: lags.at(-1) ?? NaN,
      cpuUser: Math.round((after.user - before.user) / broadcasts),
      cpuSys: Math.round((after.sys - before.sys) / broadcasts),
      rssIdle,
      rssStreams,
      rssAfter: rss(proc.pid),
    };
  } finally {
    client?.kill();
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const runs: Run[] = [];
try {
  console.log(
    `${connections} streams, ${broadcasts} broadcasts, ${rounds} rounds; client ${values.client}` +
      ` (${values.wait}); ${pin ? "server on CPU 0, client on CPU 1" : "not pinned"}`,
  );
  for (let round = 1; round <= rounds; round++) {
    for (const server of servers) {
      const run = await measure(server, round);
      runs.push(run);
      console.log(
        `round ${round} ${server.padEnd(5)} streams ${run.streams} (failed ${run.failed}, ` +
          `dropped ${run.dropped}), ` +
          `deliveries ${run.deliveries}/${run.expected}, lag min/p50/p99/max ` +
          `${run.min}/${run.p50}/${run.p99}/${run.max} ms, CPU per broadcast ` +
          `${run.cpuUser}/${run.cpuSys} ms user/sys, RSS ${run.rssIdle}/${run.rssStreams}/` +
          `${run.rssAfter} MB`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const summary = servers.map((server) => {
  const mine = runs.filter((run) => run.server === server);
  const med = (key: keyof Run) => median(mine.map((run) => run[key] as number));
  return {
    server,
    "streams held": `${Math.min(...mine.map((run) => run.streams))}/${connections}`,
    "deliveries": `${mine.reduce((sum, run) => sum + run.deliveries, 0)}/${
      mine.reduce((sum, run) => sum + run.expected, 0)
    }`,
    "lag p50 (ms)": med("p50"),
    "lag p99 (ms)": med("p99"),
    "p99 by round": mine.map((run) => run.p99).join(", "),
    "lag max (ms)": med("max"),
    "CPU user/sys per broadcast (ms)": `${med("cpuUser")}/${med("cpuSys")}`,
    "RSS idle/streams/after (MB)": `${med("rssIdle")}/${
      Math.max(...mine.map((r) => r.rssStreams))
    }/${Math.max(...mine.map((r) => r.rssAfter))}`,
  };
});
console.log("\nMedians over the rounds (RSS with streams and after: the highest):");
console.table(summary);

/** Cairn's p99 over a baseline's, per round, and their median. */
const ratios: Record<string, { rounds: number[]; median: number }> = {};
for (const baseline of servers.filter((server) => server !== "cairn")) {
  if (!servers.includes("cairn")) break;
  const perRound = [];
  for (let round = 1; round <= rounds; round++) {
    const mine = runs.find((run) => run.server === "cairn" && run.round === round)!;
    const theirs = runs.find((run) => run.server === baseline && run.round === round)!;
    perRound.push(Math.round((mine.p99 / theirs.p99) * 100) / 100);
  }
  ratios[baseline] = { rounds: perRound, median: median(perRound) };
  console.log(
    `Cairn p99 / ${baseline} p99: ${ratios[baseline].median.toFixed(2)} (rounds ${
      perRound.join(", ")
    })`,
  );
}
const cairn = summary.find((row) => row.server === "cairn");
// The brief's target, for 10,000 streams: a broadcast's p99 within 1.25x the C floor's, measured
// in the same run, and RSS at most 250 MB.
if (cairn !== undefined && connections >= 10_000) {
  const rss = Math.max(
    ...runs.filter((run) => run.server === "cairn").map((run) => run.rssStreams),
  );
  const floor = ratios.floor;
  console.log(
    floor === undefined
      ? "Target: p99 within 1.25x the C floor's; run with the floor among --servers to check it"
      : `Target, p99 ≤ 1.25x the C floor's and RSS ≤ 250 MB: ${
        floor.median <= 1.25 && rss <= 250 ? "met" : "not met"
      } (median ratio ${floor.median.toFixed(2)}, Cairn's p99 ${
        cairn["lag p99 (ms)"]
      } ms, RSS ${rss} MB)`,
  );
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  JSON.stringify(
    {
      at: new Date().toISOString(),
      connections,
      broadcasts,
      interval,
      rounds,
      client: values.client,
      wait: values.wait,
      pinned: pin,
      runs,
      ratios,
    },
    null,
    2,
  ) + "\n",
);
