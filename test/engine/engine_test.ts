import { describe, expect, test } from "bun:test";
import { Engine, type Team } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { loadSnapshot } from "../../src/store/mod.ts";
import { FakeClock, makeEngine, memoryLog, MINUTE, START } from "./_hunt.ts";

/** The test hunt's ends_at. */
const END = Date.parse("2026-11-21T16:00:00Z");

function register(
  engine: Engine,
  name: string,
  extra: { division?: string; members?: string[] } = {},
): Team {
  const result = engine.register({ name, passwordHash: "hash", ...extra });
  if (result.kind !== "ok") throw new Error(`cannot register ${name}: ${JSON.stringify(result)}`);
  return result.team;
}

const ids = (engine: Engine, team: Team) => engine.unlockedPuzzles(team).map((p) => p.id);

describe("Engine.register()", () => {
  test("opens the puzzles with no rule, and records their unlocks", () => {
    const { engine } = makeEngine();
    const result = engine.register({ name: " Gulls ", passwordHash: "h", members: ["Ann", "Bo"] });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.team.name).toBe("Gulls");
    expect(result.unlocked).toEqual(["a", "b"]);
    expect(result.writes.map((w) => w.kind)).toEqual(["team", "unlock", "unlock"]);
  });

  const refusals: [string, Parameters<Engine["register"]>[0], unknown][] = [
    ["a name already taken, compared case-insensitively after trimming", {
      name: "  GULLS",
      passwordHash: "h",
    }, { kind: "name_taken" }],
    ["an empty name", { name: "   ", passwordHash: "h" }, {
      kind: "invalid",
      message: "The team name is empty",
    }],
    ["an unknown division", { name: "X", passwordHash: "h", division: "pets" }, {
      kind: "invalid",
      message: 'Unknown division "pets": use one of kids, adults',
    }],
    ["too many members", { name: "X", passwordHash: "h", members: ["a", "b", "c", "d"] }, {
      kind: "invalid",
      message: "A team has 1 to 3 members; this one lists 4",
    }],
    ["a member listed twice", { name: "X", passwordHash: "h", members: ["a", "a"] }, {
      kind: "invalid",
      message: 'The member "a" is listed twice: list each member once',
    }],
    [
      "a member listed twice, in other case and spacing, past the team size",
      { name: "X", passwordHash: "h", members: ["Ann", "Bo", " ann ", "Cy"] },
      { kind: "invalid", message: 'The member "ann" is listed twice: list each member once' },
    ],
  ];
  for (const [what, input, expected] of refusals) {
    test(`refuses ${what}`, () => {
      const { engine } = makeEngine();
      register(engine, "Gulls");
      expect(engine.register(input)).toEqual(expected as never);
    });
  }

  test("counts a team that lists no members as 1", () => {
    const { engine } = makeEngine();
    expect(engine.register({ name: "Solo", passwordHash: "h", members: [] }).kind).toBe("ok");
  });

  test("registers before the start and until the end, not from ends_at on", () => {
    const { engine, clock } = makeEngine();
    clock.time = START - 60 * MINUTE;
    expect(engine.register({ name: "Early", passwordHash: "h" }).kind).toBe("ok");
    clock.time = END - 1;
    expect(engine.register({ name: "Last", passwordHash: "h" }).kind).toBe("ok");
    clock.time = END;
    expect(engine.register({ name: "Late", passwordHash: "h" })).toEqual({
      kind: "hunt_not_running",
    });
    expect(engine.teams.size).toBe(2);
  });
});

describe("Engine.guess()", () => {
  test("judges correct, partial and incorrect guesses, and stores each", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    const wrong = engine.guess(team, "a", "beta");
    expect(wrong).toMatchObject({ kind: "judged", result: "incorrect", unlocked: [] });
    const partial = engine.guess(team, "a", "ALP!");
    expect(partial).toMatchObject({ kind: "judged", result: "partial", message: "Keep going" });
    const right = engine.guess(team, "a", "Alpha");
    expect(right).toMatchObject({ kind: "judged", result: "correct", unlocked: ["after-a"] });
    if (right.kind !== "judged") return;
    expect(right.writes).toEqual([
      {
        kind: "guess",
        id: 3,
        teamId: team.id,
        puzzle: "a",
        raw: "Alpha",
        normalized: "ALPHA",
        result: "correct",
        extraUsed: false,
        at: START,
      },
      { kind: "unlock", teamId: team.id, puzzle: "after-a", at: START },
    ]);
    expect(engine.score(team)).toBe(10);
  });

  test("answers already_solved after a solve, and stores nothing", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    engine.guess(team, "a", "alpha");
    expect(engine.guess(team, "a", "alpha")).toEqual({ kind: "already_solved" });
    expect(engine.guess(team, "a", "wrong")).toEqual({ kind: "already_solved" });
  });

  test("answers not_found for a locked or unknown puzzle", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    expect(engine.guess(team, "meta", "meta")).toEqual({ kind: "not_found" });
    expect(engine.guess(team, "nope", "x")).toEqual({ kind: "not_found" });
  });

  test("refuses guesses outside the hunt's window", () => {
    const clock = new FakeClock(START - 1);
    const { engine } = makeEngine(clock);
    const team = register(engine, "Gulls");
    expect(engine.guess(team, "a", "alpha")).toEqual({ kind: "hunt_not_running" });
    expect(engine.takeHint(team, "a", "free")).toEqual({ kind: "hunt_not_running" });
    expect(engine.checkIn(team, "cp-123")).toEqual({ kind: "hunt_not_running" });
    clock.time = START + 6 * 60 * MINUTE;
    expect(engine.guess(team, "a", "alpha")).toEqual({ kind: "hunt_not_running" });
  });

  test("limits incorrect and partial guesses per team in a sliding window, shared by teammates", () => {
    const { engine, clock } = makeEngine();
    const team = register(engine, "Gulls");
    engine.guess(team, "a", "x1");
    clock.advance(10_000);
    engine.guess(team, "a", "alp");
    clock.advance(10_000);
    engine.guess(team, "a", "x3");
    clock.advance(5_000);
    // The oldest of the three leaves the 1-minute window 35 s from now.
    expect(engine.guess(team, "a", "alpha")).toEqual({
      kind: "rate_limited",
      retryAfterSeconds: 35,
    });
    clock.advance(35_000);
    expect(engine.guess(team, "a", "alpha")).toMatchObject({ kind: "judged", result: "correct" });
  });

  test("lets extra guesses past the limit, each used once and recorded", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    for (const raw of ["x1", "x2", "x3"]) engine.guess(team, "a", raw);
    expect(engine.guess(team, "a", "x4").kind).toBe("rate_limited");
    engine.grantExtraGuesses(team, "a", 1);
    const extra = engine.guess(team, "a", "x4");
    expect(extra.kind === "judged" && extra.writes[0]).toMatchObject({
      kind: "guess",
      extraUsed: true,
    });
    expect(engine.guess(team, "a", "x5").kind).toBe("rate_limited");
  });

  test("counts wrong guesses for hint rules", () => {
    const { engine, hunt } = makeEngine();
    const team = register(engine, "Gulls");
    const puzzle = hunt.puzzles[0]!;
    const late = puzzle.hints[1]!;
    expect(engine.hintAvailable(team, puzzle, late)).toBe(false);
    engine.guess(team, "a", "x1");
    engine.guess(team, "a", "alp");
    expect(engine.hintAvailable(team, puzzle, late)).toBe(true);
  });
});

describe("unlocks", () => {
  test("a meta unlocks when enough of its round is solved", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    engine.guess(team, "a", "alpha");
    expect(ids(engine, team)).not.toContain("meta");
    const result = engine.guess(team, "b", "bravo");
    expect(result).toMatchObject({ kind: "judged", unlocked: ["meta", "rich"] });
  });

  test("score(), solves_with_tag() and solves() rules unlock together", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    engine.guess(team, "b", "bravo");
    expect(ids(engine, team)).not.toContain("rich");
    const result = engine.guess(team, "a", "alpha");
    expect(result).toMatchObject({ unlocked: expect.arrayContaining(["rich"]) });
  });

  test("a check-in unlocks its puzzle while it is locked, once", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    expect(engine.guess(team, "cp", "cp")).toEqual({ kind: "not_found" });
    const first = engine.checkIn(team, "cp-123");
    expect(first).toMatchObject({ kind: "ok", unlocked: ["cp"] });
    expect(first.kind === "ok" && first.writes.map((w) => w.kind)).toEqual(["checkin", "unlock"]);
    const again = engine.checkIn(team, "cp-123");
    expect(again).toMatchObject({ kind: "ok", unlocked: [], writes: [] });
    expect(engine.checkIn(team, "nope")).toEqual({ kind: "not_found" });
  });

  test("division() unlocks only for that division; no division matches none", () => {
    const { engine } = makeEngine();
    expect(ids(engine, register(engine, "Kids", { division: "kids" }))).toContain("kids-only");
    expect(ids(engine, register(engine, "Adults", { division: "adults" }))).not.toContain(
      "kids-only",
    );
    expect(ids(engine, register(engine, "None"))).not.toContain("kids-only");
  });

  test("time rules unlock at the next change time, found by tick()", () => {
    const { engine, clock } = makeEngine();
    const team = register(engine, "Gulls");
    expect(engine.nextChangeAt()).toBe(START + 30 * MINUTE);
    clock.time = START + 30 * MINUTE - 1;
    expect(engine.tick().writes).toEqual([]);
    clock.time = START + 30 * MINUTE;
    const { unlocked, writes } = engine.tick();
    expect(unlocked.get(team)).toEqual(["timed"]);
    expect(writes).toEqual([{
      kind: "unlock",
      teamId: team.id,
      puzzle: "timed",
      at: START + 30 * MINUTE,
    }]);
    expect(engine.nextChangeAt()).toBe(START + 31 * MINUTE);
  });

  test("a time-based unlock due while the server was down is dated at the restart", () => {
    const { engine, clock, hunt } = makeEngine();
    const { db, commit } = memoryLog();
    const registered = engine.register({ name: "Gulls", passwordHash: "h" });
    if (registered.kind !== "ok") throw new Error(registered.kind);
    commit(registered.writes);
    // Down from the start to 11:00: "timed" (minutes() >= 30) fell due at 10:30 meanwhile.
    clock.time = START + 60 * MINUTE;
    const again = new Engine(hunt, { clock, startsAt: START });
    again.restore(loadSnapshot(db, { now: clock.now(), longestWindowMs: MINUTE }));
    const { unlocked, writes } = again.tick();
    expect([...unlocked.values()]).toEqual([["timed"]]);
    expect(writes).toEqual([
      { kind: "unlock", teamId: registered.team.id, puzzle: "timed", at: START + 60 * MINUTE },
    ]);
  });

  test("unlocking is sticky: a lower score does not lock a puzzle again", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    engine.guess(team, "b", "bravo");
    engine.guess(team, "a", "alpha");
    expect(ids(engine, team)).toContain("rich");
    engine.adjust(team, -100, "penalty");
    expect(engine.score(team)).toBe(-70);
    expect(ids(engine, team)).toContain("rich");
  });

  test("unlocks found before an action that fails are queued in the background", () => {
    const { engine, clock } = makeEngine();
    const team = register(engine, "Gulls");
    clock.time = START + 45 * MINUTE;
    expect(engine.guess(team, "nope", "x")).toEqual({ kind: "not_found" });
    expect(engine.takeBackgroundWrites()).toEqual([
      { kind: "unlock", teamId: team.id, puzzle: "timed", at: START + 45 * MINUTE },
    ]);
    expect(engine.takeBackgroundWrites()).toEqual([]);
  });
});

describe("hints", () => {
  test("taking a hint is idempotent and charges its cost once", () => {
    const { engine, clock } = makeEngine();
    const team = register(engine, "Gulls");
    expect(engine.takeHint(team, "a", "late")).toEqual({ kind: "not_available" });
    clock.advance(20 * MINUTE);
    const first = engine.takeHint(team, "a", "late");
    expect(first).toMatchObject({ kind: "ok", charged: true });
    expect(engine.score(team)).toBe(-4);
    expect(engine.takeHint(team, "a", "late")).toMatchObject({
      kind: "ok",
      charged: false,
      writes: [],
    });
    expect(engine.score(team)).toBe(-4);
  });

  test("on a solved puzzle a hint not taken is refused, uncharged; one taken before is given again", () => {
    const { engine, clock, hunt } = makeEngine();
    const team = register(engine, "Gulls");
    const puzzle = hunt.puzzles[hunt.puzzleIndex.get("a")!]!;
    const [free, late] = puzzle.hints;
    clock.advance(20 * MINUTE);
    expect(engine.takeHint(team, "a", "free")).toMatchObject({ kind: "ok", charged: true });
    expect(engine.guess(team, "a", "alpha")).toMatchObject({ result: "correct" });
    expect(engine.score(team)).toBe(10);
    expect(engine.hintAvailable(team, puzzle, late!)).toBe(false);
    expect(engine.takeHint(team, "a", "late")).toEqual({ kind: "already_solved" });
    expect(engine.hintTaken(team, puzzle, late!)).toBe(false);
    expect(engine.takeHint(team, "a", "free")).toMatchObject({ kind: "ok", charged: false });
    expect(engine.hintTaken(team, puzzle, free!)).toBe(true);
    expect(engine.score(team)).toBe(10);
  });

  test("a hint with no rule is available as soon as its puzzle is", () => {
    const { engine } = makeEngine();
    const team = register(engine, "Gulls");
    expect(engine.takeHint(team, "a", "free")).toMatchObject({ kind: "ok", charged: true });
    expect(engine.score(team)).toBe(0);
    expect(engine.takeHint(team, "meta", "free")).toEqual({ kind: "not_found" });
    expect(engine.takeHint(team, "a", "nope")).toEqual({ kind: "not_found" });
  });
});

describe("Engine.standings()", () => {
  test("ranks by score, then by who reached it first, then by registration", () => {
    const { engine, clock } = makeEngine();
    const first = register(engine, "First");
    const second = register(engine, "Second");
    const third = register(engine, "Third");
    const idle = register(engine, "Idle");
    clock.advance(MINUTE);
    engine.guess(third, "a", "alpha");
    clock.advance(MINUTE);
    engine.guess(second, "a", "alpha");
    clock.advance(MINUTE);
    engine.guess(first, "b", "bravo");
    const rows = engine.standings().map((r) => [r.rank, r.team.name, r.score, r.solves]);
    expect(rows).toEqual([[1, "First", 20, 1], [2, "Third", 10, 1], [3, "Second", 10, 1], [
      4,
      "Idle",
      0,
      0,
    ]]);
    expect(idle.scoreEvents).toEqual([]);
  });

  test("ranks within a division, and freezes at a time", () => {
    const { engine, clock } = makeEngine();
    const kids = register(engine, "Kids", { division: "kids" });
    const adults = register(engine, "Adults", { division: "adults" });
    engine.guess(adults, "a", "alpha");
    clock.advance(MINUTE);
    const frozenAt = clock.now();
    clock.advance(MINUTE);
    engine.guess(kids, "b", "bravo");
    expect(engine.standings({ division: "kids" }).map((r) => [r.rank, r.team.name])).toEqual([[
      1,
      "Kids",
    ]]);
    expect(engine.standings({ at: frozenAt }).map((r) => [r.team.name, r.score])).toEqual([
      ["Adults", 10],
      ["Kids", 0],
    ]);
    expect(engine.standings().map((r) => [r.team.name, r.score])).toEqual([["Kids", 20], [
      "Adults",
      10,
    ]]);
  });
});

describe("Engine.standings(): the live board", () => {
  test("its kept totals agree with a board recomputed from every score change", () => {
    const { engine, clock } = makeEngine();
    const teams = ["North", "South", "East", "West", "Centre"].map((name) =>
      register(engine, name)
    );
    // A fixed mix of solves, hint costs and adjustments, a minute apart, with ties on the way.
    const steps: [number, (team: (typeof teams)[number]) => unknown][] = [
      [2, (t) => engine.guess(t, "a", "alpha")],
      [0, (t) => engine.guess(t, "a", "alpha")],
      [4, (t) => engine.guess(t, "a", "wrong")],
      [4, (t) => engine.guess(t, "a", "wrong")],
      [4, (t) => engine.takeHint(t, "a", "late")],
      [1, (t) => engine.adjust(t, 10, "found a typo")],
      [3, (t) => engine.guess(t, "b", "bravo")],
      [0, (t) => engine.adjust(t, -5, "late")],
      [2, (t) => engine.guess(t, "b", "bravo")],
    ];
    const view = (rows: ReturnType<typeof engine.standings>) =>
      rows.map((r) => [r.rank, r.team.name, r.score, r.solves, r.lastSolveAt]);
    for (const [index, step] of steps) {
      clock.advance(MINUTE);
      step(teams[index]!);
      expect(view(engine.standings())).toEqual(view(engine.standings({ at: clock.now() })));
    }
    expect(engine.standings().map((r) => [r.team.name, r.score])).toEqual([
      ["East", 30],
      ["West", 20],
      ["South", 10],
      ["North", 5],
      ["Centre", -4],
    ]);
  });
});

describe("fixes found in review", () => {
  test("puzzles stay hidden before the hunt starts, and open at the start", () => {
    const clock = new FakeClock(START - 60 * MINUTE);
    const { engine } = makeEngine(clock);
    const team = register(engine, "Early");
    expect(ids(engine, team)).toEqual([]);
    expect(engine.hintAvailable(team, engine.hunt.puzzles[0]!, engine.hunt.puzzles[0]!.hints[0]!))
      .toBe(false);
    clock.time = START;
    expect(ids(engine, team)).toEqual(["a", "b"]);
    expect(team.state.unlockedAt[0]).toBe(START);
  });

  test("with a per-minute rule, an after() boundary between minutes still counts", () => {
    const toml =
      `[hunt]\ntitle = "T"\nstarts_at = 2026-11-21T10:00:00Z\n\n[[puzzle]]\nid = "m"\ntitle = "M"\n` +
      `answer = "m"\nunlock = 'minutes() - solves() >= 100'\n\n[[puzzle]]\nid = "t"\ntitle = "T"\nanswer = "t"\n` +
      `unlock = 'after("2026-11-21T10:00:30Z")'\n`;
    const { hunt } = loadHunt(toml, { file: "t.toml" });
    const engine = new Engine(hunt!, { clock: new FakeClock(), startsAt: START });
    expect(engine.nextChangeAt(START)).toBe(START + 30_000);
    expect(engine.nextChangeAt(START + 30_000)).toBe(START + MINUTE);
  });

  test("a frozen board leaves out teams registered after the freeze", () => {
    const { engine, clock } = makeEngine();
    register(engine, "Before");
    const frozenAt = clock.now();
    clock.advance(MINUTE);
    register(engine, "After");
    expect(engine.standings({ at: frozenAt }).map((r) => r.team.name)).toEqual(["Before"]);
  });
});

describe("actions made offline on puzzles they unlocked", () => {
  const CHAIN = `
[hunt]
title = "Chain"
starts_at = 2026-11-21T10:00:00Z
ends_at = 2026-11-21T12:00:00Z
offline_grace = "10m"

[[puzzle]]
id = "p"
title = "P"
points = 100
answer = ["yes"]

[[puzzle]]
id = "q"
title = "Q"
unlock = 'solved("p")'
answer = ["yes"]

[[puzzle.hint]]
id = "h"
text = "Look up"
cost = 5
`;
  const END = Date.parse("2026-11-21T12:00:00Z");
  const setup = () => {
    const { hunt, problems } = loadHunt(CHAIN, { file: "chain.toml" });
    if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
    const clock = new FakeClock();
    const engine = new Engine(hunt, { clock, startsAt: START });
    return { engine, clock, team: register(engine, "A") };
  };

  test("after the end, a puzzle a queued solve opened cannot be solved as if seen before the end", () => {
    const { engine, clock, team } = setup();
    clock.time = END + 5 * MINUTE;
    // Made a minute before the end, sent within the grace: it counts then, and opens Q from then.
    const p = engine.guess(team, "p", "yes", END - MINUTE);
    expect(p).toMatchObject({ kind: "judged", result: "correct", unlocked: ["q"] });
    expect(team.state.unlockedAt[1]).toBe(END - MINUTE);
    // But the phone saw Q only now: an answer to it claimed before the end is past the end.
    expect(engine.guess(team, "q", "yes", END - 30_000)).toEqual({ kind: "hunt_not_running" });
    expect(engine.takeHint(team, "q", "h", END - 30_000)).toEqual({ kind: "hunt_not_running" });
    expect(engine.score(team)).toBe(100);
  });

  test("during the hunt, such an action counts from when the puzzle reached the team", () => {
    const { engine, clock, team } = setup();
    clock.time = START + 60 * MINUTE;
    engine.guess(team, "p", "yes", START + 50 * MINUTE);
    const q = engine.guess(team, "q", "yes", START + 55 * MINUTE);
    expect(q).toMatchObject({ kind: "judged", result: "correct" });
    expect(team.solvedAt[1]).toBe(START + 60 * MINUTE);
    // A puzzle the team saw online keeps the time its action was made.
    clock.time = START + 70 * MINUTE;
    const other = register(engine, "B");
    clock.time = START + 80 * MINUTE;
    engine.guess(other, "p", "yes");
    clock.time = START + 90 * MINUTE;
    expect(engine.guess(other, "q", "yes", START + 85 * MINUTE)).toMatchObject({ kind: "judged" });
    expect(other.solvedAt[1]).toBe(START + 85 * MINUTE);
  });
});
