/**
 * The hunt file's schema: one valibot schema for the whole file, with strict
 * objects everywhere so that a mistyped key is an error and not a silent
 * default. Defaults from the brief are applied here; the types come from it.
 */
import * as v from "valibot";
import { parseTimestamp } from "../rules/timestamp.ts";

const ID = /^[a-z0-9][a-z0-9_-]*$/;
const CODE = /^[A-Za-z0-9_-]{1,64}$/;
const DURATION = /^(\d+)(s|m|h)$/;
const SIZE = /^(\d+)\s*(KB|MB|GB)$/;
const UNIT_BYTES = { KB: 1_024, MB: 1_048_576, GB: 1_073_741_824 } as const;
const WINDOW = /^(\d+)(s|m|h)$|^hunt$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;

const id = (what: string) =>
  v.pipe(
    v.string(`Expected ${what} in quotes`),
    v.regex(ID, (issue) =>
      `Invalid ${what} ${issue.received}: use lowercase letters, digits, "-" and "_", starting with a letter or digit`),
  );

const text = (what: string) =>
  v.pipe(v.string(`Expected ${what} in quotes`), v.trim(), v.nonEmpty(`The ${what} is empty`));

/**
 * The largest number a hunt file may give anywhere (points, costs, bonuses,
 * limits). Scores are kept in 32-bit counters; with this bound a hunt's points
 * add up within them (load.ts checks the sum).
 */
export const MAX_COUNT = 1_000_000;

const count = (what: string, min: number) =>
  v.pipe(
    v.number(`Expected ${what} as a number`),
    v.integer(`Expected ${what} as a whole number`),
    v.minValue(min, `Expected ${what} of at least ${min}`),
    v.maxValue(MAX_COUNT, `Expected ${what} of at most ${MAX_COUNT.toLocaleString("en")}`),
  );

const stringList = (what: string) =>
  v.pipe(
    v.union(
      [v.string(), v.array(v.string(`Expected each ${what} in quotes`))],
      `Expected ${what} in quotes, or a list of them`,
    ),
    v.transform((value) => (typeof value === "string" ? [value] : value)),
  );

/** A TOML date-time with an offset, or the same as an ISO string, as epoch milliseconds. */
const time = v.pipe(
  v.custom<Date | string>(
    (input) => toEpoch(input) !== undefined,
    "Expected a date and time with an offset, e.g. 2026-11-21T10:00:00+01:00",
  ),
  v.transform((input) => toEpoch(input)!),
);

/** "30s", "10m" or "1h" (already matched by DURATION) in milliseconds. */
function durationMs(input: string): number {
  const [, amount, unit] = DURATION.exec(input)!;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** A duration: "30s", "10m" or "1h", in milliseconds. */
const duration = v.pipe(
  v.string('Expected a duration in quotes, e.g. "30s", "10m" or "1h"'),
  v.regex(DURATION, 'Expected a duration such as "30s", "10m" or "1h"'),
  v.transform(durationMs),
  v.minValue(1_000, "The duration must be at least 1s"),
);

/** A size such as "15MB", in bytes (KB, MB and GB are powers of 1,024). */
const size = v.pipe(
  v.string('Expected a size in quotes, e.g. "15MB"'),
  v.regex(SIZE, 'Expected a size such as "500KB", "15MB" or "1GB"'),
  v.transform((input) => {
    const [, amount, unit] = SIZE.exec(input)!;
    return Number(amount) * UNIT_BYTES[unit as keyof typeof UNIT_BYTES];
  }),
  v.minValue(1_024, "The size must be at least 1KB"),
);

/** The longest side, in pixels, a phone may shrink a mission's photo to (`uploads.photo_size`). */
export const PHOTO_SIZE = { min: 640, max: 4096, default: 2048 } as const;

/**
 * `uploads.photo_size`: the longest side, in pixels, a phone shrinks a photo to before sending
 * it, or "original" to send photos as taken.
 */
const PHOTO_SIZE_TEXT =
  `Expected a whole number of pixels from ${PHOTO_SIZE.min} to ${PHOTO_SIZE.max}, or "original"`;
const photoSize = v.union(
  [
    v.literal("original"),
    v.pipe(
      v.number(),
      v.integer(PHOTO_SIZE_TEXT),
      v.minValue(PHOTO_SIZE.min, PHOTO_SIZE_TEXT),
      v.maxValue(PHOTO_SIZE.max, PHOTO_SIZE_TEXT),
    ),
  ],
  PHOTO_SIZE_TEXT,
);

/** A guess limit's window: a duration, or "hunt" for a cap on the whole hunt (Infinity). */
const guessWindow = v.pipe(
  v.string('Expected a duration in quotes, e.g. "30s", "10m" or "1h", or "hunt"'),
  v.regex(WINDOW, 'Expected a duration such as "30s", "10m" or "1h", or "hunt"'),
  v.transform((input) => (input === "hunt" ? Infinity : durationMs(input))),
  v.minValue(1_000, "The duration must be at least 1s"),
);

/** The most choices a puzzle may give: one per letter, A to Z. */
export const MAX_CHOICES = 26;
/** The longest choice: a choice is sent as a guess, and a guess is at most 500 characters. */
const MAX_CHOICE_LENGTH = 500;

/** `choices = ["Red", "Green", "Blue"]`: a multiple-choice puzzle's choices, in the order shown. */
const choices = v.pipe(
  v.array(
    v.pipe(
      v.string("Expected each choice in quotes"),
      v.trim(),
      v.nonEmpty("A choice is empty: write its text, or remove it"),
      v.check(
        (choice) => choice.length <= MAX_CHOICE_LENGTH || [...choice].length <= MAX_CHOICE_LENGTH,
        `A choice is at most ${MAX_CHOICE_LENGTH} characters, as a guess is: shorten it`,
      ),
    ),
    'Expected a list of choices, e.g. choices = ["Red", "Green", "Blue"]',
  ),
  v.minLength(2, 'Expected at least 2 choices, e.g. choices = ["Red", "Green"]'),
  v.maxLength(
    MAX_CHOICES,
    `Expected at most ${MAX_CHOICES} choices: keep the likely ones, or remove choices to take typed answers`,
  ),
);

/** `points = { initial, minimum, decay, function }`: a value that falls as teams solve. */
const DynamicPointsSchema = v.strictObject({
  initial: count("initial", 0),
  minimum: count("minimum", 0),
  decay: count("decay", 0),
  function: v.optional(
    v.picklist(["linear", "logarithmic"], 'Expected "linear" or "logarithmic"'),
    "logarithmic",
  ),
}, 'Expected { initial = 500, minimum = 100, decay = 10, function = "linear" }');

/** A number of points, or a table of dynamic points. */
const points = v.lazy((input) =>
  typeof input === "object" && input !== null && !Array.isArray(input) &&
    !(input instanceof Date)
    ? DynamicPointsSchema
    : count("points", 0)
);

const HintSchema = v.pipe(
  v.strictObject({
    id: id("hint id"),
    /** "ask": the team writes a question and an organizer answers it; `text` is then optional. */
    kind: v.optional(v.picklist(["text", "ask"], 'Expected "text" or "ask"'), "text"),
    /** Shown before the hint is taken, so a team knows what it would pay for. */
    title: v.optional(text("hint title")),
    text: v.optional(text("hint text")),
    unlock: v.optional(v.string("Expected the rule in quotes")),
    cost: v.optional(count("a cost", 0), 0),
  }, "Expected a [[puzzle.hint]] table (with double brackets)"),
  // Only an ask may go without text (its text, if any, is the prompt above the question box).
  v.forward(
    v.partialCheck(
      [["kind"], ["text"]],
      (hint) => hint.kind === "ask" || hint.text !== undefined,
      'Missing required key "text"',
    ),
    ["text"],
  ),
);

const PartialSchema = v.strictObject({
  answer: v.string("Expected the partial answer in quotes"),
  message: text("message"),
}, 'Expected { answer = "...", message = "..." }');

const CheckpointSchema = v.strictObject({
  code: v.pipe(
    v.string("Expected the checkpoint code in quotes"),
    v.regex(CODE, 'Invalid checkpoint code: use 1 to 64 letters, digits, "-" and "_"'),
    // Dashes are ignored when a code is typed, so a code of dashes alone would match nothing typed.
    v.regex(/[A-Za-z0-9_]/, "Invalid checkpoint code: it needs a letter, a digit or a _"),
  ),
}, 'Expected { code = "..." }');

/** One [[puzzle.variant]]: each key it gives replaces the puzzle's own for the teams that get it. */
const VariantSchema = v.strictObject({
  body: v.optional(v.string("Expected the body in quotes")),
  body_file: v.optional(text("body_file path")),
  solution: v.optional(v.string("Expected the solution in quotes")),
  solution_file: v.optional(text("solution_file path")),
  answer: v.optional(stringList("answer")),
  answer_regex: v.optional(stringList("answer_regex pattern")),
  partial: v.optional(v.array(PartialSchema, "Expected a list of { answer, message } tables")),
  choices: v.optional(choices),
  checkpoint: v.optional(CheckpointSchema),
}, "Expected a [[puzzle.variant]] table (with double brackets)");

/** One [[route]] table. */
export const RouteSchema = v.strictObject({
  id: id("route id"),
  stops: v.pipe(
    v.array(id("puzzle id"), 'Expected a list of puzzle ids, e.g. stops = ["a", "b"]'),
    v.minLength(1, "A route needs at least one stop"),
  ),
  ordered: v.optional(v.boolean("Expected true or false"), false),
  first: v.optional(id("puzzle id")),
  last: v.optional(id("puzzle id")),
  before: v.optional(
    v.array(
      v.tuple([id("puzzle id"), id("puzzle id")], 'Expected a pair such as ["a", "b"]'),
      'Expected a list of pairs, e.g. before = [["a", "b"]]',
    ),
    [],
  ),
  spread: v.optional(v.boolean("Expected true or false"), true),
  advance: v.optional(
    v.picklist(["solve", "checkin"], 'Expected "solve" or "checkin"'),
    "solve",
  ),
}, "Expected a [[route]] table (with double brackets)");

/** One [[round]] table: a round's title for players (rounds exist by their puzzles alone). */
export const RoundSchema = v.strictObject({
  id: id("round id"),
  title: text("title"),
}, "Expected a [[round]] table (with double brackets)");

/** One [[puzzle]] table. */
export const PuzzleSchema = v.strictObject({
  id: id("puzzle id"),
  title: text("title"),
  round: v.optional(id("round id"), "main"),
  tags: v.optional(v.array(id("tag"), "Expected a list of tags"), []),
  points: v.optional(points, 0),
  first_solve_bonus: v.optional(
    v.array(
      count("a bonus", 0),
      "Expected a list of points, e.g. first_solve_bonus = [50, 30, 10]",
    ),
    [],
  ),
  body: v.optional(v.string("Expected the body in quotes")),
  body_file: v.optional(text("body_file path")),
  solution: v.optional(v.string("Expected the solution in quotes")),
  solution_file: v.optional(text("solution_file path")),
  answer: v.optional(stringList("answer")),
  answer_regex: v.optional(stringList("answer_regex pattern")),
  partial: v.optional(v.array(PartialSchema, "Expected a list of { answer, message } tables"), []),
  /** A multiple-choice puzzle: the team picks one of these, and `answer` names the right one(s). */
  choices: v.optional(choices),
  normalize: v.optional(
    v.picklist(["default", "exact"], 'Expected "default" or "exact"'),
    "default",
  ),
  unlock: v.optional(v.string("Expected the rule in quotes")),
  guess_limit: v.optional(
    v.strictObject(
      { count: count("a count", 1), per: guessWindow },
      'Expected { count = 5, per = "10m" } or { count = 3, per = "hunt" }',
    ),
  ),
  hint: v.optional(v.array(HintSchema, "Expected [[puzzle.hint]] tables"), []),
  checkpoint: v.optional(CheckpointSchema),
  variant: v.optional(v.array(VariantSchema, "Expected [[puzzle.variant]] tables"), []),
  other_variant_message: v.optional(text("message")),
  /** A mission: a photo, a video or a text that a judge (or nobody, with judge = "auto") accepts. */
  submit: v.optional(
    v.picklist(["photo", "video", "text"], 'Expected "photo", "video" or "text"'),
  ),
  judge: v.optional(v.picklist(["organizer", "auto"], 'Expected "organizer" or "auto"')),
}, "Expected a [[puzzle]] table (with double brackets)");

/** The [hunt] table. */
export const HuntTableSchema = v.strictObject({
  title: text("title"),
  starts_at: v.optional(time),
  ends_at: v.optional(time),
  freeze_at: v.optional(time),
  offline_grace: v.optional(duration),
  /**
   * Whether an action made offline counts when it was made (the default), or, false, when it
   * arrives, as every other action does: no claimed time can move a solve earlier.
   */
  offline_times: v.optional(v.boolean("Expected true or false"), true),
  /** From when every team sees the solutions of the puzzles it has unlocked, solved or not. */
  solutions_at: v.optional(time),
  submitters: v.optional(v.picklist(["all", "one"], 'Expected "all" or "one"'), "all"),
  registration: v.optional(
    v.picklist(["open", "code", "closed"], 'Expected "open", "code" or "closed"'),
    "open",
  ),
  registration_codes: v.optional(
    v.array(text("registration code"), "Expected a list of codes"),
    [],
  ),
  team_size: v.optional(
    v.strictObject({
      min: v.optional(count("a minimum", 1), 1),
      max: v.optional(count("a maximum", 1)),
    }, "Expected { min = 1, max = 6 }"),
    { min: 1 },
  ),
  divisions: v.optional(v.array(id("division"), "Expected a list of divisions"), []),
  seed: v.optional(v.string("Expected the seed in quotes")),
  other_variant_message: v.optional(text("message")),
  /** Limits on mission uploads: each file's size, and each team's total. */
  uploads: v.optional(
    v.strictObject(
      {
        photo_max: v.optional(size, "15MB"),
        video_max: v.optional(size, "60MB"),
        team_quota: v.optional(size, "1GB"),
        photo_size: v.optional(photoSize, PHOTO_SIZE.default),
      },
      'Expected { photo_max = "15MB", video_max = "60MB", team_quota = "1GB", photo_size = 2048 }',
    ),
    {},
  ),
  /** Tokens that pay for asks (hints with kind = "ask"): `start` at the start, one more each `every`. */
  hint_tokens: v.optional(
    v.strictObject({
      start: v.optional(count("a number of tokens", 0), 0),
      every: v.optional(duration),
      max: v.optional(count("a maximum", 1)),
    }, 'Expected { start = 2, every = "1h", max = 5 }'),
  ),
  /** Whether /scoreboard/gallery shows the accepted photos. */
  gallery: v.optional(v.boolean("Expected true or false"), false),
  /** Whether players see how many teams solved each puzzle (as CTFd shows a challenge's solves). */
  show_solves: v.optional(v.boolean("Expected true or false"), false),
}, "Expected a [hunt] table");

/** The whole hunt file. */
export const HuntFileSchema = v.strictObject({
  hunt: v.strictObject(HuntTableSchema.entries, "Expected a [hunt] table"),
  puzzle: v.optional(
    v.array(PuzzleSchema, "Expected [[puzzle]] tables (with double brackets)"),
    [],
  ),
  route: v.optional(v.array(RouteSchema, "Expected [[route]] tables (with double brackets)"), []),
  round: v.optional(v.array(RoundSchema, "Expected [[round]] tables (with double brackets)"), []),
});

export type HuntFile = v.InferOutput<typeof HuntFileSchema>;
export type HuntTable = HuntFile["hunt"];
export type PuzzleEntry = HuntFile["puzzle"][number];
export type HintEntry = PuzzleEntry["hint"][number];
export type VariantEntry = PuzzleEntry["variant"][number];
export type RouteEntry = HuntFile["route"][number];
export type RoundEntry = HuntFile["round"][number];

function toEpoch(input: unknown): number | undefined {
  if (input instanceof Date) {
    // smol-toml's TomlDate says whether it carries an offset; a local time is ambiguous.
    const toml = input as Date & { isDateTime?: () => boolean; isLocal?: () => boolean };
    if (toml.isDateTime?.() === false || toml.isLocal?.() === true) return undefined;
    return Number.isNaN(input.getTime()) ? undefined : input.getTime();
  }
  return typeof input === "string" ? parseTimestamp(input) : undefined;
}

/** The keys a strict object at `path` accepts, for "did you mean" suggestions. */
export function keysAt(path: readonly (string | number)[]): string[] {
  let schema: unknown = HuntFileSchema;
  for (const step of path) {
    schema = unwrap(schema);
    const node = schema as { entries?: Record<string, unknown>; item?: unknown };
    if (typeof step === "number") schema = node.item;
    else schema = node.entries?.[step];
    if (schema === undefined) return [];
  }
  const entries = (unwrap(schema) as { entries?: Record<string, unknown> }).entries;
  return entries ? Object.keys(entries) : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { wrapped?: unknown; pipe?: unknown[]; type?: string };
  for (;;) {
    if (current.wrapped !== undefined) current = current.wrapped as typeof current;
    else if (current.pipe !== undefined && current.type !== "custom") {
      current = current.pipe[0] as typeof current;
    } else return current;
  }
}
