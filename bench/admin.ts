// The organizer's side of a big event: what each admin page and API call
// costs on a database as large as a big CTF's, and how long a player's
// request sent meanwhile waits (every player request waits while the main
// thread is busy).
//
// 1. Generates a hunt (300 puzzles by default, plus 10 text missions judged
//    by an organizer and 10 puzzles with an ask hint) and seeds 2,000 teams
//    and 1,000,000 older guesses with the load test's seeder
//    (bench/load/seed.ts), through the real engine and store.
// 2. Starts `cairn serve` from this worktree's source on it, and adds mission
//    submissions, asks, announcements, adjustments and verdicts through the
//    HTTP API, as an event would.
// 3. Runs each organizer request a few times, one at a time, while a player
//    in a process of its own (bench/_probe.ts) sends `GET /api/puzzles` after
//    another; prints, per request, the median wall time, the answer's size,
//    and the players' median and slowest latency during those requests
//    (their median when idle is printed first).
//
// `--save DIR` keeps the populated database (and its teams' tokens) for a
// later run's `--from DIR`, which skips steps 1 and 2 (the database is copied;
// the saved one is left as it was). Loopback only; every loop is bounded.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort, waitFor } from "../test/_binary.ts";
import { toolArgs, wholeNumber } from "./_args.ts";
import { generateHunt } from "./_generate.ts";
import { median } from "./load/_wrk.ts";
import { seed } from "./load/seed.ts";
import { openDatabase } from "../src/store/mod.ts";

const USAGE = `Usage: bun bench/admin.ts [options]

The organizer's pages and admin API on a big event's database: per request,
the median time, the answer's size, and a player's GET /api/puzzles latency
while it runs.

Options:
  --teams N          seeded teams (default 2000)
  --puzzles N        generated puzzles, a multiple of 20 (default 300)
  --history N        older guesses seeded (default 1000000)
  --submissions N    mission submissions added (default 4000)
  --asks N           asks added, one a team at most (default 1000)
  --announcements N  announcements added (default 300)
  --runs N           times each request runs (default 5)
  --only A,B         only the requests whose name contains A or B (SIGHUP, cli too)
  --save DIR         keep the populated database and tokens in DIR
  --from DIR         start from a database saved with --save
  --help             this text`;

const ADMIN = "bench-admin-token-0123456789";
const SRC_MAIN = join(import.meta.dir, "..", "src", "main.ts");

const options = toolArgs(USAGE, () => {
  const { values } = parseArgs({
    options: {
      teams: { type: "string", default: "2000" },
      puzzles: { type: "string", default: "300" },
      history: { type: "string", default: "1000000" },
      submissions: { type: "string", default: "4000" },
      asks: { type: "string", default: "1000" },
      announcements: { type: "string", default: "300" },
      runs: { type: "string", default: "5" },
      only: { type: "string" },
      save: { type: "string" },
      from: { type: "string" },
    },
  });
  const puzzles = wholeNumber("puzzles", values.puzzles, { min: 20 });
  if (puzzles % 20 !== 0) throw new Error("--puzzles must be a multiple of 20");
  return {
    teams: wholeNumber("teams", values.teams, { min: 10 }),
    puzzles,
    history: wholeNumber("history", values.history, { min: 0 }),
    submissions: wholeNumber("submissions", values.submissions, { min: 0 }),
    asks: wholeNumber("asks", values.asks, { min: 0 }),
    announcements: wholeNumber("announcements", values.announcements, { min: 0 }),
    runs: wholeNumber("runs", values.runs, { min: 1 }),
    only: values.only,
    save: values.save,
    from: values.from,
  };
});

/** The hunt: the load test's generated puzzles, then missions and puzzles with an ask hint. */
function huntText(puzzles: number): string {
  const lines = [generateHunt(puzzles, { guessLimit: '{ count = 1000000, per = "1m" }' })];
  for (let i = 0; i < 10; i++) {
    lines.push(
      "[[puzzle]]",
      `id = "m${i}"`,
      `title = "Mission ${i}"`,
      'round = "missions"',
      "points = 20",
      'submit = "text"',
      'judge = "organizer"',
      "",
      "[[puzzle]]",
      `id = "q${i}"`,
      `title = "Ask ${i}"`,
      'round = "asks"',
      "points = 10",
      `answer = ["ask answer ${i}"]`,
      'guess_limit = { count = 1000000, per = "1m" }',
      "",
      "[[puzzle.hint]]",
      'id = "ask"',
      'kind = "ask"',
      'text = "Ask us."',
      "",
    );
  }
  return lines.join("\n");
}

/** A request to the server, as the admin (token or cookie) or as nobody. */
interface Case {
  name: string;
  /** The path, or a function that gives it once the database is known. */
  path: string | (() => string);
  method?: "GET" | "POST";
  body?: unknown;
  /** How the request is authenticated: the admin's Bearer token (default), the cookie, none. */
  as?: "token" | "cookie" | "none";
  /** Read only the first bytes of the answer, then cancel (a live stream). */
  firstBytes?: boolean;
}

/** A team in the middle of the registrations, for the team pages. */
const TEAM = Math.ceil(options.teams / 2);
/** The team with the most guesses, found once the database is seeded (the seeder's spread is uneven). */
let busiest = 1;

const CASES: Case[] = [
  { name: "dashboard", path: "/admin", as: "cookie" },
  { name: "progress grid", path: "/admin/progress", as: "cookie" },
  { name: "charts", path: "/admin/charts", as: "cookie" },
  { name: "feed (page)", path: "/admin/feed?after=0", as: "cookie" },
  { name: "team page", path: `/admin/teams/${TEAM}`, as: "cookie" },
  { name: "busiest team page", path: () => `/admin/teams/${busiest}`, as: "cookie" },
  { name: "judging queue", path: "/admin/judge", as: "cookie" },
  { name: "asks page", path: "/admin/hints", as: "cookie" },
  { name: "print", path: "/admin/print", as: "cookie" },
  { name: "api teams", path: "/api/admin/teams" },
  { name: "api team", path: `/api/admin/teams/${TEAM}` },
  { name: "api busiest team", path: () => `/api/admin/teams/${busiest}` },
  { name: "api guesses first", path: "/api/admin/guesses?after=0&limit=1000" },
  { name: "api guesses late", path: "/api/admin/guesses?after=999000&limit=1000" },
  { name: "api stats", path: "/api/admin/stats" },
  { name: "api asks open", path: "/api/admin/asks" },
  { name: "api asks all", path: "/api/admin/asks?status=all" },
  { name: "export csv scoreboard", path: "/api/admin/export?format=csv" },
  { name: "export csv guesses", path: "/api/admin/export?format=csv&table=guesses" },
  { name: "export json", path: "/api/admin/export?format=json" },
  { name: "board page", path: "/scoreboard?view=projector", as: "none" },
  { name: "board chart", path: "/scoreboard/chart.svg", as: "none" },
  { name: "api scoreboard", path: "/api/scoreboard", as: "none" },
  { name: "api scoreboard kids", path: "/api/scoreboard?division=kids", as: "none" },
  { name: "api scoreboard history", path: "/api/scoreboard/history", as: "none" },
  { name: "admin SSE first bytes", path: "/api/events", firstBytes: true },
  { name: "freeze", path: "/api/admin/scoreboard", method: "POST", body: { frozen: true } },
  { name: "reveal", path: "/api/admin/scoreboard", method: "POST", body: { frozen: false } },
  {
    name: "adjustment",
    path: "/api/admin/adjustments",
    method: "POST",
    body: { team: 7, points: 1, reason: "bench" },
  },
  { name: "reload", path: "/api/admin/reload", method: "POST" },
];

/** Whether `--only` (a comma-separated list) names the request `name`, or is not given. */
const chosen = (name: string) =>
  options.only === undefined || options.only.split(",").some((part) => name.includes(part));

interface Probe {
  sentAt: number;
  ms: number;
}

/** The player's latencies, read from the probe process as it prints them. */
function startProbe(url: string, token: string) {
  const proc = Bun.spawn(
    [process.execPath, join(import.meta.dir, "_probe.ts"), url, token, "5", "1800"],
    { stdout: "pipe", stderr: "inherit" },
  );
  const probes: Probe[] = [];
  (async () => {
    let rest = "";
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        const [sentAt, ms] = line.split(" ").map(Number);
        probes.push({ sentAt: sentAt!, ms: ms! });
      }
    }
  })();
  return {
    probes,
    /** Probes in flight at some time in [from, to]: sent before `to`, answered after `from`. */
    during(from: number, to: number): number[] {
      return probes.filter((p) => p.sentAt <= to && p.sentAt + p.ms >= from).map((p) => p.ms);
    },
    stop: () => proc.kill(),
  };
}

const pathOf = (c: Case) => typeof c.path === "string" ? c.path : c.path();

/** Runs one request; resolves with its time and answer size. */
async function runCase(
  url: string,
  c: Case,
): Promise<{ ms: number; bytes: number; status: number }> {
  const headers: Record<string, string> = {};
  if ((c.as ?? "token") === "token") headers.authorization = `Bearer ${ADMIN}`;
  if (c.as === "cookie") headers.cookie = `cairn_admin=${ADMIN}`;
  if (c.method === "POST") {
    headers["content-type"] = "application/json";
    headers.origin = url;
  }
  const started = performance.now();
  const res = await fetch(url + pathOf(c), {
    method: c.method ?? "GET",
    headers,
    redirect: "manual",
    ...(c.method === "POST" && { body: JSON.stringify(c.body ?? {}) }),
  });
  let bytes = 0;
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (c.firstBytes) {
      await reader.cancel();
      break;
    }
  }
  return { ms: performance.now() - started, bytes, status: res.status };
}

/** Sends `count` requests made by `make`, `concurrency` at a time. */
async function many(count: number, concurrency: number, make: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await make(next++);
  }));
}

/** Adds what an event's organizers and teams do besides guessing, through the API. */
async function populate(url: string, tokens: string[]) {
  const admin = { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" };
  const post = async (path: string, headers: Record<string, string>, body: string | FormData) => {
    const res = await fetch(url + path, { method: "POST", headers, body });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const teams = tokens.length;
  await many(options.submissions, 16, (i) => {
    const form = new FormData();
    form.set("text", `Our answer ${i}`);
    const mission = `m${Math.floor(i / teams) % 10}`;
    return post(`/api/puzzles/${mission}/submissions`, {
      authorization: `Bearer ${tokens[i % teams]}`,
    }, form);
  });
  await many(Math.min(options.asks, teams), 16, async (i) => {
    const player = { authorization: `Bearer ${tokens[i]}`, "content-type": "application/json" };
    const puzzle = `q${i % 10}`;
    await post(`/api/puzzles/${puzzle}/guesses`, player, JSON.stringify({ answer: "a try" }));
    await post(
      `/api/puzzles/${puzzle}/hints/ask/asks`,
      player,
      JSON.stringify({ question: `Are we close? (${i})` }),
    );
  });
  await many(
    options.announcements,
    8,
    (i) => post("/api/admin/announcements", admin, JSON.stringify({ text: `Announcement ${i}` })),
  );
  await many(200, 8, (i) =>
    post(
      "/api/admin/adjustments",
      admin,
      JSON.stringify({ team: 1 + (i * 7) % teams, points: 5, reason: "Bench" }),
    ));
  // Some verdicts, so that the judging page has recent ones to list.
  await many(Math.min(300, options.submissions), 4, async (i) => {
    const { submission } = await post(
      "/api/admin/judge/claim",
      admin,
      JSON.stringify({ judge: `judge ${i}` }),
    ) as { submission: { id: number } | null };
    if (submission === null) return;
    await post(
      `/api/admin/submissions/${submission.id}/verdict`,
      admin,
      JSON.stringify({ accept: true }),
    );
  });
}

/** Starts the server on `db`; resolves once it serves. */
async function startServer(dir: string, db: string, port: number) {
  const proc = Bun.spawn([
    process.execPath,
    SRC_MAIN,
    "serve",
    "--hunt",
    join(dir, "hunt.toml"),
    "--db",
    db,
    "--port",
    String(port),
    "--host",
    "127.0.0.1",
    "--admin-token",
    ADMIN,
  ], { stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  for (const stream of [proc.stdout, proc.stderr]) {
    (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) lines.push(...decoder.decode(chunk).split("\n"));
    })();
  }
  await waitFor(`http://127.0.0.1:${port}/healthz`, 60_000);
  return { proc, lines };
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const size = (bytes: number) =>
  bytes >= 1_048_576
    ? `${(bytes / 1_048_576).toFixed(1)} MB`
    : bytes >= 1024
    ? `${(bytes / 1024).toFixed(1)} kB`
    : `${bytes} B`;

/** Measures every case; prints a table. */
async function measure(
  url: string,
  probe: ReturnType<typeof startProbe>,
  server: { proc: { pid: number }; lines: string[] },
  dir: string,
  db: string,
) {
  await Bun.sleep(1_500);
  const idle = probe.during(Date.now() - 1_200, Date.now());
  console.log(
    `player GET /api/puzzles when idle: median ${fmt(median(idle))} ms, max ${
      fmt(Math.max(...idle))
    } ms (${idle.length} requests)`,
  );
  console.log("| request | status | answer | median ms | player median ms | player max ms |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  const cases = CASES.filter((c) => chosen(c.name));
  for (const c of cases) {
    const times: number[] = [];
    const player: number[] = [];
    let bytes = 0;
    let status = 0;
    for (let run = 0; run < options.runs; run++) {
      const from = Date.now();
      const result = await runCase(url, c);
      const to = Date.now();
      await Bun.sleep(120); // the probe's answers in flight come in
      times.push(result.ms);
      player.push(...probe.during(from, to));
      bytes = result.bytes;
      status = result.status;
      await Bun.sleep(80);
    }
    console.log(
      `| ${c.method ?? "GET"} ${pathOf(c)} (${c.name}) | ${status} | ${size(bytes)} | ${
        fmt(median(times))
      } | ${player.length ? fmt(median(player)) : "-"} | ${
        player.length ? fmt(Math.max(...player)) : "-"
      } |`,
    );
  }
  if (chosen("SIGHUP")) {
    await sighup(probe, server);
  }
  if (chosen("cli")) {
    await cli(probe, dir, db);
  }
}

/** SIGHUP: from the signal to the server's `hunt_reloaded` line. */
async function sighup(
  probe: ReturnType<typeof startProbe>,
  server: { proc: { pid: number }; lines: string[] },
) {
  const times: number[] = [];
  const player: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const seen = server.lines.filter((l) => l.includes("hunt_reloaded")).length;
    const from = Date.now();
    const started = performance.now();
    process.kill(server.proc.pid, "SIGHUP");
    const deadline = Date.now() + 30_000;
    while (
      server.lines.filter((l) => l.includes("hunt_reloaded")).length === seen &&
      Date.now() < deadline
    ) {
      await Bun.sleep(1);
    }
    times.push(performance.now() - started);
    const to = Date.now();
    await Bun.sleep(120);
    player.push(...probe.during(from, to));
  }
  console.log(
    `| SIGHUP (reload) | - | - | ${fmt(median(times))} | ${
      player.length ? fmt(median(player)) : "-"
    } | ${player.length ? fmt(Math.max(...player)) : "-"} |`,
  );
}

/** `cairn export` and `cairn backup`, run beside the server. */
async function cli(probe: ReturnType<typeof startProbe>, dir: string, db: string) {
  const commands: [string, string[]][] = [
    ["cairn export --format json", [
      "export",
      "--db",
      db,
      "--format",
      "json",
      "--out",
      join(dir, "out.json"),
    ]],
    ["cairn export --format csv", [
      "export",
      "--db",
      db,
      "--format",
      "csv",
      "--out",
      join(dir, "csv"),
    ]],
    ["cairn backup", ["backup", join(dir, "backups") + "/", "--db", db]],
  ];
  for (const [name, args] of commands) {
    const times: number[] = [];
    const player: number[] = [];
    for (let run = 0; run < Math.min(3, options.runs); run++) {
      const from = Date.now();
      const started = performance.now();
      const proc = Bun.spawn([process.execPath, SRC_MAIN, ...args], {
        stdout: "ignore",
        stderr: "pipe",
      });
      const code = await proc.exited;
      if (code !== 0) console.error(name, code, await new Response(proc.stderr).text());
      times.push(performance.now() - started);
      const to = Date.now();
      await Bun.sleep(120);
      player.push(...probe.during(from, to));
      rmSync(join(dir, "backups"), { recursive: true, force: true });
    }
    console.log(
      `| ${name} | - | - | ${fmt(median(times))} | ${player.length ? fmt(median(player)) : "-"} | ${
        player.length ? fmt(Math.max(...player)) : "-"
      } |`,
    );
  }
}

const dir = mkdtempSync(join(tmpdir(), "cairn-admin-bench-"));
const db = join(dir, "cairn.db");
let server: Awaited<ReturnType<typeof startServer>> | undefined;
let probe: ReturnType<typeof startProbe> | undefined;
try {
  writeFileSync(join(dir, "hunt.toml"), huntText(options.puzzles));
  let tokens: string[];
  if (options.from !== undefined) {
    copyFileSync(join(options.from, "cairn.db"), db);
    tokens = JSON.parse(readFileSync(join(options.from, "tokens.json"), "utf8"));
  } else {
    const started = performance.now();
    const seeded = await seed(huntText(options.puzzles), {
      dbPath: db,
      teams: options.teams,
      password: "bench-password",
      history: options.history,
    });
    tokens = seeded.map((t) => t.token);
    console.error(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const counted = openDatabase(db);
  busiest = counted.query<{ team: number }>(
    "SELECT team_id AS team FROM guesses GROUP BY team_id ORDER BY count(*) DESC LIMIT 1",
  ).get()?.team ?? 1;
  counted.close();
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  server = await startServer(dir, db, port);
  if (options.from === undefined) {
    const started = performance.now();
    await populate(url, tokens);
    console.error(`populated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (options.save !== undefined) {
    // Saved before anything is measured, the server stopped so that the file is whole.
    server.proc.kill("SIGTERM");
    await server.proc.exited;
    if (!existsSync(options.save)) mkdirSync(options.save, { recursive: true });
    copyFileSync(db, join(options.save, "cairn.db"));
    writeFileSync(join(options.save, "tokens.json"), JSON.stringify(tokens));
    server = await startServer(dir, db, port);
  }
  probe = startProbe(url, tokens[tokens.length - 1]!);
  await measure(url, probe, server, dir, db);
} finally {
  probe?.stop();
  if (server !== undefined) {
    server.proc.kill("SIGTERM");
    await server.proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
