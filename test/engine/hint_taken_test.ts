import { describe, expect, test } from "bun:test";
import { Engine } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { bootEngine } from "../../src/server/boot.ts";
import { openDatabase, SqliteStore } from "../../src/store/mod.ts";
import { FakeClock, MINUTE, START } from "./_hunt.ts";

const TOML = (rule: string) => `
[hunt]
title = "Hints"
starts_at = 2026-11-21T10:00:00Z

[[puzzle]]
id = "a"
title = "A"
points = 50
answer = ["x"]

[[puzzle.hint]]
id = "first"
text = "One"
cost = 5

[[puzzle.hint]]
id = "second"
text = "Two"
cost = 10
unlock = '${rule}'
`;

const problems = (rule: string) =>
  loadHunt(TOML(rule), { file: "h.toml" }).problems.map((p) => p.message);

describe('hint_taken("id")', () => {
  test("makes a hint wait for another of its puzzle, and holds after a restart", async () => {
    const { hunt } = loadHunt(TOML('hint_taken("first")'), { file: "h.toml" });
    const clock = new FakeClock(START + MINUTE);
    const store = SqliteStore.over(openDatabase(":memory:"));
    store.saveScoring(hunt!);
    const engine = bootEngine(store, hunt!, clock).engine;
    const registered = engine.register({ name: "Gulls", passwordHash: "h" });
    if (registered.kind !== "ok") throw new Error("register");
    await store.commit(registered.writes);
    const team = registered.team;
    expect(engine.takeHint(team, "a", "second").kind).toBe("not_available");
    const first = engine.takeHint(team, "a", "first");
    expect(first.kind).toBe("ok");
    await store.commit(first.kind === "ok" ? first.writes : []);
    const puzzle = hunt!.puzzles[0]!;
    expect(engine.hintAvailable(team, puzzle, puzzle.hints[1]!)).toBe(true);

    const restarted: Engine = bootEngine(store, hunt!, clock).engine;
    const again = restarted.teamByName("Gulls")!;
    expect(restarted.hintAvailable(again, puzzle, puzzle.hints[1]!)).toBe(true);
    expect(restarted.takeHint(again, "a", "second").kind).toBe("ok");
    expect(restarted.score(again)).toBe(-15);
    store.close();
  });

  const errors: [string, string, string][] = [
    [
      "an unknown hint",
      'hint_taken("frist")',
      'Unknown hint "frist" of this puzzle (did you mean "first"?)',
    ],
    ["the hint itself", 'hint_taken("second")', 'Hint "second" cannot need itself taken'],
  ];
  for (const [what, rule, message] of errors) {
    test(`is refused for ${what}`, () => expect(problems(rule)).toContain(message));
  }

  test("is refused in a puzzle's rule", () => {
    const toml = TOML("true").replace(
      'answer = ["x"]',
      'answer = ["x"]\nunlock = \'hint_taken("first")\'',
    );
    const messages = loadHunt(toml, { file: "h.toml" }).problems.map((p) => p.message);
    expect(messages).toContain("hint_taken() can only be used in a hint's rule");
  });
});
