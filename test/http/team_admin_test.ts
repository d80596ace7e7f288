// An organizer renames a team and sets its password: PUT /api/admin/teams/:id/name and
// /password. What each changes (logins, the boards, the exports, the team's own pages),
// what each refuses, and that both survive a restart.
import { describe, expect, test } from "bun:test";
import type { Write } from "../../src/engine/mod.ts";
import { hashPassword } from "../../src/play/password.ts";
import { followWrites } from "../../src/server/follow.ts";
import { ADMIN_TOKEN, failCommits, makeApp, ORIGIN } from "./_app.ts";

type App = ReturnType<typeof makeApp>;

/**
 * Registers Gulls, then sends the organizers' PUT to `path` with `body`, which must be refused
 * with 400 and `message`; the app, to check what stays.
 */
async function refused(path: string, body: unknown, message: string): Promise<App> {
  const app = makeApp();
  await app.register("Gulls");
  expect(await app.admin("PUT", path, body)).toMatchObject({
    status: 400,
    body: { error: { code: "bad_request", message } },
  });
  return app;
}

/** Logs in as `name` with `password`: the reply's status. */
async function login(call: App["call"], name: string, password: string): Promise<number> {
  return (await call("POST", "/api/session", { body: { name, password } })).status;
}

describe("PUT /api/admin/teams/:id/password", () => {
  test("the new password logs in and the old one no longer does; sessions stay open", async () => {
    const { call, register, admin } = makeApp();
    const token = await register("Gulls");
    expect(await login(call, "Gulls", "correct horse")).toBe(200);
    const reply = await admin("PUT", "/api/admin/teams/1/password", { password: "battery staple" });
    expect(reply).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Gulls" }, sessions_ended: 0 },
    });
    expect(await login(call, "Gulls", "correct horse")).toBe(401);
    expect(await login(call, "Gulls", "battery staple")).toBe(200);
    // The phones in hand keep playing.
    expect((await call("GET", "/api/puzzles", { token })).status).toBe(200);
  });

  test("with logout: true, every session of the team ends, and no other team's", async () => {
    const { call, register, login, admin } = makeApp();
    const first = await register("Gulls");
    const second = await login("Gulls");
    const other = await register("Terns");
    const reply = await admin("PUT", "/api/admin/teams/1/password", {
      password: "battery staple",
      logout: true,
    });
    expect(reply).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Gulls" }, sessions_ended: 2 },
    });
    for (const token of [first, second]) {
      expect((await call("GET", "/api/puzzles", { token })).status).toBe(401);
    }
    expect((await call("GET", "/api/puzzles", { token: other })).status).toBe(200);
  });

  test("a reset with logout that cannot be saved leaves the sessions and the password as the database has them", async () => {
    const app = makeApp();
    const first = await app.register("Gulls");
    const second = await app.login("Gulls");
    const saveCommits = failCommits(app.store);
    const reply = await app.admin("PUT", "/api/admin/teams/1/password", {
      password: "battery staple",
      logout: true,
    });
    saveCommits();
    expect(reply.status).toBe(503);
    expect(app.db.query("SELECT count(*) AS n FROM sessions WHERE team_id = 1").get()).toEqual({
      n: 2,
    });
    // The phones in hand still play, and the old password still logs in.
    for (const token of [first, second]) {
      expect((await app.call("GET", "/api/puzzles", { token })).status).toBe(200);
    }
    expect(await login(app.call, "Gulls", "correct horse")).toBe(200);
    // A reset that is saved then ends every one of them.
    expect(
      (await app.admin("PUT", "/api/admin/teams/1/password", {
        password: "battery staple",
        logout: true,
      })).body,
    ).toMatchObject({ sessions_ended: 3 });
    expect((await app.call("GET", "/api/puzzles", { token: first })).status).toBe(401);
  });

  test("a login that checked the old password while a reset with logout was under way opens no session", async () => {
    const { call, register, admin, game } = makeApp();
    await register("Gulls");
    // The reset is decided and its commit waits; the login starts then, checks the old password
    // (still in effect) and commits; only then is the reset stored.
    const store = game.store as { commit(writes: readonly Write[]): Promise<void> };
    const commit = store.commit.bind(store);
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    let resetDecided!: () => void;
    const decided = new Promise<void>((resolve) => resetDecided = resolve);
    let loginCommitted!: () => void;
    const committed = new Promise<void>((resolve) => loginCommitted = resolve);
    store.commit = async (writes) => {
      if (writes.some((write) => write.kind === "password")) {
        resetDecided();
        await held;
      }
      if (writes.some((write) => write.kind === "session")) loginCommitted();
      return await commit(writes);
    };
    const reset = admin("PUT", "/api/admin/teams/1/password", {
      password: "battery staple",
      logout: true,
    });
    // Without this wait the login could commit before the reset is decided: the reset then ends
    // the new session itself, and the login's 200 is right (CI saw that order on Deno).
    await decided;
    const loggingIn = call("POST", "/api/session", {
      body: { name: "Gulls", password: "correct horse" },
    });
    await committed;
    release();
    const [reply, reset_] = await Promise.all([loggingIn, reset]);
    expect(reset_.status).toBe(200);
    expect(reply).toMatchObject({
      status: 401,
      body: { error: { message: "The team's password was just changed: log in with the new one" } },
    });
    // None of the team's sessions is left, in memory or in the database.
    expect(game.store.accounts().sessions.filter((session) => session.teamId === 1)).toEqual([]);
    expect(await login(call, "Gulls", "battery staple")).toBe(200);
  });

  test("on a shared log, a login with a password another node set, read at the login, gets in", async () => {
    let elsewhere: (() => void) | undefined;
    const { call, register, game } = makeApp({ sync: () => Promise.resolve(elsewhere?.()) });
    await register("Gulls");
    // Another node's reset, which this node reads only when the login's first check fails.
    const passwordHash = await hashPassword("battery staple");
    elsewhere = () => {
      game.accounts.follow({ kind: "password", teamId: 1, passwordHash, reset: true });
      elsewhere = undefined;
    };
    expect(await login(call, "Gulls", "battery staple")).toBe(200);
    expect(await login(call, "Gulls", "correct horse")).toBe(401);
  });

  const badBodies: [string, unknown, string][] = [
    [
      "a short password",
      { password: "short" },
      'Field "password": The password needs at least 8 characters',
    ],
    ["no password", {}, 'Missing field "password"'],
    ["an unknown field", { password: "battery staple", name: "X" }, 'Unknown field "name"'],
    [
      "a logout that is not a boolean",
      { password: "battery staple", logout: "yes" },
      'Field "logout": Invalid type: Expected boolean but received "yes"',
    ],
  ];
  for (const [what, body, message] of badBodies) {
    test(`${what} is 400, and the password stays`, async () => {
      const { call } = await refused("/api/admin/teams/1/password", body, message);
      expect(await login(call, "Gulls", "correct horse")).toBe(200);
    });
  }
});

describe("PUT /api/admin/teams/:id/name", () => {
  test("the boards, the admin views, the exports and the team's pages show the new name", async () => {
    const { call, register, admin } = makeApp();
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    expect(await admin("PUT", "/api/admin/teams/1/name", { name: "  Sea Gulls  " })).toMatchObject({
      status: 200,
      body: { team: { id: 1, name: "Sea Gulls" } },
    });
    expect((await call("GET", "/api/scoreboard")).body.teams.map((t: { name: string }) => t.name))
      .toEqual(["Sea Gulls"]);
    expect((await admin("GET", "/api/admin/teams")).body.teams[0].name).toBe("Sea Gulls");
    expect((await admin("GET", "/api/admin/teams/1")).body.team.name).toBe("Sea Gulls");
    expect((await admin("GET", "/api/admin/guesses")).body.guesses[0].team_name).toBe("Sea Gulls");
    const results = (await admin("GET", "/api/admin/export?format=json")).body;
    expect(results.teams[0].name).toBe("Sea Gulls");
    expect(results.scoreboard[0].name).toBe("Sea Gulls");
    expect(results.solves[0].team_name).toBe("Sea Gulls");
    const csv = await admin("GET", "/api/admin/export?format=csv&table=teams");
    expect(csv.text).toContain('"Sea Gulls"');
    expect(csv.text).not.toContain('"Gulls"');
    const page = await call("GET", "/puzzles", { headers: { cookie: `cairn_session=${token}` } });
    expect(page.text).toContain("Sea Gulls");
    const dashboard = await call("GET", "/admin/teams/1", {
      headers: { cookie: `cairn_admin=${ADMIN_TOKEN}` },
    });
    expect(dashboard.text).toContain("<h1>Sea Gulls</h1>");
  });

  test("the team logs in by its new name, in any case, and no longer by the old one", async () => {
    const { call, register, admin } = makeApp();
    await register("Gulls");
    expect((await admin("PUT", "/api/admin/teams/1/name", { name: "Terns" })).status).toBe(200);
    expect(await login(call, "Gulls", "correct horse")).toBe(401);
    expect(await login(call, "Terns", "correct horse")).toBe(200);
    expect(await login(call, " TERNS ", "correct horse")).toBe(200);
    // The old name is free again: a new team may take it.
    expect(
      (await call("POST", "/api/teams", { body: { name: "gulls", password: "12345678" } }))
        .status,
    ).toBe(201);
  });

  test("a name another team holds, in any case, is 409; the team's own in another case is not", async () => {
    const { register, admin, call } = makeApp();
    await register("Gulls");
    await register("Terns");
    expect(await admin("PUT", "/api/admin/teams/2/name", { name: "GULLS" })).toMatchObject({
      status: 409,
      body: { error: { code: "conflict", message: "That team name is taken" } },
    });
    expect(await admin("PUT", "/api/admin/teams/2/name", { name: "TERNS" })).toMatchObject({
      status: 200,
      body: { team: { id: 2, name: "TERNS" } },
    });
    expect((await call("GET", "/api/scoreboard")).body.teams.map((t: { name: string }) => t.name))
      .toEqual(["Gulls", "TERNS"]);
  });

  test("the frozen board shows the new name: a rename is not a score change", async () => {
    const { call, register, admin } = makeApp();
    await register("Gulls");
    expect((await admin("POST", "/api/admin/scoreboard", { frozen: true })).status).toBe(200);
    await admin("PUT", "/api/admin/teams/1/name", { name: "Sea Gulls" });
    const board = (await call("GET", "/api/scoreboard")).body;
    expect(board.frozen).toBe(true);
    expect(board.teams[0].name).toBe("Sea Gulls");
  });

  test("the live streams get the board with the new name", async () => {
    const { register, admin, live } = makeApp({ coalesceMs: 0 });
    await register("Gulls");
    let received = "";
    const close = live.connect(undefined, {
      write: (chunk: Uint8Array) => void (received += new TextDecoder().decode(chunk)),
      closed: false,
    });
    received = "";
    await admin("PUT", "/api/admin/teams/1/name", { name: "Sea Gulls" });
    expect(received).toContain("event: scoreboard");
    expect(received).toContain('"name":"Sea Gulls"');
    close();
  });

  const badNames: [string, unknown, string][] = [
    ["an empty name", { name: "   " }, 'Field "name": The team name is empty'],
    [
      "a name of 65 characters",
      { name: "x".repeat(65) },
      'Field "name": Expected at most 64 characters but received 65',
    ],
    [
      "a line break",
      { name: "Gulls\nTerns" },
      'Field "name": A team name cannot hold control characters or bidirectional overrides',
    ],
    [
      "a zero-width space",
      { name: "Gulls\u200b" },
      'Field "name": A team name cannot hold invisible characters, such as a zero-width space, outside emoji',
    ],
    ["no name", {}, 'Missing field "name"'],
    ["an unknown field", { name: "Terns", team: 1 }, 'Unknown field "team"'],
  ];
  for (const [what, body, message] of badNames) {
    test(`${what} is 400, and the name stays`, async () => {
      const { call } = await refused("/api/admin/teams/1/name", body, message);
      expect((await call("GET", "/api/scoreboard")).body.teams[0].name).toBe("Gulls");
    });
  }
});

describe("renaming and setting a password", () => {
  for (const path of ["name", "password"]) {
    const body = path === "name" ? { name: "Terns" } : { password: "battery staple" };

    test(`PUT /api/admin/teams/:id/${path} is 404 for an unknown team`, async () => {
      const { register, admin } = makeApp();
      await register("Gulls");
      for (const id of ["2", "abc", "0"]) {
        expect(await admin("PUT", `/api/admin/teams/${id}/${path}`, body)).toMatchObject({
          status: 404,
          body: { error: { code: "not_found", message: `There is no team ${id}` } },
        });
      }
    });

    test(`PUT /api/admin/teams/:id/${path} needs the admin token: 401 without, or with a team's`, async () => {
      const { call, register } = makeApp();
      const team = await register("Gulls");
      for (const token of [undefined, team]) {
        const reply = await call("PUT", `/api/admin/teams/1/${path}`, {
          body,
          ...(token !== undefined && { token }),
        });
        expect(reply).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
      }
      expect(await login(call, "Gulls", "correct horse")).toBe(200);
    });

    test(`PUT /api/admin/teams/:id/${path} with the admin cookie from another origin is 403`, async () => {
      const { call, register } = makeApp();
      await register("Gulls");
      const reply = await call("PUT", `/api/admin/teams/1/${path}`, {
        body,
        headers: { cookie: `cairn_admin=${ADMIN_TOKEN}`, origin: "http://evil.example" },
      });
      expect(reply.status).toBe(403);
      expect(await login(call, "Gulls", "correct horse")).toBe(200);
    });
  }

  test("both survive a restart: the new name and password log in, the old ones do not", async () => {
    const app = makeApp();
    await app.register("Gulls");
    await app.admin("PUT", "/api/admin/teams/1/name", { name: "Sea Gulls" });
    await app.admin("PUT", "/api/admin/teams/1/password", { password: "battery staple" });
    const again = app.restart();
    const session = async (name: string, password: string) =>
      (await again.app.request(`${ORIGIN}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, password }),
      })).status;
    expect(await session("Sea Gulls", "battery staple")).toBe(200);
    expect(await session("Gulls", "battery staple")).toBe(401);
    expect(await session("Sea Gulls", "correct horse")).toBe(401);
    const board = await (await again.app.request(`${ORIGIN}/api/scoreboard`)).json() as {
      teams: { name: string }[];
    };
    expect(board.teams.map((t) => t.name)).toEqual(["Sea Gulls"]);
    again.close();
  });
});

describe("on a shared log, a team registered on another node a moment ago", () => {
  /**
   * This node, whose store reads the "shared log" when asked (`sync`), and another node that has
   * just registered Gulls there: this node learns of it only at its next read of the log.
   */
  function twoNodes(options: { unreadable?: string } = {}) {
    const elsewhere: Write[] = [];
    let here: App | undefined = undefined;
    here = makeApp({
      sync: () => Promise.resolve(void followWrites(here!.game, elsewhere.splice(0))),
    });
    if (options.unreadable !== undefined) {
      Object.assign(here.store, { writeProblem: () => options.unreadable });
    }
    const other = makeApp();
    const joined = other.game.engine.register({ name: "Gulls", passwordHash: "h" });
    if (joined.kind !== "ok") throw new Error("register");
    elsewhere.push(...joined.writes);
    return here;
  }

  const routes: [string, string, unknown, number, Record<string, unknown>][] = [
    ["GET", "/api/admin/teams/1", undefined, 200, { team: { id: 1, name: "Gulls" } }],
    ["PUT", "/api/admin/teams/1/name", { name: "Terns" }, 200, { team: { id: 1, name: "Terns" } }],
    ["PUT", "/api/admin/teams/1/hidden", { hidden: true }, 200, { team: { hidden: true } }],
    ["PUT", "/api/admin/teams/1/banned", { banned: true }, 200, { team: { banned: true } }],
    ["PUT", "/api/admin/teams/1/password", { password: "battery staple" }, 200, {
      sessions_ended: 0,
    }],
    ["DELETE", "/api/admin/teams/1/submitter", {}, 200, { released: false }],
  ];
  for (const [method, path, body, status, reply] of routes) {
    test(`${method} ${path} reads the log before a 404`, async () => {
      const { admin, game } = twoNodes();
      expect(game.engine.teams.has(1)).toBe(false);
      expect(await admin(method, path, body)).toMatchObject({ status, body: reply });
    });
  }

  test("the organizers' team page reads the log before a 404", async () => {
    const { call } = twoNodes();
    const page = await call("GET", "/admin/teams/1", { token: ADMIN_TOKEN });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Gulls");
  });

  test("an id the log does not have either is 404; a log that cannot be read is 503", async () => {
    expect(await twoNodes().admin("GET", "/api/admin/teams/2")).toMatchObject({
      status: 404,
      body: { error: { code: "not_found", message: "There is no team 2" } },
    });
    const unreadable = twoNodes({ unreadable: "Cannot reach PostgreSQL" });
    Object.assign(unreadable.store, { sync: () => Promise.resolve() });
    expect(await unreadable.admin("GET", "/api/admin/teams/1")).toMatchObject({
      status: 503,
      body: { error: { code: "unavailable", message: "Cannot reach PostgreSQL" } },
    });
  });
});
