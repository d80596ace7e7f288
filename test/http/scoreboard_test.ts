// `GET /api/scoreboard` on a big board: the whole board with no query (as always), a part of it
// with `limit`/`offset` or `around=me`, each with the count of all teams and its own ETag; what
// it refuses, and how the parts follow divisions, the freeze and a hidden team.
import { describe, expect, test } from "bun:test";
import { SLICE_BYTES_KEPT, SLICE_ENTRY_BYTES } from "../../src/live/mod.ts";
import { MINUTE } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";
import { seedBoard } from "./_board.ts";

/** Teams on the seeded board. */
const TEAMS = 300;

/** An app whose board has `TEAMS` teams, team i ranked i-th (see `seedBoard`). */
const bigBoard = () => makeApp({ seed: (db) => seedBoard(db, TEAMS) });

type App = ReturnType<typeof bigBoard>;

/** The names of a part's rows. */
const names = (body: { teams: { name: string }[] }) => body.teams.map((t) => t.name);
/** "Team a" to "Team b". */
const range = (a: number, b: number) =>
  Array.from({ length: b - a + 1 }, (_, i) => `Team ${a + i}`);

describe("GET /api/scoreboard on a big board", () => {
  const parts: [string, number, number, string[]][] = [
    ["?limit=50", 0, TEAMS, range(1, 50)],
    ["?limit=10&offset=100", 100, TEAMS, range(101, 110)],
    ["?offset=250", 250, TEAMS, range(251, 300)],
    ["?offset=295&limit=10", 295, TEAMS, range(296, 300)],
    ["?offset=300", 300, TEAMS, []],
    ["?offset=999999999&limit=01", 999999999, TEAMS, []],
    ["?limit=500", 0, TEAMS, range(1, 300)],
    ["?division=adults&limit=3&offset=1", 1, 150, ["Team 4", "Team 6", "Team 8"]],
  ];
  for (const [query, offset, total, rows] of parts) {
    test(`${query}: ${rows.length} rows from ${offset}, of ${total}`, async () => {
      const { call } = bigBoard();
      const { status, body } = await call("GET", `/api/scoreboard${query}`);
      expect(status).toBe(200);
      expect(body.frozen).toBe(false);
      expect(body.total).toBe(total);
      expect(body.offset).toBe(offset);
      expect(names(body)).toEqual(rows);
    });
  }

  test("a row of a part is the whole board's row; with no query, the whole board", async () => {
    const { call } = bigBoard();
    // With no query, the whole board, as always: no count, no offset.
    const whole = (await call("GET", "/api/scoreboard")).body;
    expect(Object.keys(whole)).toEqual(["frozen", "teams"]);
    expect(whole.teams).toHaveLength(TEAMS);
    const part = (await call("GET", "/api/scoreboard?limit=2&offset=41")).body;
    expect(part.teams).toEqual(whole.teams.slice(41, 43));
    expect(part.teams[0]).toEqual({
      rank: 42,
      name: "Team 42",
      division: "adults",
      score: 259,
      solves: 0,
      last_solve_at: null,
    });
  });

  const refused: [string, string][] = [
    ["?limit=0", "limit must be a whole number from 1 to 500"],
    ["?limit=501", "limit must be a whole number from 1 to 500"],
    ["?limit=ten", "limit must be a whole number from 1 to 500"],
    ["?limit=-5", "limit must be a whole number from 1 to 500"],
    ["?limit=1.5", "limit must be a whole number from 1 to 500"],
    ["?limit=", "limit must be a whole number from 1 to 500"],
    ["?offset=-1", "offset must be a whole number from 0 to 999999999"],
    ["?offset=1e3", "offset must be a whole number from 0 to 999999999"],
    // A whole number 0 or more, but too far: the message says how far an offset can go.
    ["?offset=1000000000", "offset must be a whole number from 0 to 999999999"],
    ["?offset=9".padEnd(40, "9"), "offset must be a whole number from 0 to 999999999"],
    ["?around=them", "around must be me (your team's row)"],
    ["?around=me&offset=3", "around and offset cannot be used together"],
  ];
  for (const [query, message] of refused) {
    test(`${query}: 400 bad_request "${message}"`, async () => {
      const { call } = bigBoard();
      const { status, body } = await call("GET", `/api/scoreboard${query}`, { token: "token-7" });
      expect(status).toBe(400);
      expect(body.error).toEqual({ code: "bad_request", message });
    });
  }

  test("around=me without a team is 401", async () => {
    const { call, admin } = bigBoard();
    const message = "around=me needs a team's token or session cookie";
    for (
      const reply of [
        await call("GET", "/api/scoreboard?around=me"),
        await admin("GET", "/api/scoreboard?around=me"),
      ]
    ) {
      expect(reply.status).toBe(401);
      expect(reply.body.error).toEqual({ code: "unauthorized", message });
    }
  });
});

describe("around=me", () => {
  const cases: [string, number, number, string[]][] = [
    ["a team far outside the top: 3 above, 3 below", 200, 196, range(197, 203)],
    ["with limit=3", 200, 198, range(199, 201)],
    ["with limit=4: one more below", 200, 198, range(199, 202)],
    ["the leader: the window starts at the top", 1, 0, range(1, 7)],
    ["the last team: the window ends at the bottom", 300, 293, range(294, 300)],
  ];
  for (const [what, team, offset, rows] of cases) {
    test(`${what}`, async () => {
      const { call } = bigBoard();
      const limit = what.includes("limit=") ? `&${what.split("with ")[1]!.split(":")[0]}` : "";
      const { status, headers, body } = await call("GET", `/api/scoreboard?around=me${limit}`, {
        token: `token-${team}`,
      });
      expect(status).toBe(200);
      expect({ total: body.total, offset: body.offset, rows: names(body) }).toEqual({
        total: TEAMS,
        offset,
        rows,
      });
      // Each team its own part: no shared cache may answer another team with it.
      expect(headers.get("cache-control")).toBe("private");
      expect(headers.get("vary")).toBe("authorization, cookie");
    });
  }

  test("the session cookie counts as the team", async () => {
    const { app } = bigBoard();
    const res = await app.request("http://localhost/api/scoreboard?around=me&limit=1", {
      headers: { cookie: "cairn_session=token-123" },
    });
    expect(names(await res.json() as { teams: { name: string }[] })).toEqual(["Team 123"]);
  });

  test("within a division, the team's place among its division", async () => {
    const { call } = bigBoard();
    // Team 201 is the 101st of the kids (the odd ones).
    const { body } = await call("GET", "/api/scoreboard?division=kids&around=me&limit=3", {
      token: "token-201",
    });
    expect({ total: body.total, offset: body.offset, rows: names(body) }).toEqual({
      total: 150,
      offset: 99,
      rows: ["Team 199", "Team 201", "Team 203"],
    });
    // Not in the division: no rows.
    const adults = await call("GET", "/api/scoreboard?division=adults&around=me", {
      token: "token-201",
    });
    expect(adults.body).toEqual({ frozen: false, total: 150, offset: 0, teams: [] });
  });

  test("a hidden team has no place: no rows, and the others close the gap", async () => {
    const { call, admin } = bigBoard();
    expect((await admin("PUT", "/api/admin/teams/200/hidden", { hidden: true })).status).toBe(200);
    const own = await call("GET", "/api/scoreboard?around=me", { token: "token-200" });
    expect(own.body).toEqual({ frozen: false, total: TEAMS - 1, offset: 0, teams: [] });
    const next = await call("GET", "/api/scoreboard?around=me&limit=3", { token: "token-201" });
    expect(names(next.body)).toEqual(["Team 199", "Team 201", "Team 202"]);
    expect(next.body.teams[1].rank).toBe(200);
  });
});

describe("ETags of the parts", () => {
  async function get(app: App, path: string, etag?: string) {
    return await app.call("GET", path, {
      token: "token-200",
      ...(etag !== undefined && { headers: { "if-none-match": etag } }),
    });
  }

  test("each part has its own ETag, 304 while the board stays, 200 again once it changes", async () => {
    const app = bigBoard();
    const paths = [
      "/api/scoreboard",
      "/api/scoreboard?limit=50",
      "/api/scoreboard?limit=50&offset=50",
      "/api/scoreboard?around=me",
      "/api/scoreboard?division=kids",
      "/api/scoreboard?division=kids&limit=50",
    ];
    const etags = new Map<string, string>();
    for (const path of paths) {
      const first = await get(app, path);
      const etag = first.headers.get("etag")!;
      expect(etag).toMatch(/^"[0-9a-z]+"$/);
      etags.set(path, etag);
      const again = await get(app, path, etag);
      expect([path, again.status, again.headers.get("etag")]).toEqual([path, 304, etag]);
    }
    expect(new Set(etags.values()).size).toBe(paths.length);
    // Team 250 (51 points, 111 now) passes team 200 (101): the top 100 stays the same, what is
    // around team 200 does not.
    await app.admin("POST", "/api/admin/adjustments", { team: 250, points: 60, reason: "bonus" });
    const status = async (path: string) => (await get(app, path, etags.get(path))).status;
    expect(await status("/api/scoreboard?limit=50")).toBe(304);
    expect(await status("/api/scoreboard?limit=50&offset=50")).toBe(304);
    expect(await status("/api/scoreboard?division=kids&limit=50")).toBe(304);
    for (const path of ["/api/scoreboard", "/api/scoreboard?around=me"]) {
      expect([path, await status(path)]).toEqual([path, 200]);
    }
    const around = (await get(app, "/api/scoreboard?around=me")).body;
    // The same names, one place lower each: team 250 is now above them.
    expect(names(around)).toEqual(range(197, 203));
    expect([around.offset, around.teams[3].rank]).toEqual([197, 201]);
  });

  test("every part holds the count of teams: a team hidden at the bottom changes the top's ETag", async () => {
    const app = bigBoard();
    const top = await get(app, "/api/scoreboard?limit=50");
    await app.admin("PUT", "/api/admin/teams/300/hidden", { hidden: true });
    const after = await get(app, "/api/scoreboard?limit=50", top.headers.get("etag")!);
    expect([after.status, after.body.total]).toEqual([200, TEAMS - 1]);
    expect(after.body.teams).toEqual(top.body.teams);
    await app.admin("PUT", "/api/admin/teams/300/hidden", { hidden: false });
    const shown = await get(app, "/api/scoreboard?limit=50", top.headers.get("etag")!);
    expect([shown.status, shown.headers.get("etag")]).toEqual([304, top.headers.get("etag")]);
  });

  test("a part is encoded once per board change, not once per request", async () => {
    const app = bigBoard();
    const part = { offset: 20, limit: 20 };
    const first = await app.call("GET", "/api/scoreboard?limit=20&offset=20");
    expect(names(first.body)).toEqual(range(21, 40));
    const kept = app.live.scoreboardJson(undefined, part);
    expect(kept.json).toBe(first.text);
    for (let i = 0; i < 3; i++) {
      expect((await app.call("GET", "/api/scoreboard?limit=20&offset=20")).text).toBe(first.text);
      // The very same encoding, not one built again.
      expect(app.live.scoreboardJson(undefined, part)).toBe(kept);
    }
    await app.admin("POST", "/api/admin/adjustments", { team: 30, points: 1, reason: "bonus" });
    expect(app.live.scoreboardJson(undefined, part)).not.toBe(kept);
  });
});

describe("the parts kept", () => {
  test("are dropped past SLICE_BYTES_KEPT, so many different parts cannot hold memory", () => {
    const { live } = bigBoard();
    const first = live.scoreboardJson(undefined, { offset: 0, limit: 500 });
    // Each of these is the whole board of 300 rows, under another key.
    const per = first.json.length + SLICE_ENTRY_BYTES;
    let kept = per;
    for (let offset = 1; kept + per <= SLICE_BYTES_KEPT; offset++) {
      expect(live.scoreboardJson(undefined, { offset: 0, limit: 500 - offset })).not.toBe(first);
      kept += per;
    }
    expect(live.scoreboardJson(undefined, { offset: 0, limit: 500 })).toBe(first);
    live.scoreboardJson(undefined, { offset: 1, limit: 500 });
    expect(live.scoreboardJson(undefined, { offset: 0, limit: 500 })).not.toBe(first);
  });

  test("count what each kept part takes besides its JSON, so tiny parts are bounded too", () => {
    const { live } = bigBoard();
    // Offsets past the last team: about 60 bytes of JSON each, but some 270 bytes of memory kept
    // (its key, its ETag, the map's entry: measured on Bun). Counted by their JSON alone, 4 MiB of
    // them held about 19 MB.
    const first = live.scoreboardJson(undefined, { offset: 1_000_000, limit: 1 });
    expect(first.json.length).toBeLessThan(70);
    // As many as take the bound's memory at 270 bytes each.
    const parts = Math.floor(SLICE_BYTES_KEPT / 270);
    for (let i = 1; i < parts; i++) {
      live.scoreboardJson(undefined, { offset: 1_000_000 + i, limit: 1 });
    }
    expect(live.scoreboardJson(undefined, { offset: 1_000_000, limit: 1 })).not.toBe(first);
  });
});

describe("the parts of a frozen board", () => {
  test("show the board as it was at the freeze, and say so", async () => {
    const app = bigBoard();
    await app.admin("POST", "/api/admin/scoreboard", { frozen: true });
    // Team 300 jumps to the top after the freeze: the frozen parts do not show it.
    app.clock.advance(MINUTE);
    await app.admin("POST", "/api/admin/adjustments", { team: 300, points: 1000, reason: "late" });
    const top = (await app.call("GET", "/api/scoreboard?limit=2")).body;
    expect(top).toMatchObject({ frozen: true, total: TEAMS, offset: 0 });
    expect(names(top)).toEqual(["Team 1", "Team 2"]);
    const around =
      (await app.call("GET", "/api/scoreboard?around=me&limit=1", { token: "token-300" }))
        .body;
    expect(around).toMatchObject({ frozen: true, offset: 299 });
    expect(around.teams[0]).toMatchObject({ name: "Team 300", rank: 300, score: 1 });
    await app.admin("POST", "/api/admin/scoreboard", { frozen: false });
    const revealed = (await app.call("GET", "/api/scoreboard?limit=1")).body;
    expect(revealed).toMatchObject({ frozen: false, teams: [{ name: "Team 300", score: 1001 }] });
  });
});
