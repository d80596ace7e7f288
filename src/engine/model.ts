/**
 * The compiled hunt the engine runs: everything from the hunt file, validated,
 * with ids mapped to dense indices and rules compiled to closures.
 */
import type { CompiledRule } from "../rules/mod.ts";
import type { AnswerChecker } from "./normalize.ts";
import type { RouteConstraints, RoutePlanner } from "./routes.ts";
import type { DynamicPoints } from "./scoring.ts";

export type Registration = "open" | "code" | "closed";

export interface Hint {
  index: number;
  id: string;
  /** What the hint is about, shown before it is taken (the hunt file's `title`), if given. */
  title?: string;
  text: string;
  cost: number;
  /** "ask": the team asks a question and an organizer answers it (see asks.ts); undefined: a text hint. */
  kind?: "ask";
  /** Undefined: available as soon as its puzzle is. */
  unlock?: CompiledRule;
}

export interface Puzzle {
  index: number;
  id: string;
  title: string;
  round: string;
  roundIndex: number;
  tags: readonly string[];
  tagIndexes: readonly number[];
  /** The fixed points, or a dynamic puzzle's `initial` (its value before any solve). */
  points: number;
  /** Set when the value falls with solves (see scoring.ts); `engine.points()` gives the current value. */
  dynamic?: DynamicPoints;
  /** Extra points for the first solvers: the first gets [0], the second [1], and so on. */
  firstSolveBonus: readonly number[];
  /** Markdown. */
  body: string;
  /** Markdown a team sees once it solved the puzzle (`solution`), if the hunt gives one. */
  solution?: string;
  answers: AnswerChecker;
  /** Undefined: open from the start. */
  unlock?: CompiledRule;
  /** `perMs` is Infinity for `per = "hunt"`: a cap on the whole hunt's wrong guesses. */
  guessLimit: { count: number; perMs: number };
  hints: readonly Hint[];
  checkpoint?: { code: string };
  /**
   * Per-team versions of the puzzle. A team plays one, picked by
   * `variantOf`; its body, answers and checkpoint replace the puzzle's.
   */
  variants?: readonly Variant[];
  /** The seed-derived shift of the variant assignment (see `variantOf`). */
  variantOffset: number;
  /** Shown with `incorrect` when a guess is another variant's answer. */
  otherVariantMessage?: string;
  /** The route this puzzle is a stop of, by index. */
  route?: number;
  /** A mission: solved by a submission that a judge accepts, not by an answer. */
  mission?: Mission;
}

/** What a mission takes, and who accepts it. */
export interface Mission {
  submit: "photo" | "video" | "text";
  /** "auto": accepted at once (an organizer can still reject it); "organizer": waits for a verdict. */
  judge: "organizer" | "auto";
}

/** Limits on mission uploads, in bytes, and how large a phone makes a photo before sending it. */
export interface Uploads {
  photoMax: number;
  videoMax: number;
  teamQuota: number;
  /** The longest side, in pixels, a phone shrinks a photo to before sending it, or "original". */
  photoSize: number | "original";
}

/** The upload limits a hunt gets when it sets none. */
export const DEFAULT_UPLOADS: Uploads = {
  photoMax: 15 * 1_048_576,
  videoMax: 60 * 1_048_576,
  teamQuota: 1_024 * 1_048_576,
  photoSize: 2048,
};

/** `[hunt] hint_tokens`: `start` tokens at the hunt's start, one more each `everyMs`, at most `max`. */
export interface HintTokens {
  start: number;
  everyMs?: number;
  max?: number;
}

/** One `[[puzzle.variant]]`: what a team that gets it sees and must answer. */
export interface Variant {
  /** Its position among the puzzle's variants, from 0. */
  index: number;
  body: string;
  /** Its own solution, or the puzzle's. */
  solution?: string;
  answers: AnswerChecker;
  checkpoint?: { code: string };
}

/** A `[[route]]`: stops that each team visits in its own order. */
export interface Route {
  index: number;
  id: string;
  /** Puzzle indices, in the order the file lists them. */
  stops: readonly number[];
  /** What moves a team on to its next stop: solving the current one, or checking in there (or solving it). */
  advance: "solve" | "checkin";
  constraints: RouteConstraints;
  planner: RoutePlanner;
}

export interface Hunt {
  title: string;
  /** Epoch ms; undefined: the hunt starts when a server first runs on its database. */
  startsAt?: number;
  endsAt?: number;
  freezeAt?: number;
  /**
   * From when every team sees the solutions of the puzzles it has unlocked,
   * solved or not (epoch ms; undefined: only those it solved). Never before
   * the end and its offline grace (`check` refuses it).
   */
  solutionsAt?: number;
  /**
   * How long after `endsAt` an action made offline before the end is still
   * accepted (ms; undefined: none).
   */
  offlineGraceMs?: number;
  /**
   * "one": the first device (session) that submits for a team is its only
   * submitter until an organizer releases it. Undefined: every device submits.
   */
  submitters?: "one";
  registration: Registration;
  registrationCodes: readonly string[];
  teamSize: { min: number; max: number };
  divisions: readonly string[];
  seed: string;
  puzzles: readonly Puzzle[];
  puzzleIndex: ReadonlyMap<string, number>;
  rounds: readonly string[];
  /** The titles the file gives rounds (`[[round]]`), by round id; a round without one has none here. */
  roundTitles?: ReadonlyMap<string, string>;
  tags: readonly string[];
  /** Checkpoint code's key (`checkpointKey`) → puzzle index (variants' codes included). */
  checkpoints: ReadonlyMap<string, number>;
  routes: readonly Route[];
  /** Limits on mission uploads (defaults when the file sets none). */
  uploads: Uploads;
  /** Tokens that pay for asks, given out over time from the hunt's start; undefined: asks cost points. */
  hintTokens?: HintTokens;
  /** Whether the projector's gallery of accepted photos is on. */
  gallery: boolean;
  /** Whether players see each puzzle's number of solves (`show_solves`). */
  showSolves: boolean;
  /**
   * Whether an action made offline counts when it was made (`offline_times`, the default), or
   * when it arrives.
   */
  offlineTimes: boolean;
  /** The folder of per-puzzle assets (`assets/<puzzle id>/…`) beside the hunt file, if any. */
  assetsDir?: string;
}

/** The guess limit a puzzle gets when it sets none: 10 per minute. */
export const DEFAULT_GUESS_LIMIT = { count: 10, perMs: 60_000 } as const;

/** Which variant of a puzzle the team registered `seq`-th (from 0) plays: balanced, seed-derived. */
export function variantOf(puzzle: Puzzle, seq: number): Variant | undefined {
  const variants = puzzle.variants;
  return variants === undefined
    ? undefined
    : variants[(puzzle.variantOffset + seq) % variants.length];
}

/**
 * The form a checkpoint code is looked up by: trimmed, case-insensitive, with
 * spaces and dashes ignored, so " Bakery 5C1E" typed on a phone finds
 * "bakery-5c1e". `cairn check` refuses two codes with the same key.
 */
export function checkpointKey(code: string): string {
  return code.replace(/[\s\-\u2010-\u2015\u2212]/gu, "").toLowerCase();
}

/** A round's name for players: its `[[round]]` title, else its id title-cased ("old-town" → "Old Town"). */
export function roundTitle(hunt: Pick<Hunt, "roundTitles">, round: string): string {
  return hunt.roundTitles?.get(round) ?? titleCase(round);
}

/** An id as words: "old-town" → "Old Town", "round_2" → "Round 2". */
export function titleCase(id: string): string {
  return id.split(/[-_]+/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(" ");
}
