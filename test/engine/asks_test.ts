import { describe, expect, test } from "bun:test";
import { Engine, type Write } from "../../src/engine/mod.ts";
import { loadHunt } from "../../src/hunt/mod.ts";
import { loadSnapshot, readResults, saveScoring } from "../../src/store/mod.ts";
import { ASKS_TOML } from "./_asks.ts";
import { engineWithTeam, memoryLog, MINUTE, ok, START } from "./_hunt.ts";

const HOUR = 60 * MINUTE;
/** The asks hunt's ends_at. */
const END = START + 6 * HOUR;

function setup(tokens = "") {
  return engineWithTeam(ASKS_TOML(tokens), "a.toml");
}

describe("asks for points", () => {
  test("ask() charges the hint's cost and keeps one open question per hint", () => {
    const { engine, team } = setup();
    const asked = ok(engine.ask(team, "lighthouse", "ask", "Is it a star?"));
    expect(asked.ask).toMatchObject({ status: "open", cost: 10, token: false, answer: null });
    expect(engine.score(team)).toBe(-10);
    expect(asked.writes[0]).toMatchObject({ kind: "ask", question: "Is it a star?", cost: 10 });
    expect(engine.ask(team, "lighthouse", "ask", "Again?")).toEqual({
      kind: "open",
      ask: asked.ask,
    });
  });

  test("ask() refuses a text hint, an unknown hint and a solved puzzle; takeHint() refuses an ask", () => {
    const { engine, team } = setup();
    expect(engine.ask(team, "lighthouse", "nudge", "?").kind).toBe("not_an_ask");
    expect(engine.ask(team, "lighthouse", "nope", "?").kind).toBe("not_found");
    expect(engine.ask(team, "nowhere", "ask", "?").kind).toBe("not_found");
    expect(engine.takeHint(team, "lighthouse", "ask").kind).toBe("ask");
    expect(engine.guess(team, "lighthouse", "polaris")).toMatchObject({ result: "correct" });
    expect(engine.ask(team, "lighthouse", "ask", "?").kind).toBe("already_solved");
  });

  test("an answer keeps the cost; a refusal and a withdrawal pay it back", () => {
    const { engine, team } = setup();
    const first = ok(engine.ask(team, "lighthouse", "ask", "One?")).ask;
    ok(engine.closeAsk(first.id, { kind: "answer", answer: "Look north" }));
    expect(engine.score(team)).toBe(-10);
    const second = ok(engine.ask(team, "lighthouse", "ask", "Two?")).ask;
    expect(engine.score(team)).toBe(-20);
    const refused = ok(engine.closeAsk(second.id, { kind: "refuse", message: "Too direct" }));
    expect(refused.ask).toMatchObject({ status: "refused", answer: "Too direct" });
    expect(engine.score(team)).toBe(-10);
    const third = ok(engine.ask(team, "lighthouse", "ask", "Three?")).ask;
    ok(engine.closeAsk(third.id, { kind: "withdraw", teamId: team.id }));
    expect(engine.score(team)).toBe(-10);
    expect(engine.asksOf(team).map((a) => a.status)).toEqual(["answered", "refused", "withdrawn"]);
  });

  test("the first close wins: a second answer, or a withdrawal after it, is refused", () => {
    const { engine, team } = setup();
    const ask = ok(engine.ask(team, "lighthouse", "ask", "?")).ask;
    ok(engine.closeAsk(ask.id, { kind: "answer", answer: "First" }));
    expect(engine.closeAsk(ask.id, { kind: "answer", answer: "Second" }).kind).toBe("closed");
    expect(engine.closeAsk(ask.id, { kind: "withdraw", teamId: team.id }).kind).toBe("closed");
    expect(engine.closeAsk(ask.id, { kind: "refuse" }).kind).toBe("closed");
    expect(engine.asks.get(ask.id)!.answer).toBe("First");
    expect(engine.score(team)).toBe(-10);
    expect(engine.closeAsk(999, { kind: "answer", answer: "x" }).kind).toBe("not_found");
  });

  test("after the end an open ask can be answered, not withdrawn or refused: the score is final", () => {
    const { engine, team, clock } = setup();
    const other = engine.register({ name: "Terns", passwordHash: "h" });
    if (other.kind !== "ok") throw new Error("cannot register");
    const mine = ok(engine.ask(team, "lighthouse", "ask", "Mine?")).ask;
    const theirs = ok(engine.ask(other.team, "lighthouse", "ask", "Theirs?")).ask;
    const before = [engine.score(team), team.reachedAt, engine.score(other.team)];
    clock.time = END;
    expect(engine.closeAsk(mine.id, { kind: "withdraw", teamId: team.id })).toEqual({
      kind: "hunt_not_running",
    });
    expect(engine.closeAsk(theirs.id, { kind: "refuse", message: "No" })).toEqual({
      kind: "hunt_not_running",
    });
    expect([mine.status, theirs.status]).toEqual(["open", "open"]);
    const answered = ok(engine.closeAsk(theirs.id, { kind: "answer", answer: "Look up" }));
    expect(answered.ask).toMatchObject({ status: "answered", closedAt: END });
    expect([engine.score(team), team.reachedAt, engine.score(other.team)]).toEqual(before);
  });

  test("a team cannot withdraw another team's ask", () => {
    const { engine, team } = setup();
    const other = engine.register({ name: "Terns", passwordHash: "h" });
    if (other.kind !== "ok") throw new Error("cannot register");
    const ask = ok(engine.ask(team, "lighthouse", "ask", "?")).ask;
    expect(engine.closeAsk(ask.id, { kind: "withdraw", teamId: other.team.id }).kind).toBe(
      "not_found",
    );
    expect(engine.asks.get(ask.id)!.status).toBe("open");
  });
});

describe("hint tokens", () => {
  const TOKENS = 'hint_tokens = { start = 1, every = "1h", max = 3 }';

  test("tokens come over time from the start, up to max", () => {
    const { engine, team, clock } = setup(TOKENS);
    expect(engine.hintTokens(team)).toEqual({
      given: 1,
      spent: 0,
      left: 1,
      nextAt: START + HOUR,
    });
    clock.time = START + HOUR;
    expect(engine.hintTokens(team)!.given).toBe(2);
    clock.time = START + 2 * HOUR + 5;
    expect(engine.hintTokens(team)).toMatchObject({ given: 3, nextAt: null });
    clock.time = START + 5 * HOUR;
    expect(engine.hintTokens(team)!.given).toBe(3);
  });

  test("an ask takes a token (and its points); none left is refused until the next one", () => {
    const { engine, team, clock } = setup(TOKENS);
    const first = ok(engine.ask(team, "lighthouse", "ask", "One?")).ask;
    expect(first).toMatchObject({ token: true, cost: 10 });
    ok(engine.closeAsk(first.id, { kind: "answer", answer: "A" }));
    expect(engine.hintTokens(team)).toMatchObject({ spent: 1, left: 0 });
    expect(engine.ask(team, "lighthouse", "ask", "Two?")).toEqual({
      kind: "no_tokens",
      nextAt: START + HOUR,
    });
    clock.time = START + HOUR;
    ok(engine.ask(team, "lighthouse", "ask", "Two?"));
    expect(engine.hintTokens(team)).toMatchObject({ given: 2, spent: 2, left: 0 });
  });

  test("a refused or withdrawn ask gives its token back", () => {
    const { engine, team } = setup(TOKENS);
    const ask = ok(engine.ask(team, "lighthouse", "ask", "?")).ask;
    expect(engine.hintTokens(team)!.left).toBe(0);
    ok(engine.closeAsk(ask.id, { kind: "refuse" }));
    expect(engine.hintTokens(team)!.left).toBe(1);
    const again = ok(engine.ask(team, "lighthouse", "ask", "?")).ask;
    ok(engine.closeAsk(again.id, { kind: "withdraw", teamId: team.id }));
    expect(engine.hintTokens(team)).toMatchObject({ spent: 0, left: 1 });
  });

  test("no token comes at or after the end", () => {
    // A token every 2 hours from 10:00: 12:00 and 14:00 come, 16:00 is the end.
    const { engine, team, clock } = setup('hint_tokens = { start = 1, every = "2h" }');
    clock.time = END - 2 * HOUR - 1;
    expect(engine.hintTokens(team)).toMatchObject({ given: 2, nextAt: END - 2 * HOUR });
    clock.time = END - 1;
    expect(engine.hintTokens(team)).toMatchObject({ given: 3, nextAt: null });
    clock.time = END;
    expect(engine.hintTokens(team)).toMatchObject({ given: 3, left: 3, nextAt: null });
    clock.time = END + 10 * HOUR;
    expect(engine.hintTokens(team)).toMatchObject({ given: 3, left: 3, nextAt: null });
  });

  test("without hint_tokens there are none to count", () => {
    const { engine, team } = setup();
    expect(engine.hintTokens(team)).toBeUndefined();
  });
});

describe("asks on disk", () => {
  test("a restart restores asks, their charges and refunds, and the tokens spent", () => {
    const { engine, team, clock, hunt, registered } = setup(
      'hint_tokens = { start = 2, every = "1h" }',
    );
    const { db, commit } = memoryLog();
    commit(registered);
    const first = ok(engine.ask(team, "lighthouse", "ask", "One?"));
    commit(first.writes);
    clock.advance(MINUTE);
    commit(ok(engine.closeAsk(first.ask.id, { kind: "answer", answer: "North" })).writes);
    const second = ok(engine.ask(team, "lighthouse", "ask", "Two?"));
    commit(second.writes);
    clock.advance(MINUTE);
    commit(ok(engine.closeAsk(second.ask.id, { kind: "refuse", message: "No" })).writes);
    const third = ok(engine.ask(team, "lighthouse", "ask", "Three?"));
    commit(third.writes);
    expect(engine.score(team)).toBe(-20);

    const again = new Engine(hunt, { clock, startsAt: START });
    again.restore(loadSnapshot(db, { now: clock.now(), longestWindowMs: MINUTE }));
    const restored = again.teams.get(team.id)!;
    expect(again.score(restored)).toBe(-20);
    expect(restored.scoreEvents).toEqual(team.scoreEvents);
    expect([...again.asks.values()]).toEqual([...engine.asks.values()]);
    expect(again.hintTokens(restored)).toMatchObject({ given: 2, spent: 2, left: 0 });
    expect(again.ask(restored, "lighthouse", "ask", "?").kind).toBe("open");
    // The next ask gets the next id; the export has every ask and the same score.
    commit(ok(again.closeAsk(third.ask.id, { kind: "withdraw", teamId: team.id })).writes);
    expect(ok(again.ask(restored, "lighthouse", "ask", "Four?")).ask.id).toBe(4);
    saveScoring(db, hunt);
    const results = readResults(db);
    expect(results.asks.map((a) => [a.id, a.status, a.answer, a.token])).toEqual([
      [1, "answered", "North", true],
      [2, "refused", "No", true],
      [3, "withdrawn", null, true],
    ]);
    expect(results.scoreboard[0]!.score).toBe(-10);
  });

  test("another node's ask records play onto a follower engine", () => {
    const { engine, team, hunt, clock, registered } = setup();
    const follower = new Engine(hunt, { clock, startsAt: START });
    const play = (writes: readonly Write[]) => writes.forEach((w) => follower.apply(w));
    play(registered);
    const asked = ok(engine.ask(team, "lighthouse", "ask", "?"));
    play(asked.writes);
    play(ok(engine.closeAsk(asked.ask.id, { kind: "refuse" })).writes);
    const copy = follower.teams.get(team.id)!;
    expect(follower.score(copy)).toBe(0);
    expect([...follower.asks.values()]).toEqual([...engine.asks.values()]);
    expect(ok(follower.ask(copy, "lighthouse", "ask", "again")).ask.id).toBe(2);
  });
});

describe("hunt file", () => {
  test("an ask may go without text; a text hint may not", () => {
    const toml = ASKS_TOML().replace('text = "Stuck? Ask us."\n', "");
    expect(loadHunt(toml, { file: "a.toml" }).hunt!.puzzles[0]!.hints[0]).toMatchObject({
      kind: "ask",
      text: "",
    });
    const bad = loadHunt(ASKS_TOML().replace('text = "Look up."\n', ""), { file: "a.toml" });
    expect(bad.hunt).toBeUndefined();
    expect(bad.problems.map((p) => p.message)).toContain('Missing required key "text"');
  });

  test("hint_tokens is read into the hunt; a typo in it is an error", () => {
    const { hunt } = loadHunt(ASKS_TOML('hint_tokens = { start = 2, every = "1h", max = 5 }'), {
      file: "a.toml",
    });
    expect(hunt!.hintTokens).toEqual({ start: 2, everyMs: HOUR, max: 5 });
    const bad = loadHunt(ASKS_TOML('hint_tokens = { start = 2, evry = "1h" }'), { file: "a.toml" });
    expect(bad.hunt).toBeUndefined();
    const below = loadHunt(ASKS_TOML("hint_tokens = { start = 3, max = 2 }"), { file: "a.toml" });
    expect(below.problems.map((p) => p.message)).toEqual([
      "hint_tokens max (2) is below start (3)",
    ]);
  });
});
