/**
 * Loading a hunt file: TOML → schema → cross-field checks → answers →
 * rules → static analysis → the compiled `Hunt`. Every stage collects all of
 * its problems; a later stage runs only when the data it needs is sound.
 */
import * as v from "valibot";
import { type AnswerChecker, compileAnswers } from "../engine/normalize.ts";
import {
  checkpointKey,
  DEFAULT_GUESS_LIMIT,
  type Hint,
  type Hunt,
  type Mission,
  type Puzzle,
  type Route,
  type Variant,
} from "../engine/model.ts";
import { routeConflicts, type RouteConstraints, RoutePlanner } from "../engine/routes.ts";
import type { DynamicPoints } from "../engine/scoring.ts";
import { hashStrings } from "../engine/seed.ts";
import {
  analyze,
  caret,
  type CompiledRule,
  compileRule,
  didYouMean,
  type Expr,
  needsPuzzle,
  type RuleContext,
  type RuleScope,
  walkCalls,
} from "../rules/mod.ts";
import { assetLinks, picturesWithoutText } from "./asset_links.ts";
import type { Problem } from "./problem.ts";
import {
  HuntFileSchema,
  type HuntTable,
  HuntTableSchema,
  keysAt,
  PHOTO_SIZE,
  type PuzzleEntry,
  PuzzleSchema,
  RoundSchema,
  type RouteEntry,
  RouteSchema,
} from "./schema.ts";
import { type KeyPath, SourceMap } from "./locate.ts";
import { parseToml } from "./toml.ts";

export interface LoadOptions {
  /** The name used in messages: the path as the user gave it. */
  file: string;
  /**
   * Reads a `body_file`, given its path relative to the hunt file; undefined
   * when missing. May throw an Error saying why a file it found cannot be read.
   */
  readFile?: (relativePath: string) => string | undefined;
  /** The `assets/` folder beside the hunt file, when there is one. */
  assetsDir?: string;
  /**
   * Whether a puzzle's file `assets/<puzzle id>/<file>` is there, for a body's links to it; without
   * it (a hunt not read from disk), the links are not checked.
   */
  assetExists?: (puzzleId: string, file: string) => boolean;
  /**
   * The time now (ms since the epoch), for `cairn check`: an `ends_at` already past is a warning
   * (last year's file, or a date typed wrong). The server leaves it out: it logs `hunt_ended`.
   */
  now?: number;
}

export interface LoadResult {
  /** Present when there are no errors (warnings allowed). */
  hunt?: Hunt;
  problems: Problem[];
}

/** Loads, validates and compiles a hunt from its TOML text. */
export function loadHunt(text: string, options: LoadOptions): LoadResult {
  const parsed = parseToml(text, options.file);
  if (parsed.kind === "error") return { problems: [parsed.problem] };

  const report = new Reporter(text, options.file);
  const validated = validate(parsed.data, report);
  const hunt = build(validated, options, report);
  return report.hasErrors() ? { problems: report.problems } : { hunt, problems: report.problems };
}

/** A puzzle table that failed the schema: only its names are kept, so others' rules still resolve. */
interface InvalidPuzzle {
  invalid: true;
  id?: string;
  round?: string;
  tags: string[];
  checkpoint?: string;
  /** Rules are checked even in a puzzle that failed the schema, when they are strings. */
  unlock?: string;
  hintUnlocks: [number, string][];
  /** The ids of its hints that are strings, for `hint_taken()` in those rules. */
  hintIds: string[];
}

/**
 * Validates the [hunt] table and each [[puzzle]] on its own, with the parts of
 * the whole-file schema, so that one bad puzzle does not hide the rest.
 */
function validate(data: Record<string, unknown>, report: Reporter) {
  for (const key of Object.keys(data)) {
    if (!Object.hasOwn(HuntFileSchema.entries, key)) {
      report.add("error", `Unknown key "${key}"${didYouMean(key, keysAt([]))}`, [key]);
    }
  }
  let meta: HuntTable = FALLBACK_META;
  if (data.hunt === undefined) {
    report.add("error", "Missing the [hunt] table", []);
  } else {
    const result = v.safeParse(HuntTableSchema, data.hunt, { abortEarly: false });
    if (result.success) meta = result.output;
    else {
      for (const issue of result.issues) report.schemaIssue(issue, ["hunt"]);
      // Keep valid divisions, so that rules naming them are not reported as well.
      const divisions = (data.hunt as { divisions?: unknown }).divisions;
      const fallbackDivisions = Array.isArray(divisions)
        ? [...new Set(divisions.filter(isId))]
        : FALLBACK_META.divisions;
      meta = { ...FALLBACK_META, divisions: fallbackDivisions };
      // When only unknown keys (typos) failed, the rest of the table is still checked as a
      // whole (an end before the start, missing codes), so one typo does not hide those.
      const unknown = result.issues.every((issue) =>
        issue.type === "strict_object" && issue.expected === "never" && issue.path?.length === 1
      );
      if (unknown && typeof data.hunt === "object" && data.hunt !== null) {
        const typos = new Set(result.issues.map((issue) => String(issue.path![0]!.key)));
        const known = Object.fromEntries(
          Object.entries(data.hunt).filter(([key]) => !typos.has(key)),
        );
        const again = v.safeParse(HuntTableSchema, known, { abortEarly: false });
        if (again.success) meta = again.output;
      }
      // Without a whole table (checkHuntTable reports its duplicates), they are reported here,
      // where their places in the list are known.
      if (meta.divisions === fallbackDivisions && Array.isArray(divisions)) {
        reportDuplicateDivisions(divisions, report);
      }
    }
  }

  const { entries, raws } = validatePuzzles(data, report);
  const routes = validateRoutes(data, report);
  const roundTitles = validateRounds(data, report);
  // The end time as the organizer wrote it, for messages (TOML dates keep their offset).
  const endsAt = (data.hunt as { ends_at?: unknown } | undefined)?.ends_at;
  const endsAtText = endsAt instanceof Date
    ? endsAt.toISOString().replace(".000", "")
    : typeof endsAt === "string"
    ? endsAt
    : undefined;
  const seeded = typeof (data.hunt as { seed?: unknown } | undefined)?.seed === "string";
  return { meta, entries, raws, routes, roundTitles, endsAtText, seeded };
}

/** Validates each [[round]]: a round's title, by id (its puzzles are checked later). */
function validateRounds(data: Record<string, unknown>, report: Reporter) {
  const titles = new Map<string, { title: string; at: number }>();
  if (data.round !== undefined && !Array.isArray(data.round)) {
    report.add("error", "Expected [[round]] tables (with double brackets)", ["round"]);
    return titles;
  }
  (data.round as unknown[] | undefined ?? []).forEach((raw, i) => {
    const result = v.safeParse(RoundSchema, raw, { abortEarly: false });
    if (!result.success) {
      for (const issue of result.issues) report.schemaIssue(issue, ["round", i]);
      return;
    }
    const { id, title } = result.output;
    if (titles.has(id)) report.add("error", `Duplicate round id "${id}"`, ["round", i, "id"]);
    else titles.set(id, { title, at: i });
  });
  return titles;
}

/** Every [[round]] must name a round some puzzle is in; returns the titles by round id. */
function roundTitlesOf(
  titles: ReturnType<typeof validateRounds>,
  rounds: ReadonlyMap<string, number>,
  report: Reporter,
): Map<string, string> {
  const known = new Map<string, string>();
  for (const [id, { title, at }] of titles) {
    if (rounds.has(id)) known.set(id, title);
    else {
      report.add(
        "error",
        `No puzzle is in round "${id}"${didYouMean(id, [...rounds.keys()])}`,
        ["round", at, "id"],
      );
    }
  }
  return known;
}

/** Validates each [[puzzle]] on its own; one that fails keeps its names (`InvalidPuzzle`). */
function validatePuzzles(data: Record<string, unknown>, report: Reporter) {
  const entries: (PuzzleEntry | InvalidPuzzle)[] = [];
  const raws: Record<string, unknown>[] = [];
  if (data.puzzle !== undefined && !Array.isArray(data.puzzle)) {
    report.add("error", "Expected [[puzzle]] tables (with double brackets)", ["puzzle"]);
  } else if (data.puzzle === undefined || data.puzzle.length === 0) {
    report.add("error", "The hunt has no puzzles: add a [[puzzle]] table", []);
  } else {
    (data.puzzle as unknown[] | undefined ?? []).forEach((raw, i) => {
      const result = v.safeParse(PuzzleSchema, raw, { abortEarly: false });
      const fields = (typeof raw === "object" && raw !== null ? raw : {}) as Record<
        string,
        unknown
      >;
      raws.push(fields);
      if (result.success) return entries.push(result.output);
      const id = isId(fields.id) ? fields.id : undefined;
      for (const issue of result.issues) report.schemaIssue(issue, ["puzzle", i], id);
      entries.push({
        invalid: true,
        ...(id !== undefined && { id }),
        ...(isId(fields.round) && { round: fields.round }),
        tags: Array.isArray(fields.tags) ? fields.tags.filter(isId) : [],
        ...(typeof fields.unlock === "string" && { unlock: fields.unlock }),
        hintUnlocks: (Array.isArray(fields.hint) ? fields.hint : []).flatMap((hint, j) => {
          const unlock = (hint as { unlock?: unknown } | null)?.unlock;
          return typeof unlock === "string" ? [[j, unlock] as [number, string]] : [];
        }),
        hintIds: (Array.isArray(fields.hint) ? fields.hint : []).flatMap((hint) => {
          const id = (hint as { id?: unknown } | null)?.id;
          return typeof id === "string" ? [id] : [];
        }),
        // Keep the checkpoint too, so that checked_in() rules elsewhere still resolve.
        ...(typeof (fields.checkpoint as { code?: unknown } | undefined)?.code === "string" &&
          { checkpoint: (fields.checkpoint as { code: string }).code }),
      });
    });
  }
  return { entries, raws };
}

/** Validates each [[route]] on its own; one that fails keeps its id, so rules naming it resolve. */
function validateRoutes(data: Record<string, unknown>, report: Reporter) {
  const routes: (RouteEntry | InvalidRoute)[] = [];
  if (data.route !== undefined && !Array.isArray(data.route)) {
    report.add("error", "Expected [[route]] tables (with double brackets)", ["route"]);
  } else {
    (data.route as unknown[] | undefined ?? []).forEach((raw, i) => {
      const result = v.safeParse(RouteSchema, raw, { abortEarly: false });
      if (result.success) return routes.push(result.output);
      const fields = (typeof raw === "object" && raw !== null ? raw : {}) as Record<
        string,
        unknown
      >;
      const id = isId(fields.id) ? fields.id : undefined;
      for (const issue of result.issues) report.schemaIssue(issue, ["route", i], id);
      routes.push({
        invalid: true,
        ...(id !== undefined && { id }),
        stops: Array.isArray(fields.stops) ? fields.stops.filter(isId) : [],
      });
    });
  }
  return routes;
}

/** A route table that failed the schema: its id and stops are kept for rules that name them. */
interface InvalidRoute {
  invalid: true;
  id?: string;
  stops: string[];
}

const FALLBACK_META: HuntTable = {
  title: "",
  submitters: "all",
  registration: "open",
  registration_codes: [],
  team_size: { min: 1 },
  uploads: {
    photo_max: 15 * 1_048_576,
    video_max: 60 * 1_048_576,
    team_quota: 1_073_741_824,
    photo_size: PHOTO_SIZE.default,
  },
  gallery: false,
  show_solves: false,
  offline_times: true,
  divisions: [],
};

function isId(value: unknown): value is string {
  return typeof value === "string" && /^[a-z0-9][a-z0-9_-]*$/.test(value);
}

/** Collects problems, placing each in the source. */
class Reporter {
  readonly problems: Problem[] = [];
  private map?: SourceMap;

  constructor(private readonly text: string, private readonly file: string) {}

  hasErrors(): boolean {
    return this.problems.some((p) => p.severity === "error");
  }

  /** Records a problem at a key path; puzzle and route problems name the puzzle or route (`owner`) and the field. */
  add(
    severity: Problem["severity"],
    message: string,
    path: KeyPath,
    puzzleId?: string,
    excerpt?: string,
  ) {
    this.map ??= new SourceMap(this.text);
    const at = this.map.find(path);
    const problem: Problem = { severity, message, file: this.file, ...at };
    if (path[0] === "puzzle" && typeof path[1] === "number") {
      problem.puzzle = puzzleId ?? `#${path[1] + 1}`;
      if (path.length > 2) problem.field = fieldName(path.slice(2));
    } else if (path[0] === "route" && typeof path[1] === "number") {
      problem.route = puzzleId ?? `#${path[1] + 1}`;
      if (path.length > 2) problem.field = fieldName(path.slice(2));
    } else if (path.length > 0) {
      problem.field = fieldName(path);
    }
    if (excerpt !== undefined) problem.excerpt = excerpt;
    this.problems.push(problem);
  }

  /** Records a rule error, with the caret under the exact spot when the source allows. */
  rule(
    path: KeyPath,
    puzzleId: string,
    source: string,
    message: string,
    span: { start: number; end: number },
  ) {
    this.map ??= new SourceMap(this.text);
    this.add("error", message, path, puzzleId, caret(source, span));
    const at = this.map.findStringValue(path, source);
    if (at !== undefined) Object.assign(this.problems.at(-1)!, at(span.start));
  }

  /** Turns a valibot issue into a problem with a message an organizer can act on. */
  schemaIssue(issue: v.BaseIssue<unknown>, prefix: KeyPath, puzzleId?: string): void {
    const path = [...prefix, ...(issue.path ?? []).map((item) => item.key as string | number)];
    let message = issue.message;
    if (issue.type === "strict_object" && issue.expected === "never") {
      const key = String(path.at(-1));
      message = `Unknown key "${key}"${didYouMean(key, keysAt(path.slice(0, -1)))}`;
    } else if (issue.type === "strict_object" && issue.received === "undefined") {
      message = `Missing required key ${issue.expected}`;
    }
    this.add("error", message, path, puzzleId);
  }
}

/** `hint.nudge.cost` style names for key paths inside a puzzle. */
function fieldName(path: KeyPath): string {
  return path.map((step) => (typeof step === "number" ? `[${step}]` : step)).join(".").replace(
    /\.\[/g,
    "[",
  );
}

/** The validated tables that `build` compiles. */
type Validated = ReturnType<typeof validate>;

/** Name → index maps, in order of first appearance. */
interface Names {
  puzzleIndex: Map<string, number>;
  /** Checkpoint code → puzzle index. */
  checkpoints: Map<string, number>;
  /** Indices of the puzzles with a checkpoint (their own or a variant's). */
  withCheckpoint: Set<number>;
  rounds: Map<string, number>;
  tags: Map<string, number>;
}

/** Compiles one rule at a key path, reporting its errors; undefined when it has none or fails. */
type RuleCompiler = (
  source: string | undefined,
  path: KeyPath,
  puzzleId: string,
  context: RuleContext,
  /** In a hint's rule: the ids of the puzzle's hints, for `hint_taken()`. */
  hints?: readonly string[],
) => CompiledRule | undefined;

/** What building one puzzle needs from the rest of the file. */
interface PuzzleContext {
  meta: HuntTable;
  raws: Record<string, unknown>[];
  names: Names;
  routes: ReturnType<typeof buildRoutes>;
  seed: string;
  compile: RuleCompiler;
  options: LoadOptions;
  report: Reporter;
}

/** Compiles the validated tables into a `Hunt`, reporting every problem in file order. */
function build(validated: Validated, options: LoadOptions, report: Reporter): Hunt {
  const { meta, entries, raws, endsAtText, seeded } = validated;
  checkHuntTable(meta, report);
  if (options.now !== undefined && meta.ends_at !== undefined && meta.ends_at <= options.now) {
    report.add(
      "warning",
      `ends_at (${endsAtText}) has passed: the hunt has ended, so teams can neither join nor ` +
        "guess; set the end of this event",
      ["hunt", "ends_at"],
    );
  }
  const names = indexNames(entries, report);
  const seed = meta.seed ?? meta.title;
  const routes = buildRoutes(
    validated.routes,
    names.puzzleIndex,
    names.withCheckpoint,
    seed,
    report,
  );
  const compile = ruleCompiler(ruleScope(meta, names, routes), report);
  const context: PuzzleContext = { meta, raws, names, routes, seed, compile, options, report };

  const puzzles: Puzzle[] = [];
  entries.forEach((entry, i) => {
    if ("invalid" in entry) checkInvalidPuzzleRules(entry, i, compile);
    else puzzles.push(buildPuzzle(entry, i, context));
  });

  checkStopRules(puzzles, routes.list, report);
  checkPointsTotal(puzzles, report);
  if (!seeded && (routes.list.length > 0 || puzzles.some((p) => p.variants !== undefined))) {
    report.add(
      "warning",
      "The hunt has variants or routes but no seed, so they follow the title: renaming the hunt mid-event would give teams other variants. Set seed in [hunt]",
      ["hunt", "seed"],
    );
  }

  // Whole-hunt analysis needs every rule to have compiled.
  if (!report.hasErrors()) {
    analyzeUnlocks(
      meta,
      endsAtText,
      puzzles,
      routes.list,
      [...names.rounds.keys()],
      [...names.tags.keys()],
      report,
    );
  }
  const roundTitles = roundTitlesOf(validated.roundTitles, names.rounds, report);
  return assembleHunt(meta, {
    seed,
    puzzles,
    names,
    routes: routes.list,
    roundTitles,
    options,
  });
}

/** The most points a team may hold: scores are 32-bit counters, with room for adjustments. */
const MAX_TOTAL_POINTS = 1_000_000_000;

/** Refuses a hunt whose points, all solved with every bonus, would not fit in a team's score. */
function checkPointsTotal(puzzles: readonly Puzzle[], report: Reporter): void {
  let total = 0;
  for (const puzzle of puzzles) total += puzzle.points + Math.max(0, ...puzzle.firstSolveBonus);
  if (total > MAX_TOTAL_POINTS) {
    report.add(
      "error",
      `The puzzles' points and first-solve bonuses add up to ${
        total.toLocaleString("en")
      }, more than a score can hold (${MAX_TOTAL_POINTS.toLocaleString("en")}). Give fewer points`,
      [],
    );
  }
}

/** Indexes puzzle ids, checkpoint codes, rounds and tags; duplicates are reported once each. */
function indexNames(entries: Validated["entries"], report: Reporter): Names {
  const names: Names = {
    puzzleIndex: new Map(),
    checkpoints: new Map(),
    withCheckpoint: new Set(),
    rounds: new Map(),
    tags: new Map(),
  };
  const { puzzleIndex, checkpoints, withCheckpoint, rounds, tags } = names;
  const codeOf = new Map<string, string>();
  entries.forEach((entry, i) => {
    if (entry.id === undefined) return;
    if (puzzleIndex.has(entry.id)) {
      report.add("error", `Duplicate puzzle id "${entry.id}"`, ["puzzle", i, "id"], entry.id);
    } else puzzleIndex.set(entry.id, i);
    const code = "invalid" in entry ? entry.checkpoint : entry.checkpoint?.code;
    const codes: [string, KeyPath][] = [];
    if (code !== undefined) codes.push([code, ["puzzle", i, "checkpoint", "code"]]);
    if (!("invalid" in entry)) {
      entry.variant.forEach((variant, j) => {
        if (variant.checkpoint === undefined) return;
        codes.push([variant.checkpoint.code, ["puzzle", i, "variant", j, "checkpoint", "code"]]);
      });
    }
    for (const [code, path] of codes) {
      // Codes match ignoring case, spaces and dashes, so two that differ only there collide.
      const key = checkpointKey(code);
      const other = checkpoints.get(key);
      if (other !== undefined) {
        const same = codeOf.get(key) === code;
        report.add(
          "error",
          same
            ? `Checkpoint code "${code}" is already used by puzzle "${entries[other]!.id}"`
            : `Checkpoint code "${code}" matches "${codeOf.get(key)}" of puzzle "${
              entries[other]!.id
            }": codes are matched ignoring case, spaces and dashes`,
          path,
          entry.id,
        );
        continue;
      }
      checkpoints.set(key, i);
      codeOf.set(key, code);
      withCheckpoint.add(i);
    }
    if (entry.round !== undefined && !rounds.has(entry.round)) rounds.set(entry.round, rounds.size);
    for (const tag of entry.tags) if (!tags.has(tag)) tags.set(tag, tags.size);
  });
  return names;
}

/** The names a rule in this hunt can refer to. */
function ruleScope(
  meta: HuntTable,
  names: Names,
  routes: ReturnType<typeof buildRoutes>,
): RuleScope {
  return {
    puzzles: names.puzzleIndex,
    checkpoints: names.withCheckpoint,
    rounds: names.rounds,
    tags: names.tags,
    divisions: new Map(meta.divisions.map((name, i) => [name, i])),
    routes: routes.ids,
    stops: new Set(routes.stopOf.keys()),
  };
}

/** A rule compiler that reports each rule's errors where the rule is written. */
function ruleCompiler(scope: RuleScope, report: Reporter): RuleCompiler {
  // Rules with the same text compile once and share their closure (hint rules
  // get their puzzle as an argument, so sharing is safe); big hunts repeat rules.
  const compiled = new Map<string, ReturnType<typeof compileRule>>();
  return (source, path, puzzleId, context, hints = []) => {
    if (source === undefined) return undefined;
    // A hint rule's `hint_taken()` resolves among its puzzle's hints: they are part of the key.
    const key = `${context}\u0000${hints.join("\u0000")}\u0000${source}`;
    const result = compiled.get(key) ??
      compileRule(source, { ...scope, hints: new Map(hints.map((id, i) => [id, i])) }, context);
    compiled.set(key, result);
    if (result.kind === "ok") return result.rule;
    for (const error of result.errors) {
      report.rule(path, puzzleId, source, error.message, error.span);
    }
    return undefined;
  };
}

/** Checks the rules of a puzzle that failed the schema, so their errors show as well. */
function checkInvalidPuzzleRules(entry: InvalidPuzzle, i: number, compile: RuleCompiler): void {
  const id = entry.id ?? `#${i + 1}`;
  for (const [j, source] of entry.hintUnlocks) {
    compile(source, ["puzzle", i, "hint", j, "unlock"], id, "hint", entry.hintIds);
  }
  compile(entry.unlock, ["puzzle", i, "unlock"], id, "puzzle");
}

/** Compiles one [[puzzle]]: its body, answers, variants, hints and unlock rule. */
function buildPuzzle(entry: PuzzleEntry, i: number, context: PuzzleContext): Puzzle {
  const { meta, raws, names, routes, seed, compile, options, report } = context;
  const at = (...rest: (string | number)[]): KeyPath => ["puzzle", i, ...rest];
  const body = readBody(entry, { prefix: at(), puzzleId: entry.id }, options, report);
  const solution = readText(
    entry,
    "solution",
    { prefix: at(), puzzleId: entry.id, shown: assetLinks(body) },
    options,
    report,
  );
  const hasVariants = entry.variant.length > 0;
  const answers = compileAnswerSet(
    {
      answer: entry.answer,
      answer_regex: entry.answer_regex,
      partial: entry.partial,
      normalize: entry.normalize,
      choices: entry.choices,
    },
    {
      prefix: at(),
      raw: raws[i] ?? {},
      puzzleId: entry.id,
      needsAnswer: !hasVariants && entry.submit === undefined,
      ownChoices: true,
    },
    report,
  );
  const mission = checkMission(entry, at, report);
  checkChoiceKeys(entry, i, report);
  const variants = entry.variant.map((variant, j) =>
    buildVariant(variant, j, { entry, i, body, solution, answers, context })
  );
  if (mission === undefined) {
    checkChoiceLimit(entry, hasVariants ? variants.map((v) => v.answers) : [answers], at, report);
  }
  const otherVariantMessage = entry.other_variant_message ?? meta.other_variant_message;
  if (entry.other_variant_message !== undefined && !hasVariants) {
    report.add(
      "warning",
      "other_variant_message is ignored: the puzzle has no [[puzzle.variant]]",
      at("other_variant_message"),
      entry.id,
    );
  }
  const hints = buildHints(entry, i, context);
  const unlock = compile(entry.unlock, at("unlock"), entry.id, "puzzle");
  const dynamic = dynamicPoints(entry, i, report);
  return {
    index: i,
    id: entry.id,
    title: entry.title,
    round: entry.round,
    roundIndex: names.rounds.get(entry.round)!,
    tags: entry.tags,
    tagIndexes: entry.tags.map((tag) => names.tags.get(tag)!),
    points: typeof entry.points === "number" ? entry.points : entry.points.initial,
    ...(dynamic && { dynamic }),
    firstSolveBonus: entry.first_solve_bonus,
    body,
    ...(solution !== "" && { solution }),
    answers: hasVariants ? variants[0]!.answers : answers,
    guessLimit: entry.guess_limit
      ? { count: entry.guess_limit.count, perMs: entry.guess_limit.per }
      : DEFAULT_GUESS_LIMIT,
    hints,
    ...(unlock && { unlock }),
    ...(entry.checkpoint && { checkpoint: { code: entry.checkpoint.code } }),
    ...(hasVariants && { variants }),
    variantOffset: hasVariants ? hashStrings(seed, "variant", entry.id) % variants.length : 0,
    ...(hasVariants && otherVariantMessage !== undefined && { otherVariantMessage }),
    ...(routes.stopOf.has(i) && { route: routes.stopOf.get(i)! }),
    ...(mission && { mission }),
  };
}

/**
 * A mission's `submit` and `judge`: a mission takes no answers, has no
 * variants, and its points are fixed (no dynamic points, no first-solve bonus).
 */
function checkMission(
  entry: PuzzleEntry,
  at: (...rest: (string | number)[]) => KeyPath,
  report: Reporter,
): Mission | undefined {
  if (entry.submit === undefined) {
    if (entry.judge !== undefined) {
      report.add(
        "error",
        'judge is only for missions: add submit = "photo", "video" or "text"',
        at("judge"),
        entry.id,
      );
    }
    return undefined;
  }
  for (const key of ["answer", "answer_regex"] as const) {
    if (entry[key] !== undefined) {
      report.add(
        "error",
        `A mission (submit = "${entry.submit}") takes no ${key}: a judge accepts it`,
        at(key),
        entry.id,
      );
    }
  }
  if (entry.partial.length > 0) {
    report.add("error", "A mission takes no partial answers", at("partial"), entry.id);
  }
  if (entry.choices !== undefined) {
    report.add(
      "error",
      `A mission (submit = "${entry.submit}") takes no choices: remove choices, or remove submit to make it a multiple-choice puzzle`,
      at("choices"),
      entry.id,
    );
  }
  if (entry.variant.length > 0) {
    report.add("error", "A mission cannot have variants", at("variant"), entry.id);
  }
  // A judge gives a mission its points (or a part of them): no value that falls with solves.
  if (typeof entry.points !== "number") {
    report.add(
      "error",
      "A mission's points are a whole number, not dynamic",
      at("points"),
      entry.id,
    );
  }
  if (entry.first_solve_bonus.length > 0) {
    report.add("error", "A mission takes no first_solve_bonus", at("first_solve_bonus"), entry.id);
  }
  return { submit: entry.submit, judge: entry.judge ?? "organizer" };
}

/**
 * A multiple-choice puzzle's keys: a choice is right or wrong, so it takes no
 * `answer_regex` and no `partial`, the puzzle's or a variant's. A variant
 * gives its own `choices` or plays the puzzle's; either every variant has
 * choices or none has, so that teams are asked alike.
 */
function checkChoiceKeys(entry: PuzzleEntry, i: number, report: Reporter): void {
  const withChoices = entry.variant.map((variant) =>
    (variant.choices ?? entry.choices) !== undefined
  );
  if (entry.choices === undefined && !withChoices.includes(true)) return;
  const refuse = (path: KeyPath, key: "answer_regex" | "partial", choices?: readonly string[]) =>
    report.add(
      "error",
      key === "answer_regex"
        ? `A puzzle with choices takes no answer_regex: name the right choice in answer, e.g. answer = "${
          choices?.[0] ?? "Red"
        }"`
        : "A puzzle with choices takes no partial answers: a choice is right or wrong. Remove partial",
      [...path, key],
      entry.id,
    );
  const at: KeyPath = ["puzzle", i];
  const first = entry.choices ?? entry.variant.find((variant) => variant.choices)?.choices;
  if (entry.answer_regex !== undefined) refuse(at, "answer_regex", first);
  if (entry.partial.length > 0) refuse(at, "partial");
  entry.variant.forEach((variant, j) => {
    const where: KeyPath = ["puzzle", i, "variant", j];
    if (!withChoices[j]) {
      report.add(
        "error",
        `Variant ${
          j + 1
        } has no choices while the puzzle's other variants do: give every variant its choices, or give the puzzle choices for all`,
        where,
        entry.id,
      );
      return;
    }
    if (variant.answer_regex !== undefined) {
      refuse(where, "answer_regex", variant.choices ?? entry.choices);
    }
    if (variant.partial !== undefined && variant.partial.length > 0) refuse(where, "partial");
  });
}

/** A guess limit's window as the hunt file writes it: "30s", "10m", "1h". */
function windowWords(ms: number): string {
  if (ms % 3_600_000 === 0) return `"${ms / 3_600_000}h"`;
  if (ms % 60_000 === 0) return `"${ms / 60_000}m"`;
  return `"${ms / 1_000}s"`;
}

/** The strictest guess limit, which still leaves a true-or-false question's other choice. */
const STRICTEST = { count: 1, perMs: Infinity };

/**
 * Warns when a team could try every choice of a multiple-choice puzzle: it has
 * no `guess_limit` (10 wrong guesses a minute), or one allowing as many wrong
 * guesses as there are wrong choices (in the variant with the fewest).
 */
function checkChoiceLimit(
  entry: PuzzleEntry,
  sets: readonly AnswerChecker[],
  at: (...rest: (string | number)[]) => KeyPath,
  report: Reporter,
): void {
  let wrong = Infinity;
  for (const set of sets) {
    const choices = set.spec.choices;
    if (choices === undefined) continue;
    const right = choices.filter((choice) => set.check(choice).kind === "correct").length;
    wrong = Math.min(wrong, choices.length - right);
  }
  if (wrong === Infinity) return;
  const suggestion = 'Set e.g. guess_limit = { count = 1, per = "hunt" }';
  const limit = entry.guess_limit;
  if (limit === undefined) {
    report.add(
      "warning",
      `A team can try every choice: without a guess_limit it has ${DEFAULT_GUESS_LIMIT.count} wrong guesses a minute. ${suggestion}`,
      entry.choices !== undefined ? at("choices") : at(),
      entry.id,
    );
    return;
  }
  if (limit.count < wrong) return;
  // With a single wrong choice, nothing stricter can be set: the organizer chose this limit.
  if (limit.count === STRICTEST.count && limit.per === STRICTEST.perMs) return;
  const allowed = `${limit.count} wrong ${limit.count === 1 ? "guess" : "guesses"} ${
    limit.per === Infinity ? "in the hunt" : `per ${windowWords(limit.per)}`
  }`;
  report.add(
    "warning",
    `A team can try every choice: guess_limit allows ${allowed}, and ${wrong} of the choices ${
      wrong === 1 ? "is" : "are"
    } wrong. ${suggestion}`,
    at("guess_limit"),
    entry.id,
  );
}

/** Compiles one [[puzzle.variant]]: its own answers and body, or the puzzle's. */
function buildVariant(
  variant: PuzzleEntry["variant"][number],
  j: number,
  puzzle: {
    entry: PuzzleEntry;
    i: number;
    body: string;
    solution: string;
    answers: AnswerChecker;
    context: PuzzleContext;
  },
): Variant {
  const { entry, i, context: { raws, names, options, report } } = puzzle;
  const where: KeyPath = ["puzzle", i, "variant", j];
  const rawVariant = ((raws[i]?.variant as unknown[] | undefined)?.[j] ?? {}) as Record<
    string,
    unknown
  >;
  const own = variant.answer !== undefined || variant.answer_regex !== undefined;
  const checker = own || variant.partial !== undefined || variant.choices !== undefined
    ? compileAnswerSet(
      {
        answer: own ? variant.answer : entry.answer,
        answer_regex: own ? variant.answer_regex : entry.answer_regex,
        partial: variant.partial ?? entry.partial,
        normalize: entry.normalize,
        choices: variant.choices ?? entry.choices,
      },
      {
        prefix: where,
        raw: own ? rawVariant : raws[i] ?? {},
        puzzleId: entry.id,
        // Without answers of its own, the check below names what is missing.
        needsAnswer: own,
        // The puzzle's choices are checked once, where they are written.
        ownChoices: variant.choices !== undefined,
      },
      report,
    )
    : puzzle.answers;
  if (!own && entry.answer === undefined && entry.answer_regex === undefined) {
    report.add(
      "error",
      'The variant needs an "answer" or an "answer_regex" (the puzzle gives none to inherit)',
      where,
      entry.id,
    );
  }
  const body = variant.body !== undefined || variant.body_file !== undefined
    ? readBody(variant, { prefix: where, puzzleId: entry.id }, options, report)
    : puzzle.body;
  const solution = variant.solution !== undefined || variant.solution_file !== undefined
    ? readText(
      variant,
      "solution",
      { prefix: where, puzzleId: entry.id, shown: assetLinks(body) },
      options,
      report,
    )
    : puzzle.solution;
  const checkpoint = variant.checkpoint ?? entry.checkpoint;
  if (names.withCheckpoint.has(i) && checkpoint === undefined) {
    report.add(
      "error",
      `Variant ${
        j + 1
      } has no checkpoint while the puzzle's other variants do: give every variant one`,
      where,
      entry.id,
    );
  }
  return {
    index: j,
    body,
    ...(solution !== "" && { solution }),
    answers: checker,
    ...(checkpoint && { checkpoint: { code: checkpoint.code } }),
  };
}

/** A puzzle's dynamic points, checked: the minimum is at most the initial value. */
function dynamicPoints(entry: PuzzleEntry, i: number, report: Reporter): DynamicPoints | undefined {
  const points = entry.points;
  if (typeof points === "number") return undefined;
  if (points.minimum > points.initial) {
    report.add(
      "error",
      `The minimum (${points.minimum}) is above the initial value (${points.initial})`,
      ["puzzle", i, "points", "minimum"],
      entry.id,
    );
  }
  if (points.function === "logarithmic" && points.decay === 0) {
    report.add(
      "error",
      "A logarithmic decay is the number of solves to reach the minimum: use 1 or more",
      ["puzzle", i, "points", "decay"],
      entry.id,
    );
  }
  return { ...points };
}

/** Compiles a puzzle's [[puzzle.hint]] tables, warning about duplicates and costs. */
function buildHints(entry: PuzzleEntry, i: number, context: PuzzleContext): Hint[] {
  const { compile, report } = context;
  const hintIds = new Set<string>();
  const hints = entry.hint.map((hint, j): Hint => {
    const at: KeyPath = ["puzzle", i, "hint", j];
    if (hintIds.has(hint.id)) {
      report.add("error", `Duplicate hint id "${hint.id}"`, [...at, "id"], entry.id);
    }
    hintIds.add(hint.id);
    const points = typeof entry.points === "number" ? entry.points : entry.points.initial;
    if (hint.cost > points) {
      report.add(
        "warning",
        `Hint "${hint.id}" costs ${hint.cost} points, more than the puzzle's ${points}`,
        [...at, "cost"],
        entry.id,
      );
    }
    const unlock = compile(
      hint.unlock,
      [...at, "unlock"],
      entry.id,
      "hint",
      entry.hint.map((h) => h.id),
    );
    // A hint that needs itself taken could never be taken.
    if (unlock !== undefined) {
      let self = false;
      walkCalls(unlock.expr, (call) => {
        if (call.fn === "hint_taken" && call.arg === j) self = true;
      });
      if (self) {
        report.add(
          "error",
          `Hint "${hint.id}" cannot need itself taken`,
          [...at, "unlock"],
          entry.id,
        );
      }
    }
    return {
      index: j,
      id: hint.id,
      ...(hint.title !== undefined && { title: hint.title }),
      text: hint.text ?? "",
      cost: hint.cost,
      ...(hint.kind === "ask" && { kind: "ask" as const }),
      ...(unlock && { unlock }),
    };
  });
  checkHintRules(hints, entry, i, report);
  return hints;
}

/**
 * Reports a puzzle's hints that can never become available: those whose rule
 * is false, needs an ask hint taken (`hint_taken()` never counts an ask), or
 * needs a hint that can itself never be available (two hints waiting for each
 * other). A `hint_taken()` of an ask elsewhere in a rule is always false: a
 * warning.
 */
function checkHintRules(hints: Hint[], entry: PuzzleEntry, i: number, report: Reporter): void {
  const at = (j: number): KeyPath => ["puzzle", i, "hint", j, "unlock"];
  const needs = hints.map((hint) => hint.unlock && requiredHints(hint.unlock.expr));
  // Which hints can become available: grown from those that need no other, one round at a time.
  const possible = new Set<number>();
  for (let grew = true; grew;) {
    grew = false;
    hints.forEach((_hint, j) => {
      const required = needs[j];
      if (possible.has(j) || required === "never") return;
      const others = [...(required ?? [])].filter((k) => k !== j); // itself: reported already
      if (others.every((k) => possible.has(k) && hints[k]!.kind !== "ask")) {
        possible.add(j);
        grew = true;
      }
    });
  }
  hints.forEach((hint, j) => {
    const required = needs[j];
    if (required === undefined || possible.has(j)) return;
    if (required === "never") {
      report.add(
        "warning",
        'Hidden: the rule is false, so no team ever sees this hint (remove unlock = "false" to show it)',
        at(j),
        entry.id,
      );
      return;
    }
    const ask = [...required].find((k) => hints[k]!.kind === "ask");
    const blocker = ask ?? [...required].find((k) => k !== j && !possible.has(k));
    if (blocker === undefined) return;
    const id = hints[blocker]!.id;
    const reason = ask !== undefined
      ? `it needs hint "${id}" taken, an ask hint, which hint_taken() never counts`
      : needs[blocker] !== "never" && needs[blocker]?.has(j)
      ? `it needs hint "${id}" taken, which needs this one taken first`
      : `it needs hint "${id}" taken, which can never be available`;
    report.add("error", `Hint "${hint.id}" can never be available: ${reason}`, at(j), entry.id);
  });
  // An ask's hint_taken() inside an "or" or a "not" does not block the rule, but it is always false.
  hints.forEach((hint, j) => {
    if (hint.unlock === undefined || !possible.has(j)) return;
    walkCalls(hint.unlock.expr, (call) => {
      const target = hints[call.arg];
      if (call.fn !== "hint_taken" || target?.kind !== "ask") return;
      report.add(
        "warning",
        `hint_taken("${target.id}") is always false: "${target.id}" is an ask hint, which is never taken`,
        at(j),
        entry.id,
      );
    });
  });
}

/**
 * The hints a hint rule cannot hold without (its `hint_taken()` calls joined
 * to the whole rule by "and" alone), or "never" when the rule is plain false.
 */
function requiredHints(expr: Expr): Set<number> | "never" {
  const required = new Set<number>();
  const visit = (node: Expr): boolean => {
    if (node.kind === "const" && node.value === false) return false;
    if (node.kind === "call" && node.fn === "hint_taken") required.add(node.arg);
    if (node.kind === "logic" && node.op === "and") return visit(node.left) && visit(node.right);
    return true;
  };
  return visit(expr) ? required : "never";
}

/** The compiled hunt, from the [hunt] table and the built puzzles and routes. */
function assembleHunt(
  meta: HuntTable,
  parts: {
    seed: string;
    puzzles: Puzzle[];
    names: Names;
    routes: Route[];
    roundTitles: ReadonlyMap<string, string>;
    options: LoadOptions;
  },
): Hunt {
  const { names, options } = parts;
  return {
    title: meta.title,
    ...(meta.starts_at !== undefined && { startsAt: meta.starts_at }),
    ...(meta.ends_at !== undefined && { endsAt: meta.ends_at }),
    ...(meta.freeze_at !== undefined && { freezeAt: meta.freeze_at }),
    ...(meta.solutions_at !== undefined && { solutionsAt: meta.solutions_at }),
    ...(meta.offline_grace !== undefined && { offlineGraceMs: meta.offline_grace }),
    ...(meta.submitters === "one" && { submitters: "one" as const }),
    registration: meta.registration,
    registrationCodes: meta.registration_codes,
    teamSize: { min: meta.team_size.min, max: meta.team_size.max ?? Infinity },
    divisions: meta.divisions,
    seed: parts.seed,
    puzzles: parts.puzzles,
    puzzleIndex: names.puzzleIndex,
    rounds: [...names.rounds.keys()],
    roundTitles: parts.roundTitles,
    tags: [...names.tags.keys()],
    checkpoints: names.checkpoints,
    routes: parts.routes,
    uploads: {
      photoMax: meta.uploads.photo_max,
      videoMax: meta.uploads.video_max,
      teamQuota: meta.uploads.team_quota,
      photoSize: meta.uploads.photo_size,
    },
    gallery: meta.gallery,
    showSolves: meta.show_solves,
    offlineTimes: meta.offline_times,
    ...(meta.hint_tokens !== undefined && {
      hintTokens: {
        start: meta.hint_tokens.start,
        ...(meta.hint_tokens.every !== undefined && { everyMs: meta.hint_tokens.every }),
        ...(meta.hint_tokens.max !== undefined && { max: meta.hint_tokens.max }),
      },
    }),
    ...(options.assetsDir !== undefined && { assetsDir: options.assetsDir }),
  };
}

/** Compiles one set of answers (a puzzle's or a variant's), reporting its problems under `prefix`. */
function compileAnswerSet(
  spec: Pick<PuzzleEntry, "answer" | "answer_regex" | "partial" | "normalize" | "choices">,
  where: {
    prefix: KeyPath;
    raw: Record<string, unknown>;
    puzzleId: string;
    needsAnswer: boolean;
    /** Whether the choices are written here (not inherited from the puzzle): their problems are. */
    ownChoices: boolean;
  },
  report: Reporter,
): AnswerChecker {
  const { prefix, raw, puzzleId } = where;
  const answers = compileAnswers({
    answers: spec.answer ?? [],
    regexes: spec.answer_regex ?? [],
    partials: spec.partial,
    mode: spec.normalize,
    ...(spec.choices !== undefined && { choices: spec.choices }),
  });
  if (where.needsAnswer && spec.choices !== undefined && (spec.answer ?? []).length === 0) {
    // A multiple-choice puzzle is judged by `answer` alone (answer_regex is refused with choices).
    report.add(
      "error",
      `A puzzle with choices needs an "answer", the right choice: e.g. answer = "${
        spec.choices[0]
      }"`,
      spec.answer !== undefined ? [...prefix, "answer"] : prefix,
      puzzleId,
    );
  } else if (
    where.needsAnswer && (spec.answer ?? []).length === 0 && (spec.answer_regex ?? []).length === 0
  ) {
    // At the key if it is there but empty, else at the table's header.
    const at = spec.answer !== undefined
      ? [...prefix, "answer"]
      : spec.answer_regex !== undefined
      ? [...prefix, "answer_regex"]
      : prefix;
    report.add("error", 'The puzzle needs an "answer" or an "answer_regex"', at, puzzleId);
  }
  if (answers.kind === "error") {
    for (const problem of answers.problems) {
      if (problem.field === "choices" && !where.ownChoices) continue;
      // A single string (`answer = "x"`) has no index to name.
      const single = typeof raw[problem.field === "partial" ? "" : problem.field] === "string";
      const field = problem.field === "partial"
        ? [...prefix, "partial", problem.index, "answer"]
        : single
        ? [...prefix, problem.field]
        : [...prefix, problem.field, problem.index];
      report.add("error", problem.message, field, puzzleId);
    }
    return REFUSE_ALL;
  }
  spec.partial.forEach((partial, j) => {
    if (answers.checker.check(partial.answer).kind === "correct") {
      report.add(
        "warning",
        `Partial answer "${partial.answer}" is also a correct answer, so it never shows its message`,
        [...prefix, "partial", j, "answer"],
        puzzleId,
      );
    }
  });
  return answers.checker;
}

/**
 * Resolves the [[route]] tables: their stops must be distinct puzzles with
 * checkpoints, each in one route, and their constraints must allow an order.
 * Each sound route gets its planner, seeded from the hunt's seed and its id.
 */
function buildRoutes(
  entries: readonly (RouteEntry | InvalidRoute)[],
  puzzleIndex: ReadonlyMap<string, number>,
  withCheckpoint: ReadonlySet<number>,
  seed: string,
  report: Reporter,
): { list: Route[]; ids: Map<string, number>; stopOf: Map<number, number> } {
  const list: Route[] = [];
  const ids = new Map<string, number>();
  const stopOf = new Map<number, number>();
  entries.forEach((entry, i) => {
    const at = (...rest: (string | number)[]): KeyPath => ["route", i, ...rest];
    if (entry.id !== undefined) {
      if (ids.has(entry.id)) {
        report.add("error", `Duplicate route id "${entry.id}"`, at("id"), entry.id);
      } else ids.set(entry.id, ids.size);
    }
    if ("invalid" in entry) {
      // Its stops still count as stops, so that route_position() rules naming them resolve.
      for (const id of entry.stops) {
        const index = puzzleIndex.get(id);
        if (index !== undefined && !stopOf.has(index)) {
          stopOf.set(index, ids.get(entry.id ?? "") ?? -1);
        }
      }
      return;
    }
    const routeIndex = ids.get(entry.id)!;
    const stops = resolveStops(
      entry,
      i,
      { routeIndex, puzzleIndex, withCheckpoint, ids, stopOf },
      report,
    );
    const slot = stops.slot;
    let sound = stops.sound;
    // first, last and the before pairs must name the route's stops.
    const stopNumber = (id: string, path: KeyPath): number | undefined => {
      const k = slot.get(id);
      if (k === undefined) {
        report.add(
          "error",
          `"${id}" is not a stop of this route${didYouMean(id, slot.keys())}`,
          path,
          entry.id,
        );
        sound = false;
      }
      return k;
    };
    const first = entry.first === undefined ? undefined : stopNumber(entry.first, at("first"));
    const last = entry.last === undefined ? undefined : stopNumber(entry.last, at("last"));
    const before: [number, number][] = [];
    entry.before.forEach(([a, b], j) => {
      const ka = stopNumber(a, at("before", j, 0));
      const kb = stopNumber(b, at("before", j, 1));
      if (ka !== undefined && kb !== undefined) before.push([ka, kb]);
    });
    if (!sound) return;
    const constraints: RouteConstraints = {
      stops: entry.stops.length,
      ordered: entry.ordered,
      ...(first !== undefined && { first }),
      ...(last !== undefined && { last }),
      before,
      spread: entry.spread,
    };
    const conflicts = routeConflicts(constraints, entry.stops);
    for (const conflict of conflicts) {
      const path = conflict.index === undefined
        ? at(conflict.key)
        : at(conflict.key, conflict.index);
      report.add("error", `Unsatisfiable route: ${conflict.message}`, path, entry.id);
    }
    if (conflicts.length > 0) return;
    list.push({
      index: routeIndex,
      id: entry.id,
      stops: entry.stops.map((id) => puzzleIndex.get(id)!),
      advance: entry.advance,
      constraints,
      planner: new RoutePlanner(constraints, `${seed}\u0000route\u0000${entry.id}`),
    });
  });
  return { list, ids, stopOf };
}

/**
 * Places a route's stops: each must be a known puzzle with a checkpoint, listed
 * once and on no other route. Returns each stop's slot, and whether all were sound.
 */
function resolveStops(
  entry: RouteEntry,
  i: number,
  known: {
    routeIndex: number;
    puzzleIndex: ReadonlyMap<string, number>;
    withCheckpoint: ReadonlySet<number>;
    ids: ReadonlyMap<string, number>;
    stopOf: Map<number, number>;
  },
  report: Reporter,
): { slot: Map<string, number>; sound: boolean } {
  const { routeIndex, puzzleIndex, withCheckpoint, ids, stopOf } = known;
  const slot = new Map<string, number>();
  let sound = true;
  entry.stops.forEach((id, k) => {
    const index = puzzleIndex.get(id);
    const problem = (message: string) => {
      report.add("error", message, ["route", i, "stops", k], entry.id);
      sound = false;
    };
    if (index === undefined) {
      return problem(`Unknown puzzle "${id}"${didYouMean(id, puzzleIndex.keys())}`);
    }
    if (slot.has(id)) return problem(`Stop "${id}" is listed twice`);
    const other = stopOf.get(index);
    if (other !== undefined && other !== routeIndex) {
      const name = [...ids].find(([, r]) => r === other)?.[0];
      return problem(
        `Puzzle "${id}" is already a stop of route "${name}"; a puzzle can be on one route only`,
      );
    }
    if (!withCheckpoint.has(index)) {
      problem(
        `Stop "${id}" has no checkpoint: a stop is a place, so give the puzzle a checkpoint`,
      );
    }
    slot.set(id, k);
    stopOf.set(index, routeIndex);
  });
  return { slot, sound };
}

/**
 * A stop whose unlock rule needs another stop of its route solved (or checked
 * in at) deadlocks every team that reaches it first: the other stop opens only
 * after this one is done. That is an error unless the constraints put the
 * other stop first for every team.
 */
function checkStopRules(puzzles: readonly Puzzle[], routes: readonly Route[], report: Reporter) {
  for (const route of routes) {
    const c = route.constraints;
    const n = route.stops.length;
    // first[a][b]: stop a comes before stop b in every order.
    const first = Array.from({ length: n }, () => new Uint8Array(n));
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        if (a === b) continue;
        if ((c.ordered && a < b) || a === c.first || b === c.last) first[a]![b] = 1;
      }
    }
    for (const [a, b] of c.before) first[a]![b] = 1;
    // Transitive closure (Floyd–Warshall over booleans; routes are small).
    for (let k = 0; k < n; k++) {
      for (let a = 0; a < n; a++) {
        if (first[a]![k] !== 1) continue;
        for (let b = 0; b < n; b++) if (first[k]![b] === 1) first[a]![b] = 1;
      }
    }
    route.stops.forEach((index, x) => {
      const rule = puzzles[index]!.unlock;
      if (rule === undefined) return;
      route.stops.forEach((other, y) => {
        if (y === x || first[y]![x] === 1 || !needsPuzzle(rule.expr, other)) return;
        const [me, them] = [puzzles[index]!.id, puzzles[other]!.id];
        report.add(
          "error",
          `Stop "${me}" needs stop "${them}", but teams that reach "${me}" first would be stuck: add before = [["${them}", "${me}"]] to route "${route.id}"`,
          ["puzzle", index, "unlock"],
          me,
        );
      });
    });
  }
}

/** Stands in for a puzzle whose answers did not compile; never reached, as the hunt then has errors. */
const REFUSE_ALL: AnswerChecker = {
  spec: { answers: [], regexes: [], partials: [], mode: "default" },
  normalize: (raw: string) => raw,
  check: () => ({ kind: "incorrect" as const }),
  isChoice: () => false,
  patternCapitals: "ignored",
};

/**
 * `solutions_at` shows teams the solutions of puzzles they have not solved:
 * only once nothing more can be answered, after `ends_at` and after the
 * offline grace, within which an answer made before the end still counts.
 */
function checkSolutionsAt(meta: HuntTable, report: Reporter): void {
  if (meta.solutions_at === undefined) return;
  const at = ["hunt", "solutions_at"];
  if (meta.ends_at === undefined) {
    report.add(
      "error",
      "solutions_at needs ends_at: the solutions of puzzles a team has not solved are shown " +
        "only once the hunt has ended",
      at,
    );
    return;
  }
  const grace = meta.offline_times ? meta.offline_grace ?? 0 : 0;
  if (meta.solutions_at < meta.ends_at) {
    report.add("error", "solutions_at must not be before ends_at", at);
  } else if (meta.solutions_at < meta.ends_at + grace) {
    report.add(
      "error",
      "solutions_at must not be within offline_grace after ends_at: an answer made offline " +
        "before the end still counts until then",
      at,
    );
  }
}

function checkHuntTable(meta: HuntTable, report: Reporter): void {
  if (
    meta.starts_at !== undefined && meta.ends_at !== undefined && meta.ends_at <= meta.starts_at
  ) {
    report.add("error", "ends_at must be after starts_at", ["hunt", "ends_at"]);
  }
  if (meta.freeze_at !== undefined) {
    if (meta.starts_at !== undefined && meta.freeze_at < meta.starts_at) {
      report.add("error", "freeze_at must not be before starts_at", ["hunt", "freeze_at"]);
    }
    if (meta.ends_at !== undefined && meta.freeze_at > meta.ends_at) {
      report.add("error", "freeze_at must not be after ends_at", ["hunt", "freeze_at"]);
    }
  }
  checkSolutionsAt(meta, report);
  if (!meta.offline_times && meta.offline_grace !== undefined) {
    report.add(
      "warning",
      "offline_grace does nothing with offline_times = false: every action counts when it " +
        "arrives, so none arrives before ends_at that was held on a phone past it",
      ["hunt", "offline_grace"],
    );
  }
  if (meta.registration === "code" && meta.registration_codes.length === 0) {
    report.add("error", 'registration = "code" needs at least one code in registration_codes', [
      "hunt",
      "registration",
    ]);
  }
  if (meta.registration !== "code" && meta.registration_codes.length > 0) {
    report.add(
      "warning",
      `registration_codes are ignored while registration = "${meta.registration}"`,
      ["hunt", "registration_codes"],
    );
  }
  const size = meta.team_size;
  if (size.max !== undefined && size.max < size.min) {
    report.add("error", `team_size max (${size.max}) is below min (${size.min})`, [
      "hunt",
      "team_size",
      "max",
    ]);
  }
  const tokens = meta.hint_tokens;
  if (tokens?.max !== undefined && tokens.max < tokens.start) {
    report.add("error", `hint_tokens max (${tokens.max}) is below start (${tokens.start})`, [
      "hunt",
      "hint_tokens",
      "max",
    ]);
  }
  reportDuplicateDivisions(meta.divisions, report);
}

/** Reports each division named again, at its own place in the list. */
function reportDuplicateDivisions(divisions: readonly unknown[], report: Reporter): void {
  const seen = new Set<unknown>();
  divisions.forEach((division, i) => {
    if (isId(division) && seen.has(division)) {
      report.add("error", `Duplicate division "${division}"`, ["hunt", "divisions", i]);
    }
    seen.add(division);
  });
}

/** A puzzle's (or a variant's) body: inline, or read from `body_file`. */
function readBody(
  entry: { body?: string; body_file?: string },
  where: { prefix: KeyPath; puzzleId: string },
  options: LoadOptions,
  report: Reporter,
): string {
  return readText(entry, "body", where, options, report);
}

/**
 * A puzzle's (or a variant's) Markdown under `key` ("body" or "solution"): inline, or read from
 * `<key>_file`; "" when neither is given. `shown`: the assets its body links to.
 */
function readText(
  entry: { body?: string; body_file?: string; solution?: string; solution_file?: string },
  key: "body" | "solution",
  where: { prefix: KeyPath; puzzleId: string; shown?: readonly string[] },
  options: LoadOptions,
  report: Reporter,
): string {
  const { puzzleId, shown = [] } = where;
  const fileKey = `${key}_file` as const;
  const inline = entry[key];
  const file = entry[fileKey];
  const path: KeyPath = [...where.prefix, fileKey];
  if (file === undefined) {
    const text = inline ?? "";
    checkAssetLinks(text, key, { path: [...where.prefix, key], puzzleId, shown }, options, report);
    return text;
  }
  if (inline !== undefined) {
    report.add("error", `Give either "${key}" or "${fileKey}", not both`, path, puzzleId);
    return inline;
  }
  let text: string | undefined;
  try {
    text = options.readFile?.(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    report.add("error", `Cannot read ${fileKey} "${file}": ${reason}`, path, puzzleId);
    return "";
  }
  if (text === undefined) {
    report.add(
      "error",
      `Cannot read ${fileKey} "${file}" (paths are relative to the hunt file)`,
      path,
      puzzleId,
    );
    return "";
  }
  checkAssetLinks(text, key, { path, puzzleId, shown }, options, report);
  return text;
}

/** The folder of a puzzle's assets that a team may fetch only once it solved the puzzle. */
const SOLUTION_FOLDER = "solution/";
/**
 * A path in that folder, as the server finds it (http/puzzle_files.ts): in any case, with trailing
 * dots or spaces, as a case-insensitive file system or Windows' would.
 */
const IN_SOLUTION_FOLDER = /^solution[. ]*\//i;

/**
 * Warns of each file a body or a solution links to in `assets/` that is not in the puzzle's
 * folder: a typo in a name would show players a broken picture. Only a warning, as a file added
 * later is served at once. A solution's own files belong in `assets/<puzzle>/solution/`, which
 * teams get only once they solved the puzzle; anywhere else, a team that has the puzzle could
 * fetch them before (unless its body shows them anyway: `shown`); and a body's picture from there
 * would stay broken until the solve. Warns too of a picture with no text for it (`![](…)`), which
 * a screen reader passes over in silence.
 */
function checkAssetLinks(
  text: string,
  key: "body" | "solution",
  where: { path: KeyPath; puzzleId: string; shown: readonly string[] },
  options: LoadOptions,
  report: Reporter,
) {
  const { path, puzzleId } = where;
  for (const src of picturesWithoutText(text)) {
    report.add(
      "warning",
      `The ${key} shows a picture with no text for it, ${src}: a screen reader says nothing of ` +
        `it (write what it shows in its brackets: ![what it shows](${src}))`,
      path,
      puzzleId,
    );
  }
  for (const file of assetLinks(text)) {
    const hidden = IN_SOLUTION_FOLDER.test(file);
    if (key === "solution" && !hidden && !where.shown.includes(file)) {
      report.add(
        "warning",
        `The solution links to assets/${file}, which a team that has the puzzle can fetch ` +
          `before solving it: put the solution's files in assets/${puzzleId}/${SOLUTION_FOLDER}`,
        path,
        puzzleId,
      );
    }
    if (key === "body" && hidden) {
      report.add(
        "warning",
        `The body links to assets/${file}, which teams get only once they solved the puzzle`,
        path,
        puzzleId,
      );
    }
    if (options.assetExists === undefined || options.assetExists(puzzleId, file)) continue;
    report.add(
      "warning",
      `The ${key} links to assets/${file}, but there is no file assets/${puzzleId}/${file} ` +
        "beside the hunt file",
      path,
      puzzleId,
    );
  }
}

function analyzeUnlocks(
  meta: HuntTable,
  endsAtText: string | undefined,
  puzzles: Puzzle[],
  routes: readonly Route[],
  rounds: string[],
  tags: string[],
  report: Reporter,
) {
  const analysis = analyze({
    puzzles: puzzles.map((p) => ({
      id: p.id,
      round: p.roundIndex,
      tags: p.tagIndexes,
      ...(p.unlock && { unlock: p.unlock.expr }),
    })),
    rounds,
    tags,
    routes: routes.map((route) => ({ id: route.id, stops: route.stops })),
    ...(meta.starts_at !== undefined && { startsAt: meta.starts_at }),
    ...(meta.ends_at !== undefined && { endsAt: meta.ends_at }),
    ...(endsAtText !== undefined && { endsAtText }),
  });
  for (const blocked of analysis.blocked) {
    const puzzle = puzzles[blocked.puzzle]!;
    const rule: CompiledRule = puzzle.unlock!;
    const path: KeyPath = ["puzzle", blocked.puzzle, "unlock"];
    // `unlock = "false"` hides a puzzle on purpose (a hidden CTFd challenge): a warning.
    if (rule.expr.kind === "const" && rule.expr.value === false) {
      report.add(
        "warning",
        'Hidden: the rule is false, so no team ever sees this puzzle (remove unlock = "false" to show it)',
        path,
        puzzle.id,
      );
      continue;
    }
    if (blocked.span) report.rule(path, puzzle.id, rule.source, blocked.message, blocked.span);
    else report.add("error", blocked.message, path, puzzle.id);
  }
}
