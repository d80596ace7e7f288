import { describe, expect, test } from "bun:test";
import { HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { GUESS_CHUNK } from "../../src/http/export.ts";
import {
  readResults,
  RESULT_COLUMNS,
  RESULT_TABLES,
  type ResultTable,
  type SqliteStore,
  toCsv,
} from "../../src/store/mod.ts";
import { makeApp } from "./_app.ts";

describe("admin routes", () => {
  test("need the admin token: none or a wrong one gets 401, and so does a team's", async () => {
    const { call, register } = makeApp();
    const team = await register("Gulls");
    const expected = {
      error: { code: "unauthorized", message: "The admin token is missing or wrong" },
    };
    for (const token of [undefined, "wrong", team]) {
      const reply = await call("GET", "/api/admin/teams", token === undefined ? {} : { token });
      expect(reply).toMatchObject({ status: 401, body: expected });
    }
  });

  test("list teams and show one with its guesses, hints and check-ins", async () => {
    const { call, register, admin, clock } = makeApp();
    const token = await register("Gulls", { members: ["Ann", "Bo"] });
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alp" } });
    await call("POST", "/api/puzzles/a/hints/free", { token });
    await call("POST", "/api/checkins", { token, body: { code: "cp-123" } });
    const teams = await admin("GET", "/api/admin/teams");
    expect(teams.body.teams).toEqual([{
      id: 1,
      name: "Gulls",
      division: null,
      members: ["Ann", "Bo"],
      score: 0,
      solves: 0,
      hidden: false,
      banned: false,
      created_at: "2026-11-21T10:00:00.000Z",
      last_activity_at: "2026-11-21T10:01:00.000Z",
    }]);
    const detail = await admin("GET", "/api/admin/teams/1");
    expect(detail.body.guesses).toEqual([
      {
        id: 1,
        puzzle: "a",
        raw: "alp",
        normalized: "ALP",
        result: "partial",
        at: "2026-11-21T10:01:00.000Z",
      },
    ]);
    expect(detail.body.hints).toEqual([{
      puzzle: "a",
      hint: "free",
      at: "2026-11-21T10:01:00.000Z",
    }]);
    expect(detail.body.checkins).toEqual([{ puzzle: "cp", at: "2026-11-21T10:01:00.000Z" }]);
    expect((await admin("GET", "/api/admin/teams/99")).status).toBe(404);
  });

  // Ids are decimal digits: what Number() would also read ("0x1", "1e0", "01") names no team.
  const badIds: [string, string][] = [
    ["0x1", "There is no team 0x1"],
    ["1e0", "There is no team 1e0"],
    ["01", "There is no team 01"],
    ["%201", "There is no team  1"],
    ["abc", "There is no team abc"],
    ["-1", "There is no team -1"],
    ["0", "There is no team 0"],
    ["99", "There is no team 99"],
  ];
  for (const [id, message] of badIds) {
    test(`a team id of "${id}" is 404 "${message}", to read the team and to release its submitter`, async () => {
      const { register, admin } = makeApp();
      await register("Gulls");
      const expected = { status: 404, body: { error: { code: "not_found", message } } };
      expect(await admin("GET", `/api/admin/teams/${id}`)).toMatchObject(expected);
      expect(await admin("DELETE", `/api/admin/teams/${id}/submitter`)).toMatchObject(expected);
    });
  }

  test("the guess feed gives guesses after an id, oldest first, up to a limit", async () => {
    const { call, register, admin } = makeApp();
    const token = await register("Gulls");
    for (const answer of ["one", "two", "three"]) {
      await call("POST", "/api/puzzles/a/guesses", { token, body: { answer } });
    }
    const feed = await admin("GET", "/api/admin/guesses?after=1&limit=1");
    expect(
      feed.body.guesses.map((
        g: { id: number; raw: string; team_name: string },
      ) => [g.id, g.raw, g.team_name]),
    )
      .toEqual([[2, "two", "Gulls"]]);
    expect((await admin("GET", "/api/admin/guesses?limit=5000")).status).toBe(400);
  });

  test("announcements, adjustments and extra guesses answer 201 and take effect", async () => {
    const { call, register, admin } = makeApp();
    const token = await register("Gulls");
    expect(await admin("POST", "/api/admin/announcements", { text: "Lunch at noon" }))
      .toMatchObject({
        status: 201,
        body: { announcement: { id: 1, text: "Lunch at noon", at: "2026-11-21T10:00:00.000Z" } },
      });
    expect(
      await admin("POST", "/api/admin/adjustments", { team: 1, points: 30, reason: "Costume" }),
    ).toMatchObject({
      status: 201,
      body: { adjustment: { id: 1, team: 1, points: 30, reason: "Costume" } },
    });
    expect((await call("GET", "/api/scoreboard")).body.teams[0].score).toBe(30);
    for (const answer of ["x1", "x2", "x3"]) {
      await call("POST", "/api/puzzles/a/guesses", { token, body: { answer } });
    }
    expect((await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "x4" } })).status)
      .toBe(429);
    expect(await admin("POST", "/api/admin/extra-guesses", { team: 1, puzzle: "a", count: 1 }))
      .toMatchObject({
        status: 201,
      });
    expect(
      (await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } })).body
        .result,
    ).toBe(
      "correct",
    );
    expect((await admin("POST", "/api/admin/adjustments", { team: 1, points: 1 })).status).toBe(
      400,
    );
    expect(
      (await admin("POST", "/api/admin/extra-guesses", { team: 1, puzzle: "zzz", count: 1 }))
        .status,
    ).toBe(404);
  });

  test("a freeze that cannot be stored is refused with 503 and changes nothing", async () => {
    const { call, admin, db } = makeApp();
    db.exec(`CREATE TRIGGER refuse_freeze BEFORE INSERT ON meta
      WHEN NEW.key = 'scoreboard_frozen_at' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const refused = await admin("POST", "/api/admin/scoreboard", { frozen: true });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("unavailable");
    expect((await call("GET", "/api/scoreboard")).body.frozen).toBe(false);
  });

  test("freezing stops the public board; revealing shows it again", async () => {
    const { call, register, admin, clock } = makeApp();
    const token = await register("Gulls");
    expect(await admin("POST", "/api/admin/scoreboard", { frozen: true })).toMatchObject({
      status: 200,
      body: { frozen: true },
    });
    clock.advance(MINUTE);
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const frozen = (await call("GET", "/api/scoreboard")).body;
    expect(frozen.frozen).toBe(true);
    expect(frozen.teams[0].score).toBe(0);
    // The team still sees its own progress.
    expect((await call("GET", "/api/puzzles", { token })).body.puzzles[0].solved).toBe(true);
    await admin("POST", "/api/admin/scoreboard", { frozen: false });
    expect((await call("GET", "/api/scoreboard")).body).toMatchObject({
      frozen: false,
      teams: [{ score: 10 }],
    });
  });

  test("a reload dates the unlocks it makes at the reload; a hint timer counts from then", async () => {
    const { call, register, admin, setToml, clock, db } = makeApp();
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    clock.advance(60 * MINUTE);
    setToml(
      HUNT_TOML +
        `
[[puzzle]]
id = "new"
title = "New"
unlock = 'solved("a")'
answer = "n"

[[puzzle.hint]]
id = "wait"
text = "Ten minutes in"
unlock = "minutes_since_unlock() >= 10"
`,
    );
    expect((await admin("POST", "/api/admin/reload")).status).toBe(200);
    // The rule held since the solve, an hour before; the puzzle opens at the reload.
    expect(db.query("SELECT at FROM unlocks WHERE puzzle = 'new'").all()).toEqual([
      { at: clock.time },
    ]);
    const hint = async () => (await call("GET", "/api/puzzles/new", { token })).body.hints[0];
    clock.advance(9 * MINUTE);
    expect((await hint()).available).toBe(false);
    clock.advance(MINUTE);
    expect((await hint()).available).toBe(true);
  });

  test("reload: an invalid file keeps the old hunt and returns every error; a valid one swaps", async () => {
    const { call, register, admin, setToml } = makeApp();
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    setToml(
      HUNT_TOML.replace('answer = ["bravo"]', 'answer = ["bravo"]\nunlock = \'solved("nope")\'')
        .replace("points = 50", 'points = "x"'),
    );
    const bad = await admin("POST", "/api/admin/reload");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
    // The same lines as `cairn check`: where, what, and a caret under a rule's bad spot.
    expect(bad.body.error.errors).toEqual([
      'hunt.toml:35:18: error: puzzle "b", field unlock: Unknown puzzle "nope"\n' +
      '    solved("nope")\n' +
      "           ^^^^^^",
      'hunt.toml:41:1: error: puzzle "meta", field points: Expected points as a number',
    ]);
    setToml(
      HUNT_TOML.replace('title = "B"', 'title = "Bee"') +
        '\n[[puzzle]]\nid = "new"\ntitle = "New"\nanswer = "n"\n',
    );
    const good = await admin("POST", "/api/admin/reload");
    expect(good).toMatchObject({
      status: 200,
      body: { reloaded: true, added: ["new"], removed: [], changed: ["b"], puzzles: 9 },
    });
    // The state survived the swap.
    expect(
      (await call("GET", "/api/puzzles", { token })).body.puzzles.map((p: { id: string }) => p.id),
    ).toContain(
      "new",
    );
    expect((await call("GET", "/api/scoreboard")).body.teams[0].score).toBe(10);
    setToml(HUNT_TOML.replace(/\[\[puzzle\]\]\nid = "a"[\s\S]*?(?=\[\[puzzle\]\]\nid = "b")/, ""));
    expect((await admin("POST", "/api/admin/reload")).body.error.errors).toEqual([
      'hunt.toml:29:18: error: puzzle "after-a", field unlock: Unknown puzzle "a"\n' +
      '    solved("a")\n' +
      "           ^^^",
    ]);
  });

  test("export reads the guesses a chunk at a time, and a CSV only its own table", async () => {
    const app = makeApp();
    const token = await app.register("Gulls");
    await app.call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    // Two chunks and a bit more of guesses, written as the engine writes them.
    const store = app.game.store as SqliteStore;
    const count = 2 * GUESS_CHUNK + 5;
    await store.commit(Array.from({ length: count }, (_, i) => ({
      kind: "guess" as const,
      id: i + 2,
      teamId: 1,
      puzzle: "b",
      raw: `try ${i}`,
      normalized: `TRY${i}`,
      result: "incorrect" as const,
      extraUsed: false,
      at: START + i,
    })));
    const calls: { results: string[][]; guesses: number[] } = { results: [], guesses: [] };
    const { results, resultGuesses } = store;
    Object.assign(store, {
      results: (tables?: ResultTable[]) => {
        calls.results.push(tables === undefined ? ["every table"] : [...tables]);
        return results.call(store, tables ?? RESULT_TABLES);
      },
      resultGuesses: (options: { after: number; through: number; limit: number }) => {
        calls.guesses.push(options.limit);
        return resultGuesses.call(store, options);
      },
    });
    const whole = readResults(store.db);
    expect(whole.guesses).toHaveLength(count + 1);

    const exported = await app.admin("GET", "/api/admin/export?format=json");
    expect(exported.text).toBe(JSON.stringify(whole));
    expect(exported.headers.get("content-disposition")).toBe(
      'attachment; filename="cairn-results.json"',
    );
    expect(calls.results).toEqual([RESULT_TABLES.filter((table) => table !== "guesses")]);
    expect(calls.guesses).toEqual([GUESS_CHUNK, GUESS_CHUNK, GUESS_CHUNK]);

    calls.results = [];
    calls.guesses = [];
    const guesses = await app.admin("GET", "/api/admin/export?format=csv&table=guesses");
    expect(guesses.text).toBe(toCsv(whole.guesses, RESULT_COLUMNS.guesses));
    expect(calls.guesses).toEqual([GUESS_CHUNK, GUESS_CHUNK, GUESS_CHUNK]);

    // The scoreboard's CSV reads the scoreboard, not the guesses.
    calls.results = [];
    calls.guesses = [];
    const board = await app.admin("GET", "/api/admin/export?format=csv");
    expect(board.text).toBe(toCsv(whole.scoreboard, RESULT_COLUMNS.scoreboard));
    expect(calls).toEqual({ results: [["scoreboard"]], guesses: [] });
  });

  test("export gives teams, solves, guesses and the scoreboard, as JSON or CSV", async () => {
    const { call, register, admin } = makeApp();
    const token = await register('Gulls, "the" best');
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "=cmd()" } });
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const exported = await admin("GET", "/api/admin/export?format=json");
    expect(Object.keys(exported.body)).toEqual([
      "teams",
      "solves",
      "guesses",
      "scoreboard",
      "routes",
      "hints",
      "checkins",
      "adjustments",
      "submissions",
      "asks",
    ]);
    expect(exported.body.routes).toEqual([]);
    expect(exported.body.solves).toEqual([{
      team: 1,
      team_name: 'Gulls, "the" best',
      puzzle: "a",
      guess_id: 2,
      at: "2026-11-21T10:00:00.000Z",
    }]);
    const csv = await admin("GET", "/api/admin/export?format=csv&table=guesses");
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.text.split("\r\n")).toEqual([
      "\uFEFFid,team,team_name,puzzle,raw,normalized,result,at",
      '1,1,"Gulls, ""the"" best","a","\'=cmd()","\'=CMD","incorrect","2026-11-21T10:00:00.000Z"',
      '2,1,"Gulls, ""the"" best","a","alpha","ALPHA","correct","2026-11-21T10:00:00.000Z"',
      "",
    ]);
    const board = await admin("GET", "/api/admin/export?format=csv");
    expect(board.text.split("\r\n")[1]).toBe(
      '1,1,"Gulls, ""the"" best",,10,1,"2026-11-21T10:00:00.000Z"',
    );
    // A built-in property name is not a table.
    expect((await admin("GET", "/api/admin/export?format=csv&table=constructor")).status).toBe(400);
    expect((await admin("GET", "/api/admin/export?format=xml")).status).toBe(400);
  });
});
