import { afterEach, describe, expect, test } from "bun:test";
import { createConnection } from "node:net";
import { listen, type Listener } from "../../src/server/mod.ts";
import type { Engine } from "../../src/engine/mod.ts";
import { sleep } from "../_runtime.ts";
import { makeApp } from "../http/_app.ts";
import { seedBoard } from "../http/_board.ts";
import * as v from "valibot";
import { EVENTS } from "../../src/play/responses.ts";
import { open } from "../_sse.ts";
import { type Live, UPDATE_SLICE } from "../../src/live/mod.ts";

const servers: Listener[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop(true);
});

function serve(options: Parameters<typeof makeApp>[0] = {}) {
  const made = makeApp(options);
  // The same listener as `cairn serve`: Bun.serve on Bun, Deno.serve on Deno.
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: made.app.fetch });
  servers.push(server);
  return { ...made, base: `http://127.0.0.1:${server.port}` };
}

/**
 * Every scoreboard push written as the change is published, before the request that made it is
 * answered: none held back for a window (`coalesceMs`), nor for the bytes of the last
 * (`pushBytesPerSecond`).
 */
const AT_ONCE = { coalesceMs: 0, pushBytesPerSecond: Infinity };

/**
 * Sends every stream a heartbeat, and waits until each of `streams` has it: what the server wrote
 * to them before it has arrived, so that a check that something did not arrive holds.
 */
async function caughtUp(live: Live, ...streams: Stream[]): Promise<void> {
  const pings = (stream: Stream) => stream.events.filter((e) => e.comment === "ping").length;
  const before = streams.map(pings);
  live.heartbeat();
  await Promise.all(streams.map((stream, i) => stream.wait(() => pings(stream) > before[i]!)));
}

type Stream = Awaited<ReturnType<typeof open>>;

describe("GET /api/events", () => {
  test("sends the retry line and the scoreboard at once", async () => {
    const { base } = serve();
    const stream = await open(base);
    expect(stream.res.headers.get("content-type")).toStartWith("text/event-stream");
    const board = await stream.wait((e) => e.event === "scoreboard");
    expect(JSON.parse(board.data!)).toEqual({ frozen: false, teams: [] });
    expect(board.id).toBe("0.1");
    await stream.close();
  });

  test("a team gets its own solves and unlocks; another team and anonymous clients do not", async () => {
    const { base, live, register, call } = serve();
    const mine = await register("Mine");
    const theirs = await register("Theirs");
    const own = await open(base, { authorization: `Bearer ${mine}` });
    const other = await open(base, { authorization: `Bearer ${theirs}` });
    const anonymous = await open(base);
    await call("POST", "/api/puzzles/a/guesses", { token: mine, body: { answer: "alpha" } });
    expect(JSON.parse((await own.wait((e) => e.event === "solve")).data!)).toEqual({ puzzle: "a" });
    expect(JSON.parse((await own.wait((e) => e.event === "unlock")).data!)).toEqual({
      puzzles: ["after-a"],
      titles: ["After A"],
    });
    // Everyone sees the new scoreboard.
    await anonymous.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));
    await other.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));
    await caughtUp(live, other, anonymous);
    expect(other.events.filter((e) => e.event === "solve" || e.event === "unlock")).toEqual([]);
    expect(anonymous.events.filter((e) => e.event === "solve" || e.event === "unlock")).toEqual([]);
    await Promise.all([own.close(), other.close(), anonymous.close()]);
  });

  test("a team gets its own wrong guesses, with their request id; another team and anonymous clients do not", async () => {
    const { base, live, register, call } = serve();
    const mine = await register("Mine");
    const theirs = await register("Theirs");
    const own = await open(base, { authorization: `Bearer ${mine}` });
    const other = await open(base, { authorization: `Bearer ${theirs}` });
    const anonymous = await open(base);
    const guess = (answer: string, headers: Record<string, string> = {}) =>
      call("POST", "/api/puzzles/a/guesses", { token: mine, body: { answer }, headers });
    expect((await guess("nope", { "x-request-id": "r-1" })).body.result).toBe("incorrect");
    expect((await guess("alp")).body.result).toBe("partial");
    const wrong = () => own.events.filter((e) => e.event === "wrong_guess");
    await own.wait(() => wrong().length === 2);
    expect(wrong().map((e) => JSON.parse(e.data!))).toEqual([
      { puzzle: "a", request: "r-1" },
      { puzzle: "a" },
    ]);
    // A solve is a `solve`, not a wrong guess; nor is a guess on a solved puzzle, which is not stored.
    await guess("alpha");
    await guess("nope");
    await own.wait((e) => e.event === "solve");
    await caughtUp(live, own, other, anonymous);
    expect(wrong()).toHaveLength(2);
    expect([...other.events, ...anonymous.events].filter((e) => e.event === "wrong_guess"))
      .toEqual([]);
    await Promise.all([own.close(), other.close(), anonymous.close()]);
  });

  test("a team gets the extra guesses an organizer gave it; another team does not", async () => {
    const { base, live, register, admin } = serve();
    const mine = await register("Mine");
    const theirs = await register("Theirs");
    const own = await open(base, { authorization: `Bearer ${mine}` });
    const other = await open(base, { authorization: `Bearer ${theirs}` });
    expect(
      (await admin("POST", "/api/admin/extra-guesses", { team: 1, puzzle: "a", count: 3 })).status,
    ).toBe(201);
    const event = await own.wait((e) => e.event === "extra_guesses");
    expect(JSON.parse(event.data!)).toEqual({ puzzle: "a", count: 3 });
    await caughtUp(live, other);
    expect(other.events.filter((e) => e.event === "extra_guesses")).toEqual([]);
    await Promise.all([own.close(), other.close()]);
  });

  test("an invalid token is refused rather than quietly treated as anonymous", async () => {
    const { base } = serve();
    const res = await fetch(`${base}/api/events`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  test("a dead session cookie gets the public stream, and the answer clears it", async () => {
    const { base, register, call } = serve();
    const token = await register("Gulls");
    await call("DELETE", "/api/session", { token });
    for (const cookie of [`cairn_session=${token}`, "cairn_session=never-issued"]) {
      const stream = await open(base, { cookie });
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get("set-cookie")).toMatch(/^cairn_session=; Max-Age=0; Path=\//);
      expect(stream.res.headers.get("content-type")).toStartWith("text/event-stream");
      await stream.wait((e) => e.event === "scoreboard");
      await stream.close();
    }
    // A live cookie's stream sets no cookie.
    const live = await open(base, { cookie: `cairn_session=${await register("Terns")}` });
    expect(live.res.headers.get("set-cookie")).toBeNull();
    await live.close();
  });

  test("announcements reach everyone, and Last-Event-ID replays the ones missed", async () => {
    const { base, admin } = serve();
    const stream = await open(base);
    await admin("POST", "/api/admin/announcements", { text: "First" });
    const first = await stream.wait((e) => e.event === "announcement");
    expect(JSON.parse(first.data!)).toMatchObject({ id: 1, text: "First" });
    await admin("POST", "/api/admin/announcements", { text: "Second" });
    await admin("POST", "/api/admin/announcements", { text: "Third" });
    await stream.wait((e) => e.data?.includes("Third") ?? false);
    await stream.close();
    // A client that saw the first announcement (its last id starts with 1) gets the other two again.
    const resumed = await open(base, { "last-event-id": first.id! });
    await resumed.wait((e) => e.data?.includes("Third") ?? false);
    expect(
      resumed.events.filter((e) => e.event === "announcement").map((e) => JSON.parse(e.data!).text),
    ).toEqual([
      "Second",
      "Third",
    ]);
    // Every event has an id, and announcement ids carry the announcement's number.
    expect(resumed.events.every((e) => e.id !== undefined)).toBe(true);
    expect(resumed.events.filter((e) => e.event === "announcement").map((e) => e.id!.split(".")[0]))
      .toEqual([
        "2",
        "3",
      ]);
    await resumed.close();
  });

  test("the heartbeat is a comment line", async () => {
    const { base, live } = serve();
    const stream = await open(base);
    await stream.wait((e) => e.event === "scoreboard");
    live.heartbeat();
    expect((await stream.wait((e) => e.comment !== undefined)).comment).toBe("ping");
    await stream.close();
  });

  test("closed streams are cleaned up: the connection count returns to 0", async () => {
    const { base, live, register } = serve();
    const token = await register("Gulls");
    const streams = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) => open(base, i % 2 ? { authorization: `Bearer ${token}` } : {}),
      ),
    );
    await Promise.all(streams.map((s) => s.wait((e) => e.event === "scoreboard")));
    expect(live.connections).toBe(10);
    expect(live.streamsOf(1)).toBe(5);
    await Promise.all(streams.map((s) => s.close()));
    const deadline = Date.now() + 3000;
    while (live.connections > 0 && Date.now() < deadline) await sleep(10);
    expect(live.connections).toBe(0);
    expect(live.streamsOf(1)).toBe(0);
    // Each closed stream is counted once, and the count starts again after it is taken.
    expect(live.takeClosedCount()).toBe(10);
    expect(live.takeClosedCount()).toBe(0);
  });

  test("a connection dropped without a goodbye is cleaned up too", async () => {
    const { base, live } = serve();
    const port = Number(new URL(base).port);
    const sockets = await Promise.all(Array.from({ length: 5 }, async () => {
      let first = "";
      const socket = createConnection({ host: "127.0.0.1", port });
      socket.on("data", (chunk: Uint8Array) => first += new TextDecoder().decode(chunk));
      socket.on("error", () => {});
      socket.write("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const deadline = Date.now() + 3000;
      while (!first.includes("event: scoreboard") && Date.now() < deadline) await sleep(5);
      expect(first).toContain("event: scoreboard");
      return socket;
    }));
    expect(live.connections).toBe(5);
    // resetAndDestroy() closes at once with a reset, with no FIN handshake from the client's side.
    for (const socket of sockets) socket.resetAndDestroy();
    const deadline = Date.now() + 3000;
    while (live.connections > 0 && Date.now() < deadline) await sleep(10);
    expect(live.connections).toBe(0);
  });

  test("a team may hold 20 streams; the 21st closes the team's oldest", async () => {
    const { base, register, call } = serve();
    const token = await register("Gulls");
    const auth = { authorization: `Bearer ${token}` };
    const streams = [];
    // One at a time, so the oldest is known.
    for (let i = 0; i < 20; i++) {
      const stream = await open(base, auth);
      await stream.wait((e) => e.event === "scoreboard");
      streams.push(stream);
    }
    let oldestEnded = false;
    void streams[0]!.ended.then(() => oldestEnded = true);
    const newest = await open(base, auth);
    expect(newest.res.status).toBe(200);
    await newest.wait((e) => e.event === "scoreboard");
    await streams[0]!.ended;
    expect(oldestEnded).toBe(true);
    // The other nineteen and the newest still get the team's events.
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    for (const stream of [...streams.slice(1), newest]) {
      await stream.wait((e) => e.event === "solve");
    }
    await Promise.all([...streams.slice(1), newest].map((s) => s.close()));
  });

  test("an address may hold 200 streams without a team's session; the 201st is 429, this machine's are not counted", async () => {
    // Behind a trusted proxy, as nginx on the node, so that each stream names its client.
    const { base, register, live } = serve({ trustProxy: "127.0.0.1" });
    const from = (address: string) => ({ "x-forwarded-for": address });
    const held = [];
    for (let batch = 0; batch < 4; batch++) {
      held.push(
        ...await Promise.all(Array.from({ length: 50 }, () => open(base, from("192.0.2.7")))),
      );
    }
    expect(held.map((stream) => stream.res.status)).toEqual(Array(200).fill(200));
    await Promise.all(held.map((stream) => stream.wait((e) => e.event === "scoreboard")));
    const refused = await fetch(`${base}/api/events`, { headers: from("192.0.2.7") });
    if (refused.status !== 429) await refused.body?.cancel();
    expect(refused.status).toBe(429);
    expect([refused.headers.get("retry-after"), await refused.json()]).toEqual([
      "10",
      {
        error: {
          code: "rate_limited",
          message: "This address already holds 200 live streams without a team's session; " +
            "close some, or log in (a team's streams count apart)",
        },
      },
    ]);
    // Another address, a team's stream from the same one, and this machine's own are not refused.
    const token = await register("Gulls");
    const others = [
      await open(base, from("192.0.2.8")),
      await open(base, { ...from("192.0.2.7"), authorization: `Bearer ${token}` }),
      await open(base),
    ];
    expect(others.map((stream) => stream.res.status)).toEqual([200, 200, 200]);
    // One closed makes room for one more.
    await held.pop()!.close();
    const deadline = Date.now() + 3000;
    while (live.connections > 202 && Date.now() < deadline) await sleep(10);
    const again = await open(base, from("192.0.2.7"));
    expect(again.res.status).toBe(200);
    await Promise.all([...held, ...others, again].map((stream) => stream.close()));
  });

  test("a session's streams end with it (a logout); the team's other sessions keep theirs", async () => {
    const { base, register, login, call } = serve();
    const first = await register("Gulls");
    const second = await login("Gulls");
    const leaving = await open(base, { authorization: `Bearer ${first}` });
    const byCookie = await open(base, { cookie: `cairn_session=${first}` });
    const staying = await open(base, { authorization: `Bearer ${second}` });
    for (const stream of [leaving, byCookie, staying]) {
      await stream.wait((e) => e.event === "scoreboard");
    }
    expect((await call("DELETE", "/api/session", { token: first })).status).toBe(200);
    await leaving.ended;
    await byCookie.ended;
    await call("POST", "/api/puzzles/a/guesses", { token: second, body: { answer: "alpha" } });
    await staying.wait((e) => e.event === "solve");
    expect(leaving.events.some((e) => e.event === "solve")).toBe(false);
    await staying.close();
  });

  test("an organizer's new password that logs the team out ends all its streams", async () => {
    const { base, register, admin, game } = serve();
    const token = await register("Gulls");
    const other = await open(base, { authorization: `Bearer ${await register("Terns")}` });
    const streams = [await open(base, { authorization: `Bearer ${token}` })];
    streams.push(await open(base, { authorization: `Bearer ${token}` }));
    for (const stream of [...streams, other]) await stream.wait((e) => e.event === "scoreboard");
    const id = game.accounts.teamFor(token)!;
    const reset = await admin("PUT", `/api/admin/teams/${id}/password`, {
      password: "a new password",
      logout: true,
    });
    expect(reset.status).toBe(200);
    for (const stream of streams) await stream.ended;
    // Another team's stream goes on.
    expect(game.live.connections).toBe(1);
    await other.close();
  });

  test("a frozen board stops changing, while the team still gets its own events", async () => {
    // With no push window, the solve's push is decided at the solve, before the reveal's: every
    // board the stream gets before the revealed one is one the frozen board sent.
    const { base, register, call, admin, clock } = serve({ coalesceMs: 0 });
    const token = await register("Gulls");
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    // The solve comes after the freeze: one at its very millisecond would be on the frozen board.
    clock.advance(60_000);
    const stream = await open(base, { authorization: `Bearer ${token}` });
    await stream.wait((e) => e.event === "scoreboard");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await stream.wait((e) => e.event === "solve");
    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"frozen":false'));
    const boards = stream.events.filter((e) => e.event === "scoreboard").map((e) =>
      JSON.parse(e.data!)
    );
    expect(boards).toEqual([
      { frozen: true, teams: [expect.objectContaining({ name: "Gulls", score: 0 })] },
      { frozen: false, teams: [expect.objectContaining({ name: "Gulls", score: 10 })] },
    ]);
    await stream.close();
  });

  test("a stream opened while a push is held back gets the board once, not again when it goes", async () => {
    const { base, register, admin } = serve({ coalesceMs: 1000 });
    await register("Gulls");
    // Within the window after the registration's push (to no stream): held back for its end.
    expect(
      (await admin("POST", "/api/admin/adjustments", { team: 1, points: 5, reason: "Costume" }))
        .status,
    ).toBe(
      201,
    );
    const stream = await open(base);
    const first = await stream.wait((e) => e.event === "scoreboard");
    expect(first.data).toContain('"score":5');
    await sleep(1200);
    expect(stream.events.filter((e) => e.event === "scoreboard")).toHaveLength(1);
    await stream.close();
  });

  test("while frozen, no event id tells of another team's solves: private events have their own count", async () => {
    const { base, register, call, admin, clock } = serve();
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    // The solve comes after the freeze: one at its very millisecond would be on the frozen board.
    clock.advance(60_000);
    const anonymous = await open(base);
    const watcher = await open(base, { authorization: `Bearer ${terns}` });
    const solver = await open(base, { authorization: `Bearer ${gulls}` });
    await call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "alpha" } });
    await solver.wait((e) => e.event === "unlock");
    await admin("POST", "/api/admin/announcements", { text: "Half an hour left" });
    const ids = await Promise.all([anonymous, watcher, solver].map(async (stream) => {
      await stream.wait((e) => e.event === "announcement");
      return stream.events.filter((e) => e.id !== undefined).map((e) => `${e.event} ${e.id}`);
    }));
    // The Gulls' solve and unlock moved none of the public ids: as if nothing had happened.
    expect(ids).toEqual([
      ["scoreboard 0.1", "announcement 1.4"],
      ["scoreboard 0.2", "announcement 1.4"],
      ["scoreboard 0.3", "solve 0.3.1", "unlock 0.3.2", "announcement 1.4"],
    ]);
    await Promise.all([anonymous.close(), watcher.close(), solver.close()]);
  });

  test(
    "scoreboard pushes have a leading edge: the first change at once, the rest merged",
    async () => {
      // No wall-clock bound: the window (3.5 s) is longer than wait()'s 3 s, so the first board
      // arrives in time only if it is pushed at once, and the next two only once it has passed.
      const { base, register, call } = serve({ coalesceMs: 3500 });
      const tokens = await Promise.all(["A", "B", "C"].map((name) => register(name)));
      // The registrations pushed too: the first at once, the other two a window later. A whole
      // window after that push, the next change is free to go at once.
      await sleep(2 * 3600);
      const stream = await open(base);
      await stream.wait((e) => e.event === "scoreboard");
      await call("POST", "/api/puzzles/a/guesses", { token: tokens[0], body: { answer: "alpha" } });
      await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));
      for (const token of tokens.slice(1)) {
        await call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } });
      }
      const merged = (e: { event?: string; data?: string }) =>
        e.event === "scoreboard" && (e.data!.match(/"score":20/g)?.length ?? 0) === 2;
      await sleep(1000);
      expect(stream.events.some(merged)).toBe(false); // still inside the window
      await sleep(2600);
      await stream.wait(merged);
      // Three changes, two pushes after the first board: the last two were merged.
      expect(stream.events.filter((e) => e.event === "scoreboard")).toHaveLength(3);
      await stream.close();
    },
    30_000,
  );
});

describe("the push window", () => {
  test("grows with the bytes a push sent: the next change waits as long as they take", async () => {
    // About 170 bytes to one stream at 100 bytes a second: a window of about 1.7 s, not 0.
    const { base, register, admin } = serve({ coalesceMs: 0, pushBytesPerSecond: 100 });
    await register("Gulls");
    const stream = await open(base);
    await stream.wait((e) => e.event === "scoreboard");
    const scored = (points: number) => (e: { event?: string; data?: string }) =>
      e.event === "scoreboard" && e.data!.includes(`"score":${points}`);
    await admin("POST", "/api/admin/adjustments", { team: 1, points: 1, reason: "Costume" });
    const pushed = await stream.wait(scored(1));
    const window = (pushed.data!.length + 30) / 100 * 1000;
    expect(window).toBeGreaterThan(1000);
    await admin("POST", "/api/admin/adjustments", { team: 1, points: 1, reason: "Song" });
    await sleep(600);
    expect(stream.events.some(scored(2))).toBe(false);
    await stream.wait(scored(2));
    await stream.close();
  });
});

describe("the team view (?scoreboard=team)", () => {
  const boards = (stream: { events: { event?: string; data?: string }[] }) =>
    stream.events.filter((e) => e.event === "scoreboard").map((e) => JSON.parse(e.data!));

  test("a stream gets its team's row alone, pushed only when that row changes", async () => {
    const { base, live, register, call, admin } = serve({ ...AT_ONCE });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    const full = await open(base);
    const gullsView = await open(base, { authorization: `Bearer ${gulls}` }, "?scoreboard=team");
    const ternsView = await open(base, { authorization: `Bearer ${terns}` }, "?scoreboard=team");
    const anonymous = await open(base, {}, "?scoreboard=team");
    for (const stream of [full, gullsView, ternsView, anonymous]) {
      await stream.wait((e) => e.event === "scoreboard");
    }
    expect(boards(anonymous)).toEqual([{ frozen: false, teams: [] }]);
    expect(boards(gullsView)).toEqual([{
      frozen: false,
      teams: [{
        rank: 1,
        name: "Gulls",
        division: null,
        score: 0,
        solves: 0,
        last_solve_at: null,
      }],
    }]);
    // The Terns' solve moves both teams' rows (the Gulls drop to second).
    await call("POST", "/api/puzzles/a/guesses", { token: terns, body: { answer: "alpha" } });
    await gullsView.wait((e) => e.event === "scoreboard" && e.data!.includes('"rank":2'));
    // Points for the Terns alone leave the Gulls' row as it was: no event for them.
    await admin("POST", "/api/admin/adjustments", { team: 2, points: 5, reason: "Costume" });
    await ternsView.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":15'));
    await full.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":15'));
    await caughtUp(live, full, gullsView, ternsView, anonymous);
    expect(boards(full)).toHaveLength(3);
    expect(boards(ternsView).map((b) => b.teams.map((t: { score: number }) => t.score))).toEqual([
      [0],
      [10],
      [15],
    ]);
    expect(boards(gullsView).map((b) => b.teams.map((t: { rank: number }) => t.rank))).toEqual([
      [1],
      [2],
    ]);
    expect(boards(anonymous)).toHaveLength(1);
    // One push, one id, whatever the view (each stream's first board has its own).
    const ids = (stream: typeof full) =>
      stream.events.filter((e) => e.event === "scoreboard").map((e) => e.id).slice(1);
    expect(ids(gullsView)).toEqual(ids(full).slice(0, 1));
    expect(ids(ternsView)).toEqual(ids(full));
    await Promise.all([full, gullsView, ternsView, anonymous].map((s) => s.close()));
  });

  test(
    "a stream opened between pushes is not left on a board the next push moved back",
    async () => {
      const { base, register, admin } = serve({ coalesceMs: 1500 });
      const gulls = await register("Gulls");
      await register("Terns");
      await sleep(1600);
      const before = await open(base);
      await before.wait((e) => e.event === "scoreboard");
      const view = async () => {
        const stream = await open(base, { authorization: `Bearer ${gulls}` }, "?scoreboard=team");
        await stream.wait((e) => e.event === "scoreboard");
        return stream;
      };
      const first = await view();
      // Pushed at once (the window is free): the Gulls are second, with 0.
      await admin("POST", "/api/admin/adjustments", { team: 2, points: 1, reason: "Costume" });
      await first.wait((e) => e.event === "scoreboard" && e.data!.includes('"rank":2'));
      // Held back: the Gulls lead with 5; a new stream opens on that row; then they are back to 0.
      await admin("POST", "/api/admin/adjustments", { team: 1, points: 5, reason: "Song" });
      const second = await view();
      expect(boards(second)[0].teams[0]).toMatchObject({ rank: 1, score: 5 });
      const during = await open(base);
      await during.wait((e) => e.event === "scoreboard");
      await admin("POST", "/api/admin/adjustments", { team: 1, points: -5, reason: "Oops" });
      // The held push is the row the first stream already has, but the second does not.
      await second.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":0'));
      expect(boards(second).at(-1).teams[0]).toMatchObject({ rank: 2, score: 0 });
      // So with the whole board: the stream opened on the Gulls' 5 gets the board as it is again.
      await during.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":0'));
      expect(boards(during).at(-1).teams).toEqual(boards(before).at(-1).teams);
      await Promise.all([first.close(), second.close(), before.close(), during.close()]);
    },
    15_000,
  );

  test("a frozen board's row stays frozen: a solve after the freeze pushes the team nothing", async () => {
    const { base, live, register, call, admin, clock } = serve({ ...AT_ONCE });
    const gulls = await register("Gulls");
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    clock.advance(60_000);
    const stream = await open(base, { authorization: `Bearer ${gulls}` }, "?scoreboard=team");
    await call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "alpha" } });
    await stream.wait((e) => e.event === "solve");
    await caughtUp(live, stream);
    expect(boards(stream)).toEqual([{
      frozen: true,
      teams: [expect.objectContaining({ name: "Gulls", score: 0 })],
    }]);
    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));
    await stream.close();
  });

  test("a hidden team's stream gets its own row, unranked, as another team's solve lowers a value; nobody else does", async () => {
    const toml = `
[hunt]
title = "Night CTF"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z

[[puzzle]]
id = "web"
title = "Web"
points = { initial = 500, minimum = 100, decay = 10, function = "linear" }
answer = "flag"
`;
    const { base, live, register, call, admin, clock } = serve({ toml, ...AT_ONCE });
    clock.advance(60_000);
    const [gulls, terns, auks] = [
      await register("Gulls"),
      await register("Terns"),
      await register("Auks"),
    ];
    const solve = (token: string) =>
      call("POST", "/api/puzzles/web/guesses", { token, body: { answer: "flag" } });
    await solve(gulls);
    await solve(terns);
    // Hidden, the Gulls hold the value the Terns' solve alone gives: 500.
    await admin("PUT", "/api/admin/teams/1/hidden", { hidden: true });
    const full = await open(base);
    const gullsView = await open(base, { authorization: `Bearer ${gulls}` }, "?scoreboard=team");
    const ternsView = await open(base, { authorization: `Bearer ${terns}` }, "?scoreboard=team");
    const anonymous = await open(base, {}, "?scoreboard=team");
    for (const stream of [full, gullsView, ternsView, anonymous]) {
      await stream.wait((e) => e.event === "scoreboard");
    }
    const row = (score: number, solves = 1) => ({
      rank: null,
      name: "Gulls",
      division: null,
      score,
      solves,
      last_solve_at: "2026-11-21T10:01:00.000Z",
    });
    expect(boards(gullsView)).toEqual([{ frozen: false, teams: [row(500)] }]);
    // The Auks' solve lowers the value to 490: the Gulls' phones learn it.
    await solve(auks);
    await gullsView.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":490'));
    expect(boards(gullsView).at(-1)).toEqual({ frozen: false, teams: [row(490)] });
    // Points taken from the Gulls change nothing public: their row still follows.
    await admin("POST", "/api/admin/adjustments", { team: 1, points: -5, reason: "Noise" });
    await gullsView.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":485'));
    // Frozen, the row goes (the Gulls' own pages show their score); the reveal brings it back.
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    await gullsView.wait((e) => e.event === "scoreboard" && e.data!.includes('"frozen":true'));
    expect(boards(gullsView).at(-1)).toEqual({ frozen: true, teams: [] });
    const sent = boards(gullsView).length;
    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    await gullsView.wait(() => boards(gullsView).length > sent);
    expect(boards(gullsView).at(-1)).toEqual({ frozen: false, teams: [row(485)] });
    await caughtUp(live, full, gullsView, ternsView, anonymous);
    // No other stream, nor the public board, ever has the Gulls.
    for (const stream of [full, ternsView, anonymous]) {
      expect(stream.events.some((e) => e.data?.includes("Gulls"))).toBe(false);
    }
    expect((await call("GET", "/api/scoreboard")).text).not.toContain("Gulls");
    for (const board of boards(gullsView)) {
      expect(v.safeParse(EVENTS.scoreboard, board).success).toBe(true);
    }
    // That push went to the Gulls alone: an id counted for them, not the public sequence.
    const hintPush = gullsView.events.find((e) => e.data?.includes('"score":485'))!;
    expect(hintPush.id!.split(".")).toHaveLength(3);
    await Promise.all([full, gullsView, ternsView, anonymous].map((s) => s.close()));
  });

  test("a reload that changes a puzzle only a hidden team solved sends it its new row, and nobody else anything", async () => {
    const hunt = (points: number) => `
[hunt]
title = "Harbor"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z

[[puzzle]]
id = "secret"
title = "Secret"
points = ${points}
answer = "owl"

[[puzzle]]
id = "open"
title = "Open"
points = 10
answer = "gull"
`;
    const { base, live, register, call, admin, clock, setToml } = serve({
      toml: hunt(50),
      ...AT_ONCE,
    });
    clock.advance(60_000);
    const [gulls, terns] = [await register("Gulls"), await register("Terns")];
    const solve = (token: string, puzzle: string, answer: string) =>
      call("POST", `/api/puzzles/${puzzle}/guesses`, { token, body: { answer } });
    await solve(gulls, "secret", "owl");
    await solve(terns, "open", "gull");
    await admin("PUT", "/api/admin/teams/1/hidden", { hidden: true });
    const full = await open(base);
    const gullsView = await open(base, { authorization: `Bearer ${gulls}` }, "?scoreboard=team");
    const ternsView = await open(base, { authorization: `Bearer ${terns}` }, "?scoreboard=team");
    for (const stream of [full, gullsView, ternsView]) {
      await stream.wait((e) => e.event === "scoreboard");
    }
    expect(boards(gullsView)).toEqual([{
      frozen: false,
      teams: [expect.objectContaining({ rank: null, score: 50 })],
    }]);
    // The Secret is worth 80 now: only the Gulls hold it, and their phones learn their score.
    setToml(hunt(80));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    await gullsView.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":80'));
    expect(boards(gullsView).at(-1)).toEqual({
      frozen: false,
      teams: [expect.objectContaining({ rank: null, name: "Gulls", score: 80, solves: 1 })],
    });
    await caughtUp(live, full, gullsView, ternsView);
    // The public board did not change: nobody else was sent a board, and none names the Gulls.
    expect([boards(full).length, boards(ternsView).length]).toEqual([1, 1]);
    for (const stream of [full, ternsView]) {
      expect(stream.events.some((e) => e.data?.includes("Gulls"))).toBe(false);
    }
    await Promise.all([full, gullsView, ternsView].map((s) => s.close()));
  });

  test("another value is refused with 400, naming the four", async () => {
    const { base } = serve();
    const res = await fetch(`${base}/api/events?scoreboard=all`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toEqual({
      code: "bad_request",
      message: "scoreboard must be full (the whole board), team (its row), top (the top and " +
        "its place) or page (a page of the board)",
    });
  });
});

describe("the standings view (?scoreboard=top)", () => {
  const boards = (stream: { events: { event?: string; data?: string }[] }) =>
    stream.events.filter((e) => e.event === "scoreboard").map((e) => JSON.parse(e.data!));
  const ranks = (board: { teams: { rank: number }[] }) => board.teams.map((t) => t.rank);
  /** Ranks a to b. */
  const run = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  test("a stream gets the top 50 and its team's place, pushed only when they change", async () => {
    // 100 teams, team i ranked i-th with 101 - i points (test/http/_board.ts).
    const { base, live, admin } = serve({ ...AT_ONCE, seed: (db) => seedBoard(db, 100) });
    const full = await open(base);
    const far = await open(base, { authorization: "Bearer token-80" }, "?scoreboard=top");
    const near = await open(base, { authorization: "Bearer token-58" }, "?scoreboard=top");
    const anonymous = await open(base, {}, "?scoreboard=top");
    for (const stream of [full, far, near, anonymous]) {
      await stream.wait((e) => e.event === "scoreboard");
    }
    expect(boards(far)[0]).toMatchObject({ frozen: false, total: 100 });
    expect(ranks(boards(far)[0])).toEqual([...run(1, 50), ...run(77, 83)]);
    expect(boards(far)[0].teams[53]).toEqual({
      rank: 80,
      name: "Team 80",
      division: "adults",
      score: 21,
      solves: 0,
      last_solve_at: null,
    });
    // Team 58's place, 55th to 61st: the 51st to 54th left out, as its phone shows it.
    expect(ranks(boards(near)[0])).toEqual([...run(1, 50), ...run(55, 61)]);
    // As the OpenAPI document's x-events say it.
    expect(v.safeParse(EVENTS.scoreboard, boards(far)[0]).success).toBe(true);
    expect(ranks(boards(anonymous)[0])).toEqual(run(1, 50));
    // Team 95 gains a point, and ties team 94, which got there first: only its own row changes,
    // and no top view shows it.
    await admin("POST", "/api/admin/adjustments", { team: 95, points: 1, reason: "Song" });
    await full.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"name":"Team 95","division":"kids","score":7')
    );
    // Team 82 gains one, and ties team 81: the far stream shows its row.
    await admin("POST", "/api/admin/adjustments", { team: 82, points: 1, reason: "Song" });
    await far.wait((e) =>
      e.event === "scoreboard" &&
      e.data!.includes('"name":"Team 82","division":"adults","score":20')
    );
    // Team 10 gains one: every top view shows it.
    await admin("POST", "/api/admin/adjustments", { team: 10, points: 1, reason: "Song" });
    for (const stream of [full, far, near, anonymous]) {
      await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":92'));
    }
    await caughtUp(live, full, far, near, anonymous);
    expect([boards(full), boards(far), boards(near), boards(anonymous)].map((b) => b.length))
      .toEqual([4, 3, 2, 2]);
    await Promise.all([full, far, near, anonymous].map((s) => s.close()));
  });

  test("a hidden team's stream gets the top alone; a frozen board stays frozen", async () => {
    const { base, live, admin, clock } = serve({ ...AT_ONCE, seed: (db) => seedBoard(db, 100) });
    await admin("PUT", "/api/admin/teams/80/hidden", { hidden: true });
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    clock.advance(60_000);
    const hidden = await open(base, { authorization: "Bearer token-80" }, "?scoreboard=top");
    const other = await open(base, { authorization: "Bearer token-90" }, "?scoreboard=top");
    await hidden.wait((e) => e.event === "scoreboard");
    await other.wait((e) => e.event === "scoreboard");
    expect(boards(hidden)[0]).toMatchObject({ frozen: true, total: 99 });
    expect(ranks(boards(hidden)[0])).toEqual(run(1, 50));
    expect(ranks(boards(other)[0])).toEqual([...run(1, 50), ...run(86, 92)]);
    // After the freeze, team 90 leads: its frozen standings do not move.
    await admin("POST", "/api/admin/adjustments", { team: 90, points: 500, reason: "Late" });
    await caughtUp(live, hidden, other);
    expect(boards(other)).toHaveLength(1);
    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    await other.wait((e) => e.event === "scoreboard" && e.data!.includes('"frozen":false'));
    expect(boards(other).at(-1).teams[0]).toMatchObject({ rank: 1, name: "Team 90", score: 511 });
    await Promise.all([hidden.close(), other.close()]);
  });

  test("a change among rows the phone does not show (51st to 60th) is not pushed", async () => {
    // 100 teams: a phone shows the top 50 and the team's place; team 80's is 77th to 83rd.
    const { base, live, admin } = serve({ ...AT_ONCE, seed: (db) => seedBoard(db, 100) });
    const full = await open(base);
    const far = await open(base, { authorization: "Bearer token-80" }, "?scoreboard=top");
    for (const stream of [full, far]) await stream.wait((e) => e.event === "scoreboard");
    expect(ranks(boards(far)[0])).toEqual([...run(1, 50), ...run(77, 83)]);
    // Team 56 passes team 55: only the 55th and 56th places change.
    await admin("POST", "/api/admin/adjustments", { team: 56, points: 2, reason: "Song" });
    await full.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"rank":55,"name":"Team 56"')
    );
    await caughtUp(live, full, far);
    expect(boards(far)).toHaveLength(1);
    // Team 51 passes team 50: the 50th place is on the phone.
    await admin("POST", "/api/admin/adjustments", { team: 51, points: 2, reason: "Song" });
    await far.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"rank":50,"name":"Team 51"')
    );
    expect(boards(far)).toHaveLength(2);
    await Promise.all([full.close(), far.close()]);
  });

  test("with division=D, the division's own top and the team's place in it", async () => {
    // The kids are the odd teams: 50 of them, ranked among themselves.
    const { base, live, admin } = serve({ ...AT_ONCE, seed: (db) => seedBoard(db, 100) });
    const whole = await open(base, { authorization: "Bearer token-81" }, "?scoreboard=top");
    const kids = await open(
      base,
      { authorization: "Bearer token-81" },
      "?scoreboard=top&division=kids",
    );
    const adults = await open(
      base,
      { authorization: "Bearer token-81" },
      "?scoreboard=top&division=adults",
    );
    for (const stream of [whole, kids, adults]) await stream.wait((e) => e.event === "scoreboard");
    expect(boards(kids)[0]).toMatchObject({ frozen: false, total: 50 });
    expect(ranks(boards(kids)[0])).toEqual(run(1, 50));
    expect(boards(kids)[0].teams[40]).toMatchObject({ rank: 41, name: "Team 81", score: 20 });
    // Not in the division: its top alone.
    expect(boards(adults)[0]).toMatchObject({ frozen: false, total: 50 });
    expect(boards(adults)[0].teams.map((t: { name: string }) => t.name).slice(0, 2))
      .toEqual(["Team 2", "Team 4"]);
    // Team 99 (2 points) gains 3 and passes team 97 (4) among the kids: on the whole board it
    // moves from 99th to 97th, outside its top 60 and team 81's place, so only the kids' view
    // changes.
    await admin("POST", "/api/admin/adjustments", { team: 99, points: 3, reason: "Song" });
    await kids.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"name":"Team 99"') &&
      e.data!.includes('"rank":49,"name":"Team 99"')
    );
    await caughtUp(live, whole, kids, adults);
    expect([boards(whole), boards(kids), boards(adults)].map((b) => b.length)).toEqual([1, 2, 1]);
    await Promise.all([whole.close(), kids.close(), adults.close()]);
  });

  test("division=D is refused with another view, or when the hunt has no such division", async () => {
    const { base } = serve();
    const refused: [string, string][] = [
      ["?division=kids", "division can be used with scoreboard=top or page only"],
      ["?scoreboard=team&division=kids", "division can be used with scoreboard=top or page only"],
      ["?scoreboard=top&division=elves", 'Unknown division "elves"'],
      ["?scoreboard=page&division=elves", 'Unknown division "elves"'],
      ["?scoreboard=top&page=2", "page can be used with scoreboard=page only"],
      ["?page=2", "page can be used with scoreboard=page only"],
      ["?scoreboard=page&page=0", "page must be a whole number from 1"],
      ["?scoreboard=page&page=-1", "page must be a whole number from 1"],
      ["?scoreboard=page&page=two", "page must be a whole number from 1"],
      ["?scoreboard=page&page=1.5", "page must be a whole number from 1"],
      ["?scoreboard=page&page=1234567890", "page must be a whole number from 1"],
    ];
    for (const [query, message] of refused) {
      const res = await fetch(`${base}/api/events${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error).toEqual({ code: "bad_request", message });
    }
  });
});

describe("a page of the board (?scoreboard=page)", () => {
  const boards = (stream: { events: { event?: string; data?: string }[] }) =>
    stream.events.filter((e) => e.event === "scoreboard").map((e) => JSON.parse(e.data!));
  const ranks = (board: { teams: { rank: number }[] }) => board.teams.map((t) => t.rank);
  /** Ranks a to b. */
  const run = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  test("a stream gets its page's 100 rows and its team's own, pushed only when they change", async () => {
    // 250 teams, team i ranked i-th with 251 - i points (test/http/_board.ts).
    const { base, live, admin, register } = serve({
      ...AT_ONCE,
      seed: (db) => seedBoard(db, 250),
    });
    const full = await open(base);
    const first = await open(base, { authorization: "Bearer token-80" }, "?scoreboard=page");
    const firstFar = await open(
      base,
      { authorization: "Bearer token-180" },
      "?scoreboard=page&page=1",
    );
    const last = await open(base, {}, "?scoreboard=page&page=3");
    const past = await open(base, { authorization: "Bearer token-5" }, "?scoreboard=page&page=9");
    for (const stream of [full, first, firstFar, last, past]) {
      await stream.wait((e) => e.event === "scoreboard");
    }
    expect(boards(first)[0]).toMatchObject({ frozen: false, total: 250, page: 1 });
    expect(ranks(boards(first)[0])).toEqual(run(1, 100));
    // The team's own row after the page's, when it is on another page.
    expect(ranks(boards(firstFar)[0])).toEqual([...run(1, 100), 180]);
    expect(boards(firstFar)[0].teams[100]).toMatchObject({ name: "Team 180", score: 71 });
    expect(boards(last)[0]).toMatchObject({ total: 250, page: 3 });
    expect(ranks(boards(last)[0])).toEqual(run(201, 250));
    // Past the last page: the last, and team 5's row.
    expect(boards(past)[0]).toMatchObject({ page: 3 });
    expect(ranks(boards(past)[0])).toEqual([...run(201, 250), 5]);
    // As the OpenAPI document's x-events say it.
    expect(v.safeParse(EVENTS.scoreboard, boards(firstFar)[0]).success).toBe(true);

    // Team 241 passes team 240: only the third page changes.
    await admin("POST", "/api/admin/adjustments", { team: 241, points: 2, reason: "Song" });
    await last.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"rank":240,"name":"Team 241"')
    );
    await past.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"rank":240,"name":"Team 241"')
    );
    // Team 180 gains one and ties team 179: its own row changes, which only its stream shows.
    await admin("POST", "/api/admin/adjustments", { team: 180, points: 1, reason: "Song" });
    await firstFar.wait((e) =>
      e.event === "scoreboard" &&
      e.data!.includes('"name":"Team 180","division":"adults","score":72')
    );
    // Team 150 gains one: on the second page, which no stream follows.
    await admin("POST", "/api/admin/adjustments", { team: 150, points: 1, reason: "Song" });
    await full.wait((e) =>
      e.event === "scoreboard" &&
      e.data!.includes('"name":"Team 150","division":"adults","score":102')
    );
    await caughtUp(live, full, first, firstFar, last, past);
    expect([full, first, firstFar, last, past].map((stream) => boards(stream).length))
      .toEqual([4, 1, 2, 2, 2]);
    // A new team: every page's count changes, the last page's rows too.
    await register("Newcomers");
    for (const stream of [first, firstFar, last, past]) {
      await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"total":251'));
    }
    expect(boards(last).at(-1).teams.at(-1)).toMatchObject({ rank: 251, name: "Newcomers" });
    await Promise.all([full, first, firstFar, last, past].map((s) => s.close()));
  });

  test("with division=D, a page of the division's board", async () => {
    // The kids are the odd teams: 125 of them, ranked among themselves.
    const { base } = serve({ coalesceMs: 0, seed: (db) => seedBoard(db, 250) });
    const kids = await open(
      base,
      { authorization: "Bearer token-81" },
      "?scoreboard=page&page=2&division=kids",
    );
    await kids.wait((e) => e.event === "scoreboard");
    expect(boards(kids)[0]).toMatchObject({ total: 125, page: 2 });
    // Team 81 is the 41st kid: on the first page, so its row follows the second page's.
    expect(ranks(boards(kids)[0])).toEqual([...run(101, 125), 41]);
    expect(boards(kids)[0].teams[0]).toMatchObject({ rank: 101, name: "Team 201" });
    await kids.close();
  });
});

describe("GET /api/scoreboard caching", () => {
  test("serves the same bytes with an ETag, and 304 while nothing changed", async () => {
    const { call, register } = serve();
    const first = await call("GET", "/api/scoreboard");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-z]+"$/);
    expect((await call("GET", "/api/scoreboard", { headers: { "if-none-match": etag } })).status)
      .toBe(304);
    await register("Gulls");
    const changed = await call("GET", "/api/scoreboard", { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.body.teams).toHaveLength(1);
  });
});

describe("slow readers", () => {
  /** A transport whose buffer drains only when the test says so. */
  function slowSink() {
    let drain = () => {};
    const sink = {
      writes: 0,
      closed: false,
      write() {
        sink.writes++;
        return new Promise<void>((resolve) => drain = resolve);
      },
      close() {
        sink.closed = true;
      },
      drain: () => drain(),
    };
    return sink;
  }

  test("a stream still behind from its last write is closed, not buffered for", () => {
    const { live } = makeApp();
    const sink = slowSink();
    live.connect(undefined, sink);
    expect(sink.writes).toBe(1);
    live.heartbeat();
    expect(live.connections).toBe(0);
    expect(sink.closed).toBe(true);
    expect(sink.writes).toBe(1);
  });

  test("a stream that drained in time keeps receiving", async () => {
    const { live } = makeApp();
    const sink = slowSink();
    live.connect(undefined, sink);
    sink.drain();
    await sleep(0);
    live.heartbeat();
    expect(sink.writes).toBe(2);
    expect(live.connections).toBe(1);
    expect(sink.closed).toBe(false);
  });

  test("a stream whose write fails is left and its response ended, at once or when it rejects", async () => {
    const { live } = makeApp();
    const throwing = {
      closed: false,
      write: (): unknown => 0,
      close: () => throwing.closed = true,
    };
    const rejecting = {
      closed: false,
      write: (): unknown => 0,
      close: () => rejecting.closed = true,
    };
    live.connect(undefined, throwing);
    live.connect(undefined, rejecting);
    expect(live.connections).toBe(2);
    throwing.write = () => {
      throw new Error("socket gone");
    };
    let reject = (_: Error) => {};
    rejecting.write = () => new Promise((_, fail) => reject = fail);
    live.heartbeat();
    expect(throwing.closed).toBe(true);
    expect(live.connections).toBe(1);
    expect(rejecting.closed).toBe(false);
    reject(new Error("socket gone"));
    await sleep(0);
    expect(rejecting.closed).toBe(true);
    expect(live.connections).toBe(0);
  });
});

describe("shutdown", () => {
  test("closeAll() ends every stream from the server's side", async () => {
    const { base, live } = serve();
    const stream = await open(base);
    await stream.wait((e) => e.event === "scoreboard");
    live.closeAll();
    expect(live.connections).toBe(0);
    await stream.close();
  });
});

/** Counts the engine's standings builds: each encoding of the board makes one. */
function countBuilds(engine: Engine): { count: number } {
  const builds = { count: 0 };
  const standings = engine.standings.bind(engine);
  engine.standings = (options) => {
    builds.count++;
    return standings(options);
  };
  return builds;
}

describe("the scoreboard's bytes", () => {
  test("are built only when read: changes with no stream open encode nothing", async () => {
    const { call, register, game } = makeApp(AT_ONCE);
    const builds = countBuilds(game.engine);
    const token = await register("Gulls");
    // Its push was decided before the answer (AT_ONCE): no later one is held back.
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    expect(builds.count).toBe(0);
    const board = await call("GET", "/api/scoreboard");
    expect(board.body.teams[0]).toMatchObject({ name: "Gulls", score: 10 });
    expect(builds.count).toBe(1);
    // Served again from the same bytes.
    await call("GET", "/api/scoreboard");
    expect(builds.count).toBe(1);
  });
});

describe("the scoreboard's bytes, with and without listeners", () => {
  test("are pushed while a stream listens, skipped once it leaves, and current when read later", async () => {
    const { base, register, call, game } = serve(AT_ONCE);
    const builds = countBuilds(game.engine);
    const token = await register("Gulls");
    const stream = await open(base);
    await stream.wait((e) => e.event === "scoreboard");
    // A listener: the solve is pushed, with its new score.
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await stream.wait((e) => e.event === "scoreboard" && e.data!.includes('"score":10'));
    await stream.close();
    // Wait until the server has seen the stream go: a push finds it closed, or the next one does.
    while (game.live.connections > 0) {
      game.live.heartbeat();
      await sleep(20);
    }
    const builtWhenAlone = builds.count;
    // Its push was decided before the answer (AT_ONCE): no later one is held back.
    await call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } });
    expect(builds.count).toBe(builtWhenAlone);
    // Read later, the bytes hold the second solve, and its ETag is theirs.
    const res = await fetch(`${base}/api/scoreboard`);
    const json = await res.text();
    expect(JSON.parse(json).teams[0]).toMatchObject({ name: "Gulls", score: 30, solves: 2 });
    expect(res.headers.get("etag")).toBe(game.live.scoreboard().etag);
    expect(builds.count).toBe(builtWhenAlone + 1);
    // A stream opened now starts from the same board.
    const again = await open(base);
    const first = await again.wait((e) => e.event === "scoreboard");
    expect(first.data).toBe(json);
    await again.close();
  });
});

describe("a reload that moves the hunt's times", () => {
  const HUNT = `[hunt]\ntitle = "Times"\nstarts_at = 2026-11-21T10:00:00Z\n` +
    `ends_at = 2026-11-21T16:00:00Z\n\n[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = ["x"]\n`;

  test("tells every stream the new start, end and release of solutions (as GET /api/hunt says them); one that moves none tells none", async () => {
    const { base, live, setToml, admin, register, call } = serve({ toml: HUNT });
    const team = await open(base, { authorization: `Bearer ${await register("Gulls")}` });
    const anonymous = await open(base);
    await anonymous.wait((e) => e.event === "scoreboard");
    // Another change (a title): the times stand, so no `hunt` event.
    setToml(HUNT.replace('title = "A"', 'title = "Alpha"'));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    setToml(
      HUNT.replace("starts_at = 2026-11-21T10:00:00Z", "starts_at = 2026-11-21T09:30:00Z")
        .replace("ends_at = 2026-11-21T16:00:00Z", "ends_at = 2026-11-21T17:00:00Z"),
    );
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    const times = {
      starts_at: "2026-11-21T09:30:00.000Z",
      ends_at: "2026-11-21T17:00:00.000Z",
      solutions_at: null,
    };
    for (const stream of [anonymous, team]) {
      const event = await stream.wait((e) => e.event === "hunt");
      expect(JSON.parse(event.data!)).toEqual(times);
      expect(stream.events.filter((e) => e.event === "hunt")).toHaveLength(1);
    }
    expect((await call("GET", "/api/hunt")).body).toMatchObject(times);
    // The end alone moves too: told as well.
    setToml(HUNT.replace("ends_at = 2026-11-21T16:00:00Z", "ends_at = 2026-11-21T12:00:00Z"));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    await caughtUp(live, team, anonymous);
    expect(anonymous.events.filter((e) => e.event === "hunt").map((e) => JSON.parse(e.data!)))
      .toEqual([times, {
        starts_at: "2026-11-21T10:00:00.000Z",
        ends_at: "2026-11-21T12:00:00.000Z",
        solutions_at: null,
      }]);
    // The release of solutions (`solutions_at`) alone moves too: told as well.
    setToml(HUNT.replace(
      "ends_at = 2026-11-21T16:00:00Z",
      "ends_at = 2026-11-21T12:00:00Z\nsolutions_at = 2026-11-21T13:00:00Z",
    ));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    await caughtUp(live, team, anonymous);
    expect(anonymous.events.filter((e) => e.event === "hunt").map((e) => JSON.parse(e.data!)))
      .toHaveLength(3);
    expect(JSON.parse(anonymous.events.findLast((e) => e.event === "hunt")!.data!)).toEqual({
      starts_at: "2026-11-21T10:00:00.000Z",
      ends_at: "2026-11-21T12:00:00.000Z",
      solutions_at: "2026-11-21T13:00:00.000Z",
    });
    await team.close();
    await anonymous.close();
  });
});

/**
 * A live stream for each of `tokens` (a team's session, or undefined for a stream without one),
 * each open with its first board.
 */
async function streamsOf(base: string, tokens: (string | undefined)[]) {
  const streams = await Promise.all(
    tokens.map((token) =>
      open(base, token === undefined ? {} : { authorization: `Bearer ${token}` })
    ),
  );
  for (const stream of streams) await stream.wait((e) => e.event === "scoreboard");
  return streams;
}

/** The `puzzle_updated` events `stream` got, their data read. */
const updatedOf = (stream: Awaited<ReturnType<typeof open>>) =>
  stream.events.filter((e) => e.event === "puzzle_updated").map((e) => JSON.parse(e.data!));

/**
 * What a team's stream is told (`puzzle_updated`) when the hunt `app` runs is reloaded as `toml`,
 * once it is told something.
 */
async function toldOnReload(app: ReturnType<typeof serve>, toml: string) {
  const [stream] = await streamsOf(app.base, [await app.register("Gulls")]);
  app.setToml(toml);
  expect((await app.admin("POST", "/api/admin/reload")).status).toBe(200);
  await stream!.wait((e) => e.event === "puzzle_updated");
  await caughtUp(app.live, stream!);
  await stream!.close();
  return updatedOf(stream!);
}

describe("a reload that changes a puzzle's words", () => {
  const HUNT = `[hunt]\ntitle = "Words"\nstarts_at = 2026-11-21T10:00:00Z\n\n` +
    `[[puzzle]]\nid = "a"\ntitle = "A"\nbody = "Count the windows."\nanswer = ["x"]\n\n` +
    `[[puzzle]]\nid = "b"\ntitle = "B"\nbody = "Count the doors."\nunlock = 'solved("a")'\n` +
    `answer = ["y"]\n`;

  test("tells each team of the puzzles it has unlocked, and nobody of a change players cannot see", async () => {
    const { base, live, setToml, admin, register } = serve({ toml: HUNT });
    const token = await register("Gulls");
    const team = await open(base, { authorization: `Bearer ${token}` });
    const anonymous = await open(base);
    await team.wait((e) => e.event === "scoreboard");
    await anonymous.wait((e) => e.event === "scoreboard");

    // An answer and a guess limit: nothing a team reads changed.
    setToml(
      HUNT.replace(
        'answer = ["x"]',
        'answer = ["x", "ex"]\nguess_limit = { count = 3, per = "1m" }',
      ),
    );
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    // Both bodies change: Gulls have only A.
    setToml(
      HUNT.replace("Count the windows.", "Count the windows, in the tower too.")
        .replace("Count the doors.", "Count the doors, the cellar's too."),
    );
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    await team.wait((e) => e.event === "puzzle_updated");
    await caughtUp(live, team, anonymous);
    expect(updatedOf(team)).toEqual([{ puzzle: "a" }]);
    expect(updatedOf(anonymous)).toEqual([]);
    await team.close();
    await anonymous.close();
  });
  test("tells the team of a puzzle moved to another round, which its page names", async () => {
    const moved = HUNT.replace('title = "A"\n', 'title = "A"\nround = "harbor"\n');
    expect(await toldOnReload(serve({ toml: HUNT }), moved)).toEqual([{ puzzle: "a" }]);
  });

  test("tells the team of a multiple-choice puzzle's choices changed, which its page shows", async () => {
    const choices = (list: string) =>
      HUNT.replace('answer = ["x"]', `choices = [${list}]\nanswer = ["x"]`);
    expect(await toldOnReload(serve({ toml: choices('"x", "y"') }), choices('"x", "y", "z"')))
      .toEqual([{ puzzle: "a" }]);
  });
});

describe("a reload that removes a puzzle", () => {
  const HUNT = `[hunt]\ntitle = "Gone"\nstarts_at = 2026-11-21T10:00:00Z\n\n` +
    `[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = ["x"]\n\n` +
    `[[puzzle]]\nid = "b"\ntitle = "B"\nunlock = 'solved("a")'\nanswer = ["y"]\n\n` +
    `[[puzzle]]\nid = "c"\ntitle = "C"\nunlock = "false"\nanswer = ["z"]\n`;

  test("tells each team that had it, and no other; a guess on it then answers 404", async () => {
    const { base, live, setToml, admin, register, call } = serve({ toml: HUNT });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    await call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "x" } });
    const streams = await streamsOf(base, [gulls, terns, undefined]);

    // B (the Gulls have it, the Terns not) and C (nobody has it) go.
    setToml(HUNT.slice(0, HUNT.indexOf('[[puzzle]]\nid = "b"')));
    expect((await admin("POST", "/api/admin/reload")).body).toMatchObject({ removed: ["b", "c"] });
    await streams[0]!.wait((e) => e.event === "puzzle_removed");
    await caughtUp(live, ...streams);
    const removed = streams.map((stream) =>
      stream.events.filter((e) => e.event === "puzzle_removed").map((e) => JSON.parse(e.data!))
    );
    expect(removed).toEqual([[{ puzzle: "b" }], [], []]);
    for (const event of streams[0]!.events.filter((e) => e.event === "puzzle_removed")) {
      expect(v.is(EVENTS.puzzle_removed, JSON.parse(event.data!))).toBe(true);
    }
    expect(streams.some((stream) => stream.events.some((e) => e.event === "puzzle_updated")))
      .toBe(false);
    // A page left open sends its guess: refused as for a puzzle the team never had.
    const guess = await call("POST", "/api/puzzles/b/guesses", {
      token: gulls,
      body: { answer: "y" },
    });
    expect(guess.status).toBe(404);
    expect(guess.body.error.code).toBe("not_found");
    for (const stream of streams) await stream.close();
  });
});

describe("a reload that puts back a puzzle an earlier one removed", () => {
  const HUNT = `[hunt]\ntitle = "Back"\nstarts_at = 2026-11-21T10:00:00Z\n\n` +
    `[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = ["x"]\n\n` +
    `[[puzzle]]\nid = "b"\ntitle = "B"\nunlock = 'solved("a")'\nanswer = ["y"]\n`;
  const NEW = `\n[[puzzle]]\nid = "n"\ntitle = "N"\nunlock = 'solved("a")'\nanswer = ["z"]\n`;

  test("tells each team that has it again, as an unlock, and no other", async () => {
    const { base, live, setToml, admin, register, call } = serve({ toml: HUNT });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    await call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "x" } });
    const streams = [
      await open(base, { authorization: `Bearer ${gulls}` }),
      await open(base, { authorization: `Bearer ${terns}` }),
      await open(base),
    ];
    for (const stream of streams) await stream.wait((e) => e.event === "scoreboard");
    setToml(HUNT.slice(0, HUNT.indexOf('[[puzzle]]\nid = "b"')));
    expect((await admin("POST", "/api/admin/reload")).body).toMatchObject({ removed: ["b"] });
    await streams[0]!.wait((e) => e.event === "puzzle_removed");

    // B is back (its unlock was kept), with N, new, which the Gulls' solve opens.
    setToml(HUNT + NEW);
    expect((await admin("POST", "/api/admin/reload")).body).toMatchObject({ added: ["b", "n"] });
    await streams[0]!.wait((e) => e.event === "unlock" && e.data!.includes('"b"'));
    await streams[0]!.wait((e) => e.event === "unlock" && e.data!.includes('"n"'));
    await caughtUp(live, ...streams);
    // (In either order: N's goes once its unlock is stored.)
    const unlocks = streams.map((stream) =>
      stream.events.filter((e) => e.event === "unlock").map((e) => e.data!).sort()
    );
    expect(unlocks).toEqual([
      ['{"puzzles":["b"],"titles":["B"]}', '{"puzzles":["n"],"titles":["N"]}'],
      [],
      [],
    ]);
    expect((await call("GET", "/api/puzzles/b", { token: gulls })).status).toBe(200);
    expect((await call("GET", "/api/puzzles/b", { token: terns })).status).toBe(404);
    for (const stream of streams) await stream.close();
  });
});

describe("a hint take", () => {
  // CTFd's hint prerequisites import as hint_taken(): taking the first opens the second.
  const HUNT = `[hunt]\ntitle = "Hints"\nstarts_at = 2026-11-21T10:00:00Z\n\n` +
    `[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = ["x"]\n\n` +
    `[[puzzle.hint]]\nid = "first"\ntext = "Factor n."\ncost = 5\n\n` +
    `[[puzzle.hint]]\nid = "second"\ntext = "p = 61."\ncost = 10\nunlock = 'hint_taken("first")'\n`;

  test("tells the team's open pages of the puzzle to draw its hints again, and no other team", async () => {
    const { base, live, register, call } = serve({ toml: HUNT });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    // The Gulls' phone that takes the hint, a teammate's, the Terns' and an anonymous one.
    const streams = await streamsOf(base, [gulls, gulls, terns, undefined]);
    const take = await call("POST", "/api/puzzles/a/hints/first", { token: gulls });
    expect(take.status).toBe(200);
    for (const stream of streams.slice(0, 2)) {
      await stream.wait((e) => e.event === "puzzle_updated");
    }
    await caughtUp(live, ...streams);
    const told = { puzzles: ["a"], hints_only: true };
    expect(streams.map(updatedOf)).toEqual([[told], [told], [], []]);
    expect(v.is(EVENTS.puzzle_updated, told)).toBe(true);
    // What such a page then draws: the second hint, which it may take now.
    const page = await call("GET", "/api/puzzles/a", { token: gulls });
    expect(page.body.hints.map((h: { available: boolean }) => h.available)).toEqual([true, true]);
    for (const stream of streams) await stream.close();
  });
});

describe("a reload that changes the hints a team can take", () => {
  const HUNT = `[hunt]\ntitle = "Hints"\nstarts_at = 2026-11-21T10:00:00Z\n\n` +
    `[[puzzle]]\nid = "a"\ntitle = "A"\nanswer = ["x"]\n\n` +
    `[[puzzle.hint]]\nid = "nudge"\ntext = "Look up."\nunlock = "minutes_since_unlock() >= 30"\n\n` +
    `[[puzzle]]\nid = "b"\ntitle = "B"\nunlock = 'solved("a")'\nanswer = ["y"]\n\n` +
    `[[puzzle.hint]]\nid = "ask"\nkind = "ask"\n`;

  test("tells each team whose page would show other hints, only of them, and nobody of a rule that changes nothing", async () => {
    const { base, live, setToml, admin, register, call } = serve({ toml: HUNT });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    // The Terns solved A (its hints are offered no more) and have B; the Gulls have A only.
    await call("POST", "/api/puzzles/a/guesses", { token: terns, body: { answer: "x" } });
    const streams = await streamsOf(base, [gulls, terns, undefined]);
    const updated = () => streams.map(updatedOf);
    const reload = async (toml: string) => {
      setToml(toml);
      expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    };

    // The nudge is available at once: the Gulls' page shows it (the Terns', solved, does not).
    await reload(HUNT.replace("minutes_since_unlock() >= 30", "minutes_since_unlock() >= 0"));
    await streams[0]!.wait((e) => e.event === "puzzle_updated");
    await caughtUp(live, ...streams);
    expect(updated()).toEqual([[{ puzzles: ["a"], hints_only: true }], [], []]);
    for (const event of streams[0]!.events.filter((e) => e.event === "puzzle_updated")) {
      expect(v.is(EVENTS.puzzle_updated, JSON.parse(event.data!))).toBe(true);
    }
    const nudge = await call("GET", "/api/puzzles/a", { token: gulls });
    expect(nudge.body.hints[0].available).toBe(true);

    // Another rule that gives the same: nobody hears of it.
    await reload(HUNT.replace(
      "minutes_since_unlock() >= 30",
      "minutes_since_unlock() >= 0 or wrong_guesses() >= 9",
    ));
    // Hint tokens: the Terns' ask on B costs one now, and they have one.
    await reload(
      HUNT.replace('title = "Hints"', 'title = "Hints"\nhint_tokens = { start = 1 }').replace(
        "minutes_since_unlock() >= 30",
        "minutes_since_unlock() >= 0 or wrong_guesses() >= 9",
      ),
    );
    await streams[1]!.wait((e) => e.event === "puzzle_updated");
    await caughtUp(live, ...streams);
    expect(updated()).toEqual([
      [{ puzzles: ["a"], hints_only: true }],
      [{ puzzles: ["b"], hints_only: true }],
      [],
    ]);
    for (const stream of streams) await stream.close();
  });

  test("tells a team of every puzzle whose hints it can take changed in one event, and of each whose words changed in one each", async () => {
    // Three puzzles open at the start, each with a nudge and an ask.
    const asks = (tokens: number, minutes: number, body = "") => {
      let toml = `[hunt]\ntitle = "Asks"\nstarts_at = 2026-11-21T10:00:00Z\n` +
        `hint_tokens = { start = ${tokens} }\n\n`;
      for (const id of ["a", "b", "c"]) {
        toml += `[[puzzle]]\nid = "${id}"\ntitle = "${id}"\nanswer = ["x"]\n` +
          (id === "c" ? body : "") +
          `\n[[puzzle.hint]]\nid = "nudge"\ntext = "Look up."\n` +
          `unlock = "minutes_since_unlock() >= ${minutes}"\n\n` +
          `[[puzzle.hint]]\nid = "ask"\nkind = "ask"\n\n`;
      }
      return toml;
    };
    const { base, live, setToml, admin, register } = serve({ toml: asks(1, 30) });
    const streams = await streamsOf(base, [await register("Gulls"), await register("Terns")]);
    const reload = async (toml: string) => {
      for (const stream of streams) stream.events.length = 0;
      setToml(toml);
      expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
      for (const stream of streams) await stream.wait((e) => e.event === "puzzle_updated");
      await caughtUp(live, ...streams);
      return streams.map(updatedOf);
    };
    const all = { puzzles: ["a", "b", "c"], hints_only: true };
    // The hint tokens, which every puzzle's page with an ask shows: one event a team, not three.
    expect(await reload(asks(2, 30))).toEqual([[all], [all]]);
    // The nudge's rule on every puzzle: the same.
    expect(await reload(asks(2, 0))).toEqual([[all], [all]]);
    // C's words, and the tokens: C's words in its own event, A's and B's hints in one.
    expect(await reload(asks(3, 0, 'body = "Look down."\n'))).toEqual(
      Array(2).fill([{ puzzle: "c" }, { puzzles: ["a", "b"], hints_only: true }]),
    );
    for (const stream of streams) {
      for (const event of updatedOf(stream)) expect(v.is(EVENTS.puzzle_updated, event)).toBe(true);
      await stream.close();
    }
  });

  test("tells a slice of teams at a time: the event loop turns before the last is told", async () => {
    // Four puzzles with an ask each, for enough teams to make three slices.
    const asks = (tokens: number) => {
      let toml = `[hunt]\ntitle = "Asks"\nstarts_at = 2026-11-21T10:00:00Z\n` +
        `hint_tokens = { start = ${tokens} }\ndivisions = ["kids", "adults"]\n\n`;
      for (const id of ["a", "b", "c", "d"]) {
        toml += `[[puzzle]]\nid = "${id}"\ntitle = "${id}"\nanswer = ["x"]\n\n` +
          `[[puzzle.hint]]\nid = "ask"\nkind = "ask"\n\n`;
      }
      return toml;
    };
    const teams = (3 * UPDATE_SLICE) / 4;
    const { app, live, setToml, admin } = makeApp({
      toml: asks(1),
      coalesceMs: 0,
      seed: (db) => seedBoard(db, teams),
    });
    // Each team's stream (seedBoard's token), read in this process.
    const aborts = Array.from({ length: teams }, () => new AbortController());
    await Promise.all(aborts.map(async (abort, i) => {
      const res = await app.request("http://localhost/api/events", {
        headers: { authorization: `Bearer token-${i + 1}` },
        signal: abort.signal,
      });
      void res.body!.pipeTo(new WritableStream()).catch(() => {});
    }));
    expect(live.connections).toBe(teams);
    const told = new Set<number>();
    const teamEvent = live.teamEvent.bind(live);
    live.teamEvent = (teamId, event, data) => {
      if (event === "puzzle_updated") told.add(teamId);
      teamEvent(teamId, event, data);
    };
    // How many teams were told each time a timer ran: others' requests are answered as often.
    const seen: number[] = [];
    const watch = setInterval(() => seen.push(told.size), 0);
    setToml(asks(2));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    while (told.size < teams) await sleep(5);
    clearInterval(watch);
    expect(seen.some((count) => count > 0 && count < teams)).toBe(true);
    for (const abort of aborts) abort.abort();
  });

  test("a hint's words and its rule changed at once: the team is told of the words", async () => {
    const both = HUNT.replace("minutes_since_unlock() >= 30", "minutes_since_unlock() >= 0")
      .replace("Look up.", "Look up, at the roof.");
    expect(await toldOnReload(serve({ toml: HUNT }), both)).toEqual([{ puzzle: "a" }]);
  });
});

describe("a reload that changes what a variant says, or who plays it", () => {
  const HUNT = `[hunt]\ntitle = "Variants"\nstarts_at = 2026-11-21T10:00:00Z\nseed = "v"\n\n` +
    `[[puzzle]]\nid = "v"\ntitle = "V"\n\n` +
    `[[puzzle.variant]]\nbody = "Read the north plaque."\nanswer = "n"\n\n` +
    `[[puzzle.variant]]\nbody = "Read the south plaque."\nanswer = "s"\n`;

  test("tells only the team that plays that variant", async () => {
    const { base, live, setToml, admin, register, call } = serve({ toml: HUNT });
    const tokens = [await register("Gulls"), await register("Terns")];
    const streams = await streamsOf(base, tokens);
    const bodies = await Promise.all(
      tokens.map(async (token) => (await call("GET", "/api/puzzles/v", { token })).body.body_html),
    );
    const south = bodies.findIndex((body) => body.includes("south"));
    expect(south).not.toBe(-1);

    setToml(HUNT.replace("Read the south plaque.", "Read the south plaque, on the pier."));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    await streams[south]!.wait((e) => e.event === "puzzle_updated");
    await caughtUp(live, ...streams);
    expect(updatedOf(streams[south]!)).toEqual([{ puzzle: "v" }]);
    expect(updatedOf(streams[1 - south]!)).toEqual([]);
    for (const stream of streams) await stream.close();
  });
  test("tells the teams a new seed deals another variant to, and only them", async () => {
    const { base, live, setToml, admin, register, call } = serve({ toml: HUNT });
    const tokens = [await register("Gulls"), await register("Terns"), await register("Ducks")];
    const streams = await streamsOf(base, tokens);
    const bodies = () =>
      Promise.all(
        tokens.map(async (token) =>
          (await call("GET", "/api/puzzles/v", { token })).body.body_html as string
        ),
      );
    const before = await bodies();

    setToml(HUNT.replace('seed = "v"', 'seed = "x"'));
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    const after = await bodies();
    const moved = after.map((body, i) => body !== before[i]);
    expect(moved).toContain(true);
    await streams[moved.indexOf(true)]!.wait((e) => e.event === "puzzle_updated");
    await caughtUp(live, ...streams);
    const told = streams.map((stream) => stream.events.some((e) => e.event === "puzzle_updated"));
    expect(told).toEqual(moved);
    for (const stream of streams) await stream.close();
  });
});
