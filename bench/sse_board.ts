// Scoreboard pushes at scale: what a big board pushed to many streams costs
// the guesses that run beside it. The compiled binary holds a hunt with many
// teams (2,000 by default, a 200 KB board) and N streams (10,000), opened by
// bench/sse_client.c as the teams' phones (each with a team's session, in
// turn), with the view given (`full`, the whole board; `team`, the team's row
// alone: see docs/api.md). Each round runs wrong guesses with wrk for a few
// seconds twice: with nothing else, then while an organizer's adjustments
// (20 a second by default) change the board, so that pushes go out as fast as
// the server lets them. It reports guesses/s for both and their ratio. With
// `--change solve`, teams' right guesses (each team's one, in turn) change the
// board instead; with `--show-solves` too, each also changes a puzzle's count
// of solves, which every team that has the puzzle unlocked is sent
// (`puzzle_values`): run it with and without to see what the event costs.
//
// The server runs on CPU 0; wrk and the stream client share CPU 1 (the client
// sleeps in epoll). Loopback only; bounded in count and time. Needs wrk, cc
// and taskset (`apt-get install -y wrk gcc`). Run ./compile.sh first.
// Usage: see USAGE below (bun bench/sse_board.ts --help).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BINARY, freePort, waitFor } from "../test/_binary.ts";
import { generateHunt } from "./_generate.ts";
import { median, type Run, runWrk, writeScript } from "./load/_wrk.ts";
import { seed } from "./load/seed.ts";

const USAGE = `Usage: bun bench/sse_board.ts [options]
  --teams N         seeded teams (default 2000)
  --streams N       streams held, the teams' sessions in turn (default 10000, at most 19000)
  --view full|team  what the streams' scoreboard events carry (default team; see docs/api.md)
  --rate N          changes a second while pushes run (default 20)
  --change adjust|solve  what changes the board: an organizer's adjustments (default), or teams'
                    right guesses (one a team, at most as many as there are teams)
  --show-solves     the hunt shows each puzzle's solves: a solve sends puzzle_values
  --rounds R        rounds (default 3)
  --seconds S       length of each wrk run (default 5)
  --binary PATH     Cairn's binary (default dist/cairn; run ./compile.sh first)`;

function fail(message: string): never {
  console.error(`sse_board: ${message}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      teams: { type: "string", default: "2000" },
      streams: { type: "string", default: "10000" },
      view: { type: "string", default: "team" },
      rate: { type: "string", default: "20" },
      change: { type: "string", default: "adjust" },
      "show-solves": { type: "boolean", default: false },
      rounds: { type: "string", default: "3" },
      seconds: { type: "string", default: "5" },
      binary: { type: "string", default: BINARY },
      help: { type: "boolean", default: false },
    },
  });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [teams, streams, rate, rounds, seconds] =
  (["teams", "streams", "rate", "rounds", "seconds"] as const)
    .map((name) => {
      const value = Number(values[name]);
      if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a whole number from 1`);
      return value;
    }) as [number, number, number, number, number];
if (streams > 19_000) fail("--streams is at most 19000 (the limit is 20,000 files a process)");
if (values.view !== "full" && values.view !== "team") fail("--view is full or team");
if (values.change !== "adjust" && values.change !== "solve") fail("--change is adjust or solve");
for (const tool of ["wrk", "cc", "taskset"]) {
  if (Bun.which(tool) === null) {
    fail(`needs ${tool} (apt-get install -y wrk gcc; taskset is in util-linux)`);
  }
}

const dir = mkdtempSync(join(tmpdir(), "cairn-sse-board-"));
const admin = "sse-board-admin-token";
let server: ReturnType<typeof Bun.spawn> | undefined;
let client: ReturnType<typeof Bun.spawn> | undefined;
try {
  const built = Bun.spawnSync([
    "cc",
    "-O2",
    "-o",
    join(dir, "sse_client"),
    join(import.meta.dir, "sse_client.c"),
  ]);
  if (built.exitCode !== 0) fail(`cc sse_client.c failed:\n${built.stderr.toString()}`);
  const generated = generateHunt(200, { guessLimit: '{ count = 1000000, per = "1m" }' });
  const huntText = values["show-solves"]
    ? generated.replace('title = "Generated"', 'title = "Generated"\nshow_solves = true')
    : generated;
  writeFileSync(join(dir, "hunt.toml"), huntText);
  const seeded = await seed(huntText, {
    dbPath: join(dir, "board.db"),
    teams,
    password: "sse-board-password",
    history: 0,
  });
  writeFileSync(join(dir, "tokens"), seeded.map((team) => team.token).join("\n") + "\n");
  const port = freePort();
  server = Bun.spawn([
    ...["taskset", "-c", "0", values.binary, "serve", "--hunt", join(dir, "hunt.toml")],
    ...["--db", join(dir, "board.db"), "--host", "127.0.0.1", "--port", String(port)],
    ...["--admin-token", admin, "--log-level", "warn"],
  ], { stdout: "ignore", stderr: "inherit" });
  await waitFor(`http://127.0.0.1:${port}/healthz`);
  const board = await (await fetch(`http://127.0.0.1:${port}/api/scoreboard`)).text();

  const started = Bun.spawn([
    ...["taskset", "-c", "1", join(dir, "sse_client"), String(port), String(streams)],
    ...["--tokens", join(dir, "tokens"), `/api/events?scoreboard=${values.view}`],
  ], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  client = started;
  // The client prints one line once every stream has its first event.
  const reader = started.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) fail("the stream client ended early");
    line += value;
  }
  const { ready, failed } = JSON.parse(line) as { ready: number; failed: number };
  console.log(
    `${teams} teams (board ${Math.round(board.length / 1024)} KB), ${ready} streams open ` +
      `(${failed} failed), view ${values.view}; ${rate} ${values.change}s/s while pushes run` +
      `${values["show-solves"] ? " (show_solves)" : ""}; ` +
      `server on CPU 0, wrk and the client on CPU 1`,
  );

  // Wrong guesses only: a right one would change the board by itself.
  const script = writeScript(
    dir,
    "wrong",
    seeded.flatMap((team, i) =>
      [0, 1, 2].map((j) => ({
        method: "POST",
        path: `/api/puzzles/${team.puzzle}/guesses`,
        token: team.token,
        body: JSON.stringify({ answer: `wrong ${i} ${j}` }),
      }))
    ),
  );
  const wrk = () =>
    runWrk({
      port,
      pid: server!.pid,
      script,
      seconds,
      connections: 64,
      pin: ["taskset", "-c", "1"],
    });
  let adjusting = false;
  /** The teams whose one right guess has not been sent yet (`--change solve`). */
  let solver = 0;
  /**
   * One change of the board: an organizer's +1 for one team after another, or the next team's
   * right guess (on a puzzle other than its wrong guesses', which stay wrong).
   */
  const change = async (sent: number): Promise<void> => {
    if (values.change === "solve") {
      const team = seeded[solver++];
      if (team === undefined) fail(`every team solved: fewer rounds, or a lower --rate`);
      const res = await fetch(
        `http://127.0.0.1:${port}/api/puzzles/${team.solvable.puzzle}/guesses`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${team.token}`, "content-type": "application/json" },
          body: JSON.stringify({ answer: team.solvable.answer }),
        },
      );
      const result = res.status === 200 ? ((await res.json()) as { result: string }).result : "";
      if (result !== "correct") fail(`a right guess answered ${res.status} ${result}`);
      return;
    }
    const res = await fetch(`http://127.0.0.1:${port}/api/admin/adjustments`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ team: (sent % teams) + 1, points: 1, reason: "sse_board" }),
    });
    if (res.status !== 201) fail(`an adjustment answered ${res.status}`);
    await res.arrayBuffer();
  };
  /** Changes of the board, `rate` a second, until told to stop. */
  const adjust = async (): Promise<number> => {
    let sent = 0;
    while (adjusting) {
      await change(sent);
      sent++;
      await Bun.sleep(1000 / rate);
    }
    return sent;
  };
  const show = (run: Run) =>
    `${Math.round(run.rps)} guesses/s, p99 ${run.p99} ms, ${run.cpuUs.toFixed(1)} µs CPU each`;
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const quiet = await wrk();
    adjusting = true;
    const adjusted = adjust();
    const pushed = await wrk();
    adjusting = false;
    const sent = await adjusted;
    ratios.push(pushed.rps / quiet.rps);
    console.log(
      `round ${round}: no pushes ${show(quiet)} | ${sent} ${values.change}s: ${show(pushed)} | ` +
        `ratio ${(pushed.rps / quiet.rps).toFixed(2)}`,
    );
  }
  console.log(
    `Guesses/s while pushes run, over guesses/s without: median ${median(ratios).toFixed(2)} ` +
      `(rounds ${ratios.map((r) => r.toFixed(2)).join(", ")})`,
  );
} finally {
  client?.kill();
  server?.kill();
  await server?.exited;
  rmSync(dir, { recursive: true, force: true });
}
