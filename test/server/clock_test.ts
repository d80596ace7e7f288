// The clock (server/clock.ts): its background commits of unlocks found on reads, or come due at a
// time, every second, which the store may refuse without failing (a shared log that cannot be
// reached answers so after 5 s): the engine keeps the unlock, and it goes with the next commit.
// And its wait for the hunt's next time (an after() in a rule, freeze_at), fired here by hand:
// what comes due then reaches the open streams with no request to bring it.
import { afterEach, expect, test } from "bun:test";
import { listen, type Listener, type Timer } from "../../src/server/mod.ts";
import { FakeClock, MINUTE, START } from "../engine/_hunt.ts";
import { makeApp, refuseFirstCommit, unlocksStored } from "../http/_app.ts";
import { open } from "../_sse.ts";

const HOUR = 60 * MINUTE;

const servers: Listener[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop(true);
});

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

/** The clock's wait for the hunt's next time, which the test fires once it has moved the clock. */
class HandTimer implements Timer {
  waiting: { run: () => void; ms: number } | undefined;
  set(run: () => void, ms: number): unknown {
    this.waiting = { run, ms };
    return this.waiting;
  }
  clear(handle: unknown): void {
    if (handle === this.waiting) this.waiting = undefined;
  }
  /** Runs the wait the clock set, as setTimeout would after its `ms`. */
  fire(): void {
    const { run } = this.waiting!;
    this.waiting = undefined;
    run();
  }
}

const TIMED_TOML = `
[hunt]
title = "Times"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
freeze_at = 2026-11-21T15:00:00Z

[[puzzle]]
id = "a"
title = "A"
points = 10
answer = ["alpha"]

[[puzzle]]
id = "noon"
title = "Noon"
points = 20
unlock = 'after("2026-11-21T12:00:00Z")'
answer = ["noon"]
`;

test("at each of the hunt's times the clock wakes with no request: an after() unlock reaches the team, and at freeze_at every stream gets the frozen board", async () => {
  const timer = new HandTimer();
  // With no push window, each board goes out as the change that makes it is published.
  const app = makeApp({
    toml: TIMED_TOML,
    clock: new FakeClock(START + MINUTE),
    timer,
    coalesceMs: 0,
  });
  const server = listen({ hostname: "127.0.0.1", port: 0, fetch: app.app.fetch });
  servers.push(server);
  const base = `http://127.0.0.1:${server.port}`;
  const token = await app.register("Gulls");
  const solved = await app.call("POST", "/api/puzzles/a/guesses", {
    token,
    body: { answer: "alpha" },
  });
  expect(solved.body.result).toBe("correct");
  const team = await open(base, { authorization: `Bearer ${token}` });
  const anonymous = await open(base);
  const live = (e: { event?: string; data?: string }) =>
    e.event === "scoreboard" && e.data!.includes('"frozen":false');
  await team.wait(live);
  await anonymous.wait(live);

  // The first time is noon's after(): the clock waits from a minute past the start until then.
  expect(timer.waiting?.ms).toBe(2 * HOUR - MINUTE);
  app.clock.advance(2 * HOUR - MINUTE);
  timer.fire();
  const unlock = await team.wait((e) => e.event === "unlock");
  expect(JSON.parse(unlock.data!)).toEqual({ puzzles: ["noon"], titles: ["Noon"] });

  // The next is the freeze: the board goes out frozen then, before any change after it.
  expect(timer.waiting?.ms).toBe(3 * HOUR);
  app.clock.advance(3 * HOUR);
  timer.fire();
  for (const stream of [team, anonymous]) {
    const frozen = await stream.wait((e) =>
      e.event === "scoreboard" && e.data!.includes('"frozen":true')
    );
    expect(JSON.parse(frozen.data!)).toEqual({
      frozen: true,
      teams: [expect.objectContaining({ name: "Gulls", score: 10 })],
    });
  }
  // No time is left to wait for.
  expect(timer.waiting).toBeUndefined();
  await Promise.all([team.close(), anonymous.close()]);
  app.server.close();
});
