// The hunt's stats for everyone (`GET /api/stats`, `/stats`), published with
// its solutions (`solutions_at`): per puzzle any visible team had, its solves,
// first solve, median time and the wrong answers tried most.
import { describe, expect, test } from "bun:test";
import { MINUTE } from "../engine/_hunt.ts";
import { huntStats } from "../../src/play/hunt_stats.ts";
import { makeApp } from "./_app.ts";
import { ASSETS } from "../../src/ui/assets.ts";

const HUNT = `
[hunt]
title = "Numbers"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
solutions_at = 2026-11-21T17:00:00Z

[[puzzle]]
id = "a"
title = "A"
round = "harbor"
answer = ["alpha"]

[[puzzle]]
id = "b"
title = "B"
answer = ["bravo"]

[[puzzle]]
id = "c"
title = "C"
unlock = 'solved("b")'
answer = ["charlie"]

[[round]]
id = "harbor"
title = "The Harbor"
`;

/** At 10:00 three teams join; Puffins are hidden from the board at the end. */
async function played() {
  const app = makeApp({ toml: HUNT });
  const [gulls, terns, puffins] = [
    await app.register("Gulls"),
    await app.register("Terns"),
    await app.register("Puffins"),
  ];
  const at = async (minute: number, token: string, puzzle: string, answer: string) => {
    app.clock.time = Date.parse("2026-11-21T10:00:00Z") + minute * MINUTE;
    const reply = await app.call("POST", `/api/puzzles/${puzzle}/guesses`, {
      token,
      body: { answer },
    });
    expect(reply.status).toBe(200);
  };
  await at(1, gulls!, "a", "Star");
  await at(2, puffins!, "a", "comet");
  await at(3, gulls!, "a", "polar");
  await at(4, terns!, "a", "star!");
  await at(5, puffins!, "a", "comet");
  await at(6, puffins!, "a", "comet");
  await at(10, gulls!, "a", "alpha");
  await at(20, terns!, "a", "alpha");
  expect((await app.admin("PUT", "/api/admin/teams/3/hidden", { hidden: true })).status).toBe(
    200,
  );
  return { app, gulls: gulls!, terns: terns! };
}

describe("the hunt's stats", () => {
  test("403 until solutions_at, then per puzzle a visible team had", async () => {
    const { app } = await played();
    app.clock.time = Date.parse("2026-11-21T16:59:00Z");
    const early = await app.call("GET", "/api/stats");
    expect(early.status).toBe(403);
    expect(early.body.error).toEqual({
      code: "forbidden",
      message: "The hunt's stats are published with its solutions, from its solutions_at",
    });

    app.clock.time = Date.parse("2026-11-21T17:00:00Z");
    const { status, body } = await app.call("GET", "/api/stats");
    expect(status).toBe(200);
    expect(body).toEqual({
      puzzles: [
        {
          id: "a",
          title: "A",
          round: "harbor",
          unlocked: 2,
          solves: 2,
          first_solve: { team: "Gulls", at: "2026-11-21T10:10:00.000Z" },
          median_solve_seconds: 900,
          // The hidden team's three "comet" count for nothing.
          wrong_guesses: 3,
          common_wrong: [{ answer: "STAR", count: 2 }, { answer: "POLAR", count: 1 }],
        },
        {
          id: "b",
          title: "B",
          round: "main",
          unlocked: 2,
          solves: 0,
          first_solve: null,
          median_solve_seconds: null,
          wrong_guesses: 0,
          common_wrong: [],
        },
        // C: no visible team had it.
      ],
    });
  });

  test("a team shown again counts again: the stats are built again", async () => {
    const { app } = await played();
    app.clock.time = Date.parse("2026-11-21T17:00:00Z");
    expect((await app.call("GET", "/api/stats")).body.puzzles[0].wrong_guesses).toBe(3);
    expect((await app.admin("PUT", "/api/admin/teams/3/hidden", { hidden: false })).status)
      .toBe(200);
    const a = (await app.call("GET", "/api/stats")).body.puzzles[0];
    expect([a.unlocked, a.wrong_guesses, a.common_wrong[0]]).toEqual([
      3,
      6,
      { answer: "COMET", count: 3 },
    ]);
  });

  test("the page: a card a puzzle, for anyone; before, it says when", async () => {
    const { app, gulls } = await played();
    app.clock.time = Date.parse("2026-11-21T16:30:00Z");
    const early = await app.call("GET", "/stats", { headers: { accept: "text/html" } });
    expect(early.status).toBe(403);
    expect(early.text).toContain("No stats yet");
    // When, in a player's words (the server's clock), not the hunt file's key.
    expect(early.text).toContain("The hunt&#39;s stats are published with its solutions, at ");
    expect(early.text).not.toContain("solutions_at");
    // A hunt that sets no time for its solutions says so.
    const unset = makeApp({ toml: HUNT.replace(/^solutions_at = .*$/m, "") });
    const never = await unset.call("GET", "/stats", { headers: { accept: "text/html" } });
    expect(never.status).toBe(403);
    expect(never.text).toContain("the organizers have not set a time for them yet");
    expect(
      (await app.call("GET", "/puzzles", { token: gulls })).text,
    ).not.toContain('href="/stats"');

    app.clock.time = Date.parse("2026-11-21T17:00:00Z");
    const page = await app.call("GET", "/stats", { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.text).toContain("The hunt in numbers");
    expect(page.text).toContain("The Harbor");
    expect(page.text).toContain("2 of 2 teams solved it, in 15 min (the median). First: Gulls, at");
    expect(page.text).toContain('<span class="guess-answer">STAR</span>');
    expect(page.text).toContain("2 times");
    expect(page.text).not.toContain(">C<");
    // The ended hunt's note on the team's pages links to it.
    expect((await app.call("GET", "/puzzles", { token: gulls })).text).toContain(
      '<a href="/stats">See the hunt in numbers</a>',
    );
  });

  test("a team's stats page, and the one before they open, run the phone's outbox; a visitor's do not", async () => {
    const { app, gulls } = await played();
    const outbox = `<script src="${ASSETS.outbox.path}"`;
    for (const time of ["2026-11-21T16:30:00Z", "2026-11-21T17:00:00Z"]) {
      app.clock.time = Date.parse(time);
      const html = { accept: "text/html" };
      const team = await app.call("GET", "/stats", { token: gulls, headers: html });
      expect(team.text).toContain('data-team="Gulls"');
      expect(team.text).toContain(outbox);
      const visitor = await app.call("GET", "/stats", { headers: html });
      expect(visitor.text).not.toContain(ASSETS.outbox.path);
    }
  });

  test("common_wrong: the 5 given most, most first, ties in text order", async () => {
    const { app, gulls, terns } = await played();
    // On B: E ×3, D ×3, C ×2, B ×1, A ×1, F ×1, G ×1.
    const tries = ["e", "d", "g", "e", "c", "d", "f", "e", "a", "c", "d", "b"];
    for (const [i, answer] of tries.entries()) {
      app.clock.time = Date.parse("2026-11-21T11:00:00Z") + i * MINUTE;
      const token = i % 2 === 0 ? gulls : terns;
      await app.call("POST", "/api/puzzles/b/guesses", { token, body: { answer } });
    }
    app.clock.time = Date.parse("2026-11-21T17:00:00Z");
    const b = (await app.call("GET", "/api/stats")).body.puzzles[1];
    expect(b.wrong_guesses).toBe(12);
    expect(b.common_wrong).toEqual([
      { answer: "D", count: 3 },
      { answer: "E", count: 3 },
      { answer: "C", count: 2 },
      { answer: "A", count: 1 },
      { answer: "B", count: 1 },
    ]);
  });
});

describe("the hunt's stats' reads", () => {
  test("read the wrong guesses alone, each once, with only what they count", async () => {
    const { app } = await played();
    const { store } = app.game;
    const read = { wrong: 0, results: 0 };
    const { wrongGuesses, resultGuesses } = store;
    store.wrongGuesses = async (options) => {
      const rows = await wrongGuesses.call(store, options);
      read.wrong += rows.length;
      return rows;
    };
    store.resultGuesses = (options) => (read.results++, resultGuesses.call(store, options));
    app.clock.time = Date.parse("2026-11-21T17:00:00Z");
    expect((await app.call("GET", "/api/stats")).status).toBe(200);
    // The six wrong guesses (the hidden team's three among them), not the two right ones, and
    // none of the export's rows (with the raw text, the team's name and ISO times).
    expect(read).toEqual({ wrong: 6, results: 0 });
  });

  test("built again after a guess read only that guess, and give what a build from the first gives", async () => {
    const { app, gulls } = await played();
    const { store } = app.game;
    let read = 0;
    const { wrongGuesses } = store;
    store.wrongGuesses = async (options) => {
      const rows = await wrongGuesses.call(store, options);
      read += rows.length;
      return rows;
    };
    // The stats as /api/stats builds them (here while the hunt runs, which the route would refuse).
    const stats = huntStats(app.game);
    /** The stats as a build that kept nothing makes them: every wrong guess counted again. */
    const fromTheFirst = () => huntStats(app.game)();
    await stats();
    expect(read).toBe(6);

    // A wrong guess and a right one on B (which opens C for the Gulls).
    app.clock.time = Date.parse("2026-11-21T12:00:00Z");
    for (const answer of ["zulu", "bravo"]) {
      const body = { answer };
      expect((await app.call("POST", "/api/puzzles/b/guesses", { token: gulls, body })).status)
        .toBe(200);
    }
    read = 0;
    const after = await stats();
    expect(read).toBe(1);
    expect(after.puzzles[1]).toMatchObject({
      solves: 1,
      wrong_guesses: 1,
      common_wrong: [{ answer: "ZULU", count: 1 }],
    });
    expect(after).toEqual(await fromTheFirst());

    // A team shown again: its guesses count again, all read again.
    expect((await app.admin("PUT", "/api/admin/teams/3/hidden", { hidden: false })).status)
      .toBe(200);
    read = 0;
    const shown = await stats();
    expect(read).toBe(7);
    expect(shown.puzzles[0]?.wrong_guesses).toBe(6);
    expect(shown).toEqual(await fromTheFirst());
  });
});
