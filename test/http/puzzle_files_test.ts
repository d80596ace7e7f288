import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HUNT_TOML } from "../engine/_hunt.ts";
import { puzzleFileResponse } from "../../src/http/puzzle_files.ts";
import { makeApp } from "./_app.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-assets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const assets = join(dir, "assets");
mkdirSync(join(assets, "a", "maps"), { recursive: true });
mkdirSync(join(assets, "after-a"), { recursive: true });
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
writeFileSync(join(assets, "a", "maps", "harbor.png"), png);
writeFileSync(join(assets, "after-a", "secret.txt"), "the answer is anchor");
writeFileSync(join(dir, "outside.txt"), "not a puzzle's file");
// A hunt folder from elsewhere may hold symlinks that lead out of assets/: to the host's files,
// or to the database beside the hunt. One to another puzzle's file inside assets/ is a share.
mkdirSync(join(dir, "elsewhere"));
writeFileSync(join(dir, "elsewhere", "key.txt"), "the host's private key");
symlinkSync(join(dir, "outside.txt"), join(assets, "a", "outside.txt"));
symlinkSync(join("..", "..", "outside.txt"), join(assets, "a", "maps", "up.txt"));
symlinkSync(join(dir, "elsewhere"), join(assets, "a", "elsewhere"));
symlinkSync(join("..", "after-a", "secret.txt"), join(assets, "a", "shared.txt"));

// Puzzle "a" links a picture and a file from its own folder in its body.
const toml = HUNT_TOML.replace(
  'id = "a"\ntitle = "A"',
  'id = "a"\ntitle = "A"\nbody = "![Harbor](assets/maps/harbor.png) and [the list](assets/list.txt)"',
);

describe("puzzle assets", () => {
  test("the body's links point at the puzzle's files, served to a team that has it unlocked", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    const puzzle = await call("GET", "/api/puzzles/a", { token });
    expect(puzzle.body.body_html).toBe(
      '<p><img src="/puzzles/a/assets/maps/harbor.png" alt="Harbor"> and ' +
        '<a href="/puzzles/a/assets/list.txt">the list</a></p>\n',
    );
    const file = await call("GET", "/puzzles/a/assets/maps/harbor.png", { token });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("cache-control")).toBe("private, max-age=300");
    expect(file.headers.get("content-length")).toBe(String(png.length));
  });

  test("a locked puzzle's files, a missing file and paths out of the folder are all 404", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    const paths = [
      "/puzzles/after-a/assets/secret.txt", // locked until "a" is solved
      "/puzzles/a/assets/maps/missing.png",
      "/puzzles/a/assets/maps", // a folder
      "/puzzles/a/assets/..%2F..%2Foutside.txt",
      "/puzzles/a/assets/maps/..%2F..%2Fafter-a%2Fsecret.txt",
      "/puzzles/nope/assets/x.png",
    ];
    for (const path of paths) {
      const reply = await call("GET", path, { token });
      expect([path, reply.status, reply.body?.error?.code]).toEqual([path, 404, "not_found"]);
    }
  });

  test("without a session the answer is 401, and once solved the next puzzle's files open", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    expect((await call("GET", "/puzzles/a/assets/maps/harbor.png")).status).toBe(401);
    const token = await register("Gulls");
    await call("POST", "/api/puzzles/a/guesses", { token, body: { answer: "alpha" } });
    const secret = await call("GET", "/puzzles/after-a/assets/secret.txt", { token });
    expect([secret.status, secret.text]).toEqual([200, "the answer is anchor"]);
  });

  test("puzzleFileResponse() refuses a path that climbs out of the puzzle's folder", async () => {
    const { game, register } = makeApp({ toml, assetsDir: assets });
    await register("Gulls");
    const team = game.engine.teams.get(1)!;
    for (const file of ["../after-a/secret.txt", "../../outside.txt", "maps/../../outside.txt"]) {
      expect(() => puzzleFileResponse(game.engine, team, "a", file)).toThrow(
        "There is nothing here",
      );
    }
    expect(puzzleFileResponse(game.engine, team, "a", "maps/harbor.png").status).toBe(200);
  });

  test("a symlink that leads out of assets/ is 404; one to another puzzle's file is served", async () => {
    const { call, register } = makeApp({ toml, assetsDir: assets });
    const token = await register("Gulls");
    for (const path of ["outside.txt", "maps/up.txt", "elsewhere/key.txt"]) {
      const reply = await call("GET", `/puzzles/a/assets/${path}`, { token });
      expect([path, reply.status, reply.body?.error?.code]).toEqual([path, 404, "not_found"]);
    }
    const shared = await call("GET", "/puzzles/a/assets/shared.txt", { token });
    expect([shared.status, shared.text]).toEqual([200, "the answer is anchor"]);
  });
});
