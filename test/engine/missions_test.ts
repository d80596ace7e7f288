import { describe, expect, test } from "bun:test";
import { Engine, type Submission, type Team, type Write } from "../../src/engine/mod.ts";
import { loadSnapshot } from "../../src/store/mod.ts";
import { engineWithTeam, memoryLog, MINUTE, MISSIONS_TOML, ok, START } from "./_hunt.ts";

const PHOTO = { hash: "a".repeat(64), type: "image/jpeg", size: 1_000_000 };
const VIDEO = { hash: "b".repeat(64), type: "video/mp4", size: 500_000 };

function setup() {
  return engineWithTeam(MISSIONS_TOML, "m.toml");
}

/** Two teams' photos waiting for a judge, the first a second older. */
function twoWaiting(engine: Engine, clock: { advance(ms: number): void }) {
  const teams: Team[] = [];
  for (const name of ["A", "B"]) {
    const r = engine.register({ name, passwordHash: "h" });
    if (r.kind === "ok") teams.push(r.team);
  }
  const first = ok(engine.submit(teams[0]!, "statue", { file: PHOTO })).submission;
  clock.advance(1000);
  const second = ok(engine.submit(teams[1]!, "statue", { file: PHOTO })).submission;
  return [first, second] as const;
}

describe("Engine missions", () => {
  test("a mission waiting for a judge is pending for its team, and changes the team's version, on a node that follows too", () => {
    const decider = setup();
    const follower = engineWithTeam(MISSIONS_TOML, "m.toml");
    const { team } = decider;
    const mirror = follower.team;
    const seen = () => ({
      pending: [...follower.engine.pendingMissions(mirror)],
      moved: mirror.version !== before,
    });
    let before = mirror.version;
    const sent = ok(decider.engine.submit(team, "statue", { file: PHOTO }));
    expect([...decider.engine.pendingMissions(team)]).toEqual(["statue"]);
    for (const write of sent.writes) follower.engine.apply(write);
    expect(seen()).toEqual({ pending: ["statue"], moved: true });
    // Sent back: no longer waiting, and the version moves again (the list's cache key).
    before = mirror.version;
    const versionBefore = team.version;
    const back = ok(decider.engine.judge(sent.submission.id, { accept: false }));
    expect([[...decider.engine.pendingMissions(team)], team.version > versionBefore])
      .toEqual([[], true]);
    for (const write of back.writes) follower.engine.apply(write);
    expect(seen()).toEqual({ pending: [], moved: true });
  });

  test("judge = organizer waits; acceptance solves, scores and fires the unlock rule", () => {
    const { engine, team } = setup();
    const submitted = ok(engine.submit(team, "statue", { file: PHOTO }));
    expect(submitted.submission.status).toBe("pending");
    expect(submitted.writes.map((w) => w.kind)).toEqual(["submission"]);
    expect(engine.score(team)).toBe(0);
    expect(engine.submit(team, "statue", { file: PHOTO })).toMatchObject({ kind: "pending" });

    const verdict = ok(engine.judge(submitted.submission.id, { accept: true }));
    expect(verdict.unlocked).toEqual(["after-statue"]);
    expect(verdict.writes.map((w) => w.kind)).toEqual(["verdict", "unlock"]);
    expect(engine.score(team)).toBe(30);
    expect(engine.solveCount(team)).toBe(1);
    expect(engine.submit(team, "statue", { file: PHOTO })).toEqual({ kind: "already_solved" });
    expect(engine.judge(submitted.submission.id, { accept: true }).kind).toBe("already_judged");
  });

  test("a judge may give a part of the points, never more than the puzzle's", () => {
    const { engine, team } = setup();
    const { submission } = ok(engine.submit(team, "statue", { file: PHOTO }));
    expect(engine.judge(submission.id, { accept: true, points: 31 })).toEqual({
      kind: "invalid_points",
      max: 30,
    });
    ok(engine.judge(submission.id, { accept: true, points: 12 }));
    expect(engine.score(team)).toBe(12);
  });

  test("judge = auto accepts at once; a later rejection takes the solve and points back", () => {
    const { engine, team, hunt } = setup();
    const { submission, writes } = ok(engine.submit(team, "pirate", { file: VIDEO }));
    expect(submission.status).toBe("accepted");
    expect(writes[0]).toMatchObject({ kind: "submission", status: "accepted", points: 20 });
    expect(engine.score(team)).toBe(20);
    expect(engine.solved(team, hunt.puzzles[1]!)).toBe(true);

    const rejected = ok(engine.judge(submission.id, { accept: false, message: "No pirate" }));
    expect(rejected.submission).toMatchObject({ status: "rejected", message: "No pirate" });
    expect(engine.score(team)).toBe(0);
    expect(engine.solveCount(team)).toBe(0);
    expect(engine.solved(team, hunt.puzzles[1]!)).toBe(false);
    expect(team.lastSolveAt).toBeNull();
    // The team may try again.
    expect(ok(engine.submit(team, "pirate", { file: VIDEO })).submission.id).toBe(2);
  });

  const refusals: [string, string, Parameters<Engine["submit"]>[2], unknown][] = [
    ["a video for a photo mission", "statue", { file: VIDEO }, {
      kind: "wrong_kind",
      expected: "photo",
    }],
    ["a photo for a video mission", "pirate", { file: PHOTO }, {
      kind: "wrong_kind",
      expected: "video",
    }],
    ["a file for a text mission", "story", { file: PHOTO }, {
      kind: "wrong_kind",
      expected: "text",
    }],
    ["a text for a photo mission", "statue", { text: "hi" }, {
      kind: "wrong_kind",
      expected: "photo",
    }],
    ["a puzzle that takes answers", "after-statue", { text: "x" }, { kind: "not_found" }],
    ["an unknown puzzle", "nope", { text: "x" }, { kind: "not_found" }],
  ];
  for (const [what, puzzle, input, expected] of refusals) {
    test(`submit() refuses ${what}`, () => {
      const { engine, team } = setup();
      expect(engine.submit(team, puzzle, input)).toEqual(expected as never);
      expect(engine.submissions.size).toBe(0);
    });
  }

  test("a guess on a mission is refused; a submission on a puzzle with answers too", () => {
    const { engine, team } = setup();
    expect(engine.guess(team, "statue", "x")).toEqual({ kind: "mission" });
    const { submission } = ok(engine.submit(team, "statue", { file: PHOTO }));
    ok(engine.judge(submission.id, { accept: true }));
    expect(engine.submit(team, "after-statue", { text: "x" })).toEqual({ kind: "not_a_mission" });
  });

  test("uploadLimit() is the cap for the kind, or what is left of the team's quota, and says which", () => {
    const { engine, team } = setup();
    expect(engine.uploadLimit(team, "statue")).toMatchObject({
      kind: "ok",
      maxBytes: 2_097_152,
      by: "cap",
    });
    expect(engine.uploadLimit(team, "pirate")).toMatchObject({
      kind: "ok",
      maxBytes: 3_145_728,
      by: "quota",
    });
    ok(engine.submit(team, "pirate", { file: { ...VIDEO, size: 3_000_000 } }));
    expect(engine.uploadLimit(team, "statue")).toMatchObject({
      maxBytes: 3_145_728 - 3_000_000,
      by: "quota",
    });
    expect(engine.submit(team, "statue", { file: PHOTO })).toEqual({
      kind: "over_quota",
      quota: 3_145_728,
    });
    expect(engine.uploadLimit(team, "story")).toEqual({ kind: "wrong_kind", expected: "text" });
  });

  test("no submission outside the hunt's window", () => {
    const { engine, team, clock } = setup();
    clock.time = Date.parse("2026-11-21T16:00:00Z");
    expect(engine.submit(team, "story", { text: "x" })).toEqual({ kind: "hunt_not_running" });
  });

  test("one made before the end (at) is taken within offline_grace, and counts then", () => {
    const end = Date.parse("2026-11-21T16:00:00Z");
    const { engine, team, clock } = engineWithTeam(
      MISSIONS_TOML.replace("ends_at = 2026-11-21T16:00:00Z\n", '$&offline_grace = "15m"\n'),
    );
    clock.time = end + 5 * MINUTE;
    expect(engine.submit(team, "story", { text: "x" })).toEqual({ kind: "hunt_not_running" });
    expect(engine.uploadLimit(team, "statue", end + MINUTE)).toEqual({ kind: "hunt_not_running" });
    expect(engine.uploadLimit(team, "statue", end - MINUTE)).toMatchObject({ kind: "ok" });
    const { submission, writes } = ok(engine.submit(team, "story", { text: "x" }, end - MINUTE));
    expect(submission).toMatchObject({ at: end - MINUTE, acceptedAt: end - MINUTE });
    expect(writes[0]).toMatchObject({ kind: "submission", at: end - MINUTE });
    expect(team.lastSolveAt).toBe(end - MINUTE);
    clock.time = end + 15 * MINUTE;
    expect(engine.submit(team, "statue", { file: PHOTO }, end - MINUTE)).toEqual({
      kind: "hunt_not_running",
    });
  });

  test("two judges never get the same submission; a claim lapses after 2 minutes", () => {
    const { engine, clock, hunt } = setup();
    const [first, second] = twoWaiting(engine, clock);
    expect(engine.claimNext("ann")?.id).toBe(first.id);
    expect(engine.claimNext("bob")?.id).toBe(second.id);
    expect(engine.claimNext("cy")).toBeUndefined();
    // Asking again gives a judge back the one they hold.
    expect(engine.claimNext("ann")?.id).toBe(first.id);
    clock.advance(2 * MINUTE + 1);
    expect(engine.claimNext("cy")?.id).toBe(first.id);
    ok(engine.judge(first.id, { accept: false }));
    expect(engine.claimNext("ann")?.id).toBe(second.id);
    expect(hunt.puzzles[0]!.mission).toEqual({ submit: "photo", judge: "organizer" });
  });

  test("a judge who skips gets the next one, and the skipped one is free for others", () => {
    const { engine, clock } = setup();
    const [first, second] = twoWaiting(engine, clock);
    expect(engine.claimNext("ann")?.id).toBe(first.id);
    expect(engine.claimNext("ann", { skip: first.id })?.id).toBe(second.id);
    expect(engine.claimNext("bob")?.id).toBe(first.id);
    // Skipping the only one left for you gives nothing, and lets it go.
    expect(engine.claimNext("ann", { skip: second.id })).toBeUndefined();
    expect(engine.claimNext("cy")?.id).toBe(second.id);
    // Another judge's skip cannot release a claim it does not hold.
    engine.judging.releaseClaim(second.id, "ann");
    expect(engine.claimNext("dan")).toBeUndefined();
  });
});

describe("missions on disk", () => {
  test("a restart restores submissions, partial points and a rejection after acceptance", () => {
    const { engine, team, clock, hunt, registered } = setup();
    const { db, commit } = memoryLog();
    commit(registered);
    const statue = ok(engine.submit(team, "statue", { file: PHOTO }));
    commit(statue.writes);
    clock.advance(MINUTE);
    commit(ok(engine.judge(statue.submission.id, { accept: true, points: 25 })).writes);
    const pirate = ok(engine.submit(team, "pirate", { file: VIDEO }));
    commit(pirate.writes);
    clock.advance(MINUTE);
    commit(ok(engine.judge(pirate.submission.id, { accept: false, message: "Louder" })).writes);
    const story = ok(engine.submit(team, "story", { text: "Once upon a time" }));
    commit(story.writes);
    expect(engine.score(team)).toBe(35);

    const again = new Engine(hunt, { clock, startsAt: START });
    again.restore(loadSnapshot(db, { now: clock.now(), longestWindowMs: MINUTE }));
    const restored = again.teams.get(team.id)!;
    expect(again.score(restored)).toBe(35);
    expect(again.solveCount(restored)).toBe(2);
    expect(restored.scoreEvents).toEqual(team.scoreEvents);
    expect([...again.submissions.values()]).toEqual([...engine.submissions.values()]);
    expect(again.submit(restored, "story", { text: "x" })).toEqual({ kind: "already_solved" });
    expect(ok(again.submit(restored, "pirate", { file: VIDEO })).submission.id).toBe(4);
  });

  test("an acceptance counts when the team sent it: the judges' order changes no tie-break", () => {
    const { engine, clock, hunt, registered } = setup();
    const { db, commit } = memoryLog();
    const log: Write[] = [...registered];
    const keep = (writes: readonly Write[]) => {
      commit(writes);
      log.push(...writes);
    };
    keep(registered);
    // A sends its photo first, B a minute later; the judges get to B's first, 10 minutes on.
    const teams = ["A", "B"].map((name) => ok(engine.register({ name, passwordHash: "h" })));
    for (const team of teams) keep(team.writes);
    const sent: Submission[] = [];
    for (const { team } of teams) {
      const submitted = ok(engine.submit(team, "statue", { file: PHOTO }));
      keep(submitted.writes);
      sent.push(submitted.submission);
      clock.advance(MINUTE);
    }
    clock.advance(10 * MINUTE);
    const judgedAt = clock.now();
    const verdict = ok(engine.judge(sent[1]!.id, { accept: true }));
    keep(verdict.writes);
    clock.advance(MINUTE);
    keep(ok(engine.judge(sent[0]!.id, { accept: true })).writes);
    expect(verdict.writes[0]).toMatchObject({ at: judgedAt, acceptedAt: sent[1]!.at });
    expect(sent[1]).toMatchObject({ acceptedAt: sent[1]!.at, judgedAt });
    // Live, followed from the log and restored from the database: A reached 30 first.
    const follower = new Engine(hunt, { clock, startsAt: START });
    for (const write of log) follower.apply(write);
    const restored = new Engine(hunt, { clock, startsAt: START });
    restored.restore(loadSnapshot(db, { now: clock.now(), longestWindowMs: MINUTE }));
    for (const  of of[engine, follower, restored]) {
      expect(of.standings().map((s) => [s.team.name, s.score, s.lastSolveAt])).toEqual([
        ["A", 30, sent[0]!.at],
        ["B", 30, sent[1]!.at],
        ["Gulls", 0, null],
      ]);
      expect(of.submissions.get(sent[1]!.id)).toMatchObject({ acceptedAt: sent[1]!.at, judgedAt });
    }
  });

  test("one sent before the freeze and the end, accepted after both, counts before them", () => {
    const { engine, team, clock } = setup();
    const { submission } = ok(engine.submit(team, "statue", { file: PHOTO }));
    const frozenAt = clock.now() + MINUTE;
    clock.time = Date.parse("2026-11-21T16:05:00Z");
    const verdict = ok(engine.judge(submission.id, { accept: true }));
    expect(verdict.unlocked).toEqual(["after-statue"]);
    const [atFreeze] = engine.standings({ at: frozenAt });
    expect([atFreeze!.score, atFreeze!.lastSolveAt]).toEqual([30, submission.at]);
    // What it unlocked opens at the verdict, when the team sees it.
    expect(team.state.unlockedAt[3]).toBe(clock.now());
  });

  test("what an acceptance unlocks opens at the verdict: a hint's timer counts from then", () => {
    const toml = MISSIONS_TOML.replace(
      'unlock = \'solved("statue")\'\nanswer = ["x"]',
      `unlock = 'solved("statue")'
answer = ["x"]

[[puzzle.hint]]
id = "nudge"
text = "Look up."
unlock = "minutes_since_unlock() >= 30"

[[puzzle]]
id = "noon"
title = "Noon"
unlock = 'after("2026-11-21T12:00:00Z")'
answer = ["y"]`,
    );
    const { engine, team, clock, hunt } = engineWithTeam(toml, "m.toml");
    const { submission } = ok(engine.submit(team, "statue", { file: PHOTO }));
    // Three hours in the judges' queue, and no read or tick has caught the team up since.
    clock.advance(3 * 60 * MINUTE);
    const judgedAt = clock.now();
    const verdict = ok(engine.judge(submission.id, { accept: true }));
    expect(verdict.unlocked).toEqual(["after-statue"]);
    const index = (id: string) => hunt.puzzleIndex.get(id)!;
    expect([index("after-statue"), index("noon")].map((i) => team.state.unlockedAt[i]))
      .toEqual([judgedAt, judgedAt]);
    const after = hunt.puzzles[index("after-statue")]!;
    expect(engine.hintAvailable(team, after, after.hints[0]!)).toBe(false);
    clock.advance(30 * MINUTE);
    expect(engine.hintAvailable(team, after, after.hints[0]!)).toBe(true);
  });

  test("a verdict from a log written before acceptances carried their time solves at its own", () => {
    const { engine, team, clock, hunt, registered } = setup();
    const follower = new Engine(hunt, { clock, startsAt: START });
    for (const write of registered) follower.apply(write);
    const submitted = ok(engine.submit(team, "statue", { file: PHOTO }));
    for (const write of submitted.writes) follower.apply(write);
    clock.advance(MINUTE);
    const [verdict, ...rest] = ok(engine.judge(submitted.submission.id, { accept: true })).writes;
    const { acceptedAt: _, ...old } = verdict as Extract<Write, { kind: "verdict" }>;
    for (const write of [old, ...rest]) follower.apply(write);
    const followed = follower.teams.get(team.id)!;
    expect([follower.score(followed), followed.lastSolveAt]).toEqual([30, clock.now()]);
  });

  test("a board as at a time before a rejection counts the solve it took back, live and restored", () => {
    const { engine, team, clock, hunt, registered } = setup();
    const { db, commit } = memoryLog();
    commit(registered);
    clock.advance(MINUTE);
    const story = ok(engine.submit(team, "story", { text: "Once" }));
    commit(story.writes);
    const acceptedAt = clock.now();
    clock.advance(30 * MINUTE);
    const frozenAt = clock.now();
    clock.advance(30 * MINUTE);
    commit(ok(engine.judge(story.submission.id, { accept: false, message: "Too short" })).writes);
    const row = (of: Engine, at?: number) => {
      const [standing] = of.standings(at === undefined ? {} : { at });
      return [standing!.score, standing!.solves, standing!.lastSolveAt];
    };
    // At the freeze it had the solve, its points and its time; now it has none of them.
    expect(row(engine, frozenAt)).toEqual([10, 1, acceptedAt]);
    expect(row(engine)).toEqual([0, 0, null]);
    const again = new Engine(hunt, { clock, startsAt: START });
    again.restore(loadSnapshot(db, { now: clock.now(), longestWindowMs: MINUTE }));
    expect(row(again, frozenAt)).toEqual([10, 1, acceptedAt]);
    expect(row(again)).toEqual([0, 0, null]);
  });
});
