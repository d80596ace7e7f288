// The clock's background commits (server/clock.ts): unlocks found on reads, or come due at a time,
// committed every second. One the store refuses without failing (a shared log that cannot be
// reached answers so after 5 s) goes again with the next: the engine keeps the unlock either way.
import { expect, test } from "bun:test";
import { MINUTE } from "../engine/_hunt.ts";
import { makeApp, refuseFirstCommit, unlocksStored } from "../http/_app.ts";

test("a background commit the store refuses goes again with the next one", async () => {
  const app = makeApp();
  const token = await app.register("Gulls");
  app.clock.advance(30 * MINUTE);
  // What PgStore answers a commit no batch took in time: nothing stored, the store still open.
  const { refused } = refuseFirstCommit(app.store);
  // The read finds the time-based unlock; the clock commits it within a second.
  const listed = (await app.call("GET", "/api/puzzles", { token })).body.puzzles;
  expect(listed.map((puzzle: { id: string }) => puzzle.id)).toContain("timed");
  // Each second's commit is a timer: wait for the second one.
  const stored = await unlocksStored(app.db, "timed");
  expect(refused()).toBe(1);
  expect(stored).toBe(1);
  app.server.close();
}, 15_000);
