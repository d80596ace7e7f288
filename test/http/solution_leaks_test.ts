// Attacks on a puzzle's solution files (`assets/<puzzle>/solution/`) before the team solved the
// puzzle: another spelling of the folder, another method, a byte range, a symlink in assets. Each
// is answered as a file that does not exist is (404 not_found, the same headers); once the team
// solved the puzzle, the file is its own.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { makeApp } from "./_app.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-solution-leaks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const assets = join(dir, "assets");
mkdirSync(join(assets, "a", "solution", "deep"), { recursive: true });
mkdirSync(join(assets, "b"), { recursive: true });
writeFileSync(join(assets, "a", "solution", "grid.png"), "the filled grid");
writeFileSync(join(assets, "a", "solution", "deep", "notes.txt"), "the setter's notes");
writeFileSync(join(assets, "a", "map.png"), "the map");
// An organizer's shortcuts: a folder and a file that lead into the solution's folder, and one
// in another puzzle's folder that leads into this one's.
symlinkSync("solution", join(assets, "a", "extras"));
symlinkSync(join("solution", "grid.png"), join(assets, "a", "grid.png"));
symlinkSync(join("..", "a", "solution"), join(assets, "b", "from-a"));

const toml = HUNT_TOML.replace(
  'id = "a"\ntitle = "A"',
  'id = "a"\ntitle = "A"\nbody = "![Map](assets/map.png)"\n' +
    'solution = "![Grid](assets/solution/grid.png)"',
);

/** The status, the error's code and the headers that tell a file from none. */
async function seen(
  call: ReturnType<typeof makeApp>["call"],
  method: string,
  path: string,
  init: { token: string; headers?: Record<string, string> },
) {
  const reply = await call(method, path, init);
  return {
    status: reply.status,
    code: reply.body?.error?.code,
    length: reply.headers.get("content-length"),
    type: reply.headers.get("content-type"),
    etag: reply.headers.get("etag"),
    range: reply.headers.get("content-range"),
  };
}

describe("a solution's files before the solve", () => {
  const attacks: [string, string, Record<string, string>?][] = [
    ["the folder's name percent-encoded", "/puzzles/a/assets/%73olution/grid.png"],
    ["its slash percent-encoded", "/puzzles/a/assets/solution%2Fgrid.png"],
    ["its name in capitals", "/puzzles/a/assets/SOLUTION/grid.png"],
    ["a trailing dot (Windows)", "/puzzles/a/assets/solution./grid.png"],
    ["a trailing space, encoded", "/puzzles/a/assets/solution%20/grid.png"],
    ["a long s (ſ)", "/puzzles/a/assets/%C5%BFolution/grid.png"],
    ["a zero-width joiner (HFS+ ignores it)", "/puzzles/a/assets/solu%E2%80%8Dtion/grid.png"],
    ["a dot segment, encoded", "/puzzles/a/assets/map.png%2F..%2Fsolution/grid.png"],
    ["a deeper file", "/puzzles/a/assets/solution/deep/notes.txt"],
    ["a byte range", "/puzzles/a/assets/solution/grid.png", { range: "bytes=0-3" }],
    ["a compressed copy", "/puzzles/a/assets/solution/grid.png", {
      "accept-encoding": "gzip, br",
    }],
    ["a folder symlinked to the solution's", "/puzzles/a/assets/extras/grid.png"],
    ["a file symlinked to one of the solution's", "/puzzles/a/assets/grid.png"],
    ["another puzzle's symlink to it", "/puzzles/b/assets/from-a/grid.png"],
  ];

  test("every spelling, method and symlink is answered as a missing file", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    // Puzzle b is the team's, solved: its folder is its own.
    await call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } });
    for (const method of ["GET", "HEAD"]) {
      const missing = await seen(call, method, "/puzzles/a/assets/none.png", { token });
      expect(missing.status).toBe(404);
      for (const [what, path, headers] of attacks) {
        const got = await seen(call, method, path, { token, ...(headers && { headers }) });
        expect([what, method, got]).toEqual([what, method, missing]);
      }
    }
    // The body's own picture is the team's at once.
    expect((await call("GET", "/puzzles/a/assets/map.png", { token })).text).toBe("the map");
  });

  test("once the team solved the puzzle, the same paths give the files", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    await call("POST", "/api/puzzles/b/guesses", { token, body: { answer: "bravo" } });
    const files: [string, string][] = [
      ["/puzzles/a/assets/solution/grid.png", "the filled grid"],
      ["/puzzles/a/assets/%73olution/grid.png", "the filled grid"],
      ["/puzzles/a/assets/solution/deep/notes.txt", "the setter's notes"],
      ["/puzzles/a/assets/extras/grid.png", "the filled grid"],
      ["/puzzles/a/assets/grid.png", "the filled grid"],
      ["/puzzles/b/assets/from-a/grid.png", "the filled grid"],
    ];
    for (const [path, text] of files) {
      const reply = await call("GET", path, { token });
      expect([path, reply.status, reply.text]).toEqual([path, 200, text]);
    }
  });

  test("a team that solved another puzzle gets none of this one's solution", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const gulls = await register("Gulls");
    const terns = await register("Terns");
    await call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "alpha" } });
    await call("POST", "/api/puzzles/b/guesses", { token: terns, body: { answer: "bravo" } });
    for (
      const path of ["/puzzles/a/assets/solution/grid.png", "/puzzles/b/assets/from-a/grid.png"]
    ) {
      expect([path, (await call("GET", path, { token: terns })).status]).toEqual([path, 404]);
    }
  });

  test("a reload that adds a solution gives it to the teams that solved, and no other", async () => {
    const app = makeApp({ assetsDir: assets });
    const gulls = await app.register("Gulls");
    const terns = await app.register("Terns");
    await app.call("POST", "/api/puzzles/a/guesses", { token: gulls, body: { answer: "alpha" } });
    app.setToml(toml);
    expect((await app.admin("POST", "/api/admin/reload")).status).toBe(200);
    const view = async (token: string) => {
      const api = await app.call("GET", "/api/puzzles/a", { token });
      const page = await app.call("GET", "/puzzles/a", { token });
      const file = await app.call("GET", "/puzzles/a/assets/solution/grid.png", { token });
      return [api.body.solution_html ?? null, page.text.includes('id="solution"'), file.status];
    };
    expect(await view(gulls)).toEqual([
      '<p><img src="/puzzles/a/assets/solution/grid.png" alt="Grid"></p>\n',
      true,
      200,
    ]);
    expect(await view(terns)).toEqual([null, false, 404]);
  });
});
