// `show_solves`: each puzzle's number of solves, for players (as CTFd shows a
// challenge's), in the list and on a puzzle, through the list's cache, without
// hidden teams (but a hidden team's own), and frozen with the board.
import { afterAll, describe, expect, test } from "bun:test";
import { MINUTE, MISSIONS_TOML } from "../engine/_hunt.ts";
import { browser } from "../ui/_browser.ts";
import { makeApp, ORIGIN, removeUploads } from "./_app.ts";

afterAll(removeUploads);

const HUNT = (more = "") => `
[hunt]
title = "Counts"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
freeze_at = 2026-11-21T15:00:00Z
${more}

[[puzzle]]
id = "a"
title = "A"
round = "r1"
points = 10
answer = ["alpha"]

[[puzzle]]
id = "b"
title = "B"
round = "r1"
points = 20
answer = ["bravo"]
`;

async function teams(more: string) {
  const app = makeApp({ toml: HUNT(more) });
  app.clock.advance(MINUTE);
  const tokens = [];
  for (const name of ["Gulls", "Terns", "Puffins"]) tokens.push(await app.register(name));
  const solve = async (token: string, puzzle: string, answer: string) =>
    expect(
      (await app.call("POST", `/api/puzzles/${puzzle}/guesses`, { token, body: { answer } })).body
        .result,
    ).toBe("correct");
  /** The list's solves, by puzzle, as `token`'s team sees them. */
  const counts = async (token: string) =>
    Object.fromEntries(
      (await app.call("GET", "/api/puzzles", { token })).body.puzzles.map((
        p: { id: string; solves?: number },
      ) => [p.id, p.solves]),
    );
  return { app, tokens, solve, counts };
}

describe("show_solves", () => {
  test("off (the default): no count anywhere", async () => {
    const { app, tokens: [gulls, terns], solve, counts } = await teams("");
    await solve(terns!, "a", "alpha");
    expect(await counts(gulls!)).toEqual({ a: undefined, b: undefined });
    expect("solves" in (await app.call("GET", "/api/puzzles/a", { token: gulls })).body).toBe(
      false,
    );
    const list = (await browser(app, { cairn_session: gulls! }).get("/puzzles")).text;
    expect(list).not.toContain('class="solves');
  });

  test("on: the list and a puzzle count every visible team's solves, as they come", async () => {
    const { app, tokens: [gulls, terns, puffins], solve, counts } = await teams(
      "show_solves = true",
    );
    expect(await counts(gulls!)).toEqual({ a: 0, b: 0 });
    expect((await browser(app, { cairn_session: gulls! }).get("/puzzles/a")).text).toContain(
      'id="puzzle-solves">No solves yet<',
    );
    // Another team's solve reaches a list already cached for this team.
    await solve(terns!, "a", "alpha");
    expect(await counts(gulls!)).toEqual({ a: 1, b: 0 });
    await solve(puffins!, "a", "alpha");
    await solve(gulls!, "b", "bravo");
    expect(await counts(gulls!)).toEqual({ a: 2, b: 1 });
    expect((await app.call("GET", "/api/puzzles/a", { token: gulls })).body.solves).toBe(2);

    const team = browser(app, { cairn_session: gulls! });
    const list = (await team.get("/puzzles")).text;
    expect([...list.matchAll(/class="solves muted small">([^<]*)</g)].map((m) => m[1])).toEqual([
      "2 solves",
      "1 solve",
    ]);
    expect((await team.get("/puzzles/b")).text).toContain('id="puzzle-solves">1 solve<');

    // A team the organizers hide counts for nobody; shown again, it counts again.
    await app.admin("PUT", "/api/admin/teams/2/hidden", { hidden: true });
    expect(await counts(gulls!)).toEqual({ a: 1, b: 1 });
    await app.admin("PUT", "/api/admin/teams/2/hidden", { hidden: false });
    expect(await counts(gulls!)).toEqual({ a: 2, b: 1 });
  });

  test("a hidden team's own solve counts for itself, in the list and on the page, and for nobody else", async () => {
    const { app, tokens: [gulls, terns], solve, counts } = await teams("show_solves = true");
    await app.admin("PUT", "/api/admin/teams/2/hidden", { hidden: true });
    expect(await counts(terns!)).toEqual({ a: 0, b: 0 }); // cached
    await solve(terns!, "a", "alpha");
    // Its own list (cached before the solve) and page count it; the others' do not.
    expect(await counts(terns!)).toEqual({ a: 1, b: 0 });
    expect((await app.call("GET", "/api/puzzles/a", { token: terns })).body.solves).toBe(1);
    const team = browser(app, { cairn_session: terns! });
    expect((await team.get("/puzzles/a")).text).toContain('id="puzzle-solves">1 solve<');
    expect([...(await team.get("/puzzles")).text.matchAll(/class="solves muted small">([^<]*)</g)]
      .map((m) => m[1])).toEqual(["1 solve", "No solves yet"]);
    expect(await counts(gulls!)).toEqual({ a: 0, b: 0 });
    expect((await app.call("GET", "/api/puzzles/a", { token: gulls })).body.solves).toBe(0);
    // Another team's solve adds to it.
    await solve(gulls!, "a", "alpha");
    expect(await counts(terns!)).toEqual({ a: 2, b: 0 });
    expect(await counts(gulls!)).toEqual({ a: 1, b: 0 });
    // Shown again, it counts for everyone, once.
    await app.admin("PUT", "/api/admin/teams/2/hidden", { hidden: false });
    expect(await counts(terns!)).toEqual({ a: 2, b: 0 });
    expect(await counts(gulls!)).toEqual({ a: 2, b: 0 });
  });

  test("while the board is frozen, other teams' solves since do not show; the team's own does", async () => {
    const { app, tokens: [gulls, terns, puffins], solve, counts } = await teams(
      "show_solves = true",
    );
    await solve(terns!, "a", "alpha");
    app.clock.advance(5 * 60 * MINUTE); // 15:01, past freeze_at
    await solve(puffins!, "a", "alpha");
    await solve(puffins!, "b", "bravo");
    expect(await counts(gulls!)).toEqual({ a: 1, b: 0 });
    expect(await counts(puffins!)).toEqual({ a: 2, b: 1 });
    await solve(gulls!, "b", "bravo");
    expect(await counts(gulls!)).toEqual({ a: 1, b: 1 });
    expect((await app.call("GET", "/api/puzzles/a", { token: gulls })).body.solves).toBe(1);
    const list = (await browser(app, { cairn_session: gulls! }).get("/puzzles")).text;
    expect([...list.matchAll(/class="solves muted small">([^<]*)</g)].map((m) => m[1])).toEqual([
      "1 solve",
      "1 solve",
    ]);
    // A hidden team's solves count for no other team, those since the freeze too, but for itself
    // they do: the Terns see their A (before it) and their B (since; the Puffins' is the freeze's
    // secret), the Gulls neither.
    await app.admin("PUT", "/api/admin/teams/2/hidden", { hidden: true });
    await solve(terns!, "b", "bravo");
    expect(await counts(terns!)).toEqual({ a: 1, b: 1 });
    expect(await counts(gulls!)).toEqual({ a: 0, b: 1 });
  });

  test("a mission's acceptance taken back by a judge takes its solve out of the counts", async () => {
    const app = makeApp({
      toml: MISSIONS_TOML.replace("[hunt]\n", "[hunt]\nshow_solves = true\n"),
    });
    app.clock.advance(MINUTE);
    const [gulls, terns] = [await app.register("Gulls"), await app.register("Terns")];
    const story = async () =>
      (await app.call("GET", "/api/puzzles", { token: gulls })).body.puzzles
        .find((p: { id: string }) => p.id === "story").solves;
    expect(await story()).toBe(0);
    // An auto-judged text is accepted at once.
    const form = new FormData();
    form.append("text", "We are the Terns.");
    const sent = await app.app.request(`${ORIGIN}/api/puzzles/story/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${terns}` },
      body: form,
    });
    const { submission } = (await sent.json()) as { submission: { id: number; status: string } };
    expect(submission.status).toBe("accepted");
    expect(await story()).toBe(1);
    const verdict = await app.admin("POST", `/api/admin/submissions/${submission.id}/verdict`, {
      accept: false,
      message: "Not a story",
    });
    expect(verdict.body.submission.status).toBe("rejected");
    expect(await story()).toBe(0);
  });

  test("a reload that turns it on says so, and the list and a puzzle count at once; off, they stop", async () => {
    const { app, tokens: [gulls, terns], solve, counts } = await teams("");
    expect(await counts(gulls!)).toEqual({ a: undefined, b: undefined }); // cached
    await solve(terns!, "a", "alpha");
    expect(await counts(gulls!)).toEqual({ a: undefined, b: undefined });
    app.setToml(HUNT("show_solves = true"));
    expect((await app.admin("POST", "/api/admin/reload")).body).toMatchObject({
      hunt: ["show_solves"],
    });
    expect(await counts(gulls!)).toEqual({ a: 1, b: 0 });
    expect((await app.call("GET", "/api/puzzles/a", { token: gulls })).body.solves).toBe(1);
    app.setToml(HUNT(""));
    expect((await app.admin("POST", "/api/admin/reload")).body).toMatchObject({
      hunt: ["show_solves"],
    });
    expect(await counts(gulls!)).toEqual({ a: undefined, b: undefined });
    expect("solves" in (await app.call("GET", "/api/puzzles/a", { token: gulls })).body).toBe(
      false,
    );
  });
});
