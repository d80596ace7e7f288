import {
  type Clock,
  type Engine,
  type Hunt,
  roundTitle,
  type Team,
  variantOf,
  type Write,
} from "../engine/mod.ts";
import type { PuzzleRemoval, PuzzleUpdate } from "../live/mod.ts";
import { type ReloadSummary, tokensView } from "../play/mod.ts";
import type { HeldByTeams, Store } from "../store/mod.ts";
import { hintWhen } from "../ui/hint_when.ts";
import { bootEngine } from "./boot.ts";

export type ReloadOutcome =
  | {
    kind: "ok";
    engine: Engine;
    summary: ReloadSummary;
    /**
     * The unlocks the new rules allowed, recorded in `engine`: for the caller to commit, and to
     * publish once they are stored (never before: a refused commit's writes are committed again).
     */
    writes: Write[];
    /** The puzzles whose words players read changed (`reworded`): open pages draw them again. */
    updated: PuzzleUpdate[];
    /** The puzzles the reload removed, with the teams that had them (`removedFrom`). */
    removed: PuzzleRemoval[];
    /** The puzzles the reload put back, with the teams that have them again (`returnedTo`). */
    returned: PuzzleRemoval[];
  }
  | { kind: "error"; errors: string[] };

/**
 * Builds the engine for a new hunt over the stored state: the queued writes
 * are committed first, so the database holds the whole state; then the new
 * engine is built from it, and the unlocks the new rules allow are recorded
 * in it, for the caller to commit.
 * Removing what teams hold (a solved puzzle, a hint taken for points, a
 * division with teams) is refused, as scores or ranks would silently change.
 */
export function reloadHunt(
  store: Store,
  before: Engine,
  hunt: Hunt,
  clock: Clock,
): ReloadOutcome {
  store.flush();
  if (store.failed) {
    return { kind: "error", errors: ["The database cannot be written; reload refused"] };
  }
  const lost = lostState(store, hunt);
  if (lost.length > 0) return { kind: "error", errors: lost };
  try {
    store.saveScoring(hunt);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "error", errors: [`Cannot save the hunt's scoring: ${message}`] };
  }
  const booted = bootEngine(store, hunt, clock);
  const { engine } = booted;
  const writes = [...booted.writes, ...engine.startMovedEarlier(before.startsAt)];
  const summary = summarize(before.hunt, hunt, writes);
  const updated = reworded(before, engine);
  const removed = removedFrom(before, hunt);
  const returned = returnedTo(before, engine, writes);
  return { kind: "ok", engine, summary, writes, updated, removed, returned };
}

/**
 * The puzzles `after` has and `before` had not that teams have unlocked with
 * no unlock of this reload's (in `writes`): each was removed by an earlier
 * reload and is put back, and the store kept their unlock (unlocking is
 * sticky). Each comes with those teams: it is theirs again at once, and
 * nothing else would tell them.
 */
export function returnedTo(
  before: Engine,
  after: Engine,
  writes: readonly Write[],
): PuzzleRemoval[] {
  const now = after.now();
  const unlocked = new Set(
    writes.flatMap((write) => write.kind === "unlock" ? [`${write.teamId}:${write.puzzle}`] : []),
  );
  return after.hunt.puzzles.filter((p) => !before.hunt.puzzleIndex.has(p.id)).flatMap((p) => {
    const teams = new Set<number>();
    for (const team of after.teams.values()) {
      if (after.isUnlocked(team, p.index, now) && !unlocked.has(`${team.id}:${p.id}`)) {
        teams.add(team.id);
      }
    }
    return teams.size === 0 ? [] : [{ puzzle: p.id, teams }];
  });
}

/**
 * The puzzles of `before` that `hunt` no longer has, each with the teams that
 * had it unlocked: an open page of it says it is gone. (Unlocking is sticky:
 * no other change takes a puzzle from a team.) A team that had not unlocked
 * one hears nothing of it.
 */
export function removedFrom(before: Engine, hunt: Hunt): PuzzleRemoval[] {
  const now = before.now();
  return before.hunt.puzzles.filter((p) => !hunt.puzzleIndex.has(p.id)).map((p) => ({
    puzzle: p.id,
    teams: new Set(
      [...before.teams.values()].filter((team) => before.isUnlocked(team, p.index, now))
        .map((team) => team.id),
    ),
  }));
}

/**
 * Why `hunt` cannot run over the stored state: one message for each thing
 * teams hold that the hunt no longer names. A solve, a hint taken or an ask
 * on a puzzle (or hint) that is gone would silently drop from the scores,
 * and a team in a division that is gone would show it on the board while no
 * rule or ranking knows it. Checked at each reload and at start.
 */
export function lostState(store: Store, hunt: Hunt): string[] {
  const held = withUnsettled(store.held(), store.unsettled?.() ?? []);
  const kept = (puzzle: string, hint: string) => {
    const index = hunt.puzzleIndex.get(puzzle);
    return index !== undefined && hunt.puzzles[index]!.hints.some((h) => h.id === hint);
  };
  return [
    ...held.solved.filter((id) => !hunt.puzzleIndex.has(id)).map((id) =>
      `Puzzle "${id}" has solves, so it cannot be removed: put it back in the file`
    ),
    ...held.hints.filter((h) => !kept(h.puzzle, h.hint)).map((h) =>
      `Hint "${h.hint}" of puzzle "${h.puzzle}" was taken for ${h.cost} points, so it cannot be ` +
      "removed: put it back in the file (to give the points back, set its cost to 0 and reload " +
      "first)"
    ),
    ...held.asked.filter((id) => !hunt.puzzleIndex.has(id)).map((id) =>
      `Puzzle "${id}" has questions asked for points, so it cannot be removed: put it back in the file`
    ),
    ...held.divisions.filter((name) => !hunt.divisions.includes(name)).map((name) =>
      `Division "${name}" has teams, so it cannot be removed: put it back in the file`
    ),
  ];
}

/**
 * What teams hold, with what was decided and is not stored yet (on a shared log, the commits
 * under way): a solve being committed holds its puzzle as a stored one does.
 */
function withUnsettled(held: HeldByTeams, writes: readonly Write[]): HeldByTeams {
  if (writes.length === 0) return held;
  const solved = new Set(held.solved);
  const asked = new Set(held.asked);
  const divisions = new Set(held.divisions);
  for (const write of writes) {
    const accepted = (write.kind === "submission" || write.kind === "verdict") &&
      write.status === "accepted";
    if (accepted || (write.kind === "guess" && write.result === "correct")) {
      solved.add(write.puzzle);
    }
    if (write.kind === "ask" && write.cost !== 0) asked.add(write.puzzle);
    if (write.kind === "team" && write.division !== null) divisions.add(write.division);
  }
  return { ...held, solved: [...solved], asked: [...asked], divisions: [...divisions] };
}

/** What changed between two hunts, for the organizer and the log. */
function summarize(before: Hunt, hunt: Hunt, writes: readonly Write[]): ReloadSummary {
  const old = new Map(before.puzzles.map((p) => [p.id, p]));
  return {
    added: hunt.puzzles.filter((p) => !old.has(p.id)).map((p) => p.id),
    removed: before.puzzles.filter((p) => !hunt.puzzleIndex.has(p.id)).map((p) => p.id),
    changed: hunt.puzzles.filter((p) =>
      old.has(p.id) && puzzleShape(before, old.get(p.id)!) !== puzzleShape(hunt, p)
    ).map((p) => p.id),
    reassigned: hunt.puzzles.filter((p) => {
      const was = old.get(p.id);
      return was?.variants !== undefined && p.variants !== undefined &&
        (was.variants.length !== p.variants.length || was.variantOffset !== p.variantOffset);
    }).map((p) => p.id),
    rerouted: writes.filter((write) => write.kind === "route").length,
    hunt: Object.entries(HUNT_KEYS).filter(([, read]) =>
      JSON.stringify(read(before)) !== JSON.stringify(read(hunt))
    ).map(([key]) => key),
    puzzles: hunt.puzzles.length,
  };
}

/**
 * The puzzles of both hunts that a reload changed for a team. Its words: the
 * title, the round's title, the points, the body, the solution, a hint's kind,
 * title, text or cost, the choices, and the body, solution and choices of the variant the team plays
 * (which a reload may deal out again), so that a team whose variant did not
 * change is not told to read it again. Or only its hints (a hint's rule, or
 * the hunt's `hint_tokens` for a puzzle with asks), for a team that can take
 * one now and could not, or the other way, that waits for something else, or
 * whose tokens changed (`hintShown`). A change players cannot see (an answer,
 * a rule that gives the team what it gave) is not one: a team told of it would
 * read the puzzle again for nothing.
 */
export function reworded(before: Engine, after: Engine): PuzzleUpdate[] {
  type P = Hunt["puzzles"][number];
  const shared = (from: Hunt, p: P) =>
    JSON.stringify([
      p.title,
      roundTitle(from, p.round),
      p.points,
      p.dynamic,
      p.body,
      p.solution,
      p.hints.map((h) => [h.id, h.kind, h.title, h.text, h.cost]),
      p.answers.spec.choices,
    ]);
  const variant = (p: P, seq: number) => {
    const played = variantOf(p, seq);
    return played === undefined
      ? undefined
      : JSON.stringify([played.body, played.solution, played.answers.spec.choices]);
  };
  const tokensMoved =
    JSON.stringify(before.hunt.hintTokens) !== JSON.stringify(after.hunt.hintTokens);
  // Whether a team's hint tokens read otherwise: the same for each of its puzzles with an ask, so
  // worked out once a team (once a puzzle, 200 such puzzles held a reload seconds at 2,000 teams).
  const tokensOf = new Map<number, boolean>();
  const tokensChanged = (had: Team, team: Team) => {
    let changed = tokensOf.get(team.id);
    if (changed === undefined) {
      changed = JSON.stringify(tokensView(before, had)) !== JSON.stringify(tokensView(after, team));
      tokensOf.set(team.id, changed);
    }
    return changed;
  };
  const old = new Map(before.hunt.puzzles.map((p) => [p.id, p]));
  const updates: PuzzleUpdate[] = [];
  for (const p of after.hunt.puzzles) {
    const was = old.get(p.id);
    if (was === undefined) continue;
    if (shared(before.hunt, was) !== shared(after.hunt, p)) {
      updates.push({ puzzle: p.id, changeFor: () => "words" });
      continue;
    }
    // The same hints, in the same order (`shared`): those whose rule changed, by their index.
    const ruled = p.hints.flatMap((h, i) =>
      was.hints[i]?.unlock?.source === h.unlock?.source ? [] : [i]
    );
    const asks = tokensMoved && p.hints.some((h) => h.kind === "ask");
    let words: ((seq: number) => boolean) | undefined;
    if (was.variants !== undefined || p.variants !== undefined) {
      const changedFor = (seq: number) => variant(was, seq) !== variant(p, seq);
      // (Dealt out by `seq` modulo their number: these teams cover every pair of variants.)
      const period = (was.variants?.length ?? 1) * (p.variants?.length ?? 1);
      if (Array.from({ length: period }, (_, seq) => seq).some(changedFor)) words = changedFor;
    }
    if (ruled.length === 0 && !asks && words === undefined) continue;
    updates.push({
      puzzle: p.id,
      changeFor: (team) => {
        if (words?.(team.seq)) return "words";
        const had = before.teams.get(team.id);
        if (had === undefined) return ruled.length > 0 || asks ? "hints" : undefined;
        if (asks && tokensChanged(had, team)) return "hints";
        const now = after.now();
        return ruled.some((i) =>
            hintShown(before, had, was, was.hints[i]!, now) !==
              hintShown(after, team, p, p.hints[i]!, now)
          )
          ? "hints"
          : undefined;
      },
    });
  }
  return updates;
}

/**
 * What the team's page shows of a hint that its rule decides: taken, or whether
 * it can be taken now, and if not, what it waits for (none is offered once the
 * puzzle is solved). The cheap answers first: a reload asks it of every team.
 */
function hintShown(
  engine: Engine,
  team: Team,
  puzzle: Hunt["puzzles"][number],
  hint: Hunt["puzzles"][number]["hints"][number],
  now: number,
): string {
  if (hint.kind !== "ask" && engine.hintTaken(team, puzzle, hint)) return "taken";
  if (engine.solved(team, puzzle)) return "solved";
  if (engine.hintAvailable(team, puzzle, hint, now)) return "available";
  return JSON.stringify(hintWhen(engine, { team, puzzle, hint }, now) ?? null);
}

/** Everything the file says about a puzzle, as text to compare: a change in any of it is `changed`. */
function puzzleShape(from: Hunt, p: Hunt["puzzles"][number]): string {
  return JSON.stringify([
    p.title,
    p.round,
    p.tags,
    p.points,
    p.dynamic,
    p.firstSolveBonus,
    p.body,
    p.solution,
    p.answers.spec,
    p.unlock?.source,
    p.hints.map((h) => [h.id, h.kind, h.title, h.text, h.cost, h.unlock?.source]),
    p.checkpoint,
    p.guessLimit,
    p.variants?.map((variant) => [
      variant.body,
      variant.solution,
      variant.answers.spec,
      variant.checkpoint,
    ]),
    p.otherVariantMessage,
    p.route === undefined ? undefined : from.routes[p.route]?.id,
    p.mission,
  ]);
}

/** The `[hunt]` keys a reload reports under `hunt` when their value changed, and how to read each. */
const HUNT_KEYS: Record<string, (hunt: Hunt) => unknown> = {
  title: (h) => h.title,
  starts_at: (h) => h.startsAt,
  ends_at: (h) => h.endsAt,
  freeze_at: (h) => h.freezeAt,
  solutions_at: (h) => h.solutionsAt,
  offline_grace: (h) => h.offlineGraceMs,
  submitters: (h) => h.submitters,
  registration: (h) => h.registration,
  registration_codes: (h) => h.registrationCodes,
  team_size: (h) => h.teamSize,
  divisions: (h) => h.divisions,
  seed: (h) => h.seed,
  uploads: (h) => h.uploads,
  gallery: (h) => h.gallery,
  show_solves: (h) => h.showSolves,
  offline_times: (h) => h.offlineTimes,
  hint_tokens: (h) => h.hintTokens,
};
