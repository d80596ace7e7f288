// Someone given only the binary can read the hunt-file reference the starter hunt points to.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../_binary.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const DOCS = join(import.meta.dir, "..", "..", "docs");

let binary = "";
beforeAll(async () => {
  binary = await buildBinary();
}, 120_000);

/** Runs the binary with an empty environment in a folder that holds no docs. */
async function bare(args: string[], cwd: string) {
  const proc = Bun.spawn(["env", "-i", binary, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

test("the binary's init points to cairn docs hunt-file, which prints the reference", async () => {
  const dir = dirs.make("cairn-e2e-docs-");
  const init = await bare(["init"], dir);
  expect(init.code).toBe(0);
  expect(init.stdout).toContain("cairn docs hunt-file\n");
  expect(readFileSync(join(dir, "hunt.toml"), "utf8")).toContain("`cairn docs hunt-file`");

  expect(await bare(["docs", "hunt-file"], dir)).toEqual({
    stdout: readFileSync(join(DOCS, "hunt-file.md"), "utf8"),
    stderr: "",
    code: 0,
  });
  expect((await bare(["docs", "api"], dir)).stdout).toBe(
    readFileSync(join(DOCS, "api.md"), "utf8"),
  );
}, 30_000);
