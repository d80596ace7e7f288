// Clock jumps, with the time injected through the engine's Clock: the wall
// clock steps 1 h back and 1 h forward while the hunt runs, while a monotonic
// clock (performance.now() in the server) keeps real time. What must hold:
// unlock times never go backwards, guess limits do not reset, and the hunt's
// end still holds; after a restart on a clock set back too.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Clock, Engine, type Team, type Write } from "../../src/engine/mod.ts";
import { createLogger } from "../../src/log/mod.ts";
import { startGame } from "../../src/server/mod.ts";
import { SqliteStore } from "../../src/store/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { HUNT_TOML, MINUTE, START } from "../engine/_hunt.ts";
import { tempDirs } from "../_tmp.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

const HOUR = 60 * MINUTE;

/** A server on the database file, built by the composition root as `serve` builds it. */
function open(dbPath: string, clock: Clock) {
  const opened = SqliteStore.open(dbPath);
  if (opened.kind !== "ok") throw new Error("locked");
  return startGame({
    store: opened.store,
    hunt: hunt(),
    reread: () => ({ hunt: hunt(), problems: [] }),
    clock,
    logger: createLogger({ write: () => {} }),
    adminTokenHash: () => "",
  });
}
const END = START + 6 * HOUR; // the hunt's ends_at

/** A wall clock that tests can step, beside a monotonic one that only moves forward with time. */
class SteppingClock implements Clock {
  constructor(public wall: number, public steady = 0) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.steady;
  }
  /** Real time passes. */
  advance(ms: number): void {
    this.wall += ms;
    this.steady += ms;
  }
  /** The system clock is set: only the wall clock moves. */
  step(ms: number): void {
    this.wall += ms;
  }
}

function hunt() {
  const { hunt, problems } = loadHunt(HUNT_TOML, { file: "test.toml" });
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  return hunt;
}

/** Every unlock written, in order, with the team's recorded times. */
function unlockTimes(writes: Write[]): number[] {
  return writes.flatMap((write) => (write.kind === "unlock" ? [write.at] : []));
}

function register(engine: Engine, name: string): { team: Team; writes: Write[] } {
  const result = engine.register({ name, passwordHash: "hash" });
  if (result.kind !== "ok") throw new Error(`cannot register ${name}`);
  return { team: result.team, writes: result.writes };
}

describe("clock jumps", () => {
  test("1 h back, then 1 h forward: unlock times never go backwards and guess limits hold", () => {
    const clock = new SteppingClock(START + 10 * MINUTE);
    const engine = new Engine(hunt(), { clock, startsAt: START });
    const { team, writes } = register(engine, "Gulls");
    // "a" allows 3 wrong guesses a minute.
    for (let i = 0; i < 3; i++) expect(engine.guess(team, "a", `no${i}`).kind).toBe("judged");
    expect(engine.guess(team, "a", "no3")).toEqual({ kind: "rate_limited", retryAfterSeconds: 60 });

    // The system clock jumps back an hour (before the hunt's start, even).
    clock.step(-HOUR);
    clock.advance(10_000);
    // The hunt still runs, and the limit did not reset: 50 s still to wait, not 3,650.
    expect(engine.running()).toBe(true);
    expect(engine.guess(team, "a", "no4")).toEqual({ kind: "rate_limited", retryAfterSeconds: 50 });
    // Time goes on at its real pace: the window passes after the real minute.
    clock.advance(50_000);
    const judged = engine.guess(team, "a", "no5");
    expect(judged.kind).toBe("judged");
    // "timed" opens at minute 30 of the hunt: 19 real minutes on, though the wall clock says
    // it is 30 minutes before the start.
    clock.advance(18 * MINUTE);
    expect(engine.tick().writes).toEqual([]);
    clock.advance(MINUTE);
    const opened = engine.tick().writes;
    expect(opened).toEqual([
      { kind: "unlock", teamId: team.id, puzzle: "timed", at: START + 30 * MINUTE },
    ]);

    // The system clock is put right again: time is continuous, and never went back.
    clock.step(HOUR);
    const later = engine.checkIn(team, "cp-123");
    expect(later.kind).toBe("ok");
    const all = [
      ...unlockTimes(writes),
      ...unlockTimes(opened),
      ...unlockTimes((later as { writes: Write[] }).writes),
    ];
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect(all.at(-1)).toBe(START + 30 * MINUTE);
  });

  test("1 h forward, then 1 h back: the step forward is followed, the step back never undoes it", () => {
    const clock = new SteppingClock(START + 10 * MINUTE);
    const engine = new Engine(hunt(), { clock, startsAt: START });
    const { team } = register(engine, "Terns");
    clock.step(HOUR);
    // The clock says 70 minutes into the hunt: "timed" opens, at that time.
    const opened = engine.tick().writes;
    expect(opened).toEqual([
      { kind: "unlock", teamId: team.id, puzzle: "timed", at: START + 70 * MINUTE },
    ]);
    for (let i = 0; i < 3; i++) expect(engine.guess(team, "a", `no${i}`).kind).toBe("judged");
    clock.step(-HOUR);
    clock.advance(1_000);
    // Back an hour: the limit still holds, a new unlock is not dated before the last one.
    expect(engine.guess(team, "a", "no3")).toEqual({ kind: "rate_limited", retryAfterSeconds: 59 });
    const checkIn = engine.checkIn(team, "cp-123");
    expect(checkIn.kind).toBe("ok");
    expect(unlockTimes((checkIn as { writes: Write[] }).writes)).toEqual([
      START + 70 * MINUTE + 1_000,
    ]);
  });

  test("the hunt's end holds when the clock jumps back over it, and forward again", () => {
    const clock = new SteppingClock(END - MINUTE);
    const engine = new Engine(hunt(), { clock, startsAt: START });
    const { team } = register(engine, "Herons");
    expect(engine.guess(team, "b", "nope").kind).toBe("judged");
    clock.advance(2 * MINUTE);
    expect(engine.guess(team, "b", "nope")).toEqual({ kind: "hunt_not_running" });
    clock.step(-HOUR);
    expect(engine.running()).toBe(false);
    expect(engine.guess(team, "b", "bravo")).toEqual({ kind: "hunt_not_running" });
    expect(engine.takeHint(team, "a", "free")).toEqual({ kind: "hunt_not_running" });
    expect(engine.checkIn(team, "cp-123")).toEqual({ kind: "hunt_not_running" });
    clock.advance(30 * MINUTE);
    clock.step(HOUR);
    expect(engine.guess(team, "b", "bravo")).toEqual({ kind: "hunt_not_running" });
  });

  test("a step back under a fractional monotonic clock stores whole milliseconds, and commits", async () => {
    const dbPath = join(dirs.make("cairn-clock-"), "cairn.db");
    const clock = new SteppingClock(START + 10 * MINUTE, 0.25);
    const server = open(dbPath, clock);
    try {
      clock.step(-HOUR);
      clock.steady += 1234.5678; // performance.now() is fractional
      const now = server.game.engine.now();
      expect(Number.isInteger(now)).toBe(true);
      const { writes } = register(server.game.engine, "Owls");
      // The database's tables are STRICT: a fractional time would fail the commit.
      await server.game.commit(writes);
      expect(server.game.store.failed).toBe(false);
    } finally {
      server.close();
    }
  });

  test("a team registered before the start does not start the hunt after a reload or a restart", async () => {
    const dbPath = join(dirs.make("cairn-clock-"), "cairn.db");
    const clock = new SteppingClock(START - 3 * HOUR);
    /** The hunt is not running, on the real clock. */
    const closed = (engine: Engine) => {
      expect(engine.now()).toBe(clock.wall);
      expect(engine.running()).toBe(false);
      expect(engine.guess(engine.teamByName("Owls")!, "a", "alpha")).toEqual({
        kind: "hunt_not_running",
      });
    };
    const first = open(dbPath, clock);
    try {
      const { writes } = register(first.game.engine, "Owls");
      // Its open puzzles count as unlocked from the start, so they are dated then.
      expect(unlockTimes(writes)).toContain(START);
      await first.game.commit(writes);
      clock.advance(1_000);
      expect(first.reload("admin").kind).toBe("ok");
      closed(first.game.engine);
    } finally {
      first.close();
    }

    clock.advance(1_000);
    const second = open(dbPath, clock);
    try {
      closed(second.game.engine);
      // What is written next is dated now, not at the start.
      const { writes } = register(second.game.engine, "Terns");
      expect(writes.find((write) => write.kind === "team")?.at).toBe(clock.wall);
    } finally {
      second.close();
    }
  });

  test("after a restart on a clock set back 1 h, nothing is dated before what is on disk", async () => {
    const dbPath = join(dirs.make("cairn-clock-"), "cairn.db");
    const clock = new SteppingClock(START + 2 * HOUR);
    const first = open(dbPath, clock);
    const { team, writes } = register(first.game.engine, "Owls");
    await first.game.commit(writes);
    for (let i = 0; i < 3; i++) {
      const outcome = first.game.engine.guess(team, "a", `no${i}`);
      if (outcome.kind !== "judged") throw new Error(outcome.kind);
      await first.game.commit(outcome.writes);
    }
    first.close();

    // Restarted a second later on a clock an hour behind, with a fresh monotonic clock.
    const restarted = new SteppingClock(START + HOUR + 1_000, 0);
    const second = open(dbPath, restarted);
    try {
      const engine = second.game.engine;
      const owls = engine.teamByName("Owls")!;
      expect(engine.now()).toBe(START + 2 * HOUR);
      expect(engine.guess(owls, "a", "no3")).toEqual({
        kind: "rate_limited",
        retryAfterSeconds: 60,
      });
      const checkIn = engine.checkIn(owls, "cp-123");
      expect(unlockTimes((checkIn as { writes: Write[] }).writes)).toEqual([START + 2 * HOUR]);
    } finally {
      second.close();
    }
  });
});
