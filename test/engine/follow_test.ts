// Engine.apply: nodes that decide in turn on one shared log, and a node that
// only follows it, hold the same state as a node booted from that log.
import { describe, expect, test } from "bun:test";
import type { Engine, Team, Write } from "../../src/engine/mod.ts";
import { bootEngine } from "../../src/server/boot.ts";
import { openDatabase, SqliteStore } from "../../src/store/mod.ts";
import { FakeClock, makeEngine, MINUTE, START } from "./_hunt.ts";

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** What a team's state looks like from outside, for comparison. */
function view(engine: Engine, team: Team) {
  return {
    name: team.name,
    score: engine.score(team),
    solves: engine.solveCount(team),
    unlocked: engine.hunt.puzzles.map((p) => team.state.unlockedAt[p.index]),
    solvedAt: [...team.solvedAt],
    hints: [...team.hints].sort(),
    wrong: [...team.state.counts],
    extra: [...team.extraGuesses.entries()].sort(),
    history: engine.scoreHistory(team),
  };
}

function views(engine: Engine) {
  return {
    teams: [...engine.teams.values()].map((team) => view(engine, team)),
    standings: engine.standings().map((s) => ({ ...s, team: s.team.id })),
    withHidden: engine.standings({ hidden: true }).map((s) => ({ ...s, team: s.team.id })),
    hidden: [...engine.teams.values()].filter((team) => team.hidden).map((team) => team.id),
    banned: [...engine.teams.values()].filter((team) => team.banned).map((team) => team.id),
  };
}

/** One node: its engine and how far it has read the shared log. */
interface Node {
  engine: Engine;
  read: number;
}

describe("Engine.apply", () => {
  for (const seed of [1, 2, 3]) {
    test(`two deciding nodes and a follower agree with a boot from the log (seed ${seed})`, async () => {
      const next = random(seed);
      const clock = new FakeClock(START + MINUTE);
      const log: Write[] = [];
      const nodes: Node[] = [0, 1].map(() => ({ engine: makeEngine(clock).engine, read: 0 }));
      const follower: Node = { engine: makeEngine(clock).engine, read: 0 };
      const catchUp = (node: Node) => {
        for (; node.read < log.length; node.read++) node.engine.apply(log[node.read]!);
      };
      /** Decides under the "lock": catch up, decide, append (background unlocks too). */
      const turn = (node: Node, decide: (engine: Engine) => readonly Write[]) => {
        catchUp(node);
        const writes = [...decide(node.engine)];
        log.push(...node.engine.takeBackgroundWrites(), ...writes);
        node.read = log.length;
      };
      const answers: Record<string, string[]> = {
        a: ["alpha", "alp", "nope"],
        b: ["bravo", "no"],
        meta: ["meta", "x"],
        "after-a": ["x", "y"],
        cp: ["cp"],
        timed: ["t"],
        "kids-only": ["k"],
        rich: ["r"],
      };
      const puzzles = Object.keys(answers);
      const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
      for (let step = 0; step < 600; step++) {
        clock.advance(Math.floor(next() * 20_000));
        const node = pick(nodes);
        const roll = next();
        // A read on a node that has not caught up may record a time-based unlock of its own.
        if (roll < 0.05) {
          const team = pick([...node.engine.teams.values(), undefined]);
          if (team !== undefined) node.engine.catchUp(team);
          continue;
        }
        turn(node, (engine) => {
          const teams = [...engine.teams.values()];
          if (teams.length < 3 || roll < 0.08) {
            const registered = engine.register({
              name: `Team ${teams.length + 1}`,
              passwordHash: "h",
              division: pick(["kids", "adults", null]),
            });
            return registered.kind === "ok" ? registered.writes : [];
          }
          const team = pick(teams);
          const puzzle = pick(puzzles);
          if (roll < 0.7) {
            const outcome = engine.guess(team, puzzle, pick(answers[puzzle]!));
            return outcome.kind === "judged" ? outcome.writes : [];
          }
          if (roll < 0.8) {
            const outcome = engine.takeHint(team, "a", pick(["free", "late"]));
            return outcome.kind === "ok" ? outcome.writes : [];
          }
          if (roll < 0.88) {
            const outcome = engine.checkIn(team, pick(["cp-123", "wrong"]));
            return outcome.kind === "ok" ? outcome.writes : [];
          }
          if (roll < 0.93) return engine.adjust(team, pick([-3, 5, 12]), "manual").writes;
          if (roll < 0.945) {
            return team.banned ? [] : engine.hideTeam(team, !team.hidden).writes;
          }
          if (roll < 0.95) return engine.banTeam(team, !team.banned).writes;
          if (roll < 0.97) return engine.grantExtraGuesses(team, "a", 2)?.writes ?? [];
          return engine.tick().writes;
        });
      }
      for (const node of [...nodes, follower]) catchUp(node);

      // A node booted from the log: the records written into a database as a
      // shared log's reader does (the earliest unlock wins), then the usual boot.
      const store = SqliteStore.over(openDatabase(":memory:"));
      store.saveScoring(nodes[0]!.engine.hunt);
      const booted = bootEngine(store, nodes[0]!.engine.hunt, clock);
      await store.commit(log);
      const fresh = bootEngine(store, nodes[0]!.engine.hunt, clock).engine;
      expect(booted.engine.teams.size).toBe(0);

      expect(log.filter((w) => w.kind === "guess" && w.result === "correct").length)
        .toBeGreaterThan(10);
      const expected = views(fresh);
      expect(views(nodes[0]!.engine)).toEqual(expected);
      expect(views(nodes[1]!.engine)).toEqual(expected);
      expect(views(follower.engine)).toEqual(expected);
      // Ids go on from what any node handed out: a new team gets the next id everywhere.
      const ids = [...nodes, follower].map((node) => {
        const r = node.engine.register({ name: "Late", passwordHash: "h" });
        return r.kind === "ok" ? r.team.id : -1;
      });
      expect(new Set(ids).size).toBe(1);
      store.close();
    });
  }

  test("a followed wrong guess keeps only the guess limit's window in memory", () => {
    const clock = new FakeClock(START + MINUTE);
    const { engine } = makeEngine(clock);
    const registered = engine.register({ name: "Owls", passwordHash: "h" });
    if (registered.kind !== "ok") throw new Error("register");
    const team = registered.team;
    // Puzzle "a" allows 3 wrong guesses a minute; another node decides 3 every minute for 5 hours.
    const a = engine.hunt.puzzleIndex.get("a")!;
    let id = 1;
    for (let minute = 0; minute < 300; minute++) {
      for (const second of [10, 20, 30]) {
        const at = START + (minute + 1) * MINUTE + second * 1000;
        engine.apply({
          kind: "guess",
          id: id++,
          teamId: team.id,
          puzzle: "a",
          raw: "nope",
          normalized: "NOPE",
          result: "incorrect",
          extraUsed: false,
          at,
        });
      }
    }
    expect(team.state.counts[engine.layout.wrongGuesses + a]).toBe(900);
    expect(team.recentWrong.get(a)).toHaveLength(3);
    // The limit still holds here: the last minute's three guesses are counted.
    clock.time = START + 300 * MINUTE + 40_000;
    expect(engine.guess(team, "a", "still nope").kind).toBe("rate_limited");
  });

  test("the earliest of two unlock times wins, in either order", () => {
    const clock = new FakeClock(START + 40 * MINUTE);
    const { engine } = makeEngine(clock);
    const registered = engine.register({ name: "Owls", passwordHash: "h" });
    if (registered.kind !== "ok") throw new Error("register");
    const team = registered.team;
    const timed = engine.hunt.puzzleIndex.get("timed")!;
    const at = team.state.unlockedAt[timed]!;
    engine.apply({ kind: "unlock", teamId: team.id, puzzle: "timed", at: at + 5 });
    expect(team.state.unlockedAt[timed]).toBe(at);
    engine.apply({ kind: "unlock", teamId: team.id, puzzle: "timed", at: at - 5 });
    expect(team.state.unlockedAt[timed]).toBe(at - 5);
  });

  test("time never goes back past another node's records", () => {
    const clock = new FakeClock(START + MINUTE);
    const { engine } = makeEngine(clock);
    engine.apply({ kind: "announcement", id: 7, text: "hi", at: START + 10 * MINUTE });
    expect(engine.now()).toBeGreaterThanOrEqual(START + 10 * MINUTE);
    expect(engine.announce("next").id).toBe(8);
  });

  test("a rename is followed, and a boot from the log has it: found by the new name only", async () => {
    const clock = new FakeClock(START + MINUTE);
    const decider = makeEngine(clock).engine;
    const follower = makeEngine(clock).engine;
    const log: Write[] = [];
    for (const name of ["Gulls", "Terns"]) {
      const registered = decider.register({ name, passwordHash: "h" });
      if (registered.kind !== "ok") throw new Error("register");
      log.push(...registered.writes);
    }
    const [gulls, terns] = [...decider.teams.values()] as [Team, Team];
    // A swap of two names, through a third: each write keeps the names unique.
    for (const [team, name] of [[gulls, "Swap"], [terns, "Gulls"], [gulls, "Terns"]] as const) {
      const outcome = decider.renameTeam(team, name);
      if (outcome.kind !== "ok") throw new Error(outcome.kind);
      log.push(...outcome.writes);
    }
    expect(log.filter((w) => w.kind === "team_name")).toEqual([
      { kind: "team_name", teamId: 1, name: "Swap", nameKey: "swap" },
      { kind: "team_name", teamId: 2, name: "Gulls", nameKey: "gulls" },
      { kind: "team_name", teamId: 1, name: "Terns", nameKey: "terns" },
    ]);
    for (const write of log) follower.apply(write);
    const store = SqliteStore.over(openDatabase(":memory:"));
    store.saveScoring(decider.hunt);
    await store.commit(log);
    const fresh = bootEngine(store, decider.hunt, clock).engine;
    for (const engine of [decider, follower, fresh]) {
      expect([...engine.teams.values()].map((t) => [t.id, t.name])).toEqual([
        [1, "Terns"],
        [2, "Gulls"],
      ]);
      expect(engine.teamByName("terns")?.id).toBe(1);
      expect(engine.teamByName("GULLS")?.id).toBe(2);
      expect(engine.teamByName("Swap")).toBeUndefined();
    }
    store.close();
  });

  test("renameTeam() refuses another team's name and an empty one, and writes nothing for the same name", () => {
    const { engine } = makeEngine(new FakeClock(START + MINUTE));
    const teams = ["Gulls", "Terns"].map((name) => {
      const registered = engine.register({ name, passwordHash: "h" });
      if (registered.kind !== "ok") throw new Error("register");
      return registered.team;
    });
    const terns = teams[1]!;
    expect(engine.renameTeam(terns, " gulls ")).toEqual({ kind: "name_taken" });
    expect(engine.renameTeam(terns, "  ")).toEqual({
      kind: "invalid",
      message: "The team name is empty",
    });
    expect(engine.renameTeam(terns, " Terns ")).toEqual({ kind: "ok", writes: [] });
    expect(engine.renameTeam(terns, "TERNS")).toEqual({
      kind: "ok",
      writes: [{ kind: "team_name", teamId: 2, name: "TERNS", nameKey: "terns" }],
    });
    expect(terns.name).toBe("TERNS");
  });
});
