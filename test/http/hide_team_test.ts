// An organizer hides a team from the standings: PUT /api/admin/teams/:id/hidden. What it takes
// the team off (the board, its stream, CTFtime's feed, the exports), what the others gain (its
// first-solve bonus, the dynamic value its solve lowered), what stays (its play, the admin views),
// what the route refuses, and that it survives a restart.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportResults } from "../../src/cli/export.ts";
import { backupDatabase } from "../../src/store/mod.ts";
import { MINUTE, START } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";
import { ADMIN_TOKEN, makeApp } from "./_app.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const CTF = `
[hunt]
title = "CTF"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z

[[puzzle]]
id = "web"
title = "Web"
points = { initial = 500, minimum = 100, decay = 10, function = "linear" }
first_solve_bonus = [50]
answer = ["flag{web}"]

[[puzzle]]
id = "pwn"
title = "Pwn"
points = 100
answer = ["flag{pwn}"]
`;

const unix = (ms: number) => Math.floor(ms / 1000);

/** Gulls solve web first, then Terns: Gulls 540 (490 + the bonus), Terns 490. */
async function twoSolvers(options: { coalesceMs?: number } = {}) {
  const app = makeApp({ toml: CTF, ...options });
  const gulls = await app.register("Gulls");
  const terns = await app.register("Terns");
  for (const token of [gulls, terns]) {
    app.clock.advance(MINUTE);
    await app.call("POST", "/api/puzzles/web/guesses", { token, body: { answer: "flag{web}" } });
  }
  return { ...app, gulls, terns };
}

type App = Awaited<ReturnType<typeof twoSolvers>>;

/** The public board as [rank, name, score]. */
async function board(call: App["call"]) {
  const body = (await call("GET", "/api/scoreboard")).body;
  return body.teams.map((t: { rank: number; name: string; score: number }) => [
    t.rank,
    t.name,
    t.score,
  ]);
}

describe("PUT /api/admin/teams/:id/hidden", () => {
  test("takes the team off the board and CTFtime's feed; the next solver gets its bonus and value", async () => {
    const { call, admin, gulls } = await twoSolvers();
    expect(await board(call)).toEqual([[1, "Gulls", 540], [2, "Terns", 490]]);
    expect(await admin("PUT", "/api/admin/teams/1/hidden", { hidden: true })).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Gulls", hidden: true } },
    });
    // The Terns are now web's only solver: 500, and the first-solve bonus.
    expect(await board(call)).toEqual([[1, "Terns", 550]]);
    const feed = (await call("GET", "/api/ctftime")).body;
    expect(feed.standings).toEqual([{
      pos: 1,
      team: "Terns",
      score: 550,
      taskStats: { Web: { points: 550, time: unix(START + 2 * MINUTE) } },
      lastAccept: unix(START + 2 * MINUTE),
    }]);
    // The organizers still see the Gulls, marked; its own score holds web's value, no bonus.
    const teams = (await admin("GET", "/api/admin/teams")).body.teams;
    expect(teams.map((t: { name: string; hidden: boolean; score: number }) => [
      t.name,
      t.hidden,
      t.score,
    ])).toEqual([["Gulls", true, 500], ["Terns", false, 550]]);
    expect((await admin("GET", "/api/admin/teams/1")).body.team.hidden).toBe(true);
    // The Gulls play on: a solve counts for their own score, and shows nowhere public.
    const solved = await call("POST", "/api/puzzles/pwn/guesses", {
      token: gulls,
      body: { answer: "flag{pwn}" },
    });
    expect(solved.body.result).toBe("correct");
    expect((await call("GET", "/api/puzzles", { token: gulls })).body.puzzles.map((
      p: { id: string; points: number },
    ) => [p.id, p.points])).toEqual([["web", 500], ["pwn", 100]]);
    expect(await board(call)).toEqual([[1, "Terns", 550]]);

    // Shown again: back in its place, as if never hidden.
    expect(await admin("PUT", "/api/admin/teams/1/hidden", { hidden: false })).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Gulls", hidden: false } },
    });
    expect(await board(call)).toEqual([[1, "Gulls", 640], [2, "Terns", 490]]);
  });

  test("the exports leave it off the scoreboard and CTFtime's feed, and mark it in the teams", async () => {
    const { admin, store } = await twoSolvers();
    await admin("PUT", "/api/admin/teams/1/hidden", { hidden: true });
    const results = (await admin("GET", "/api/admin/export?format=json")).body;
    expect(results.teams.map((t: { name: string; hidden: boolean }) => [t.name, t.hidden]))
      .toEqual([["Gulls", true], ["Terns", false]]);
    expect(results.scoreboard.map((r: { rank: number; name: string; score: number }) => [
      r.rank,
      r.name,
      r.score,
    ])).toEqual([[1, "Terns", 550]]);
    expect(results.solves.map((s: { team_name: string }) => s.team_name)).toEqual([
      "Gulls",
      "Terns",
    ]);
    const csv = (await admin("GET", "/api/admin/export?format=csv&table=teams")).text;
    expect(csv.split("\r\n")[0]).toBe("\uFEFFid,name,division,members,created_at,hidden");
    expect(csv).toContain('1,"Gulls",,"","2026-11-21T10:00:00.000Z","true"\r\n');

    const dir = dirs.make("cairn-hidden-");
    store.flush();
    await backupDatabase(store.db, join(dir, "cairn.db"));
    const out = join(dir, "feed.json");
    const stderr: string[] = [];
    const io = { stdout: () => {}, stderr: (text: string) => void stderr.push(text) };
    const code = await exportResults(
      { db: join(dir, "cairn.db"), format: "ctftime", out },
      [],
      io as never,
    );
    expect([code, stderr]).toEqual([0, []]);
    expect(JSON.parse(readFileSync(out, "utf8")).standings).toEqual([{
      pos: 1,
      team: "Terns",
      score: 550,
      taskStats: { Web: { points: 550, time: unix(START + 2 * MINUTE) } },
      lastAccept: unix(START + 2 * MINUTE),
    }]);
  });

  test("the live streams get the board without it", async () => {
    const { admin, live } = await twoSolvers({ coalesceMs: 0 });
    let received = "";
    const close = live.connect(undefined, {
      write: (chunk: Uint8Array) => void (received += new TextDecoder().decode(chunk)),
      closed: false,
    });
    received = "";
    await admin("PUT", "/api/admin/teams/1/hidden", { hidden: true });
    expect(received).toContain("event: scoreboard");
    expect(received).toContain('"name":"Terns"');
    expect(received).not.toContain("Gulls");
    close();
  });

  test("a frozen board drops it too, and its bonus moves there as well", async () => {
    const { call, admin, clock } = await twoSolvers();
    await admin("POST", "/api/admin/scoreboard", { frozen: true });
    clock.advance(MINUTE);
    await admin("PUT", "/api/admin/teams/1/hidden", { hidden: true });
    const body = (await call("GET", "/api/scoreboard")).body;
    expect(body.frozen).toBe(true);
    expect(body.teams.map((t: { name: string; score: number }) => [t.name, t.score])).toEqual([
      ["Terns", 550],
    ]);
  });

  test("it survives a restart", async () => {
    const app = await twoSolvers();
    await app.admin("PUT", "/api/admin/teams/1/hidden", { hidden: true });
    const again = app.restart({ toml: CTF });
    const board = await (await again.app.request("http://localhost/api/scoreboard")).json() as {
      teams: { name: string; score: number }[];
    };
    expect(board.teams.map((t) => [t.name, t.score])).toEqual([["Terns", 550]]);
    const gulls = again.game.engine.teamByName("Gulls")!;
    expect([gulls.hidden, again.game.engine.score(gulls)]).toEqual([true, 500]);
    again.close();
  });

  test("the same state again changes nothing and writes nothing", async () => {
    const { admin, store } = await twoSolvers();
    const count = () => store.db.query("SELECT count(*) AS n FROM teams WHERE hidden = 1").get();
    for (const hidden of [false, true, true]) {
      expect((await admin("PUT", "/api/admin/teams/1/hidden", { hidden })).body.team.hidden)
        .toBe(hidden);
    }
    store.flush();
    expect(count()).toEqual({ n: 1 });
  });

  const badBodies: [string, unknown, string][] = [
    ["no field", {}, 'Missing field "hidden"'],
    [
      "a string",
      { hidden: "yes" },
      'Field "hidden": Invalid type: Expected boolean but received "yes"',
    ],
    ["an unknown field", { hidden: true, banned: true }, 'Unknown field "banned"'],
  ];
  for (const [what, body, message] of badBodies) {
    test(`${what} is 400, and the team stays on the board`, async () => {
      const { call, admin } = await twoSolvers();
      expect(await admin("PUT", "/api/admin/teams/1/hidden", body)).toMatchObject({
        status: 400,
        body: { error: { code: "bad_request", message } },
      });
      expect((await board(call)).length).toBe(2);
    });
  }

  test("is 404 for an unknown team", async () => {
    const { admin } = await twoSolvers();
    for (const id of ["3", "abc", "0"]) {
      expect(await admin("PUT", `/api/admin/teams/${id}/hidden`, { hidden: true })).toMatchObject({
        status: 404,
        body: { error: { code: "not_found", message: `There is no team ${id}` } },
      });
    }
  });

  test("needs the admin token (401 without, or with a team's), and the same origin with the cookie", async () => {
    const { call, gulls } = await twoSolvers();
    for (const token of [undefined, gulls]) {
      const reply = await call("PUT", "/api/admin/teams/1/hidden", {
        body: { hidden: true },
        ...(token !== undefined && { token }),
      });
      expect(reply).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    }
    const crossSite = await call("PUT", "/api/admin/teams/1/hidden", {
      body: { hidden: true },
      headers: { cookie: `cairn_admin=${ADMIN_TOKEN}`, origin: "http://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect((await board(call)).length).toBe(2);
  });
});
