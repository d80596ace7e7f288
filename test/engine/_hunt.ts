// A small hunt that exercises every rule function, and a clock tests move by hand.
import { Engine, type Write } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { openDatabase, Writer } from "../../src/store/mod.ts";

export const START = Date.parse("2026-11-21T10:00:00Z");
export const MINUTE = 60_000;

export const HUNT_TOML = `
[hunt]
title = "Test Hunt"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
divisions = ["kids", "adults"]
team_size = { min = 1, max = 3 }

[[puzzle]]
id = "a"
title = "A"
round = "r1"
tags = ["t"]
points = 10
answer = ["alpha"]
partial = [{ answer = "alp", message = "Keep going" }]
guess_limit = { count = 3, per = "1m" }

[[puzzle.hint]]
id = "free"
text = "Free hint"

[[puzzle.hint]]
id = "late"
text = "Late hint"
unlock = "minutes_since_unlock() >= 20 or wrong_guesses() >= 2"
cost = 4

[[puzzle]]
id = "b"
title = "B"
round = "r1"
points = 20
answer = ["bravo"]

[[puzzle]]
id = "meta"
title = "Meta"
round = "r1"
points = 50
unlock = 'solves_in_round("r1") >= 2'
answer = ["meta"]

[[puzzle]]
id = "after-a"
title = "After A"
round = "r2"
tags = ["t"]
unlock = 'solved("a")'
answer = ["x"]

[[puzzle]]
id = "cp"
title = "Checkpoint"
round = "r2"
checkpoint = { code = "cp-123" }
unlock = 'checked_in("cp")'
answer = ["cp"]

[[puzzle]]
id = "timed"
title = "Timed"
round = "r2"
unlock = 'minutes() >= 30 or after("2026-11-21T12:00:00Z")'
answer = ["t"]

[[puzzle]]
id = "kids-only"
title = "Kids"
round = "r2"
unlock = 'division("kids")'
answer = ["k"]

[[puzzle]]
id = "rich"
title = "Rich"
round = "r2"
unlock = 'score() >= 25 and solves_with_tag("t") >= 1 and solves() >= 1'
answer = ["r"]
`;

/** A hunt of missions: a photo judged by organizers, a video and a text judged "auto", and a puzzle
 * the photo unlocks. */
export const MISSIONS_TOML = `
[hunt]
title = "Missions"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T16:00:00Z
uploads = { photo_max = "2MB", team_quota = "3MB" }

[[puzzle]]
id = "statue"
title = "Statue"
round = "town"
points = 30
submit = "photo"

[[puzzle]]
id = "pirate"
title = "Pirate voice"
round = "town"
points = 20
submit = "video"
judge = "auto"

[[puzzle]]
id = "story"
title = "Story"
points = 10
submit = "text"
judge = "auto"

[[puzzle]]
id = "after-statue"
title = "After the statue"
unlock = 'solved("statue")'
answer = ["x"]
`;

export class FakeClock {
  constructor(public time = START) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export function makeEngine(clock = new FakeClock()) {
  const { hunt, problems } = loadHunt(HUNT_TOML, { file: "test.toml" });
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  return { engine: new Engine(hunt, { clock, startsAt: START }), clock, hunt };
}

/** An engine on `toml` at a minute past the start, with one team registered ("Gulls"). */
export function engineWithTeam(toml: string, file = "hunt.toml") {
  const clock = new FakeClock(START + MINUTE);
  const { hunt, problems } = loadHunt(toml, { file });
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  const engine = new Engine(hunt, { clock, startsAt: START });
  const result = engine.register({ name: "Gulls", passwordHash: "h" });
  if (result.kind !== "ok") throw new Error("cannot register");
  return { engine, clock, hunt, team: result.team, registered: result.writes };
}

/** An in-memory database, and a commit that writes to it at once: for tests that restart from it. */
export function memoryLog() {
  const db = openDatabase(":memory:");
  const writer = new Writer(db);
  const commit = (writes: readonly Write[]) => {
    void writer.commit(writes);
    writer.flush();
  };
  return { db, commit };
}

/** The outcome, which must be "ok" (the test fails with what it was instead). */
export const ok = <T extends { kind: string }>(outcome: T): Extract<T, { kind: "ok" }> => {
  if (outcome.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<T, { kind: "ok" }>;
};
