// `solutions_at`: after the hunt, every team sees the solutions of the puzzles
// it has unlocked, solved or not, as puzzle hunts publish theirs; never before,
// and never a puzzle it did not unlock.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadHunt } from "../../src/hunt/mod.ts";
import { MINUTE } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-solutions-at-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const assets = join(dir, "assets");
mkdirSync(join(assets, "a", "solution"), { recursive: true });
writeFileSync(join(assets, "a", "solution", "grid.png"), "the filled grid");

const HOUR = 60 * MINUTE;
const HUNT = (times: string) => `
[hunt]
title = "Released"
starts_at = 2026-11-21T10:00:00Z
${times}

[[puzzle]]
id = "a"
title = "A"
answer = ["alpha"]
solution = "The **first letters**: ![Grid](assets/solution/grid.png)"

[[puzzle]]
id = "b"
title = "B"
unlock = 'solved("a")'
answer = ["bravo"]
solution = "B's own solution."
`;
const TIMES = "ends_at = 2026-11-21T16:00:00Z\nsolutions_at = 2026-11-21T17:00:00Z";

describe("solutions_at", () => {
  test("from then, a team sees the solution of a puzzle it did not solve, with its files", async () => {
    const app = makeApp({ toml: HUNT(TIMES), assetsDir: assets });
    const gulls = await app.register("Gulls");
    const solution = async () =>
      (await app.call("GET", "/api/puzzles/a", { token: gulls })).body.solution_html;
    const file = () => app.call("GET", "/puzzles/a/assets/solution/grid.png", { token: gulls });

    // While the hunt runs, and after its end until solutions_at: nothing.
    expect(await solution()).toBeUndefined();
    expect((await file()).status).toBe(404);
    app.clock.advance(6 * HOUR + 30 * MINUTE);
    expect(await solution()).toBeUndefined();
    expect((await file()).status).toBe(404);
    const waiting = await app.call("GET", "/puzzles/a", { token: gulls });
    expect(waiting.text).toContain("The hunt has ended. Solutions show here at ");
    expect(waiting.text).not.toContain('id="solution"');
    // A page left open reloads itself when they come (in 30 minutes).
    expect(waiting.text).toContain(`data-phase-in="${30 * MINUTE}"`);

    app.clock.advance(30 * MINUTE);
    expect(await solution()).toContain("The <strong>first letters</strong>");
    const grid = await file();
    expect([grid.status, grid.text]).toEqual([200, "the filled grid"]);
    const page = await app.call("GET", "/puzzles/a", { token: gulls });
    expect(page.text).toContain("The hunt has ended. Each puzzle&#39;s solution is on its page.");
    expect(page.text).toContain('id="solution" aria-labelledby="solution-title" data-released=""');
    // A puzzle the team never unlocked stays hidden, solution and all.
    expect((await app.call("GET", "/api/puzzles/b", { token: gulls })).status).toBe(404);
    expect((await app.call("GET", "/api/hunt")).body.solutions_at).toBe(
      "2026-11-21T17:00:00.000Z",
    );
  });

  test("without it, only solvers ever see a solution; /api/hunt says null", async () => {
    const app = makeApp({ toml: HUNT("ends_at = 2026-11-21T16:00:00Z"), assetsDir: assets });
    const gulls = await app.register("Gulls");
    app.clock.advance(30 * 24 * HOUR);
    const reply = await app.call("GET", "/api/puzzles/a", { token: gulls });
    expect(reply.body.solution_html).toBeUndefined();
    const page = await app.call("GET", "/puzzles/a", { token: gulls });
    expect(page.text).toContain("The hunt has ended.</div>");
    expect((await app.call("GET", "/api/hunt")).body.solutions_at).toBeNull();
  });

  test("a reload that sets it to the present releases them at once, and says so", async () => {
    const app = makeApp({ toml: HUNT("ends_at = 2026-11-21T16:00:00Z"), assetsDir: assets });
    const gulls = await app.register("Gulls");
    app.clock.advance(7 * HOUR);
    app.setToml(HUNT(TIMES));
    expect((await app.admin("POST", "/api/admin/reload")).body).toMatchObject({
      hunt: ["solutions_at"],
    });
    expect((await app.call("GET", "/api/puzzles/a", { token: gulls })).body.solution_html)
      .toContain("first letters");
  });

  test("check refuses it without ends_at, before it, or within the offline grace", () => {
    const problems = (times: string) =>
      loadHunt(HUNT(times), { file: "hunt.toml" }).problems.map((p) => [p.severity, p.message]);
    expect(problems("solutions_at = 2026-11-21T17:00:00Z")).toEqual([[
      "error",
      "solutions_at needs ends_at: the solutions of puzzles a team has not solved are shown " +
      "only once the hunt has ended",
    ]]);
    expect(problems("ends_at = 2026-11-21T16:00:00Z\nsolutions_at = 2026-11-21T15:59:00Z"))
      .toEqual([["error", "solutions_at must not be before ends_at"]]);
    const graced = 'ends_at = 2026-11-21T16:00:00Z\noffline_grace = "10m"\n';
    expect(problems(`${graced}solutions_at = 2026-11-21T16:05:00Z`)).toEqual([[
      "error",
      "solutions_at must not be within offline_grace after ends_at: an answer made offline " +
      "before the end still counts until then",
    ]]);
    expect(problems(`${graced}solutions_at = 2026-11-21T16:10:00Z`)).toEqual([]);
    expect(problems("ends_at = 2026-11-21T16:00:00Z\nsolutions_at = 2026-11-21T16:00:00Z"))
      .toEqual([]);
    // With offline_times = false, nothing made offline counts after the end: no grace to wait.
    expect(
      problems(`${graced}offline_times = false\nsolutions_at = 2026-11-21T16:00:00Z`).filter((
        [severity],
      ) => severity === "error"),
    ).toEqual([]);
  });
});
