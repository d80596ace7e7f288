// A hint's `title`: what the hint is about, shown before it is taken (as CTFd
// shows a hint's title), in the API and on the puzzle page; its text still only
// once taken.
import { describe, expect, test } from "bun:test";
import { loadHunt } from "../../src/hunt/mod.ts";
import { browser } from "../ui/_browser.ts";
import { makeApp } from "./_app.ts";

const HUNT = `
[hunt]
title = "Titles"
starts_at = 2026-11-21T10:00:00Z
hint_tokens = { start = 1, every = "1h", max = 3 }

[[puzzle]]
id = "a"
title = "A"
round = "r1"
points = 10
answer = ["alpha"]

[[puzzle.hint]]
id = "start"
title = "Where to <b>start</b>"
text = "Read the first letters."
cost = 2

[[puzzle.hint]]
id = "plain"
text = "No title here."

[[puzzle.hint]]
id = "ask"
kind = "ask"
title = "The cipher"
`;

describe("hint titles", () => {
  test("the hunt file gives them; an empty one is an error", () => {
    const { hunt, problems } = loadHunt(HUNT, { file: "hunt.toml" });
    expect(problems).toEqual([]);
    expect(hunt!.puzzles[0]!.hints.map((h) => [h.id, h.title])).toEqual([
      ["start", "Where to <b>start</b>"],
      ["plain", undefined],
      ["ask", "The cipher"],
    ]);
    const empty = loadHunt(HUNT.replace('title = "The cipher"', 'title = "  "'), {
      file: "hunt.toml",
    });
    expect(empty.problems.map((p) => p.message)).toEqual(["The hint title is empty"]);
  });

  test("GET /api/puzzles/:id gives each hint's title before it is taken, and its text only after", async () => {
    const app = makeApp({ toml: HUNT });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const before = (await app.call("GET", "/api/puzzles/a", { token })).body.hints;
    expect(before).toEqual([
      { id: "start", title: "Where to <b>start</b>", cost: 2, available: true, taken: false },
      { id: "plain", cost: 0, available: true, taken: false },
      { id: "ask", kind: "ask", title: "The cipher", cost: 0, available: true, taken: false },
    ]);
    expect((await app.call("POST", "/api/puzzles/a/hints/start", { token })).status).toBe(200);
    const after = (await app.call("GET", "/api/puzzles/a", { token })).body.hints;
    expect(after[0]).toEqual({
      id: "start",
      title: "Where to <b>start</b>",
      cost: 2,
      available: true,
      taken: true,
      text: "Read the first letters.",
    });
  });

  test("the puzzle page heads each hint with its title, as text", async () => {
    const app = makeApp({ toml: HUNT });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const page = (await browser(app, { cairn_session: token }).get("/puzzles/a")).text;
    const headings = [...page.matchAll(/<div class="hint-head"><strong>([^<]*)<\/strong>/g)]
      .map((m) => m[1]);
    expect(headings).toEqual([
      "Hint 1: Where to &lt;b&gt;start&lt;/b&gt;",
      "Hint 2",
      "Hint 3: The cipher (ask an organizer)",
    ]);
    expect(page).not.toContain("Read the first letters.");
  });

  test("a title that only numbers its hint, as CTFd events' often do, is not said twice", async () => {
    // "Hint 1" and "hint" on the first two hints; "Hint 1" on the third is more than its number.
    const toml = HUNT.replace('title = "Where to <b>start</b>"', 'title = "Hint 1"')
      .replace('id = "plain"', 'id = "plain"\ntitle = " hint "')
      .replace('title = "The cipher"', 'title = "Hint 1"');
    const app = makeApp({ toml });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const page = (await browser(app, { cairn_session: token }).get("/puzzles/a")).text;
    const headings = [...page.matchAll(/<div class="hint-head"><strong>([^<]*)<\/strong>/g)]
      .map((m) => m[1]);
    expect(headings).toEqual(["Hint 1", "Hint 2", "Hint 3: Hint 1 (ask an organizer)"]);
  });
});
