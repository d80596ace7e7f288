// The clock's background commits (server/clock.ts): unlocks found on reads, or come due at a time,
// committed every second. One the store refuses without failing (a shared log that cannot be
// reached answers so after 5 s) goes again with the next: the engine keeps the unlock either way.
import { expect, test } from "bun:test";
import { MINUTE } from "../engine/_hunt.ts";
import { makeApp } from "../http/_app.ts";

test("a background commit the store refuses goes again with the next one", async () => {
  const app = makeApp();
  const token = await app.register("Gulls");
  app.clock.advance(30 * MINUTE);
  const commit = app.store.commit.bind(app.store);
  let refused = 0;
  app.store.commit = (writes) => {
    if (refused > 0) return commit(writes);
    refused++;
    // What PgStore answers a commit no batch took in time: nothing stored, the store still open.
    const error = Object.assign(new Error("Cannot reach the database: connection refused"), {
      name: "CommitError",
      refused: true,
    });
    return Promise.reject(error);
  };
  // The read finds the time-based unlock; the clock commits it within a second.
  const listed = (await app.call("GET", "/api/puzzles", { token })).body.puzzles;
  expect(listed.map((puzzle: { id: string }) => puzzle.id)).toContain("timed");
  const stored = () =>
    app.db.query("SELECT count(*) AS n FROM unlocks WHERE puzzle = 'timed'").get() as { n: number };
  // Each second's commit is a timer: wait for the second one, for up to 10 s on a busy machine.
  for (let waited = 0; stored().n === 0 && waited < 10_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(refused).toBe(1);
  expect(stored()).toEqual({ n: 1 });
  app.server.close();
}, 15_000);
