// Per-team generation in the engine: each team's variant of a puzzle, and its
// route through the stops, from guesses and check-ins to the route rules.
import { describe, expect, test } from "bun:test";
import { Engine, type Hunt, type Team } from "../../src/engine/mod.ts";
import { seededRandom } from "../../src/engine/seed.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { loadSnapshot } from "../../src/store/mod.ts";
import { FakeClock, memoryLog, MINUTE, START } from "./_hunt.ts";

function load(toml: string): Hunt {
  const { hunt, problems } = loadHunt(toml, { file: "hunt.toml" });
  if (!hunt) throw new Error(problems.map((p) => p.message).join("\n"));
  return hunt;
}

function register(engine: Engine, name: string): Team {
  const result = engine.register({ name, passwordHash: "x" });
  if (result.kind !== "ok") throw new Error(result.kind);
  return result.team;
}

/** A hunt with one puzzle per variant count in `counts`, each variant's answer naming it. */
function variantHunt(seed: string, counts: number[]): string {
  const puzzles = counts.map((count, i) =>
    [
      `[[puzzle]]\nid = "p${i}"\ntitle = "P${i}"\nother_variant_message = "Another team's answer"`,
      ...Array.from({ length: count }, (_, j) =>
        `[[puzzle.variant]]\nbody = "Version ${j}"\nanswer = "answer ${i} ${j}"`),
    ].join("\n")
  );
  return `[hunt]\ntitle = "Variants"\nseed = "${seed}"\nstarts_at = 2026-11-21T10:00:00Z\n\n${
    puzzles.join("\n\n")
  }\n`;
}

describe("variants", () => {
  test("stay balanced within one across teams, for random team and variant counts", () => {
    const random = seededRandom(42);
    for (let round = 0; round < 30; round++) {
      const counts = Array.from({ length: 1 + random.below(4) }, () => 2 + random.below(5));
      const hunt = load(variantHunt(`seed-${round}`, counts));
      const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
      const teams = Array.from(
        { length: 1 + random.below(40) },
        (_, i) => register(engine, `T${i}`),
      );
      for (const puzzle of hunt.puzzles) {
        const per = puzzle.variants!.map(() => 0);
        for (const team of teams) per[engine.variant(team, puzzle)!.index]!++;
        expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
      }
    }
  });

  test("the same seed gives every team the same variants; another seed, others", () => {
    const assign = (seed: string) => {
      const hunt = load(variantHunt(seed, [3, 4, 5, 2, 3, 4]));
      const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
      const teams = Array.from({ length: 7 }, (_, i) => register(engine, `T${i}`));
      return teams.map((team) => hunt.puzzles.map((p) => engine.variant(team, p)!.index));
    };
    expect(assign("harbor-2026")).toEqual(assign("harbor-2026"));
    expect(assign("harbor-2026")).not.toEqual(assign("harbor-2027"));
  });

  test("a team's own answer is correct; another variant's is incorrect, with the message", () => {
    const hunt = load(variantHunt("s", [2]));
    const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
    const [a, b] = [register(engine, "A"), register(engine, "B")];
    const puzzle = hunt.puzzles[0]!;
    const va = engine.variant(a, puzzle)!.index;
    const vb = engine.variant(b, puzzle)!.index;
    expect(va).not.toBe(vb);
    const other = engine.guess(a, "p0", `answer 0 ${vb}`);
    expect(other).toMatchObject({
      kind: "judged",
      result: "incorrect",
      message: "Another team's answer",
    });
    const wrong = engine.guess(a, "p0", "nonsense");
    expect(wrong).toMatchObject({ kind: "judged", result: "incorrect" });
    expect(wrong.kind === "judged" && "message" in wrong).toBe(false);
    expect(engine.guess(a, "p0", `answer 0 ${va}`)).toMatchObject({ result: "correct" });
    expect(engine.guess(b, "p0", `answer 0 ${vb}`)).toMatchObject({ result: "correct" });
    expect(engine.bodySource(a, puzzle).body).toBe(`Version ${va}`);
  });

  test("only the team's own variant's checkpoint checks it in", () => {
    const hunt = load(`
[hunt]
title = "Bridge"
seed = "bridge"
starts_at = 2026-11-21T10:00:00Z

[[puzzle]]
id = "bridge"
title = "Bridge"
unlock = 'checked_in("bridge")'

[[puzzle.variant]]
answer = "north"
checkpoint = { code = "north" }

[[puzzle.variant]]
answer = "south"
checkpoint = { code = "south" }
`);
    const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
    const team = register(engine, "A");
    const mine = engine.variant(team, hunt.puzzles[0]!)!.checkpoint!.code;
    const theirs = mine === "north" ? "south" : "north";
    expect(engine.checkIn(team, theirs).kind).toBe("other_variant");
    expect(engine.unlockedPuzzles(team)).toEqual([]);
    expect(engine.checkIn(team, mine)).toMatchObject({ kind: "ok", unlocked: ["bridge"] });
  });
});

const ROUTE_HUNT = (advance: "solve" | "checkin") => `
[hunt]
title = "Trail"
seed = "trail"
starts_at = 2026-11-21T10:00:00Z

[[route]]
id = "trail"
stops = ["a", "b", "c", "d"]
first = "a"
advance = "${advance}"

[[puzzle]]
id = "a"
title = "A"
checkpoint = { code = "a-code" }
answer = "a"

[[puzzle]]
id = "b"
title = "B"
checkpoint = { code = "b-code" }
answer = "b"

[[puzzle]]
id = "c"
title = "C"
checkpoint = { code = "c-code" }
answer = "c"

[[puzzle]]
id = "d"
title = "D"
checkpoint = { code = "d-code" }
answer = "d"

[[puzzle]]
id = "halfway"
title = "Halfway"
unlock = 'route_progress("trail") >= 2'
answer = "h"

[[puzzle]]
id = "d-last"
title = "D last"
unlock = 'route_position("d") == 4'
answer = "x"
`;

/** The reviewer's hunt: four stops on an ordered route, and a finale after all four. */
const ORDERED_HUNT = (advance: "solve" | "checkin") => `
[hunt]
title = "Ordered"
seed = "s1"
starts_at = 2026-11-21T10:00:00Z

[[route]]
id = "r"
stops = ["s1", "s2", "s3", "s4"]
ordered = true
advance = "${advance}"
${
  [1, 2, 3, 4].map((i) => `
[[puzzle]]
id = "s${i}"
title = "S${i}"
points = 10
answer = "a${i}"
checkpoint = { code = "code-${i}" }`).join("\n")
}

[[puzzle]]
id = "finale"
title = "Finale"
unlock = 'route_progress("r") >= 4'
answer = "end"
`;

describe("routes", () => {
  test("each team gets its order at registration; stop k+1 opens when stop k is solved", () => {
    const hunt = load(ROUTE_HUNT("solve"));
    const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
    const teams = ["A", "B", "C"].map((name) => register(engine, name));
    const orders = teams.map((team) => engine.routeOf(team, hunt.routes[0]!));
    // Three teams on three free stops: a rotation, so they never meet after "a".
    for (let step = 1; step < 4; step++) {
      expect(new Set(orders.map((order) => order[step])).size).toBe(3);
    }
    const team = teams[0]!;
    const order = orders[0]!;
    const visible = () => engine.unlockedPuzzles(team).map((p) => p.id).sort();
    const dLast = order[3] === "d" ? ["d-last"] : [];
    expect(visible()).toEqual(["a", ...dLast].sort());
    // A check-in does not move a team on while the route advances on solves.
    engine.checkIn(team, "a-code");
    expect(visible()).toEqual(["a", ...dLast].sort());
    expect(engine.guess(team, "a", "a")).toMatchObject({ result: "correct", unlocked: [order[1]] });
    const second = engine.guess(team, order[1]!, order[1]!);
    expect(second).toMatchObject({ unlocked: [order[2], "halfway"].sort(byIndex(hunt)) });
    // A stop not yet reached is not found, as any locked puzzle.
    expect(engine.guess(team, order[3]!, order[3]!).kind).toBe("not_found");
  });

  test('with advance = "checkin", a check-in at stop k opens stop k+1', () => {
    const hunt = load(ROUTE_HUNT("checkin"));
    const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
    const team = register(engine, "A");
    const order = engine.routeOf(team, hunt.routes[0]!);
    expect(engine.checkIn(team, "a-code")).toMatchObject({ unlocked: [order[1]] });
    const second = engine.checkIn(team, `${order[1]}-code`);
    expect(second).toMatchObject({ unlocked: [order[2], "halfway"].sort(byIndex(hunt)) });
    // Solving a stop already checked in at does not count it twice.
    engine.guess(team, order[1]!, order[1]!);
    expect(team.state.counts[engine.layout.routeProgress]).toBe(2);
  });

  test("an ordered route advancing on check-ins refuses a check-in at a stop not reached", () => {
    const hunt = load(ORDERED_HUNT("checkin"));
    const clock = new FakeClock(START + MINUTE);
    const engine = new Engine(hunt, { clock, startsAt: START });
    const { db, commit } = memoryLog();
    const registered = engine.register({ name: "A", passwordHash: "x" });
    if (registered.kind !== "ok") throw new Error(registered.kind);
    commit(registered.writes);
    const team = registered.team;
    const visible = () => engine.unlockedPuzzles(team).map((p) => p.id);
    const progress = () => team.state.counts[engine.layout.routeProgress];
    const checkIn = (code: string) => {
      const outcome = engine.checkIn(team, code);
      if (outcome.kind === "ok") commit(outcome.writes);
      return outcome.kind === "ok" ? outcome.unlocked : outcome.kind;
    };
    // Stops 3 and 2 are not reached: refused, and nothing moves.
    expect(checkIn("code-3")).toBe("not_reached");
    expect(checkIn("code-2")).toBe("not_reached");
    expect(visible()).toEqual(["s1"]);
    expect(progress()).toBe(0);
    expect(engine.guess(team, "s4", "a4").kind).toBe("not_found");
    // In order, each check-in opens the next stop; the last one, the finale.
    expect(checkIn("code-1")).toEqual(["s2"]);
    expect(checkIn("code-3")).toBe("not_reached");
    expect(checkIn("code-2")).toEqual(["s3"]);
    expect(checkIn("code-3")).toEqual(["s4"]);
    // A check-in again at a stop already done is still accepted, and changes nothing.
    expect(checkIn("code-1")).toEqual([]);
    expect(progress()).toBe(3);
    expect(checkIn("code-4")).toEqual(["finale"]);
    expect(progress()).toBe(4);
    // A restart replays the check-ins to the same state.
    const again = new Engine(hunt, { clock, startsAt: START });
    again.restore(loadSnapshot(db, { now: clock.now(), longestWindowMs: MINUTE }));
    const restored = again.teams.get(team.id)!;
    expect(restored.state.counts).toEqual(team.state.counts);
    expect(again.unlockedPuzzles(restored).map((p) => p.id)).toEqual(visible());
  });

  test("a route advancing on solves refuses a check-in at a stop not reached too", () => {
    const hunt = load(ORDERED_HUNT("solve"));
    const engine = new Engine(hunt, { clock: new FakeClock(START + MINUTE), startsAt: START });
    const team = register(engine, "A");
    const checkedIn = (stop: string) =>
      team.state.counts[engine.layout.checkedIn + hunt.puzzleIndex.get(stop)!];
    expect(engine.checkIn(team, "code-2").kind).toBe("not_reached");
    expect(checkedIn("s2")).toBe(0);
    // At the stop it has reached, a check-in works; solving it opens the next one.
    expect(engine.checkIn(team, "code-1")).toMatchObject({ kind: "ok", unlocked: [] });
    expect(engine.guess(team, "s1", "a1")).toMatchObject({ result: "correct", unlocked: ["s2"] });
    expect(engine.checkIn(team, "code-2")).toMatchObject({ kind: "ok", unlocked: [] });
    expect(checkedIn("s2")).toBe(1);
    expect(engine.checkIn(team, "code-3").kind).toBe("not_reached");
  });

  test("a hunt without routes keeps the team state as small as before", () => {
    const hunt = load(variantHunt("s", [2]));
    const engine = new Engine(hunt, { clock: new FakeClock(), startsAt: START });
    const team = register(engine, "A");
    expect(team.previousStop.length).toBe(0);
    expect(engine.layout.size).toBe(engine.layout.routePosition);
  });
});

function byIndex(hunt: Hunt) {
  return (a: string | undefined, b: string | undefined) =>
    hunt.puzzleIndex.get(a!)! - hunt.puzzleIndex.get(b!)!;
}
