// A puzzle's solution (`solution` in the hunt file): a team gets it once it solved the puzzle, in
// the API, on the puzzle's page and in the files of `assets/<puzzle>/solution/`; never before.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUNT_TOML, MISSIONS_TOML } from "../engine/_hunt.ts";
import { makeApp, ORIGIN, removeUploads } from "./_app.ts";
import { jpegWithGps } from "./_jpeg.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-solutions-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeUploads();
});
const assets = join(dir, "assets");
mkdirSync(join(assets, "a", "solution"), { recursive: true });
mkdirSync(join(assets, "a", "SOLUTION"), { recursive: true });
writeFileSync(join(assets, "a", "solution", "grid.png"), "the filled grid");
// As a case-insensitive file system (macOS, Windows) would also find it for "solution/".
writeFileSync(join(assets, "a", "SOLUTION", "notes.txt"), "the setter's notes");
writeFileSync(join(assets, "a", "map.png"), "the map");

const toml = HUNT_TOML.replace(
  'id = "a"\ntitle = "A"',
  'id = "a"\ntitle = "A"\nbody = "![Map](assets/map.png)"\n' +
    'solution = "Read the **first letters**: ![Grid](assets/solution/grid.png)"',
);

describe("a puzzle's solution", () => {
  test("the API gives it once the team solved the puzzle, and never to another team", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    const before = await call("GET", "/api/puzzles/a", { token: gulls });
    expect(before.status).toBe(200);
    expect(before.body.solution_html).toBeUndefined();
    expect(JSON.stringify(before.body)).not.toContain("first letters");

    await call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "alpha" } });
    const after = await call("GET", "/api/puzzles/a", { token: gulls });
    expect(after.body.solved).toBe(true);
    expect(after.body.solution_html).toBe(
      '<p>Read the <strong>first letters</strong>: <img src="/puzzles/a/assets/solution/grid.png" ' +
        'alt="Grid"></p>\n',
    );
    const other = await call("GET", "/api/puzzles/a", { token: terns });
    expect(other.body.solution_html).toBeUndefined();
    // A puzzle without one has none, solved or not.
    await call("POST", "/api/puzzles/b/guesses", { token: gulls, body: { answer: "bravo" } });
    expect("solution_html" in (await call("GET", "/api/puzzles/b", { token: gulls })).body)
      .toBe(false);
  });

  test("the puzzle's page shows it below the answer once solved", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    const before = await call("GET", "/puzzles/a", { token });
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('id="solution"');
    expect(before.text).not.toContain("first letters");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const after = await call("GET", "/puzzles/a", { token });
    const answer = after.text.indexOf('class="card answer-form"');
    const solution = after.text.indexOf('id="solution"');
    expect(answer).toBeGreaterThan(0);
    expect(solution).toBeGreaterThan(answer);
    expect(after.text).toContain('<h2 id="solution-title">Solution</h2>');
    expect(after.text).toContain("Read the <strong>first letters</strong>");
  });

  test("the files in assets/<puzzle>/solution/ are 404 until the team solved the puzzle", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    const hidden = [
      "/puzzles/a/assets/solution/grid.png",
      "/puzzles/a/assets/SOLUTION/notes.txt",
    ];
    for (const path of hidden) {
      const reply = await call("GET", path, { token });
      expect([path, reply.status, reply.body?.error?.code]).toEqual([path, 404, "not_found"]);
    }
    // The body's own files are the team's as soon as it has the puzzle.
    expect((await call("GET", "/puzzles/a/assets/map.png", { token })).status).toBe(200);
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const grid = await call("GET", "/puzzles/a/assets/solution/grid.png", { token });
    expect([grid.status, grid.text]).toEqual([200, "the filled grid"]);
    const notes = await call("GET", "/puzzles/a/assets/SOLUTION/notes.txt", { token });
    expect([notes.status, notes.text]).toEqual([200, "the setter's notes"]);
  });

  test("a variant's own solution goes to the teams that play it; the others get the puzzle's", async () => {
    const variants = `
[hunt]
title = "Variants"

[[puzzle]]
id = "v"
title = "V"
solution = "The puzzle's solution"

[[puzzle.variant]]
answer = "red"
solution = "The red solution"

[[puzzle.variant]]
answer = "blue"
`;
    const { call, register } = makeApp({ toml: variants });
    const seen: string[] = [];
    for (const name of ["One", "Two", "Three", "Four"]) {
      const token = await register(name);
      // One of the two is the team's variant's answer (the other is "incorrect").
      const results: string[] = [];
      for (const answer of ["red", "blue"]) {
        const guess = await call("POST", "/api/puzzles/v/guesses", { token, body: { answer } });
        results.push(`${answer}:${guess.body.result}`);
      }
      const solved = results.includes("red:correct") ? "red" : "blue";
      const view = await call("GET", "/api/puzzles/v", { token });
      expect(view.body.solved).toBe(true);
      seen.push(`${solved}: ${view.body.solution_html}`);
    }
    // Teams alternate between the two variants: each solution reaches its own teams.
    expect(new Set(seen)).toEqual(
      new Set(["red: <p>The red solution</p>\n", "blue: <p>The puzzle's solution</p>\n"]),
    );
  });

  test("a mission's solution comes with the accepted submission and goes with its rejection", async () => {
    const missions = MISSIONS_TOML.replace(
      'id = "statue"\ntitle = "Statue"',
      'id = "statue"\ntitle = "Statue"\nsolution = "It was the harbour master."',
    );
    const app = makeApp({ toml: missions });
    app.clock.advance(60_000);
    const token = await app.register("Gulls");
    const form = new FormData();
    form.append("file", new Blob([jpegWithGps()], { type: "image/jpeg" }), "me.jpg");
    const sent = await app.app.request(`${ORIGIN}/api/puzzles/statue/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect(sent.status).toBe(201);
    const { submission } = (await sent.json()) as { submission: { id: number } };
    const solution = async () =>
      (await app.call("GET", "/api/puzzles/statue", { token })).body.solution_html;
    expect(await solution()).toBeUndefined();
    const verdict = (accept: boolean) =>
      app.admin("POST", `/api/admin/submissions/${submission.id}/verdict`, { accept });
    expect((await verdict(true)).status).toBe(200);
    expect(await solution()).toBe("<p>It was the harbour master.</p>\n");
    expect((await verdict(false)).status).toBe(200);
    expect(await solution()).toBeUndefined();
  });
});
