// A team's guesses on a puzzle, for its players (as puzzle-hunt servers list
// them under the answer box): every teammate's, with each result, through
// `GET /api/puzzles/:id/guesses` and on the puzzle page.
import { describe, expect, test } from "bun:test";
import { MINUTE } from "../engine/_hunt.ts";
import { browser } from "../ui/_browser.ts";
import { makeApp } from "./_app.ts";

const HUNT = `
[hunt]
title = "Guesses"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
other_variant_message = "That is another team's answer."

[[puzzle]]
id = "a"
title = "A"
points = 10
answer = ["alpha"]
partial = [{ answer = "alp", message = "Nearly: longer." }]
guess_limit = { count = 100, per = "1h" }

[[puzzle]]
id = "b"
title = "B"
answer = ["bravo"]
unlock = 'solved("a")'

[[puzzle]]
id = "v"
title = "V"
answer = ["unused"]

[[puzzle.variant]]
body = "Variant red."
answer = ["red"]

[[puzzle.variant]]
body = "Variant blue."
answer = ["blue"]

[[puzzle]]
id = "m"
title = "M"
submit = "text"
`;

async function played() {
  const app = makeApp({ toml: HUNT });
  app.clock.advance(MINUTE);
  const gulls = await app.register("Gulls");
  const teammate = await app.login("Gulls");
  const terns = await app.register("Terns");
  const guess = async (token: string, puzzle: string, answer: string) => {
    const reply = await app.call("POST", `/api/puzzles/${puzzle}/guesses`, {
      token,
      body: { answer },
    });
    expect(reply.status).toBe(200);
    app.clock.advance(MINUTE);
    return reply.body.result as string;
  };
  const list = async (token: string, puzzle: string) => {
    const reply = await app.call("GET", `/api/puzzles/${puzzle}/guesses`, { token });
    return { status: reply.status, guesses: reply.body.guesses, body: reply.body };
  };
  return { app, gulls, teammate, terns, guess, list };
}

describe("GET /api/puzzles/:id/guesses", () => {
  test("every teammate's guesses, oldest first, with results, partials' words and times", async () => {
    const { gulls, teammate, terns, guess, list } = await played();
    expect((await list(gulls, "a")).guesses).toEqual([]);
    await guess(gulls, "a", "Omega");
    await guess(teammate, "a", " alp ");
    await guess(terns, "a", "zeta"); // another team's: not listed
    await guess(teammate, "a", "Alpha!");
    await guess(gulls, "a", "alpha"); // already solved: not stored, not listed

    const { guesses } = await list(gulls, "a");
    expect(guesses).toEqual([
      { answer: "Omega", result: "incorrect", at: "2026-11-21T10:01:00.000Z" },
      {
        answer: " alp ", // as it was sent
        result: "partial",
        message: "Nearly: longer.",
        at: "2026-11-21T10:02:00.000Z",
      },
      { answer: "Alpha!", result: "correct", at: "2026-11-21T10:04:00.000Z" },
    ]);
    // The teammate reads the same; the other team only its own.
    expect((await list(teammate, "a")).guesses).toEqual(guesses);
    expect((await list(terns, "a")).guesses.map((g: { answer: string }) => g.answer)).toEqual([
      "zeta",
    ]);
  });

  test("a locked or unknown puzzle is 404, no session 401; a mission has none", async () => {
    const { app, gulls, list } = await played();
    expect((await list(gulls, "b")).status).toBe(404);
    expect((await list(gulls, "nope")).status).toBe(404);
    expect((await list(gulls, "b")).body.error.code).toBe("not_found");
    expect((await app.call("GET", "/api/puzzles/a/guesses")).status).toBe(401);
    expect(await list(gulls, "m")).toMatchObject({ status: 200, guesses: [] });
  });

  test("another variant's answer keeps its note; the team's own variant solves", async () => {
    const { app, gulls, guess, list } = await played();
    const body = (await app.call("GET", "/api/puzzles/v", { token: gulls })).body.body_html;
    const mine = body.includes("red") ? "red" : "blue";
    const other = mine === "red" ? "blue" : "red";
    await guess(gulls, "v", other);
    await guess(gulls, "v", mine);
    expect((await list(gulls, "v")).guesses).toEqual([
      {
        answer: other,
        result: "incorrect",
        message: "That is another team's answer.",
        at: "2026-11-21T10:01:00.000Z",
      },
      { answer: mine, result: "correct", at: "2026-11-21T10:02:00.000Z" },
    ]);
  });
});

describe("the puzzle page's guesses", () => {
  test("newest first, escaped, with their results; none drawn before the first", async () => {
    const { app, gulls, teammate, guess } = await played();
    const page = () => browser(app, { cairn_session: gulls }).get("/puzzles/a");
    expect((await page()).text).not.toContain('id="guesses"');

    await guess(teammate, "a", "<b>bold</b>");
    await guess(gulls, "a", "alp");
    const text = (await page()).text;
    expect(text).toContain("Your team&#39;s guesses");
    expect(text).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(text).not.toContain("<b>bold</b>");
    const alp = text.indexOf(">alp<");
    const bold = text.indexOf("&lt;b&gt;bold");
    expect(alp).toBeGreaterThan(0);
    expect(bold).toBeGreaterThan(alp); // newest first
    expect(text).toContain("Nearly: longer.");
    expect(text).toContain(">Keep going<");
    expect(text).toContain(">Not it<");
    // Two lines do not scroll: the box is no tab stop.
    expect(text).toContain('<div class="guess-scroll" role="region" aria-labelledby');

    // Solved: the list stays, under the solved note, with the solve on top.
    await guess(gulls, "a", "alpha");
    const solved = (await page()).text;
    expect(solved).toContain('id="solved-note"');
    expect(solved.indexOf(">Correct<")).toBeGreaterThan(solved.indexOf('id="guesses"'));
    expect(solved.indexOf(">Correct<")).toBeLessThan(solved.indexOf(">alp<"));
  });

  test("the latest 50, and how many earlier", async () => {
    const { app, gulls, guess } = await played();
    for (let i = 1; i <= 53; i++) await guess(gulls, "a", `wrong ${i}`);
    const text = (await browser(app, { cairn_session: gulls }).get("/puzzles/a")).text;
    expect(text).toContain(">wrong 53<");
    expect(text).toContain(">wrong 4<");
    expect(text).not.toContain(">wrong 3<");
    expect(text).toContain("And 3 earlier guesses.");
    // Fifty scroll in their box: the keyboard can reach it, to scroll it.
    expect(text).toContain('<div class="guess-scroll" role="region" tabindex="0" aria-labelledby');
  });
});
