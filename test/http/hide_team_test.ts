// An organizer hides a team from the standings (PUT /api/admin/teams/:id/hidden) or bans it
// (/banned). What hiding takes the team off (the board, its stream, CTFtime's feed, the exports),
// what the others gain (its first-solve bonus, the dynamic value its solve lowered), what stays
// (its play, the admin views); what a ban adds (sessions ended, logins and actions refused); what
// the routes refuse, and that both survive a restart.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exportResults } from "../../src/cli/export.ts";
import type { Write } from "../../src/engine/mod.ts";
import { BANNED } from "../../src/play/banned.ts";
import { backupDatabase } from "../../src/store/mod.ts";
import { MINUTE, MISSIONS_TOML, START } from "../engine/_hunt.ts";
import { ASKS_TOML } from "../engine/_asks.ts";
import { tempDirs } from "../_tmp.ts";
import { ADMIN_TOKEN, failCommits, makeApp } from "./_app.ts";

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
    expect(csv.split("\r\n")[0]).toBe(
      "\uFEFFid,name,division,members,created_at,hidden,banned",
    );
    expect(csv).toContain('1,"Gulls",,"","2026-11-21T10:00:00.000Z","true","false"\r\n');

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
});

describe("PUT /api/admin/teams/:id/banned", () => {
  const login = (call: App["call"], name: string) =>
    call("POST", "/api/session", { body: { name, password: "correct horse" } });
  const refusedAsBanned = {
    status: 403,
    body: { error: { code: "forbidden", message: BANNED } },
  };

  test("ends the team's sessions, refuses its logins, and hides it; lifted, it logs in again, still hidden", async () => {
    const { call, admin, gulls } = await twoSolvers();
    const second = (await login(call, "Gulls")).body.token as string;
    expect(await admin("PUT", "/api/admin/teams/1/banned", { banned: true })).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Gulls", hidden: true, banned: true }, sessions_ended: 2 },
    });
    for (const token of [gulls, second]) {
      expect((await call("GET", "/api/puzzles", { token })).status).toBe(401);
    }
    expect(await login(call, "Gulls")).toMatchObject(refusedAsBanned);
    // A wrong password is told nothing of the ban.
    expect(
      (await call("POST", "/api/session", { body: { name: "Gulls", password: "wrong one" } }))
        .status,
    ).toBe(401);
    expect(await board(call)).toEqual([[1, "Terns", 550]]);
    const listed = (await admin("GET", "/api/admin/teams")).body.teams[0];
    expect([listed.hidden, listed.banned]).toEqual([true, true]);
    // Shown again while banned: refused.
    expect(await admin("PUT", "/api/admin/teams/1/hidden", { hidden: false })).toMatchObject({
      status: 409,
      body: {
        error: { code: "conflict", message: "A banned team stays hidden: lift its ban first" },
      },
    });
    expect(await admin("PUT", "/api/admin/teams/1/banned", { banned: false })).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Gulls", hidden: true, banned: false }, sessions_ended: 0 },
    });
    expect((await login(call, "Gulls")).status).toBe(200);
    expect(await board(call)).toEqual([[1, "Terns", 550]]);
    expect((await admin("PUT", "/api/admin/teams/1/hidden", { hidden: false })).status).toBe(200);
    expect(await board(call)).toEqual([[1, "Gulls", 540], [2, "Terns", 490]]);
  });

  test("a ban that cannot be saved leaves the team's sessions open, as the database does", async () => {
    const { call, admin, store, db, gulls } = await twoSolvers();
    const second = (await login(call, "Gulls")).body.token as string;
    const saveCommits = failCommits(store);
    expect((await admin("PUT", "/api/admin/teams/1/banned", { banned: true })).status).toBe(503);
    saveCommits();
    expect(db.query("SELECT count(*) AS n FROM sessions WHERE team_id = 1").get()).toEqual({
      n: 2,
    });
    // The engine keeps the ban until the server starts again from the database (as after any
    // failed commit); the sessions are the accounts' part, and stand.
    for (const token of [gulls, second]) {
      expect((await call("GET", "/api/puzzles", { token })).status).toBe(200);
    }
  });

  test("a request on a session the ban has not reached yet is refused when it is decided", async () => {
    const { call, game, gulls } = await twoSolvers();
    // Another node's ban, read here before the records that end the team's sessions.
    game.engine.apply({ kind: "team_banned", teamId: 1, banned: true, at: game.engine.now() });
    expect(
      await call("POST", "/api/puzzles/pwn/guesses", {
        token: gulls,
        body: { answer: "flag{pwn}" },
      }),
    ).toMatchObject(refusedAsBanned);
    expect(await call("POST", "/api/checkins", { token: gulls, body: { code: "nowhere" } }))
      .toMatchObject(refusedAsBanned);
  });

  test("so is a question, a withdrawal or a mission's submission on such a session", async () => {
    const toml = ASKS_TOML() + MISSIONS_TOML.slice(MISSIONS_TOML.indexOf("[[puzzle]]"));
    const { call, game, register, app, clock } = makeApp({ toml });
    clock.advance(MINUTE);
    const token = await register("Gulls");
    const asked = await call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
      token,
      body: { question: "Is it a star?" },
    });
    expect(asked.status).toBe(201);
    game.engine.apply({ kind: "team_banned", teamId: 1, banned: true, at: game.engine.now() });
    expect(
      await call("POST", "/api/puzzles/lighthouse/hints/ask/asks", {
        token,
        body: { question: "Or a planet?" },
      }),
    ).toMatchObject(refusedAsBanned);
    expect(await call("DELETE", `/api/asks/${asked.body.ask.id}`, { token }))
      .toMatchObject(refusedAsBanned);
    const form = new FormData();
    form.append("text", "We are the Gulls.");
    const sent = await app.request("http://localhost/api/puzzles/story/submissions", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect([sent.status, await sent.json()]).toEqual([403, refusedAsBanned.body]);
    expect(game.engine.submissions.size).toBe(0);
  });

  test("a login whose session was being stored when the ban came opens no session", async () => {
    const { call, admin, game } = await twoSolvers();
    const store = game.store as { commit(writes: readonly Write[]): Promise<void> };
    const commit = store.commit.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    let sessionDecided!: () => void;
    const decided = new Promise<void>((resolve) => sessionDecided = resolve);
    store.commit = async (writes) => {
      if (writes.some((write) => write.kind === "session")) {
        sessionDecided();
        await held;
      }
      return await commit(writes);
    };
    const loggingIn = login(call, "Gulls");
    await decided;
    expect((await admin("PUT", "/api/admin/teams/1/banned", { banned: true })).status).toBe(200);
    release();
    expect(await loggingIn).toMatchObject(refusedAsBanned);
    expect(game.store.accounts().sessions.filter((session) => session.teamId === 1)).toEqual([]);
  });

  test("it survives a restart: still banned, hidden, and refused at login", async () => {
    const app = await twoSolvers();
    await app.admin("PUT", "/api/admin/teams/1/banned", { banned: true });
    const again = app.restart({ toml: CTF });
    const reply = await again.app.request("http://localhost/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Gulls", password: "correct horse" }),
    });
    expect([reply.status, await reply.json()]).toEqual([403, refusedAsBanned.body]);
    const gulls = again.game.engine.teamByName("Gulls")!;
    expect([gulls.banned, gulls.hidden]).toEqual([true, true]);
    again.close();
  });
});

describe("hiding and banning: what the routes refuse", () => {
  for (const field of ["hidden", "banned"]) {
    const path = `/api/admin/teams/1/${field}`;
    const badBodies: [string, unknown, string][] = [
      ["no field", {}, `Missing field "${field}"`],
      [
        "a string",
        { [field]: "yes" },
        `Field "${field}": Invalid type: Expected boolean but received "yes"`,
      ],
      ["an unknown field", { [field]: true, other: true }, 'Unknown field "other"'],
    ];
    for (const [what, body, message] of badBodies) {
      test(`PUT ${path}: ${what} is 400, and the team stays on the board`, async () => {
        const { call, admin } = await twoSolvers();
        expect(await admin("PUT", path, body)).toMatchObject({
          status: 400,
          body: { error: { code: "bad_request", message } },
        });
        expect((await board(call)).length).toBe(2);
      });
    }

    test(`PUT /api/admin/teams/:id/${field} is 404 for an unknown team`, async () => {
      const { admin } = await twoSolvers();
      for (const id of ["3", "abc", "0"]) {
        expect(await admin("PUT", `/api/admin/teams/${id}/${field}`, { [field]: true }))
          .toMatchObject({
            status: 404,
            body: { error: { code: "not_found", message: `There is no team ${id}` } },
          });
      }
    });

    test(`PUT ${path} needs the admin token (401 without, or with a team's), and the same origin with the cookie`, async () => {
      const { call, gulls } = await twoSolvers();
      for (const token of [undefined, gulls]) {
        const reply = await call("PUT", path, {
          body: { [field]: true },
          ...(token !== undefined && { token }),
        });
        expect(reply).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
      }
      const crossSite = await call("PUT", path, {
        body: { [field]: true },
        headers: { cookie: `cairn_admin=${ADMIN_TOKEN}`, origin: "http://evil.example" },
      });
      expect(crossSite.status).toBe(403);
      expect((await board(call)).length).toBe(2);
    });
  }
});
