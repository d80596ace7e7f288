// /metrics on the runtime the tests run on. prom-client reads the process's memory and file
// descriptors from /proc/self, which Deno refuses without --allow-all (and `deno task test`, like
// the README's command, does not give it): a value it cannot read is left out, never reported as 0.
import { describe, expect, test } from "bun:test";
import { PROC_DEFAULTS } from "../../src/metrics/mod.ts";
import { makeApp } from "./_app.ts";

/** Every sample of the exposition, by series. */
function samples(text: string): Map<string, number> {
  const lines = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  return new Map(lines.map((line) => {
    const space = line.lastIndexOf(" ");
    return [line.slice(0, space), Number(line.slice(space + 1))];
  }));
}

describe("GET /metrics, the process", () => {
  test("reports the resident memory, and no process value it could not read", async () => {
    const { call } = makeApp();
    const seen = samples((await call("GET", "/metrics")).text);
    expect(seen.get("process_resident_memory_bytes")).toBeGreaterThan(1024 * 1024);
    for (const name of PROC_DEFAULTS) {
      const value = seen.get(name);
      if (value !== undefined) expect([name, value > 0]).toEqual([name, true]);
    }
  });
});

describe("GET /metrics, the guesses", () => {
  test("while the board is frozen, guesses are counted only once it thaws: no solve shows early", async () => {
    const { call, register, admin, clock } = makeApp();
    const token = await register("Frost");
    clock.advance(60_000);
    const guesses = async () => {
      const seen = samples((await call("GET", "/metrics")).text);
      return ["correct", "incorrect"].map((r) => seen.get(`cairn_guesses_total{result="${r}"}`));
    };
    const guess = (answer: string) =>
      call("POST", "/api/puzzles/a/guesses", { token, body: { answer } });
    expect((await guess("wrong")).status).toBe(200);
    expect(await guesses()).toEqual([0, 1]);
    expect((await admin("POST", "/api/admin/scoreboard", { frozen: true })).status).toBe(200);
    expect((await guess("nope")).status).toBe(200);
    expect((await guess("alpha")).body).toMatchObject({ result: "correct" });
    expect(await guesses()).toEqual([0, 1]);
    expect((await admin("POST", "/api/admin/scoreboard", { frozen: false })).status).toBe(200);
    expect(await guesses()).toEqual([1, 2]);
  });
});
