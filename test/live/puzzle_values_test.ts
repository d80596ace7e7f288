// `puzzle_values`: another team's solve changes what a team's open list and puzzle pages show (a
// dynamic puzzle's points, the count of solves with `show_solves`); the team's streams get the new
// values of the puzzles it has unlocked, as GET /api/puzzles gives them, none while frozen, none of
// a hidden team's solves, and none at all in a hunt whose values cannot change.
import { afterEach, describe, expect, test } from "bun:test";
import { listen, type Listener } from "../../src/server/mod.ts";
import { sleep } from "../_runtime.ts";
import { open, type SseEvent } from "../_sse.ts";
import { MINUTE } from "../engine/_hunt.ts";
import { makeApp } from "../http/_app.ts";
import { Engine, type Team } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { Live } from "../../src/live/mod.ts";

const servers: Listener[] = [];
const streams: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) await stream.close();
  for (const server of servers.splice(0)) await server.stop(true);
});

const DYNAMIC = 'points = { initial = 500, minimum = 100, decay = 10, function = "linear" }';

const HUNT = (more: string, crypto: string) => `
[hunt]
title = "Values"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
${more}

[[puzzle]]
id = "crypto"
title = "Crypto"
${crypto}
answer = "flag"

[[puzzle]]
id = "web"
title = "Web"
points = 50
answer = "web"

# Unlocked by a first solve: a team with none has not unlocked it, and hears nothing of it.
[[puzzle]]
id = "pwn"
title = "Pwn"
${
  crypto === DYNAMIC
    ? 'points = { initial = 300, minimum = 100, decay = 50, function = "linear" }'
    : "points = 30"
}
unlock = 'solves() >= 1'
answer = "pwn"
`;

type Stream = Awaited<ReturnType<typeof open>>;

async function game(more: string, crypto = DYNAMIC, valuesEveryMs = 0) {
  // Each solve's values go out with its push, unless told (by default, changes within 2 s of the
  // last values go out together).
  const app = makeApp({ toml: HUNT(more, crypto), coalesceMs: 0, valuesEveryMs });
  app.clock.advance(MINUTE);
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
  servers.push(server);
  const base = `http://127.0.0.1:${server.port}`;
  const tokens: Record<string, string> = {};
  for (const name of ["Gulls", "Terns", "Skuas", "Petrels"]) {
    tokens[name] = await app.register(name);
  }
  /** A team's stream as its pages open it (`?scoreboard=team`); with no team, the public one. */
  const stream = async (name?: string): Promise<Stream> => {
    const opened = name === undefined
      ? await open(base)
      : await open(base, { authorization: `Bearer ${tokens[name]}` }, "?scoreboard=team");
    streams.push(opened);
    return opened;
  };
  // The public stream: a push has gone out once it has the board after a change (the values go
  // out in the same push, before the board).
  const board = await stream();
  let boards = 1;
  const pushed = async () => {
    const count = ++boards;
    await board.wait(() => board.events.filter((e) => e.event === "scoreboard").length >= count);
    await sleep(50);
  };
  const solve = async (name: string, puzzle: string, answer: string, push = true) => {
    const reply = await app.call("POST", `/api/puzzles/${puzzle}/guesses`, {
      token: tokens[name],
      body: { answer },
    });
    expect(reply.body.result).toBe("correct");
    if (push) await pushed();
  };
  /** What the team's GET /api/puzzles says of each puzzle's points and solves. */
  const listed = async (name: string, id: string) => {
    const puzzles = (await app.call("GET", "/api/puzzles", { token: tokens[name] })).body.puzzles;
    const p = puzzles.find((p: { id: string }) => p.id === id);
    return { id: p.id, points: p.points, ...(p.solves !== undefined && { solves: p.solves }) };
  };
  return { app, board, stream, solve, listed, pushed };
}

const values = (stream: Stream) =>
  stream.events.filter((e: SseEvent) => e.event === "puzzle_values").map((e) =>
    JSON.parse(e.data!).puzzles
  );

describe("puzzle_values", () => {
  test("a solve that lowers a dynamic puzzle's value reaches the teams that have it, as their list says it", async () => {
    const { board, stream, solve, listed } = await game("");
    const gulls = await stream("Gulls");
    const skuas = await stream("Skuas");
    // The first solve leaves the value where it was: nothing to tell.
    await solve("Terns", "crypto", "flag");
    expect(values(gulls)).toEqual([]);
    await solve("Skuas", "crypto", "flag");
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 490 }]]);
    expect(await listed("Gulls", "crypto")).toEqual({ id: "crypto", points: 490 });
    // The solver's own streams get it too (its page of the puzzle shows the value it holds).
    expect(values(skuas)).toEqual([[{ id: "crypto", points: 490 }]]);
    // Counted for the team alone, as its other own events: no gap in the public sequence.
    const event = gulls.events.find((e) => e.event === "puzzle_values")!;
    expect(event.id).toMatch(/^\d+\.\d+\.\d+$/);
    // Pwn is the solvers' alone: the Gulls, who have not unlocked it, hear nothing of its fall.
    await solve("Terns", "pwn", "pwn");
    await solve("Skuas", "pwn", "pwn");
    expect(values(skuas).at(-1)).toEqual([{ id: "pwn", points: 250 }]);
    expect(await listed("Skuas", "pwn")).toEqual({ id: "pwn", points: 250 });
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 490 }]]);
    // Nor does the public stream get any.
    expect(values(board)).toEqual([]);
  });

  test("with show_solves, each solve's new count, fixed points and all", async () => {
    const { stream, solve, listed } = await game("show_solves = true", "points = 100");
    const gulls = await stream("Gulls");
    await solve("Terns", "web", "web");
    expect(values(gulls)).toEqual([[{ id: "web", points: 50, solves: 1 }]]);
    await solve("Skuas", "web", "web");
    await solve("Skuas", "crypto", "flag");
    expect(values(gulls)).toEqual([
      [{ id: "web", points: 50, solves: 1 }],
      [{ id: "web", points: 50, solves: 2 }],
      [{ id: "crypto", points: 100, solves: 1 }],
    ]);
    expect(await listed("Gulls", "web")).toEqual({ id: "web", points: 50, solves: 2 });
  });

  test("while the board is frozen, none: the reveal sends the true values", async () => {
    const { app, stream, solve, pushed, listed } = await game("show_solves = true");
    const gulls = await stream("Gulls");
    const skuas = await stream("Skuas");
    await solve("Terns", "crypto", "flag");
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 500, solves: 1 }]]);
    expect((await app.admin("POST", "/api/admin/scoreboard", { frozen: true })).status).toBe(200);
    await pushed();
    app.clock.advance(MINUTE);
    // The solves since the freeze are its secret: the Gulls' pages go on showing the freeze's.
    await solve("Skuas", "crypto", "flag", false);
    await solve("Petrels", "crypto", "flag", false);
    await skuas.wait((e) => e.event === "solve");
    await sleep(100);
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 500, solves: 1 }]]);
    // (The Skuas' own solve redraws their pages: its `solve` event.)
    expect(values(skuas)).toEqual([[{ id: "crypto", points: 500, solves: 1 }]]);
    expect(await listed("Gulls", "crypto")).toEqual({ id: "crypto", points: 500, solves: 1 });
    expect((await app.admin("POST", "/api/admin/scoreboard", { frozen: false })).status).toBe(200);
    await pushed();
    expect(values(gulls).at(-1)).toEqual([{ id: "crypto", points: 480, solves: 3 }]);
    expect(await listed("Gulls", "crypto")).toEqual({ id: "crypto", points: 480, solves: 3 });
    expect(values(skuas).at(-1)).toEqual([{ id: "crypto", points: 480, solves: 3 }]);
    expect(values(skuas)).toHaveLength(2);
  });

  test("a freeze_at freezes them at its time: a stream opened during it gets the freeze's values, as GET says", async () => {
    const { app, stream, solve, listed } = await game(
      "show_solves = true\nfreeze_at = 2026-11-21T10:05:00Z",
    );
    const gulls = await stream("Gulls");
    await solve("Terns", "crypto", "flag");
    app.clock.advance(5 * MINUTE);
    // (The first change after freeze_at pushes the frozen board: no more to wait for.)
    await solve("Skuas", "crypto", "flag");
    await solve("Petrels", "crypto", "flag", false);
    await sleep(100);
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 500, solves: 1 }]]);
    // A page drawn now, whose stream opens within 5 s of Terns' values: the values now, frozen.
    const again = await stream("Gulls");
    await again.wait((e) => e.event === "puzzle_values");
    expect(values(again)).toEqual([[{ id: "crypto", points: 500, solves: 1 }]]);
    expect(await listed("Gulls", "crypto")).toEqual({ id: "crypto", points: 500, solves: 1 });
    // The Skuas' own solve since counts for them alone.
    const skuas = await stream("Skuas");
    await skuas.wait((e) => e.event === "puzzle_values");
    expect(values(skuas)).toEqual([[{ id: "crypto", points: 490, solves: 2 }]]);
    expect(await listed("Skuas", "crypto")).toEqual({ id: "crypto", points: 490, solves: 2 });
  });

  test("a hidden team's solve changes nothing for the others; shown again, it counts", async () => {
    const { app, stream, solve, pushed, listed } = await game("show_solves = true");
    const gulls = await stream("Gulls");
    await solve("Terns", "crypto", "flag");
    expect((await app.admin("PUT", "/api/admin/teams/3/hidden", { hidden: true })).status)
      .toBe(200);
    await pushed();
    const skuas = await stream("Skuas");
    await solve("Skuas", "crypto", "flag", false);
    await skuas.wait((e) => e.event === "solve");
    await sleep(100);
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 500, solves: 1 }]]);
    expect(await listed("Gulls", "crypto")).toEqual({ id: "crypto", points: 500, solves: 1 });
    expect((await app.admin("PUT", "/api/admin/teams/3/hidden", { hidden: false })).status)
      .toBe(200);
    await pushed();
    expect(values(gulls).at(-1)).toEqual([{ id: "crypto", points: 490, solves: 2 }]);
    expect(await listed("Gulls", "crypto")).toEqual({ id: "crypto", points: 490, solves: 2 });
  });

  test("changes within the window go out together at its end, each puzzle once", async () => {
    const { stream, solve } = await game("show_solves = true", "points = 100", 3_000);
    const gulls = await stream("Gulls");
    // The first goes out at once, with the board.
    await solve("Terns", "web", "web");
    expect(values(gulls)).toEqual([[{ id: "web", points: 50, solves: 1 }]]);
    // The next ones, within the window, wait for its end (the board does not).
    await solve("Skuas", "web", "web");
    await solve("Skuas", "crypto", "flag");
    await solve("Petrels", "web", "web");
    expect(values(gulls)).toHaveLength(1);
    await gulls.wait(() => values(gulls).length === 2);
    expect(values(gulls)[1]).toEqual([
      { id: "crypto", points: 100, solves: 1 },
      { id: "web", points: 50, solves: 3 },
    ]);
  });

  test("their bytes make the next values wait, as the board's bytes do the next board", async () => {
    // Three streams of the Gulls, whose row the others' solves leave as it is (the Gulls lead), and
    // no other: a push sends them no board, only puzzle_values; at 200 bytes a second, the next
    // values wait as long as those bytes take.
    const app = makeApp({
      toml: HUNT("show_solves = true", "points = 100"),
      coalesceMs: 0,
      pushBytesPerSecond: 200,
      valuesEveryMs: 0,
    });
    app.clock.advance(MINUTE);
    const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
    servers.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    const [gulls, terns, skuas] = [
      await app.register("Gulls"),
      await app.register("Terns"),
      await app.register("Skuas"),
    ];
    const solve = (token: string, puzzle: string, answer: string) =>
      app.call("POST", `/api/puzzles/${puzzle}/guesses`, { token, body: { answer } });
    await solve(gulls, "crypto", "flag");
    const opened: Stream[] = [];
    for (let i = 0; i < 3; i++) {
      const one = await open(base, { authorization: `Bearer ${gulls}` }, "?scoreboard=team");
      streams.push(one);
      opened.push(one);
      await one.wait((e) => e.event === "scoreboard");
    }
    const [first] = opened as [Stream];
    // (Each opened just after the Gulls' own solve, and got its values: see the test below.)
    expect(values(first)).toEqual([[{ id: "crypto", points: 100, solves: 1 }]]);
    await solve(terns, "web", "web");
    const event = await first.wait((e) => e.event === "puzzle_values" && e.data!.includes('"web"'));
    expect(JSON.parse(event.data!).puzzles).toEqual([{ id: "web", points: 50, solves: 1 }]);
    // No board went to them: the window is the values' bytes alone, over a second.
    expect(first.events.filter((e) => e.event === "scoreboard")).toHaveLength(1);
    const window = 3 * (`id: ${event.id}\nevent: puzzle_values\ndata: ${event.data}\n\n`).length /
      200 * 1000;
    expect(window).toBeGreaterThan(1000);
    await solve(skuas, "web", "web");
    await sleep(600);
    expect(values(first)).toHaveLength(2);
    await first.wait(() => values(first).length === 3);
    expect(values(first)[2]).toEqual([{ id: "web", points: 50, solves: 2 }]);
  });

  test("a team's stream that opens just after a change gets the values then: its page may have been drawn before", async () => {
    const { board, stream, solve } = await game("show_solves = true");
    await solve("Terns", "crypto", "flag");
    await solve("Skuas", "crypto", "flag");
    await solve("Skuas", "pwn", "pwn");
    // The Gulls' page, drawn before those, opens its stream after them: the values of the puzzles
    // they changed that the Gulls have (not Pwn), as they are now, once, after the board.
    const gulls = await stream("Gulls");
    await gulls.wait((e) => e.event === "puzzle_values");
    expect(gulls.events.map((e) => e.event)).toEqual(["scoreboard", "puzzle_values"]);
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 490, solves: 2 }]]);
    expect(gulls.events[1]!.id).toMatch(/^\d+\.\d+\.\d+$/);
    // A solver's stream gets Pwn's too; the public stream none.
    const terns = await stream("Terns");
    await terns.wait((e) => e.event === "puzzle_values");
    expect(values(terns)).toEqual([[
      { id: "crypto", points: 490, solves: 2 },
      { id: "pwn", points: 300, solves: 1 },
    ]]);
    expect(values(await stream())).toEqual([]);
    expect(values(board)).toEqual([]);
  });

  test("a reload that starts or stops showing the counts sends none: no value changed", async () => {
    const { app, stream, solve } = await game("");
    const gulls = await stream("Gulls");
    await solve("Terns", "crypto", "flag");
    await solve("Skuas", "crypto", "flag");
    expect(values(gulls)).toEqual([[{ id: "crypto", points: 490 }]]);
    for (const more of ["show_solves = true", ""]) {
      app.setToml(HUNT(more, DYNAMIC));
      expect((await app.admin("POST", "/api/admin/reload")).status).toBe(200);
      // (The board is as it was: no push to wait for.)
      await sleep(200);
      // (Every puzzle of every team: 16 MB at 2,000 teams and 200 puzzles, for nothing.)
      expect(values(gulls)).toEqual([[{ id: "crypto", points: 490 }]]);
    }
    // Shown again, the counts move with the next solve, from the count it changed.
    app.setToml(HUNT("show_solves = true", DYNAMIC));
    expect((await app.admin("POST", "/api/admin/reload")).status).toBe(200);
    await sleep(200);
    await solve("Petrels", "crypto", "flag");
    expect(values(gulls).at(-1)).toEqual([{ id: "crypto", points: 480, solves: 3 }]);
    expect(values(gulls)).toHaveLength(2);
  });

  test("a hunt with fixed points and no counts shown sends none", async () => {
    const { board, stream, solve } = await game("", "points = 100");
    const gulls = await stream("Gulls");
    await solve("Terns", "crypto", "flag");
    await solve("Skuas", "crypto", "flag");
    await solve("Skuas", "pwn", "pwn");
    expect(values(gulls)).toEqual([]);
    expect(board.events.filter((e) => e.event === "scoreboard")).toHaveLength(4);
  });
});

describe("puzzle_values to many streams", () => {
  /** An engine of 6 teams over the dynamic hunt, each with a stream that records its values. */
  function streams(valuesSlice: number) {
    const { hunt } = loadHunt(HUNT("", DYNAMIC), { file: "hunt.toml" });
    if (!hunt) throw new Error("the hunt does not load");
    const start = Date.parse("2026-11-21T10:00:00Z");
    let time = start + MINUTE;
    const engine = new Engine(hunt, { clock: { now: () => time }, startsAt: start });
    const live = new Live({
      engine: () => engine,
      frozenAt: () => undefined,
      announcements: [],
      coalesceMs: 0,
      pushBytesPerSecond: Infinity,
      valuesEveryMs: 0,
      valuesSlice,
    });
    const teams: Team[] = [];
    /** Each team's `puzzle_values` as they came: crypto's points. */
    const heard: number[][] = [];
    for (let t = 0; t < 6; t++) {
      const made = engine.register({ name: `Team ${t}`, passwordHash: "x" });
      if (made.kind !== "ok") throw new Error("register");
      teams.push(made.team);
      const mine: number[] = [];
      heard.push(mine);
      const write = (chunk: Uint8Array) => {
        const text = new TextDecoder().decode(chunk);
        if (!text.includes("event: puzzle_values\n")) return;
        const data = JSON.parse(text.slice(text.indexOf("data: ") + 6).split("\n")[0]!);
        mine.push(data.puzzles.find((p: { id: string }) => p.id === "crypto").points);
      };
      live.connect(made.team.id, { write, closed: false }, undefined, { view: "team" });
    }
    const solve = (t: number) => {
      time += 1000;
      engine.guess(teams[t]!, "crypto", "flag");
      live.scoreboardChanged();
    };
    return { heard, solve };
  }

  test("a push goes a slice of streams a turn, and every team gets it, in order", async () => {
    const { heard, solve } = streams(2);
    // The first solve leaves the value where it was; the second lowers it: 2 streams at once.
    solve(0);
    solve(1);
    expect(heard.flat()).toEqual([490, 490]);
    // A third solve while the slices go: its values wait for the last slice of the one before.
    solve(2);
    expect(heard.flat()).toEqual([490, 490]);
    await sleep(50);
    for (const mine of heard) {
      // Never older values after newer ones; the last is the value now.
      expect(mine.at(-1)).toBe(480);
      expect([...mine].sort((a, b) => b - a)).toEqual(mine);
    }
    expect(heard.flat().length).toBeGreaterThanOrEqual(6);
  });

  test("a slice as large as every stream sends the push at once", () => {
    const { heard, solve } = streams(Infinity);
    solve(0);
    solve(1);
    expect(heard).toEqual([[490], [490], [490], [490], [490], [490]]);
    solve(2);
    expect(heard.map((mine) => mine.at(-1))).toEqual([480, 480, 480, 480, 480, 480]);
  });
});
