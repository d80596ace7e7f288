/**
 * The game: teams, guesses, solves, unlocks, hints, check-ins and scores,
 * decided in memory with no I/O. Every action is decided and applied at once
 * (JavaScript runs one action at a time, so two teammates can never both
 * solve), and returns the `Write`s that make it durable. The caller answers
 * only after those are committed; if a commit fails, the engine is discarded
 * and rebuilt from the database.
 */
import {
  hintKey,
  type RuleState,
  type StateLayout,
  stateLayout,
  timeBoundaries,
  walkCalls,
} from "../rules/mod.ts";
import {
  type Ask,
  type AskClose,
  type AskOutcome,
  type CloseOutcome,
  nextTokenAt,
  refunded,
  tokensGiven,
} from "./asks.ts";
import {
  fitsMission,
  type JudgeOutcome,
  JudgeQueue,
  type Submission,
  type SubmissionInput,
  type SubmitOutcome,
  type Verdict,
} from "./missions.ts";
import {
  checkpointKey,
  type Hint,
  type Hunt,
  type Puzzle,
  type Route,
  type Variant,
  variantOf,
} from "./model.ts";
import { type FollowTarget, followWrite } from "./follow.ts";
import { MAX_GUESS_LENGTH } from "./limits.ts";
import {
  type EngineHands,
  newTeam,
  replaySnapshot,
  type Snapshot,
  type TeamRow,
} from "./restore.ts";
import { dynamicValue } from "./scoring.ts";
import { type Standing, standings, type StandingsOptions } from "./standings.ts";
import type { ActionFlag, GuessResult, Write } from "./writes.ts";

/** The source of the current time, injected so that tests control it. */
export interface Clock {
  /** The wall clock, in ms since the epoch. */
  now(): number;
  /** A clock that never steps, in ms (default: `performance.now()`); used while `now` is behind. */
  monotonic?(): number;
}

/** A team's score changed by `delta` at `at`. */
export interface ScoreEvent {
  at: number;
  delta: number;
  /**
   * The solve of a dynamic puzzle: `delta` is only its first-solve bonus, as
   * the puzzle's value changes with later solves and is counted apart (see
   * `Engine.valueAt`).
   */
  dynamic: boolean;
  /**
   * The solve's puzzle index, on a solve's change: a first-solve bonus that
   * moves later changes this same event, as a restart counts the solve once.
   */
  puzzle?: number;
}

/** A team and everything the game knows of it, kept in memory. */
export interface Team {
  id: number;
  name: string;
  division: string | null;
  members: readonly string[];
  createdAt: number;
  /** Registration order, for ties. */
  seq: number;
  /** What the rules read: solves, counters, unlock times, score. */
  state: RuleState;
  /** When each puzzle was solved (epoch ms), NaN while unsolved. */
  solvedAt: Float64Array;
  /** Taken hints, as `puzzleIndex:hintIndex`. */
  hints: Set<string>;
  scoreEvents: ScoreEvent[];
  /** When the score last changed (registration while it never has): ties go to the earlier. */
  reachedAt: number;
  /** The latest solve's time, or null. */
  lastSolveAt: number | null;
  /**
   * Bumped whenever what the team sees changes (an unlock, a solve, a mission sent to a judge or
   * sent back), for caches of it.
   */
  version: number;
  /** Times of recent incorrect and partial guesses, per puzzle index, for guess limits. */
  recentWrong: Map<number, number[]>;
  /** When the team's unlocks were last recomputed. */
  refreshedAt: number;
  /**
   * Another team's solve lowered this team's score (a dynamic puzzle's value
   * fell) and a `score()` rule may now hold: its rules are judged again at its
   * next read or action, as a time-based unlock is.
   */
  stale: boolean;
  /** Extra guesses granted by organizers and not used yet, per puzzle index. */
  extraGuesses: Map<number, number>;
  lastActivityAt: number;
  /** Per route (by index), the team's order of its stops, as puzzle indices. */
  routes: (readonly number[])[];
  /** Per puzzle, the stop before it in the team's route, or -1 (empty in a hunt without routes). */
  previousStop: Int32Array;
  /**
   * Per puzzle index, when the team could first see a puzzle that an action
   * made offline unlocked: the unlock counts from that action's time, but the
   * puzzle reached the team only when the action arrived. In memory only.
   */
  shownAt: Map<number, number>;
  /** Solves taken back (rejected missions): when each was made and taken back, for past boards. */
  revoked: { index: number; solvedAt: number; at: number }[];
  /**
   * Hidden by an organizer: off the public standings, and its solves count for
   * no one else (no dynamic value falls by them, no bonus place is taken).
   */
  hidden: boolean;
  /** Banned by an organizer: hidden, and its logins and actions refused (by the accounts). */
  banned: boolean;
}

/** What `register()` decided: the new team, or why there is none. */
export type RegisterOutcome =
  | { kind: "ok"; team: Team; unlocked: string[]; writes: Write[] }
  | { kind: "name_taken" }
  | { kind: "invalid"; message: string }
  /** The hunt has ended: registration is open until `ends_at` only. */
  | { kind: "hunt_not_running" };

/** What `renameTeam()` decided: the write, none when the name is the same, or why not. */
export type RenameOutcome =
  | { kind: "ok"; writes: Write[] }
  | { kind: "name_taken" }
  | { kind: "invalid"; message: string };

/** What `guess()` decided. */
export type GuessOutcome =
  | { kind: "hunt_not_running" }
  | { kind: "not_found" }
  | { kind: "already_solved" }
  /** No `retryAfterSeconds` when the limit is `per = "hunt"`: waiting does not help. */
  | { kind: "rate_limited"; retryAfterSeconds?: number }
  /** The puzzle is a mission: it takes a submission, not an answer. */
  | { kind: "mission" }
  /** The puzzle gives choices, and the guess is none of them. */
  | { kind: "not_a_choice" }
  | {
    kind: "judged";
    result: GuessResult;
    message?: string;
    unlocked: string[];
    guessId: number;
    writes: Write[];
  };

/** What `takeHint()` decided. */
export type HintOutcome =
  | { kind: "hunt_not_running" }
  | { kind: "not_found" }
  | { kind: "not_available" }
  /** The hint is an ask (`kind = "ask"`): the team asks a question instead (see `ask`). */
  | { kind: "ask" }
  /** The team solved the puzzle and had not taken the hint: it is no longer offered. */
  | { kind: "already_solved" }
  | { kind: "ok"; hint: Hint; charged: boolean; writes: Write[] };

/** What `checkIn()` decided. */
export type CheckInOutcome =
  | { kind: "hunt_not_running" }
  | { kind: "not_found" }
  /** The code is the checkpoint of another variant of the puzzle than the team's. */
  | { kind: "other_variant" }
  /** The code is a route stop the team has not reached yet: the stop before it is not done. */
  | { kind: "not_reached" }
  | { kind: "ok"; puzzle: Puzzle; unlocked: string[]; writes: Write[] };

const MINUTE = 60_000;
/** No puzzle ids: what `pendingMissions` gives while no team has sent anything. */
const NO_PUZZLES: ReadonlySet<string> = new Set();

/** Case-insensitive, trimmed: how team names are compared for uniqueness. */
export function teamNameKey(name: string): string {
  return name.trim().normalize("NFKC").toLowerCase();
}

/** The first member name that repeats an earlier one, compared as team names are; or undefined. */
function repeatedMember(members: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const member of members) {
    const key = teamNameKey(member);
    if (seen.has(key)) return member;
    seen.add(key);
  }
  return undefined;
}

/** Why a trimmed team name cannot be one, or undefined. */
function nameProblem(name: string): string | undefined {
  if (name === "") return "The team name is empty";
  // Characters are code points, as the API counts them: 64 emoji fit.
  if (name.length > 64 && [...name].length > 64) {
    return "The team name is longer than 64 characters";
  }
  return undefined;
}

/**
 * One running hunt: its teams and their state, the actions that change it
 * (each returning the writes that make it durable), and the views that read it.
 */
export class Engine {
  readonly hunt: Hunt;
  readonly layout: StateLayout;
  /** When the hunt starts (the file's starts_at, or the recorded first start). */
  readonly startsAt: number;
  readonly teams = new Map<number, Team>();
  private readonly byName = new Map<string, Team>();
  private readonly clock: Clock;
  private readonly boundaries: number[];
  private readonly everyMinute: boolean;
  private nextTeamId = 1;
  private nextGuessId = 1;
  private nextAdjustmentId = 1;
  private nextAnnouncementId = 1;
  private nextSubmissionId = 1;
  /** Every mission submission, oldest first. */
  readonly submissions = new Map<number, Submission>();
  /** Who judges which pending submission. */
  readonly judging = new JudgeQueue();
  private nextAskId = 1;
  /** Every ask (a question on an ask hint), oldest first. */
  readonly asks = new Map<number, Ask>();
  /** Bytes each team has uploaded, for its quota. */
  private readonly storedBytes = new Map<number, number>();
  /** Per puzzle index, the teams that solved it, in solve order: hidden teams are not among them. */
  private readonly solvers: Team[][];
  /** Per puzzle index, the hidden teams that solved it (they hold its value, and no bonus). */
  private readonly hiddenSolvers: Team[][];
  /**
   * Per puzzle index, the order each solve was recorded in: two solves in one
   * millisecond keep it when a hidden team is shown again, as a restart replays them.
   */
  private readonly solveOrder: Map<Team, number>[];
  /** Solves recorded so far, for `solveOrder`. */
  private solvesRecorded = 0;
  /** Per puzzle index, its solve times, ascending (solves are recorded in time order). */
  private readonly solveTimes: number[][];
  /** The indices of the puzzles with dynamic points. */
  readonly dynamicPuzzles: readonly number[];
  /** Whether any puzzle's rule reads `score()`, which another team's solve can now lower. */
  private readonly scoreRules: boolean;
  /**
   * Whether any rule reads `score()` at all: hiding a team moves the others'
   * first-solve bonuses, even in a hunt with no dynamic puzzle.
   */
  private readonly readsScore: boolean;
  /** Bumped whenever a dynamic puzzle's value changes, for caches of what teams see. */
  valuesVersion = 0;
  /** Bumped whenever a puzzle's count of visible solvers changes (`solvesShown`), for those caches. */
  solvesVersion = 0;
  /** Writes no request waits for: unlocks found by the clock on reads and before actions. */
  private background: Write[] = [];
  /** The latest time handed out (or recorded on disk), and the monotonic clock then. */
  private latest = -Infinity;
  private latestMonotonic = 0;

  constructor(hunt: Hunt, options: { clock: Clock; startsAt: number }) {
    this.hunt = hunt;
    this.clock = options.clock;
    this.startsAt = hunt.startsAt ?? options.startsAt;
    this.layout = stateLayout({
      puzzles: hunt.puzzles.length,
      rounds: hunt.rounds.length,
      tags: hunt.tags.length,
      routes: hunt.routes.length,
    });
    const rules = hunt.puzzles.flatMap((puzzle) => puzzle.unlock ? [puzzle.unlock.expr] : []);
    const times = timeBoundaries(rules, this.startsAt);
    // The freeze is a boundary too, so the clock wakes up at it.
    if (hunt.freezeAt !== undefined && !times.boundaries.includes(hunt.freezeAt)) {
      times.boundaries.push(hunt.freezeAt);
      times.boundaries.sort((a, b) => a - b);
    }
    this.boundaries = times.boundaries;
    this.everyMinute = times.everyMinute;
    this.solvers = hunt.puzzles.map(() => []);
    this.hiddenSolvers = hunt.puzzles.map(() => []);
    this.solveOrder = hunt.puzzles.map(() => new Map());
    this.solveTimes = hunt.puzzles.map(() => []);
    this.dynamicPuzzles = hunt.puzzles.filter((p) => p.dynamic !== undefined).map((p) => p.index);
    this.readsScore = rules.some((expr) => {
      let reads = false;
      walkCalls(expr, (call) => {
        if (call.fn === "score") reads = true;
      });
      return reads;
    });
    this.scoreRules = this.readsScore && hunt.puzzles.some((p) => p.dynamic !== undefined);
  }

  /**
   * The hunt's time: the wall clock, except that it never goes backwards. When
   * the wall clock steps back, time goes on from the latest time handed out at
   * the monotonic clock's pace, until the wall clock catches up; so unlock
   * times, guess-limit windows and the hunt's end never move back. A step
   * forward is followed: it cannot be told from a correction. Always whole
   * milliseconds, as the database stores them.
   */
  now(): number {
    const wall = this.clock.now();
    const monotonic = this.clock.monotonic?.() ?? performance.now();
    const time = wall >= this.latest
      ? wall
      : this.latest + Math.max(0, monotonic - this.latestMonotonic);
    this.latest = time;
    this.latestMonotonic = monotonic;
    return Math.floor(time);
  }

  /** Whether guesses, hints and check-ins are accepted now. */
  running(now = this.now()): boolean {
    return now >= this.startsAt && (this.hunt.endsAt === undefined || now < this.hunt.endsAt);
  }

  /**
   * Whether the hunt is over (at or past `ends_at`): no registration, no more
   * hint tokens, and no ask withdrawn or refused (the score is final).
   */
  ended(now = this.now()): boolean {
    return this.hunt.endsAt !== undefined && now >= this.hunt.endsAt;
  }

  /**
   * When an action counts: `at` (the effective time of one made offline,
   * already clamped by the caller) kept within the hunt and never in the
   * future, or now.
   */
  private effective(at: number | undefined, now: number): number {
    return at === undefined ? now : Math.min(now, Math.max(at, this.startsAt));
  }

  /**
   * When an action on `puzzle` made offline counts: not before the team could
   * see the puzzle. One unlocked by another action made offline was shown only
   * when that action arrived, so an action on it cannot have been made
   * earlier, whatever its claimed time.
   */
  private notBeforeShown(team: Team, puzzle: Puzzle, when: number): number {
    const shown = team.shownAt.get(puzzle.index);
    return shown !== undefined && shown > when ? shown : when;
  }

  /**
   * Whether an action that counts at `at` and arrives at `now` is accepted:
   * the hunt runs at `at`, and `now` is within the hunt's offline grace after
   * its end.
   */
  private accepts(at: number, now: number): boolean {
    const end = this.hunt.endsAt;
    if (now < this.startsAt) return false;
    return end === undefined || (at < end && now < end + (this.hunt.offlineGraceMs ?? 0));
  }

  /** A team by name, compared as `teamNameKey` does. */
  teamByName(name: string): Team | undefined {
    return this.byName.get(teamNameKey(name));
  }

  // ---------------------------------------------------------------- actions

  /** Registers a team; its password is already hashed. */
  register(input: {
    name: string;
    passwordHash: string;
    division?: string | null;
    members?: readonly string[];
  }): RegisterOutcome {
    const now = this.now();
    if (this.ended(now)) return { kind: "hunt_not_running" };
    const name = input.name.trim();
    const invalid = nameProblem(name);
    if (invalid !== undefined) return { kind: "invalid", message: invalid };
    if (this.byName.has(teamNameKey(name))) return { kind: "name_taken" };
    const division = input.division ?? null;
    if (division !== null && !this.hunt.divisions.includes(division)) {
      const known = this.hunt.divisions.length === 0
        ? "this hunt has no divisions"
        : `use one of ${this.hunt.divisions.join(", ")}`;
      return { kind: "invalid", message: `Unknown division "${division}": ${known}` };
    }
    const members = (input.members ?? []).map((member) => member.trim()).filter((m) => m !== "");
    // A name given twice is one person: counted twice, a team of one would pass `min = 2`.
    const repeated = repeatedMember(members);
    if (repeated !== undefined) {
      return {
        kind: "invalid",
        message: `The member "${repeated}" is listed twice: list each member once`,
      };
    }
    const size = Math.max(1, members.length);
    const { min, max } = this.hunt.teamSize;
    if (size < min || size > max) {
      const range = max === Infinity
        ? `at least ${min}`
        : min === max
        ? `${min}`
        : `${min} to ${max}`;
      return { kind: "invalid", message: `A team has ${range} members; this one lists ${size}` };
    }
    const team = this.addTeam({ id: this.nextTeamId, name, division, members, createdAt: now });
    const writes: Write[] = [{
      kind: "team",
      id: team.id,
      name,
      nameKey: teamNameKey(name),
      passwordHash: input.passwordHash,
      division,
      members,
      at: now,
    }];
    for (const route of this.hunt.routes) this.assignRoute(team, route, now, writes);
    const unlocked = this.refresh(team, now, writes);
    return { kind: "ok", team, unlocked, writes };
  }

  /**
   * Judges a guess; the caller checks the length limit first (`MAX_GUESS_LENGTH`).
   * `at` is when a guess made offline counts (its solve time); limits count arrivals.
   */
  guess(team: Team, puzzleId: string, raw: string, at?: number): GuessOutcome {
    const now = this.now();
    let when = this.effective(at, now);
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    this.catchUp(team, now);
    const puzzle = this.unlockedPuzzle(team, puzzleId);
    if (puzzle === undefined) return { kind: "not_found" };
    when = this.notBeforeShown(team, puzzle, when);
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    if (this.solved(team, puzzle)) return { kind: "already_solved" };
    if (puzzle.mission !== undefined) return { kind: "mission" };
    // A puzzle with variants is judged by the team's variant's answers.
    const variant = puzzle.variants === undefined ? undefined : variantOf(puzzle, team.seq);
    const answers = variant === undefined ? puzzle.answers : variant.answers;
    // On a multiple-choice puzzle, anything but a choice is refused: neither stored nor counted.
    if (answers.spec.choices !== undefined && !answers.isChoice(raw)) {
      return { kind: "not_a_choice" };
    }

    // The limit counts the whole team's incorrect and partial guesses in a sliding
    // window, or over the whole hunt (`per = "hunt"`, an infinite window).
    const limit = puzzle.guessLimit;
    const perHunt = limit.perMs === Infinity;
    const recent = team.recentWrong.get(puzzle.index) ?? [];
    const windowStart = now - limit.perMs;
    while (recent.length > 0 && recent[0]! <= windowStart) recent.shift();
    const used = perHunt
      ? team.state.counts[this.layout.wrongGuesses + puzzle.index]!
      : recent.length;
    let extraUsed = false;
    if (used >= limit.count) {
      const extra = team.extraGuesses.get(puzzle.index) ?? 0;
      if (extra <= 0) {
        if (perHunt) return { kind: "rate_limited" };
        const retryAfterMs = recent[recent.length - limit.count]! + limit.perMs - now;
        return {
          kind: "rate_limited",
          retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
        };
      }
      extraUsed = true;
    }

    const judged = answers.check(raw);
    const guessId = this.nextGuessId++;
    team.lastActivityAt = now;
    if (extraUsed) team.extraGuesses.set(puzzle.index, team.extraGuesses.get(puzzle.index)! - 1);
    const write: Extract<Write, { kind: "guess" }> = {
      kind: "guess",
      id: guessId,
      teamId: team.id,
      puzzle: puzzle.id,
      raw,
      normalized: puzzle.answers.normalize(raw),
      result: judged.kind,
      extraUsed,
      at: now,
    };
    // Set only when it differs, without a spread: this runs on every guess.
    if (when !== now) write.effectiveAt = when;
    const writes: Write[] = [write];
    if (judged.kind === "correct") {
      const decayed = this.solve(team, puzzle, when);
      const unlocked = this.refresh(team, now, writes, when);
      // A lower value lowers the other solvers' scores, which a score() rule may read:
      // their rules are judged again at their next read, touching only this puzzle's solvers.
      if (decayed && this.scoreRules) this.valueFell(team, puzzle);
      return { kind: "judged", result: "correct", unlocked, guessId, writes };
    }
    if (!perHunt) {
      recent.push(now);
      team.recentWrong.set(puzzle.index, recent);
    }
    team.state.counts[this.layout.wrongGuesses + puzzle.index]!++;
    // A wrong guess can make a hint available, but it unlocks no puzzle.
    const message = judged.kind === "partial"
      ? judged.message
      : variant === undefined
      ? undefined
      : this.otherVariantMessage(puzzle, variant, raw);
    return {
      kind: "judged",
      result: judged.kind,
      ...(message !== undefined && { message }),
      unlocked: [],
      guessId,
      writes,
    };
  }

  /** Takes a hint: idempotent, charging its cost once (at `at`, for one taken offline). */
  takeHint(team: Team, puzzleId: string, hintId: string, at?: number): HintOutcome {
    const now = this.now();
    let when = this.effective(at, now);
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    this.catchUp(team, now);
    const puzzle = this.unlockedPuzzle(team, puzzleId);
    const hint = puzzle?.hints.find((h) => h.id === hintId);
    if (puzzle === undefined || hint === undefined) return { kind: "not_found" };
    when = this.notBeforeShown(team, puzzle, when);
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    if (hint.kind === "ask") return { kind: "ask" };
    if (this.solved(team, puzzle) && !this.hintTaken(team, puzzle, hint)) {
      return { kind: "already_solved" };
    }
    const key = `${puzzle.index}:${hint.index}`;
    if (team.hints.has(key)) return { kind: "ok", hint, charged: false, writes: [] };
    const writes: Write[] = [];
    if (!this.hintAvailable(team, puzzle, hint, now)) return { kind: "not_available" };
    team.hints.add(key);
    team.state.taken.add(hintKey(puzzle.index, hint.index));
    this.changeScore(team, -hint.cost, when);
    team.lastActivityAt = now;
    writes.push({ kind: "hint", teamId: team.id, puzzle: puzzle.id, hint: hint.id, at: when });
    // A lower score never unlocks anything by itself, but rules may compare scores either way.
    this.refresh(team, now, writes, when);
    return { kind: "ok", hint, charged: true, writes };
  }

  /**
   * Asks an ask hint's question. It costs the hint's points, and one hint
   * token when the hunt gives them; a team has one open question per hint.
   */
  ask(team: Team, puzzleId: string, hintId: string, question: string): AskOutcome {
    const now = this.now();
    if (!this.running(now)) return { kind: "hunt_not_running" };
    this.catchUp(team, now);
    const puzzle = this.unlockedPuzzle(team, puzzleId);
    const hint = puzzle?.hints.find((h) => h.id === hintId);
    if (puzzle === undefined || hint === undefined) return { kind: "not_found" };
    if (hint.kind !== "ask") return { kind: "not_an_ask" };
    if (this.solved(team, puzzle)) return { kind: "already_solved" };
    if (!this.hintAvailable(team, puzzle, hint, now)) return { kind: "not_available" };
    for (const ask of this.asks.values()) {
      if (
        ask.teamId === team.id && ask.puzzle === puzzle.id && ask.hint === hint.id &&
        ask.status === "open"
      ) return { kind: "open", ask };
    }
    const tokens = this.hintTokens(team, now);
    if (tokens !== undefined && tokens.left <= 0) {
      return { kind: "no_tokens", nextAt: tokens.nextAt };
    }
    const ask: Ask = {
      id: this.nextAskId++,
      teamId: team.id,
      puzzle: puzzle.id,
      hint: hint.id,
      question,
      cost: hint.cost,
      token: tokens !== undefined,
      status: "open",
      answer: null,
      at: now,
      closedAt: null,
    };
    this.asks.set(ask.id, ask);
    this.changeScore(team, -ask.cost, now);
    team.lastActivityAt = now;
    const writes: Write[] = [{
      kind: "ask",
      id: ask.id,
      teamId: team.id,
      puzzle: puzzle.id,
      hint: hint.id,
      question,
      cost: ask.cost,
      token: ask.token,
      at: now,
    }];
    this.refresh(team, now, writes);
    return { kind: "ok", ask, writes };
  }

  /**
   * Closes an open ask: an organizer's answer or refusal, or its team's
   * withdrawal. The first close wins; a refused or withdrawn ask pays its
   * points and token back, so after the end only an answer is taken.
   */
  closeAsk(askId: number, close: AskClose): CloseOutcome {
    const ask = this.asks.get(askId);
    const team = ask && this.teams.get(ask.teamId);
    if (ask === undefined || team === undefined) return { kind: "not_found" };
    if (close.kind === "withdraw" && close.teamId !== ask.teamId) return { kind: "not_found" };
    if (ask.status !== "open") return { kind: "closed", ask };
    const now = this.now();
    // After the end the score is final: an answer keeps the cost, a withdrawal or refusal would not.
    if (close.kind !== "answer" && this.ended(now)) return { kind: "hunt_not_running" };
    ask.status = close.kind === "answer"
      ? "answered"
      : close.kind === "refuse"
      ? "refused"
      : "withdrawn";
    ask.answer = close.kind === "answer"
      ? close.answer
      : close.kind === "refuse"
      ? close.message ?? null
      : null;
    ask.closedAt = now;
    const writes: Write[] = [{
      kind: "ask_close",
      askId,
      teamId: ask.teamId,
      puzzle: ask.puzzle,
      hint: ask.hint,
      status: ask.status,
      answer: ask.answer,
      at: now,
    }];
    if (refunded(ask.status)) {
      this.changeScore(team, ask.cost, now);
      // A higher score may satisfy a score() rule.
      this.refresh(team, now, writes);
    }
    return { kind: "ok", ask, writes };
  }

  /**
   * The team's hint tokens now: given so far, spent on asks not paid back,
   * left, and when the next one comes; undefined when the hunt gives none.
   */
  hintTokens(
    team: Team,
    now = this.now(),
  ): { given: number; spent: number; left: number; nextAt: number | null } | undefined {
    const tokens = this.hunt.hintTokens;
    if (tokens === undefined) return undefined;
    let spent = 0;
    for (const ask of this.asks.values()) {
      if (ask.teamId === team.id && ask.token && !refunded(ask.status)) spent++;
    }
    const window = { startsAt: this.startsAt, endsAt: this.hunt.endsAt };
    const given = tokensGiven(tokens, window, now);
    return {
      given,
      spent,
      left: Math.max(0, given - spent),
      nextAt: nextTokenAt(tokens, window, now),
    };
  }

  /** The team's asks, oldest first; on one puzzle when `puzzle` is given. */
  asksOf(team: Team, puzzle?: Puzzle): Ask[] {
    const mine: Ask[] = [];
    for (const ask of this.asks.values()) {
      if (ask.teamId === team.id && (puzzle === undefined || ask.puzzle === puzzle.id)) {
        mine.push(ask);
      }
    }
    return mine;
  }

  /**
   * How many bytes the team may upload for a mission now: the hunt's cap for
   * its kind (`by: "cap"`), or what is left of the team's quota if less
   * (`by: "quota"`), so a refusal can name the limit. Refuses as `submit()`
   * would (`at`: as for `submit`), so a refused upload is not even read.
   */
  uploadLimit(
    team: Team,
    puzzleId: string,
    at?: number,
  ):
    | { kind: "ok"; puzzle: Puzzle; maxBytes: number; by: "cap" | "quota" }
    | Exclude<SubmitOutcome, { kind: "ok" }> {
    const now = this.now();
    const refused = this.submittable(team, puzzleId, this.effective(at, now), now);
    if ("kind" in refused) return refused;
    const { puzzle } = refused;
    const submit = puzzle.mission!.submit;
    if (submit === "text") return { kind: "wrong_kind", expected: "text" };
    const { photoMax, videoMax, teamQuota } = this.hunt.uploads;
    const left = teamQuota - (this.storedBytes.get(team.id) ?? 0);
    if (left <= 0) return { kind: "over_quota", quota: teamQuota };
    const cap = submit === "video" ? videoMax : photoMax;
    return left < cap
      ? { kind: "ok", puzzle, maxBytes: left, by: "quota" }
      : { kind: "ok", puzzle, maxBytes: cap, by: "cap" };
  }

  /**
   * Records a team's submission for a mission; with judge = "auto" it is accepted (and solved) at once.
   * `at` is when one made offline counts (as for `guess`), within the hunt's offline grace.
   */
  submit(
    team: Team,
    puzzleId: string,
    input: SubmissionInput,
    at?: number,
    flag?: ActionFlag,
  ): SubmitOutcome {
    const now = this.now();
    const found = this.submittable(team, puzzleId, this.effective(at, now), now);
    if ("kind" in found) return found;
    const { puzzle, when } = found;
    if (!fitsMission(puzzle, input)) {
      return { kind: "wrong_kind", expected: puzzle.mission!.submit };
    }
    const size = input.file?.size ?? 0;
    const used = this.storedBytes.get(team.id) ?? 0;
    if (used + size > this.hunt.uploads.teamQuota) {
      return { kind: "over_quota", quota: this.hunt.uploads.teamQuota };
    }
    const auto = puzzle.mission!.judge === "auto";
    const submission: Submission = {
      id: this.nextSubmissionId++,
      teamId: team.id,
      puzzle: puzzle.id,
      submit: puzzle.mission!.submit,
      file: input.file ?? null,
      text: input.text ?? null,
      status: auto ? "accepted" : "pending",
      points: puzzle.points,
      message: null,
      at: when,
      acceptedAt: auto ? when : null,
      judgedAt: null,
      flag: flag ?? null,
    };
    this.submissions.set(submission.id, submission);
    this.storedBytes.set(team.id, used + size);
    team.lastActivityAt = now;
    const { id, file, text, status, points } = submission;
    const writes: Write[] = [{
      kind: "submission",
      id,
      teamId: team.id,
      puzzle: puzzle.id,
      submit: submission.submit,
      file,
      text,
      status: status as "pending" | "accepted",
      points,
      at: when,
      ...(flag !== undefined && { flag }),
    }];
    if (!auto) {
      // Its puzzle list marks the mission as waiting for a judge.
      team.version++;
      return { kind: "ok", submission, unlocked: [], writes };
    }
    this.solve(team, puzzle, when, points);
    return { kind: "ok", submission, unlocked: this.refresh(team, now, writes, when), writes };
  }

  /**
   * A judge's verdict. Accepting a pending submission solves its mission (for
   * the puzzle's points, or the part the judge gives); rejecting an accepted
   * one takes the solve and its points back. Unlocks stay, as unlocking is
   * sticky.
   */
  judge(submissionId: number, verdict: Verdict): JudgeOutcome {
    const submission = this.submissions.get(submissionId);
    const team = submission && this.teams.get(submission.teamId);
    const index = submission && this.hunt.puzzleIndex.get(submission.puzzle);
    if (submission === undefined || team === undefined || index === undefined) {
      return { kind: "not_found" };
    }
    const puzzle = this.hunt.puzzles[index]!;
    const now = this.now();
    const writes: Write[] = [];
    let unlocked: string[] = [];
    if (verdict.accept) {
      if (submission.status !== "pending" || this.solved(team, puzzle)) {
        return { kind: "already_judged", submission };
      }
      const points = verdict.points ?? puzzle.points;
      if (!Number.isInteger(points) || points < 0 || points > puzzle.points) {
        return { kind: "invalid_points", max: puzzle.points };
      }
      // Unlocks the clock made due since the team's last refresh are its own, not the verdict's.
      this.catchUp(team, now);
      // It counts when the team sent it, as a mission judged "auto" does: how long it waited for a
      // judge changes neither who reached a score first nor whether it came before the end.
      Object.assign(submission, {
        status: "accepted",
        points,
        acceptedAt: submission.at,
        message: null,
      });
      this.solve(team, puzzle, submission.at, points);
    } else {
      if (submission.status === "rejected") return { kind: "already_judged", submission };
      if (submission.status === "accepted") this.unsolve(team, puzzle, submission.points, now);
      // A pending one leaves the list's "waiting for a judge" (an unsolve has bumped it already).
      else team.version++;
      Object.assign(submission, { status: "rejected", message: verdict.message ?? null });
    }
    submission.judgedAt = now;
    this.judging.release(submission.id);
    writes.push({
      kind: "verdict",
      submissionId,
      teamId: team.id,
      puzzle: puzzle.id,
      status: submission.status as "accepted" | "rejected",
      points: submission.points,
      message: submission.message,
      at: now,
      ...(verdict.accept && { acceptedAt: submission.at }),
    });
    // What it unlocks opens now, when the team first sees it: a hint's timer on a puzzle it opens
    // does not count the time the submission waited for a judge.
    if (verdict.accept) unlocked = this.refresh(team, now, writes);
    return { kind: "ok", submission, unlocked, writes };
  }

  /** The oldest pending submission no other judge holds, now claimed by `judge` for two minutes. */
  claimNext(judge: string, options: { skip?: number } = {}): Submission | undefined {
    return this.judging.claimNext(this.judgeable(), judge, this.now(), options);
  }

  /**
   * The submissions a judge can give a verdict on: those of puzzles the hunt
   * has. A reload that removes a mission keeps its submissions on disk, and
   * they wait again if it comes back.
   */
  *judgeable(): Generator<Submission> {
    for (const submission of this.submissions.values()) {
      if (this.hunt.puzzleIndex.has(submission.puzzle)) yield submission;
    }
  }

  /**
   * The missions whose latest submission from the team waits for a judge, by puzzle id: one pass
   * over the submissions (none in a hunt without missions).
   */
  pendingMissions(team: Team): ReadonlySet<string> {
    if (this.submissions.size === 0) return NO_PUZZLES;
    const latest = new Map<string, Submission["status"]>();
    for (const submission of this.submissions.values()) {
      if (submission.teamId === team.id) latest.set(submission.puzzle, submission.status);
    }
    const pending = new Set<string>();
    for (const [puzzle, status] of latest) if (status === "pending") pending.add(puzzle);
    return pending;
  }

  /** The team's latest submission for a puzzle, if any. */
  latestSubmission(team: Team, puzzle: Puzzle): Submission | undefined {
    let latest: Submission | undefined;
    for (const submission of this.submissions.values()) {
      if (submission.teamId === team.id && submission.puzzle === puzzle.id) latest = submission;
    }
    return latest;
  }

  /**
   * Checks a team in at a checkpoint; works while its puzzle is locked, but at
   * a route stop only once the team has reached it (`at`: as for `guess`).
   */
  checkIn(team: Team, code: string, at?: number): CheckInOutcome {
    const now = this.now();
    const when = this.effective(at, now);
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    const key = checkpointKey(code);
    const index = this.hunt.checkpoints.get(key);
    if (index === undefined) return { kind: "not_found" };
    const puzzle = this.hunt.puzzles[index]!;
    // With variants, only the team's own variant's checkpoint counts.
    const own = puzzle.variants === undefined
      ? undefined
      : variantOf(puzzle, team.seq)!.checkpoint?.code;
    if (puzzle.variants !== undefined && (own === undefined || checkpointKey(own) !== key)) {
      return { kind: "other_variant" };
    }
    const writes: Write[] = [];
    const slot = this.layout.checkedIn + index;
    if (team.state.counts[slot] === 0) {
      // A route's stops are taken in the team's order: a stop not reached yet is refused, not
      // recorded, so it can neither complete the stop nor satisfy a checked_in() rule early.
      if (puzzle.route !== undefined && !this.stopOpen(team, puzzle)) {
        return { kind: "not_reached" };
      }
      if (puzzle.route !== undefined) this.checkedInAtStop(team, puzzle);
      team.state.counts[slot] = 1;
      team.lastActivityAt = now;
      writes.push({ kind: "checkin", teamId: team.id, puzzle: puzzle.id, at: when });
    }
    const unlocked = this.refresh(team, now, writes, when);
    return { kind: "ok", puzzle, unlocked, writes };
  }

  /**
   * An organizer's rename, by registration's rules: unique among the other
   * teams (a team may change its own name's case). The team is found by the
   * new name at once (its login too), and no longer by the old one.
   */
  renameTeam(team: Team, input: string): RenameOutcome {
    const name = input.trim();
    const invalid = nameProblem(name);
    if (invalid !== undefined) return { kind: "invalid", message: invalid };
    const holder = this.byName.get(teamNameKey(name));
    if (holder !== undefined && holder !== team) return { kind: "name_taken" };
    if (name === team.name) return { kind: "ok", writes: [] };
    this.setName(team, name);
    const nameKey = teamNameKey(name);
    return { kind: "ok", writes: [{ kind: "team_name", teamId: team.id, name, nameKey }] };
  }

  /**
   * An organizer hides a team from the public standings (`hidden`), or shows
   * it again. Its solves then count as if it had always been hidden: no
   * dynamic value fell by them, and each first-solve bonus went to the
   * visible teams in solve order (each later solver moves a place up, and
   * back down when the team is shown again). The team plays on; its own score
   * holds each dynamic puzzle at the value the visible teams hold, with no bonus.
   */
  hideTeam(team: Team, hidden: boolean): { writes: Write[] } {
    if (team.hidden === hidden) return { writes: [] };
    this.setHidden(team, hidden);
    return { writes: [{ kind: "team_hidden", teamId: team.id, hidden, at: this.now() }] };
  }

  /**
   * An organizer bans a team (`banned`), or lifts its ban. A ban hides the
   * team as `hideTeam` does; lifting it leaves the team hidden until an
   * organizer shows it again. Ending its sessions and refusing its logins and
   * actions are the accounts' and the actions' part.
   */
  banTeam(team: Team, banned: boolean): { writes: Write[] } {
    if (team.banned === banned) return { writes: [] };
    this.setBanned(team, banned);
    return { writes: [{ kind: "team_banned", teamId: team.id, banned, at: this.now() }] };
  }

  /** An organizer's manual score change. */
  adjust(
    team: Team,
    points: number,
    reason: string,
  ): { id: number; unlocked: string[]; writes: Write[] } {
    const now = this.now();
    const id = this.nextAdjustmentId++;
    this.changeScore(team, points, now);
    const writes: Write[] = [{ kind: "adjustment", id, teamId: team.id, points, reason, at: now }];
    const unlocked = this.refresh(team, now, writes);
    return { id, unlocked, writes };
  }

  /** Lets a team make `count` more guesses on a puzzle past its limit. */
  grantExtraGuesses(team: Team, puzzleId: string, count: number): { writes: Write[] } | undefined {
    const index = this.hunt.puzzleIndex.get(puzzleId);
    if (index === undefined) return undefined;
    team.extraGuesses.set(index, (team.extraGuesses.get(index) ?? 0) + count);
    return {
      writes: [{ kind: "extra_guesses", teamId: team.id, puzzle: puzzleId, count, at: this.now() }],
    };
  }

  /** Posts an announcement to every team. */
  announce(text: string): { id: number; at: number; writes: Write[] } {
    const at = this.now();
    const id = this.nextAnnouncementId++;
    return { id, at, writes: [{ kind: "announcement", id, text, at }] };
  }

  /**
   * Records the time-based unlocks due by now for every team. Call it at
   * `nextChangeAt()`; between two such times no time-based rule changes.
   */
  tick(): { unlocked: Map<Team, string[]>; writes: Write[] } {
    const now = this.now();
    const writes: Write[] = [];
    const unlocked = new Map<Team, string[]>();
    for (const team of this.teams.values()) {
      const ids = this.refresh(team, now, writes);
      if (ids.length > 0) unlocked.set(team, ids);
    }
    return { unlocked, writes };
  }

  /**
   * After a reload moved the start earlier than `oldStart`: what teams had
   * unlocked at the old start (every unlock recorded before a start is dated
   * at it) counts from the new start, as it would for a team registered now;
   * else a team that registered early saw none of it until the old start.
   * Returns the unlocks, dated again (the store keeps the earliest time).
   */
  startMovedEarlier(oldStart: number): Write[] {
    const writes: Write[] = [];
    if (!(this.startsAt < oldStart)) return writes;
    for (const team of this.teams.values()) {
      for (const puzzle of this.hunt.puzzles) {
        if (team.state.unlockedAt[puzzle.index] !== oldStart) continue;
        team.state.unlockedAt[puzzle.index] = this.startsAt;
        team.version++;
        writes.push({ kind: "unlock", teamId: team.id, puzzle: puzzle.id, at: this.startsAt });
      }
    }
    return writes;
  }

  /** The next time at which a time-based rule can change its result, if any. */
  nextChangeAt(now = this.now()): number | undefined {
    const boundary = this.boundaries.find((time) => time > now);
    if (!this.everyMinute) return boundary;
    const minute = this.startsAt + (Math.floor((now - this.startsAt) / MINUTE) + 1) * MINUTE;
    return boundary === undefined ? minute : Math.min(minute, boundary);
  }

  // ---------------------------------------------------------------- views

  /**
   * Records the time-based unlocks due for a team before a read shows its
   * puzzles. Their writes join the background queue.
   */
  catchUp(team: Team, now = this.now()): void {
    // Between refreshes only the clock changes a puzzle rule's result (every other
    // input changes through an action that refreshes), so skip unless a time passed.
    const next = this.nextChangeAt(team.refreshedAt);
    if (team.stale || (next !== undefined && now >= next)) {
      this.refresh(team, now, this.background);
    }
  }

  /** Takes the queued background writes, for the caller to commit without waiting. */
  takeBackgroundWrites(): Write[] {
    const writes = this.background;
    this.background = [];
    return writes;
  }

  /**
   * Queues again background writes whose commit was refused with nothing stored (a shared log
   * that cannot be reached): the state they record is in memory, so the next commit takes them.
   */
  returnBackgroundWrites(writes: readonly Write[]): void {
    this.background = [...writes, ...this.background];
  }

  /**
   * Whether a team has a puzzle now. A puzzle unlocked before the hunt starts
   * carries the start as its unlock time, and stays hidden until then.
   */
  isUnlocked(team: Team, index: number, now = this.now()): boolean {
    return team.state.unlockedAt[index]! <= now;
  }

  /** The puzzles a team can see now, in file order. */
  unlockedPuzzles(team: Team): Puzzle[] {
    const now = this.now();
    return this.hunt.puzzles.filter((p) => this.isUnlocked(team, p.index, now));
  }

  /** A puzzle by id, only if the team has it unlocked. */
  unlockedPuzzle(team: Team, puzzleId: string, now = this.now()): Puzzle | undefined {
    const index = this.hunt.puzzleIndex.get(puzzleId);
    return index !== undefined && this.isUnlocked(team, index, now)
      ? this.hunt.puzzles[index]
      : undefined;
  }

  /** The variant of a puzzle the team plays, if the puzzle has variants. */
  variant(team: Team, puzzle: Puzzle): Variant | undefined {
    return variantOf(puzzle, team.seq);
  }

  /** What the team sees of a puzzle's body: its variant's, or the puzzle's own (`.body`). */
  bodySource(team: Team, puzzle: Puzzle): Puzzle | Variant {
    return variantOf(puzzle, team.seq) ?? puzzle;
  }

  /** The team's order of a route's stops, as puzzle ids. */
  routeOf(team: Team, route: Route): string[] {
    return (team.routes[route.index] ?? []).map((index) => this.hunt.puzzles[index]!.id);
  }

  /** Whether the team has solved the puzzle. */
  solved(team: Team, puzzle: Puzzle): boolean {
    const at = team.solvedAt[puzzle.index]!;
    return at === at;
  }

  /** Whether the team has taken the hint. */
  hintTaken(team: Team, puzzle: Puzzle, hint: Hint): boolean {
    return team.hints.has(`${puzzle.index}:${hint.index}`);
  }

  /** Whether a hint can be taken now: its puzzle is unlocked and unsolved, and its rule holds. */
  hintAvailable(team: Team, puzzle: Puzzle, hint: Hint, now = this.now()): boolean {
    if (!this.isUnlocked(team, puzzle.index, now) || this.solved(team, puzzle)) return false;
    if (hint.unlock === undefined) return true;
    team.state.now = now;
    return hint.unlock.condition(team.state, puzzle.index);
  }

  /**
   * Whether a team sees the solution of a puzzle it has unlocked at `now`:
   * once it solved the puzzle, or for any of them from the hunt's
   * `solutions_at`.
   */
  solutionShown(team: Team, puzzle: Puzzle, now: number): boolean {
    const released = this.hunt.solutionsAt;
    return (released !== undefined && now >= released) || this.solved(team, puzzle);
  }

  /**
   * What the answer to a wrong guess says as the puzzle is now (a partial's
   * message, or the note for another variant's answer), for the team's list of
   * its guesses: the message is not stored with the guess.
   */
  guessMessage(team: Team, puzzle: Puzzle, raw: string): string | undefined {
    const variant = puzzle.variants === undefined ? undefined : variantOf(puzzle, team.seq);
    const judged = (variant === undefined ? puzzle.answers : variant.answers).check(raw);
    if (judged.kind === "partial") return judged.message;
    if (judged.kind === "correct" || variant === undefined) return undefined;
    return this.otherVariantMessage(puzzle, variant, raw);
  }

  /**
   * Where a team stands against a puzzle's guess limit now: wrong guesses in
   * the window, the limit, extra guesses left, and the wait when it is reached.
   */
  guessLimitStatus(
    team: Team,
    puzzle: Puzzle,
    now = this.now(),
  ): { used: number; limit: number; extra: number; retryAfterSeconds?: number } {
    const limit = puzzle.guessLimit.count;
    const extra = team.extraGuesses.get(puzzle.index) ?? 0;
    if (puzzle.guessLimit.perMs === Infinity) {
      // A cap on the whole hunt: no wait ends it, only extra guesses.
      return { used: team.state.counts[this.layout.wrongGuesses + puzzle.index]!, limit, extra };
    }
    const windowStart = now - puzzle.guessLimit.perMs;
    const recent = (team.recentWrong.get(puzzle.index) ?? []).filter((at) => at > windowStart);
    if (recent.length < limit || extra > 0) return { used: recent.length, limit, extra };
    const retryAfterMs = recent[recent.length - limit]! + puzzle.guessLimit.perMs - now;
    return {
      used: recent.length,
      limit,
      extra,
      retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
    };
  }

  /** What the puzzle is worth now: its fixed points, or its dynamic value after its solves so far. */
  points(puzzle: Puzzle): number {
    return puzzle.dynamic === undefined
      ? puzzle.points
      : dynamicValue(puzzle.dynamic, this.solvers[puzzle.index]!.length);
  }

  /** The visible teams that solved the puzzle, in solve order (the first gets the first bonus). */
  solversOf(puzzle: Puzzle): readonly Team[] {
    return this.solvers[puzzle.index]!;
  }

  /** How many visible teams have solved the puzzle (what its dynamic value counts). */
  solvesOf(puzzle: Puzzle): number {
    return this.solvers[puzzle.index]!.length;
  }

  /**
   * How many teams solved the puzzle, as a team may see it (`show_solves`): the
   * visible teams' solves, or while the board is frozen at `frozenAt` those made
   * by then and the team's own since. A hidden team's solve counts for no other
   * team, but for itself it does: it is not among the visible ones, so it is
   * added (its own list, cached by its `version`, changes with it).
   */
  solvesShown(team: Team, puzzle: Puzzle, frozenAt?: number): number {
    const solvedAt = team.solvedAt[puzzle.index]!;
    const hiddenOwn = team.hidden && !Number.isNaN(solvedAt) ? 1 : 0;
    if (frozenAt === undefined) return this.solvers[puzzle.index]!.length + hiddenOwn;
    const own = team.hidden ? hiddenOwn : solvedAt > frozenAt ? 1 : 0;
    return this.solversBy(puzzle.index, frozenAt) + own;
  }

  /** What a dynamic puzzle was worth at `at`: its value after the solves made by then. */
  valueAt(index: number, at: number): number {
    const times = this.solveTimes[index]!;
    // Binary search: how many solves came at or before `at`.
    let low = 0;
    let high = times.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (times[mid]! <= at) low = mid + 1;
      else high = mid;
    }
    return dynamicValue(this.hunt.puzzles[index]!.dynamic!, low);
  }

  /**
   * What a puzzle is worth to a team while the board is frozen at `at`: its
   * value after the solves made by then, and the team's own solve if it came
   * later. Other teams' solves since then are the frozen board's secret.
   */
  pointsFrozen(team: Team, puzzle: Puzzle, at: number): number {
    if (puzzle.dynamic === undefined) return puzzle.points;
    // A hidden team's solve lowers no value, not even for itself.
    const own = !team.hidden && team.solvedAt[puzzle.index]! > at ? 1 : 0;
    return dynamicValue(puzzle.dynamic, this.solversBy(puzzle.index, at) + own);
  }

  /**
   * A team's own score while the board is frozen at `at`: all its own solves,
   * hints and adjustments, but each puzzle at its value to the team then
   * (`pointsFrozen`), and a first-solve bonus won since as the place after
   * the solvers by then: what other teams solved since changes nothing.
   */
  scoreFrozen(team: Team, at: number): number {
    let score = this.score(team);
    for (const puzzle of this.hunt.puzzles) {
      const solvedAt = team.solvedAt[puzzle.index]!;
      // A mission's points are its judge's: no decay, no bonus.
      if (solvedAt !== solvedAt || puzzle.mission !== undefined) continue;
      const place = this.solvers[puzzle.index]!.indexOf(team);
      const bonuses = puzzle.firstSolveBonus;
      // A hidden team has no place (-1), and so no bonus, then or now.
      const viewBonus = solvedAt > at && !team.hidden ? this.solversBy(puzzle.index, at) : place;
      score += (bonuses[viewBonus] ?? 0) - (bonuses[place] ?? 0);
      score += this.pointsFrozen(team, puzzle, at) - this.points(puzzle);
    }
    return score;
  }

  /**
   * What a puzzle shows to a visible team that has not solved it since the freeze: its points
   * (`pointsShown`) and its count of solves (`solvesShown`), now, or while the board is frozen at
   * `frozenAt`, as at the freeze. Only a team's own solve since makes its view differ.
   */
  publicValues(puzzle: Puzzle, frozenAt?: number): { points: number; solves: number } {
    if (frozenAt === undefined) {
      return { points: this.points(puzzle), solves: this.solvesOf(puzzle) };
    }
    const solves = this.solversBy(puzzle.index, frozenAt);
    const points = puzzle.dynamic === undefined
      ? puzzle.points
      : dynamicValue(puzzle.dynamic, solves);
    return { points, solves };
  }

  /**
   * What a puzzle is worth to a team: its value now, or, while the board is
   * frozen at `frozenAt`, its value at the freeze (with the team's own solve
   * since), so that a dynamic puzzle's fall does not tell a team how many
   * others solved it.
   */
  pointsShown(team: Team, puzzle: Puzzle, frozenAt?: number): number {
    return frozenAt === undefined ? this.points(puzzle) : this.pointsFrozen(team, puzzle, frozenAt);
  }

  /** How many teams had solved the puzzle by `at` (its solvers are in solve order). */
  private solversBy(index: number, at: number): number {
    const solvers = this.solvers[index]!;
    let low = 0;
    let high = solvers.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (solvers[mid]!.solvedAt[index]! <= at) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * A team's score after each change, up to `at`: its own changes, and the
   * falls of the dynamic puzzles it solved as other teams solved them.
   */
  scoreHistory(team: Team, at = Infinity): { at: number; score: number }[] {
    const changes: { at: number; delta: number }[] = [];
    for (const event of team.scoreEvents) {
      if (event.at > at) break;
      if (event.delta !== 0) changes.push(event);
    }
    for (const index of this.dynamicPuzzles) {
      const solvedAt = team.solvedAt[index]!;
      if (solvedAt !== solvedAt || solvedAt > at) continue;
      const times = this.solveTimes[index]!;
      const points = this.hunt.puzzles[index]!.dynamic!;
      // The team's solve earns the value then; each later solve changes it. A hidden team's solve is
      // not among the counted ones: it earns the value after those made by then.
      let value = 0;
      let place = this.solvers[index]!.indexOf(team);
      if (place < 0) {
        place = this.solversBy(index, solvedAt);
        value = dynamicValue(points, place);
        if (value !== 0) changes.push({ at: solvedAt, delta: value });
      }
      for (let k = place; k < times.length && times[k]! <= at; k++) {
        const next = dynamicValue(points, k + 1);
        if (next !== value) changes.push({ at: times[k]!, delta: next - value });
        value = next;
      }
    }
    changes.sort((a, b) => a.at - b.at);
    // One point per time: changes at the same moment (a solve and its bonus) merge.
    const points: { at: number; score: number }[] = [];
    let score = 0;
    for (const change of changes) {
      score += change.delta;
      if (points.at(-1)?.at === change.at) points.at(-1)!.score = score;
      else points.push({ at: change.at, score });
    }
    return points;
  }

  /** The team's score now. */
  score(team: Team): number {
    return team.state.counts[this.layout.score]!;
  }

  /** How many puzzles the team has solved. */
  solveCount(team: Team): number {
    return team.state.counts[this.layout.solves]!;
  }

  /**
   * The ranking: by score, then by who reached it first, then by registration
   * order. With `at`, a frozen board; with `division`, that division's teams
   * ranked apart; hidden teams only with `hidden` (see standings.ts).
   */
  standings(options: StandingsOptions = {}): Standing[] {
    return standings(this.teams.values(), this.layout, {
      ...options,
      // A board as at a time counts each dynamic puzzle at its value then.
      ...(options.at !== undefined && this.dynamicPuzzles.length > 0 &&
        { valueAt: this.valuesAt(options.at) }),
    });
  }

  /** Every dynamic puzzle's value at `at`, by puzzle index (0 for the others). */
  private valuesAt(at: number): Int32Array {
    const values = new Int32Array(this.hunt.puzzles.length);
    for (const index of this.dynamicPuzzles) values[index] = this.valueAt(index, at);
    return values;
  }

  // ---------------------------------------------------------------- restore

  /** Rebuilds the state from what the store read back at boot. */
  restore(snapshot: Snapshot): void {
    // Time never goes back past what is on disk, even after a restart on a clock set back.
    // Only times that happened count, as when following another node: not unlocks, which
    // are dated at the hunt's start when found before it (and that start may have moved);
    // every other unlock came with an action counted here, or from the clock on a read.
    for (
      const rows of [
        snapshot.teams.map((team) => ({ at: team.createdAt })),
        snapshot.solves,
        snapshot.adjustments,
        snapshot.lastActivity,
        snapshot.submissions,
        snapshot.asks,
      ]
    ) {
      for (const row of rows) this.latest = Math.max(this.latest, row.at);
    }
    for (const ask of snapshot.asks) this.latest = Math.max(this.latest, ask.closedAt ?? ask.at);
    this.latestMonotonic = this.clock.monotonic?.() ?? performance.now();
    replaySnapshot(snapshot, {
      ...this.hands(),
      reassignRoute: (team, route) => this.assignRoute(team, route, this.now(), this.background),
    });
    this.nextGuessId = snapshot.lastGuessId + 1;
    this.nextAdjustmentId = snapshot.lastAdjustmentId + 1;
    this.nextAnnouncementId = snapshot.lastAnnouncementId + 1;
    for (const submission of snapshot.submissions) {
      // A pending one is worth what accepting it gives now: a reload may have changed the points.
      const index = this.hunt.puzzleIndex.get(submission.puzzle);
      const points = submission.status === "pending" && index !== undefined
        ? this.hunt.puzzles[index]!.points
        : submission.points;
      this.submissions.set(submission.id, { ...submission, points });
      const bytes = this.storedBytes.get(submission.teamId) ?? 0;
      this.storedBytes.set(submission.teamId, bytes + (submission.file?.size ?? 0));
      this.nextSubmissionId = Math.max(this.nextSubmissionId, submission.id + 1);
    }
    for (const ask of snapshot.asks) {
      this.asks.set(ask.id, { ...ask });
      this.nextAskId = Math.max(this.nextAskId, ask.id + 1);
    }
  }

  /**
   * Plays a record another node decided (a shared log): the state changes as
   * that node's action changed its own, and nothing is decided or written.
   */
  apply(write: Write): void {
    followWrite(this.follower ??= this.followTarget(), write);
  }

  /** The state changes that replaying a snapshot and following a record share. */
  private hands(): EngineHands {
    return {
      hunt: this.hunt,
      layout: this.layout,
      teams: this.teams,
      addTeam: (row) => this.addTeam(row),
      solve: (team, puzzle, at, points) => this.solve(team, puzzle, at, points),
      unsolve: (team, puzzle, points, at) => this.unsolve(team, puzzle, points, at),
      changeScore: (team, delta, at) => this.changeScore(team, delta, at),
      checkedInAtStop: (team, puzzle) => this.checkedInAtStop(team, puzzle),
      setRoute: (team, route, order) => this.setRoute(team, route, order),
    };
  }

  /** What `apply` reads and changes, built once. */
  private follower: FollowTarget | undefined;
  private followTarget(): FollowTarget {
    return {
      ...this.hands(),
      submissions: this.submissions,
      asks: this.asks,
      valueFell: (team, puzzle) => {
        if (this.scoreRules) this.valueFell(team, puzzle);
      },
      addStoredBytes: (teamId, bytes) =>
        this.storedBytes.set(teamId, (this.storedBytes.get(teamId) ?? 0) + bytes),
      seen: (ids) => {
        if (ids.guess !== undefined) this.nextGuessId = Math.max(this.nextGuessId, ids.guess + 1);
        if (ids.adjustment !== undefined) {
          this.nextAdjustmentId = Math.max(this.nextAdjustmentId, ids.adjustment + 1);
        }
        if (ids.announcement !== undefined) {
          this.nextAnnouncementId = Math.max(this.nextAnnouncementId, ids.announcement + 1);
        }
        if (ids.submission !== undefined) {
          this.nextSubmissionId = Math.max(this.nextSubmissionId, ids.submission + 1);
        }
        if (ids.ask !== undefined) this.nextAskId = Math.max(this.nextAskId, ids.ask + 1);
        // Time never goes back past what another node handed out.
        if (ids.at !== undefined && ids.at > this.latest) {
          this.latest = ids.at;
          this.latestMonotonic = this.clock.monotonic?.() ?? performance.now();
        }
      },
      releaseClaim: (id) => this.judging.release(id),
      rename: (team, name) => this.setName(team, name),
      hide: (team, hidden) => this.setHidden(team, hidden),
      ban: (team, banned) => this.setBanned(team, banned),
    };
  }

  /** The longest guess-limit window, so the store knows how far back to read guesses. */
  longestGuessWindow(): number {
    return longestGuessWindow(this.hunt);
  }

  // ---------------------------------------------------------------- internals

  /** Adds a team in its starting state, in registration order. */
  private addTeam(row: TeamRow): Team {
    const team = newTeam(row, {
      hunt: this.hunt,
      layout: this.layout,
      startsAt: this.startsAt,
      seq: this.teams.size,
    });
    this.teams.set(team.id, team);
    this.byName.set(teamNameKey(row.name), team);
    this.nextTeamId = Math.max(this.nextTeamId, row.id + 1);
    return team;
  }

  /** Gives a team its new name: found by it, and no longer by its old one. */
  private setName(team: Team, name: string): void {
    const oldKey = teamNameKey(team.name);
    if (this.byName.get(oldKey) === team) this.byName.delete(oldKey);
    team.name = name;
    this.byName.set(teamNameKey(name), team);
  }

  /** The mission a team may submit to now (for a submission that counts at `when`), or why it may not. */
  private submittable(
    team: Team,
    puzzleId: string,
    when: number,
    now: number,
  ): { puzzle: Puzzle; when: number } | Exclude<SubmitOutcome, { kind: "ok" }> {
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    this.catchUp(team, now);
    const puzzle = this.unlockedPuzzle(team, puzzleId);
    if (puzzle === undefined) return { kind: "not_found" };
    when = this.notBeforeShown(team, puzzle, when);
    if (!this.accepts(when, now)) return { kind: "hunt_not_running" };
    if (puzzle.mission === undefined) return { kind: "not_a_mission" };
    if (this.solved(team, puzzle)) return { kind: "already_solved" };
    const latest = this.latestSubmission(team, puzzle);
    if (latest?.status === "pending") return { kind: "pending", submission: latest };
    return { puzzle, when };
  }

  /** Takes a solve back (a rejected mission): its counters, route progress and points. */
  private unsolve(team: Team, puzzle: Puzzle, points: number, at: number): void {
    const c = team.state.counts;
    if (c[this.layout.solved + puzzle.index] === 0) return;
    if (puzzle.route !== undefined) {
      const route = this.hunt.routes[puzzle.route]!;
      if (route.advance === "solve" || c[this.layout.checkedIn + puzzle.index] === 0) {
        c[this.layout.routeProgress + route.index]!--;
      }
    }
    team.revoked.push({ index: puzzle.index, solvedAt: team.solvedAt[puzzle.index]!, at });
    team.solvedAt[puzzle.index] = NaN;
    team.version++;
    c[this.layout.solved + puzzle.index] = 0;
    c[this.layout.solves]!--;
    c[this.layout.roundSolves + puzzle.roundIndex]!--;
    for (const tag of puzzle.tagIndexes) c[this.layout.tagSolves + tag]!--;
    let last = -Infinity;
    for (const solvedAt of team.solvedAt) if (solvedAt > last) last = solvedAt;
    team.lastSolveAt = last === -Infinity ? null : last;
    for (const solvers of [this.solvers[puzzle.index]!, this.hiddenSolvers[puzzle.index]!]) {
      const place = solvers.indexOf(team);
      if (place >= 0) solvers.splice(place, 1);
    }
    this.solvesVersion++;
    this.solveOrder[puzzle.index]!.delete(team);
    this.changeScore(team, -points, at);
  }

  /**
   * Records a solve: its counters, route progress and points (a judge may give
   * a mission a part of them). Returns whether it lowered a dynamic puzzle's
   * value, and so the earlier solvers' scores.
   */
  private solve(team: Team, puzzle: Puzzle, at: number, points?: number): boolean {
    const c = team.state.counts;
    if (puzzle.route !== undefined) {
      // A solve completes a stop, unless a check-in there already did (advance = "checkin").
      const route = this.hunt.routes[puzzle.route]!;
      if (route.advance === "solve" || c[this.layout.checkedIn + puzzle.index] === 0) {
        c[this.layout.routeProgress + route.index]!++;
      }
    }
    team.solvedAt[puzzle.index] = at;
    team.version++;
    c[this.layout.solved + puzzle.index] = 1;
    c[this.layout.solves]!++;
    if (team.lastSolveAt === null || at > team.lastSolveAt) team.lastSolveAt = at;
    c[this.layout.roundSolves + puzzle.roundIndex]!++;
    for (const tag of puzzle.tagIndexes) c[this.layout.tagSolves + tag]!++;
    this.solveOrder[puzzle.index]!.set(team, this.solvesRecorded++);
    this.solvesVersion++;
    return this.awardSolve(team, puzzle, at, points);
  }

  /**
   * Gives a solver the puzzle's points and its first-solve bonus, if any. A
   * dynamic puzzle's new value applies to every solver: the others change by
   * the difference, touching only this puzzle's solvers. A mission (never
   * dynamic, no bonus: the hunt file refuses them) gets what its judge gave.
   *
   * Solvers are kept in the order of their solve times, as a restart replays
   * them: a solve made offline and sent later takes its place before the
   * solves made after it, and those move one bonus down.
   */
  private awardSolve(team: Team, puzzle: Puzzle, at: number, points?: number): boolean {
    if (team.hidden) return this.awardHiddenSolve(team, puzzle, at, points);
    const solvers = this.solvers[puzzle.index]!;
    const place = this.placeAt(puzzle.index, at);
    solvers.splice(place, 0, team);
    if (points !== undefined) {
      this.solveScore(team, puzzle, points, at);
      return false;
    }
    const bonus = puzzle.firstSolveBonus[place] ?? 0;
    this.moveBonusesDown(puzzle, place);
    if (puzzle.dynamic === undefined) {
      this.solveScore(team, puzzle, puzzle.points + bonus, at);
      return false;
    }
    this.solveTimes[puzzle.index]!.splice(place, 0, at);
    const count = solvers.length;
    const before = dynamicValue(puzzle.dynamic, count - 1);
    const after = dynamicValue(puzzle.dynamic, count);
    const score = this.layout.score;
    // The event holds the bonus only: the value is counted apart, as it changes later.
    team.state.counts[score]! += after + bonus;
    addScoreEvent(team, { at, delta: bonus, dynamic: true, puzzle: puzzle.index });
    if (after + bonus !== 0) team.reachedAt = Math.max(team.reachedAt, at);
    if (after === before) return false;
    // The other solvers' totals follow, with no event: a board as at a time
    // reads the value then (`valueAt`), and a decay is not a team reaching its score.
    this.valuesVersion++;
    const delta = after - before;
    for (const other of solvers) if (other !== team) other.state.counts[score]! += delta;
    for (const other of this.hiddenSolvers[puzzle.index]!) other.state.counts[score]! += delta;
    this.valueCrossedZero(puzzle, before, after);
    return true;
  }

  /**
   * A hidden team's solve: the puzzle's points (a mission's, what its judge
   * gave), a dynamic puzzle at the value the visible solvers hold, which it
   * does not lower, and no first-solve bonus.
   */
  private awardHiddenSolve(team: Team, puzzle: Puzzle, at: number, points?: number): false {
    this.hiddenSolvers[puzzle.index]!.push(team);
    if (points !== undefined || puzzle.dynamic === undefined) {
      this.solveScore(team, puzzle, points ?? puzzle.points, at);
      return false;
    }
    const value = dynamicValue(puzzle.dynamic, this.solvers[puzzle.index]!.length);
    team.state.counts[this.layout.score]! += value;
    addScoreEvent(team, { at, delta: 0, dynamic: true, puzzle: puzzle.index });
    if (value !== 0) team.reachedAt = Math.max(team.reachedAt, at);
    return false;
  }

  /**
   * Where a solve at `at` goes among a puzzle's counted solvers: after those
   * made earlier, and after those made in the same millisecond but recorded
   * before it (`order`, its place in `solveOrder`; a new solve is the last).
   */
  private placeAt(index: number, at: number, order = Infinity): number {
    const solvers = this.solvers[index]!;
    const orders = this.solveOrder[index]!;
    let place = solvers.length;
    while (place > 0) {
      const before = solvers[place - 1]!;
      const time = before.solvedAt[index]!;
      if (time < at || (time === at && orders.get(before)! < order)) break;
      place--;
    }
    return place;
  }

  /** A dynamic puzzle's other solvers' `score()` rules are judged again at their next read. */
  private valueFell(team: Team, puzzle: Puzzle): void {
    for (const other of this.solvers[puzzle.index]!) other.stale = other !== team;
    for (const other of this.hiddenSolvers[puzzle.index]!) other.stale = other !== team;
  }

  /**
   * Hides a team (or shows it again), and moves its solves out of (or back
   * into) the counted ones, with the scores that changes: the same state as
   * replaying every solve with the team hidden (or not) from the start.
   */
  private setHidden(team: Team, hidden: boolean): void {
    if (team.hidden === hidden) return;
    team.hidden = hidden;
    let solved = false;
    for (const puzzle of this.hunt.puzzles) {
      const solvedAt = team.solvedAt[puzzle.index]!;
      if (solvedAt !== solvedAt) continue;
      solved = true;
      if (hidden) this.uncount(team, puzzle);
      else this.recount(team, puzzle);
    }
    if (!solved) return;
    // Values and bonuses moved: what every team sees of its score may have changed.
    this.valuesVersion++;
    if (this.readsScore) { for (const other of this.teams.values()) other.stale = true; }
  }

  /** Bans a team (and hides it), or lifts its ban (it stays hidden). */
  private setBanned(team: Team, banned: boolean): void {
    team.banned = banned;
    if (banned) this.setHidden(team, true);
  }

  /**
   * A solve that no longer counts for the others: the team gives its bonus
   * back, each later solver moves a place up (at its own solve time, as
   * `moveBonusesDown` moves them down), and a dynamic value rises back.
   */
  private uncount(team: Team, puzzle: Puzzle): void {
    const index = puzzle.index;
    const solvers = this.solvers[index]!;
    const place = solvers.indexOf(team);
    if (place < 0) return;
    solvers.splice(place, 1);
    this.solvesVersion++;
    this.hiddenSolvers[index]!.push(team);
    // A mission's points are its judge's: no decay, no bonus.
    if (puzzle.mission !== undefined) return;
    const bonuses = puzzle.firstSolveBonus;
    this.bonusChange(team, puzzle, -(bonuses[place] ?? 0));
    for (let i = place; i < solvers.length && i < bonuses.length; i++) {
      this.bonusChange(solvers[i]!, puzzle, bonuses[i]! - (bonuses[i + 1] ?? 0));
    }
    if (puzzle.dynamic === undefined) return;
    this.solveTimes[index]!.splice(place, 1);
    const count = solvers.length;
    this.valueChange(
      puzzle,
      dynamicValue(puzzle.dynamic, count) - dynamicValue(puzzle.dynamic, count + 1),
    );
  }

  /**
   * A hidden team's solve counted again: it takes its place by solve time
   * and that place's bonus, the later solvers move a place down, and a
   * dynamic value falls by one more solve.
   */
  private recount(team: Team, puzzle: Puzzle): void {
    const index = puzzle.index;
    const hidden = this.hiddenSolvers[index]!;
    const at = hidden.indexOf(team);
    if (at < 0) return;
    hidden.splice(at, 1);
    const solvedAt = team.solvedAt[index]!;
    const place = this.placeAt(index, solvedAt, this.solveOrder[index]!.get(team));
    const solvers = this.solvers[index]!;
    solvers.splice(place, 0, team);
    this.solvesVersion++;
    if (puzzle.mission !== undefined) return;
    this.bonusChange(team, puzzle, puzzle.firstSolveBonus[place] ?? 0);
    this.moveBonusesDown(puzzle, place);
    if (puzzle.dynamic === undefined) return;
    this.solveTimes[index]!.splice(place, 0, solvedAt);
    const count = solvers.length;
    this.valueChange(
      puzzle,
      dynamicValue(puzzle.dynamic, count) - dynamicValue(puzzle.dynamic, count - 1),
    );
  }

  /** A dynamic puzzle's value changed by `delta`: every solver's total follows, with no event. */
  private valueChange(puzzle: Puzzle, delta: number): void {
    if (delta === 0) return;
    const score = this.layout.score;
    for (const other of this.solvers[puzzle.index]!) other.state.counts[score]! += delta;
    for (const other of this.hiddenSolvers[puzzle.index]!) other.state.counts[score]! += delta;
    const after = dynamicValue(puzzle.dynamic!, this.solvers[puzzle.index]!.length);
    this.valueCrossedZero(puzzle, after - delta, after);
  }

  /**
   * A solver's bonus on `puzzle` changed by `delta`: its solve's score change
   * (at its solve time, for past boards) changes with it, so the team's events
   * and its time of reaching its score are those a restart, replaying the
   * solves in time order, counts. A solve worth something now is a time the
   * team reached its score; one worth nothing now is not, and no longer was:
   * the team reached its score at its latest change still worth something.
   * Its `score()` rules are judged again at its next read, as for a value that fell.
   */
  private bonusChange(team: Team, puzzle: Puzzle, delta: number): void {
    if (delta === 0) return;
    team.state.counts[this.layout.score]! += delta;
    if (this.readsScore) team.stale = true;
    const at = team.solvedAt[puzzle.index]!;
    const events = team.scoreEvents;
    let i = events.length - 1;
    while (i >= 0 && !(events[i]!.at === at && events[i]!.puzzle === puzzle.index)) i--;
    if (i < 0) {
      // The solve was worth nothing: it had no change.
      addScoreEvent(team, { at, delta, dynamic: false, puzzle: puzzle.index });
      team.reachedAt = Math.max(team.reachedAt, at);
      return;
    }
    const event = events[i]!;
    event.delta += delta;
    // A dynamic solve's event stays, for the value it holds apart.
    if (event.delta === 0 && !event.dynamic) events.splice(i, 1);
    team.reachedAt = this.worth(event) !== 0 ? Math.max(team.reachedAt, at) : this.reached(team);
  }

  /** What a score change is worth now: its delta, and a dynamic solve's value now. */
  private worth(event: ScoreEvent): number {
    const puzzle = event.dynamic && event.puzzle !== undefined
      ? this.hunt.puzzles[event.puzzle]
      : undefined;
    if (puzzle?.dynamic === undefined) return event.delta;
    return event.delta + dynamicValue(puzzle.dynamic, this.solvers[puzzle.index]!.length);
  }

  /**
   * When a team reached its score: its latest change still worth something now, as the export
   * ranks (store/export.ts), else its registration.
   */
  private reached(team: Team): number {
    const events = team.scoreEvents;
    for (let k = events.length - 1; k >= 0; k--) {
      if (this.worth(events[k]!) !== 0) return Math.max(team.createdAt, events[k]!.at);
    }
    return team.createdAt;
  }

  /**
   * A dynamic value that reached 0 or left it (a minimum of 0) makes its solves worth nothing,
   * or something again: its solvers' times of reaching their scores follow.
   */
  private valueCrossedZero(puzzle: Puzzle, before: number, after: number): void {
    if ((before === 0) === (after === 0)) return;
    for (const other of this.solvers[puzzle.index]!) other.reachedAt = this.reached(other);
    for (const other of this.hiddenSolvers[puzzle.index]!) other.reachedAt = this.reached(other);
  }

  /**
   * A solve placed at `place` before later ones: each later solver now holds
   * the bonus of the place after its old one. The difference is a score change
   * at that solver's own solve time, so boards as at any time agree with a
   * replay in time order.
   */
  private moveBonusesDown(puzzle: Puzzle, place: number): void {
    const bonuses = puzzle.firstSolveBonus;
    const solvers = this.solvers[puzzle.index]!;
    for (let i = place + 1; i < solvers.length && i - 1 < bonuses.length; i++) {
      this.bonusChange(solvers[i]!, puzzle, (bonuses[i] ?? 0) - bonuses[i - 1]!);
    }
  }

  /** A solve's score change: as `changeScore`, marked as the solve's, for its bonus to move. */
  private solveScore(team: Team, puzzle: Puzzle, delta: number, at: number): void {
    if (delta === 0) return;
    team.state.counts[this.layout.score]! += delta;
    addScoreEvent(team, { at, delta, dynamic: false, puzzle: puzzle.index });
    team.reachedAt = Math.max(team.reachedAt, at);
  }

  /** Changes a team's score, remembering when, for ties and frozen boards. */
  private changeScore(team: Team, delta: number, at: number): void {
    if (delta === 0) return;
    team.state.counts[this.layout.score]! += delta;
    addScoreEvent(team, { at, delta, dynamic: false });
    team.reachedAt = Math.max(team.reachedAt, at);
  }

  /** A stop can unlock once the team is done with the stop before it in its route. */
  private stopReached(team: Team, puzzle: Puzzle): boolean {
    const previous = team.previousStop[puzzle.index]!;
    if (previous < 0) return true;
    const c = team.state.counts;
    if (c[this.layout.solved + previous] === 1) return true;
    return this.hunt.routes[puzzle.route!]!.advance === "checkin" &&
      c[this.layout.checkedIn + previous] === 1;
  }

  /**
   * Whether a team may check in at a stop: it has reached it (the stop before
   * it is done), or has it unlocked already (a route reordered by a reload).
   */
  private stopOpen(team: Team, puzzle: Puzzle): boolean {
    const unlockedAt = team.state.unlockedAt[puzzle.index]!;
    return unlockedAt === unlockedAt || this.stopReached(team, puzzle);
  }

  /**
   * A first check-in at a stop completes it on a route that advances on
   * check-ins, if unsolved. `checkIn` lets a team check in only at a stop it
   * has reached, so every stored check-in replays here as it counted.
   */
  private checkedInAtStop(team: Team, puzzle: Puzzle): void {
    const route = this.hunt.routes[puzzle.route!]!;
    if (route.advance === "checkin" && team.state.counts[this.layout.solved + puzzle.index] === 0) {
      team.state.counts[this.layout.routeProgress + route.index]!++;
    }
  }

  /** Gives a team its order of a route's stops, from the route's planner, and records it. */
  private assignRoute(team: Team, route: Route, at: number, writes: Write[]): void {
    const order = route.planner.orderFor(team.seq).map((slot) => route.stops[slot]!);
    this.setRoute(team, route, order);
    writes.push({
      kind: "route",
      teamId: team.id,
      route: route.id,
      stops: order.map((index) => this.hunt.puzzles[index]!.id),
      at,
    });
  }

  /** Sets a team's order of a route's stops, as the rules and unlocks read it. */
  private setRoute(team: Team, route: Route, order: readonly number[]): void {
    team.routes[route.index] = order;
    order.forEach((index, k) => {
      team.state.counts[this.layout.routePosition + index] = k + 1;
      team.previousStop[index] = k === 0 ? -1 : order[k - 1]!;
    });
  }

  /** The organizer's message for a guess that is another variant's answer, if any. */
  private otherVariantMessage(puzzle: Puzzle, mine: Variant, raw: string): string | undefined {
    if (puzzle.otherVariantMessage === undefined) return undefined;
    for (const variant of puzzle.variants!) {
      if (variant !== mine && variant.answers.check(raw).kind === "correct") {
        return puzzle.otherVariantMessage;
      }
    }
    return undefined;
  }

  /**
   * Unlocks every locked puzzle whose rule holds now. Unlocking is sticky:
   * nothing here ever locks a puzzle again. Returns the ids newly unlocked,
   * and adds their writes.
   */
  private refresh(team: Team, now: number, writes: Write[], at = now): string[] {
    const state = team.state;
    // Before the hunt starts, rules are judged as at the start, and open puzzles
    // count as unlocked from the start (they stay hidden until then).
    state.now = Math.max(now, this.startsAt);
    // What an action made offline unlocks counts from that action's time.
    const time = Math.max(Math.min(at, now), this.startsAt);
    team.refreshedAt = now;
    team.stale = false;
    const unlocked: string[] = [];
    // Unlocks can enable further unlocks only through solves, which they do not
    // make; one pass is enough.
    for (const puzzle of this.hunt.puzzles) {
      const at = state.unlockedAt[puzzle.index]!;
      if (at === at) continue;
      if (puzzle.route !== undefined && !this.stopReached(team, puzzle)) continue;
      if (puzzle.unlock !== undefined && !puzzle.unlock.condition(state, puzzle.index)) continue;
      state.unlockedAt[puzzle.index] = time;
      if (time < now) team.shownAt.set(puzzle.index, now);
      team.version++;
      unlocked.push(puzzle.id);
      writes.push({ kind: "unlock", teamId: team.id, puzzle: puzzle.id, at: time });
    }
    return unlocked;
  }
}

/** Adds a score change in time order: a change made offline can count before the newest one. */
function addScoreEvent(team: Team, event: ScoreEvent): void {
  const events = team.scoreEvents;
  let i = events.length;
  while (i > 0 && events[i - 1]!.at > event.at) i--;
  events.splice(i, 0, event);
}

/** The longest guess-limit window of a hunt, so the store knows how far back to read guesses. */
export function longestGuessWindow(hunt: Hunt): number {
  // A per-hunt cap reads the stored totals, not the recent guesses.
  const windows = hunt.puzzles.map((p) => p.guessLimit.perMs).filter(Number.isFinite);
  return Math.max(0, ...windows);
}

export { MAX_GUESS_LENGTH };
