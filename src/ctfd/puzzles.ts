/**
 * CTFd's challenges as Cairn puzzles: categories become rounds, flags
 * answers, prerequisites `solved()` rules, dynamic challenges dynamic points,
 * `max_attempts` a per-hunt guess limit, files the puzzle's assets, and a
 * solution (CTFd 3.8) the puzzle's `solution`.
 */
import { backtrackRisk, backtrackRisks, type DynamicPoints } from "../engine/mod.ts";
import { MAX_COUNT } from "../hunt/mod.ts";
import { fromPython } from "./pattern.ts";
import { date, int, json, type Row, text } from "./tables.ts";

/** One puzzle of the hunt file, as written. */
export interface PuzzleEntry {
  id: string;
  title: string;
  round: string;
  tags?: string[];
  points: number | DynamicPoints;
  body_file: string;
  solution_file?: string;
  answer?: string[];
  answer_regex?: string[];
  normalize: "exact";
  unlock?: string;
  guess_limit?: { count: number; per: "hunt" };
  hint?: HintEntry[];
}

/** One hint of a puzzle, as written. */
interface HintEntry {
  id: string;
  /** CTFd's hint title: shown before the hint is taken, as CTFd shows it. */
  title?: string;
  text: string;
  cost: number;
  unlock?: string;
}

/** An imported challenge. */
export interface PuzzleOut {
  ctfdId: number;
  entry: PuzzleEntry;
  body: string;
  /** The Markdown of `entry.solution_file`, if the challenge had a solution to carry over. */
  solution?: string;
  /** Zip paths of its files, and where they go under the output folder. */
  files: { from: string; to: string }[];
  /** CTFd hint id → the Cairn hint id. */
  hints: Map<number, string>;
  hidden: boolean;
  /** The category as CTFd shows it (trimmed), if it has one: the round's title. */
  category?: string;
  /** CTFd 3.8's `scheduled_at`: the challenge shows from then on (epoch ms). */
  scheduledAt?: number;
  /** CTFd ids of the challenges it needs solved. */
  prerequisites: number[];
  /** CTFd 3.8's module: only the audiences given access to it see the challenge. */
  moduleId?: number;
}

/** Everything the conversion of the challenges needs. */
export interface ChallengeTables {
  challenges: readonly Row[];
  dynamic: readonly Row[];
  flags: readonly Row[];
  tags: readonly Row[];
  hints: readonly Row[];
  files: readonly Row[];
  /** CTFd 3.8's challenge solutions. */
  solutions: readonly Row[];
}

/** A Cairn id (`[a-z0-9][a-z0-9_-]*`) made from a name, or undefined when nothing is left of it. */
export function slug(name: string): string | undefined {
  const out = name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 48).replace(/-+$/, "");
  return out === "" ? undefined : out;
}

/** Every challenge Cairn can play, as a puzzle; the rest is reported. */
export function importChallenges(
  tables: ChallengeTables,
  uploads: ReadonlySet<string>,
  report: string[],
): PuzzleOut[] {
  const puzzles: PuzzleOut[] = [];
  const ids = new Set<string>();
  const plugins: string[] = [];
  const solutions = { hidden: [] as string[], visible: [] as string[] };
  const rounds = roundIds(tables.challenges);
  const sorted = [...tables.challenges].sort((a, b) =>
    (int(a, "position") ?? 0) - (int(b, "position") ?? 0) ||
    (int(a, "id") ?? 0) - (int(b, "id") ?? 0)
  );
  for (const row of sorted) {
    const ctfdId = int(row, "id");
    if (ctfdId === undefined) continue;
    // CTFd takes a name of spaces (its API checks only the length), which no title may be.
    const name = text(row, "name")?.trim() || `Challenge ${ctfdId}`;
    const type = text(row, "type") ?? "standard";
    if (type !== "standard" && type !== "dynamic") {
      plugins.push(`"${name}" (${type})`);
      continue;
    }
    const answers = importFlags(
      tables.flags.filter((f) => int(f, "challenge_id") === ctfdId),
      name,
      report,
    );
    if (answers.answer.length === 0 && answers.answer_regex.length === 0) {
      report.push(`The challenge "${name}" has no flag Cairn can check: it was left out`);
      continue;
    }
    let id = slug(name) ?? `challenge-${ctfdId}`;
    if (ids.has(id)) id = `${id}-${ctfdId}`;
    ids.add(id);
    const logic = text(row, "logic");
    if (logic === "all" || logic === "team") {
      report.push(
        `The challenge "${name}" needed ${
          logic === "all" ? "every flag" : "a flag from each member"
        }; in Cairn any one of its flags solves it`,
      );
    }
    const files = importFiles(tables.files, ctfdId, id, uploads, report);
    const listed = files.map((f) => f.to.slice(`assets/${id}/`.length));
    const description = linkUploads(text(row, "description") ?? "", id, uploads, files, report);
    const body = challengeBody({ ...row, description }, listed);
    const tag = htmlTag(description);
    if (tag !== undefined) {
      report.push(
        `The description of "${name}" has HTML (${tag}), which CTFd rendered and Cairn shows as ` +
          `text: write it in Markdown in puzzles/${id}.md`,
      );
    }
    const solution = challengeSolution(
      tables.solutions.find((s) => int(s, "challenge_id") === ctfdId),
      { id, name, uploads, files, solutions },
      report,
    );
    const maxAttempts = attempts(int(row, "max_attempts") ?? 0, name, report);
    const hints = importHints(tables.hints, ctfdId, name, report);
    const tags = [
      ...new Set(
        tables.tags.filter((t) => int(t, "challenge_id") === ctfdId)
          .map((t) => slug(text(t, "value") ?? "")).filter((t): t is string => t !== undefined),
      ),
    ];
    puzzles.push({
      ctfdId,
      entry: {
        id,
        title: name,
        round: rounds.get(category(row) ?? "") ?? "main",
        ...(tags.length > 0 && { tags }),
        points: challengePoints(row, tables.dynamic, name, report),
        body_file: `puzzles/${id}.md`,
        ...(solution !== undefined && { solution_file: `solutions/${id}.md` }),
        ...(answers.answer.length > 0 && { answer: answers.answer }),
        ...(answers.answer_regex.length > 0 && { answer_regex: answers.answer_regex }),
        normalize: "exact",
        ...(maxAttempts > 0 && { guess_limit: { count: maxAttempts, per: "hunt" as const } }),
        ...(hints.entries.length > 0 && { hint: hints.entries }),
      },
      body,
      ...(solution !== undefined && { solution }),
      files,
      hints: hints.ids,
      hidden: text(row, "state") === "hidden",
      ...(category(row) !== undefined && { category: category(row)! }),
      prerequisites: prerequisites(row),
      ...(date(row, "scheduled_at") !== undefined && { scheduledAt: date(row, "scheduled_at")! }),
      ...(int(row, "module_id") !== undefined && { moduleId: int(row, "module_id")! }),
    });
  }
  reportSolutions(tables, { puzzles, solutions }, report);
  if (plugins.length > 0) {
    report.push(
      `${plugins.length} challenge(s) of plugin types were left out, with their submissions: ${
        plugins.join(", ")
      }`,
    );
  }
  return puzzles;
}

/**
 * The report's lines on solutions: those CTFd showed to every team, the hidden ones left out, and
 * those of challenges that did not come over (a plugin's, one with no flag Cairn can check).
 */
function reportSolutions(
  tables: ChallengeTables,
  { puzzles, solutions }: {
    puzzles: PuzzleOut[];
    solutions: { hidden: string[]; visible: string[] };
  },
  report: string[],
) {
  if (solutions.visible.length > 0) {
    report.push(
      `${solutions.visible.length} solution(s) CTFd showed to every team that could see the ` +
        "challenge; Cairn shows a solution to a team once it solved the challenge: " +
        solutions.visible.join(", "),
    );
  }
  if (solutions.hidden.length > 0) {
    report.push(
      `${solutions.hidden.length} hidden solution(s) were left out, as in CTFd no team saw them: ` +
        solutions.hidden.join(", "),
    );
  }
  // A challenge left out takes its solution along.
  const carried = new Set(puzzles.map((p) => p.ctfdId));
  const names = new Map(
    tables.challenges.map((row) => [int(row, "id"), text(row, "name")?.trim()]),
  );
  const orphans = tables.solutions.filter((row) =>
    text(row, "content")?.trim() && !carried.has(int(row, "challenge_id") ?? NaN)
  ).map((row) => {
    const id = int(row, "challenge_id");
    return `"${names.get(id) || `Challenge ${id}`}"`;
  });
  if (orphans.length > 0) {
    report.push(
      `${orphans.length} solution(s) of challenges that did not come over were left out: ` +
        orphans.join(", "),
    );
  }
}

/** A challenge's category, trimmed, if it has one. */
function category(row: Row): string | undefined {
  return text(row, "category")?.trim() || undefined;
}

/**
 * Each category's round id: made from its name, or, for a name with nothing an id can keep
 * (`暗号`), `category-N`, so that two such categories stay two rounds.
 */
function roundIds(challenges: readonly Row[]): Map<string, string> {
  const ids = new Map<string, string>();
  const names = [...new Set(challenges.map(category).filter((c): c is string => c !== undefined))];
  const taken = new Set(names.map(slug));
  let n = 0;
  for (const name of names) {
    let id = slug(name);
    if (id === undefined) {
      do id = `category-${++n}`; while (taken.has(id));
    }
    ids.set(name, id);
  }
  return ids;
}

/** The challenge's value: fixed, or CTFd's dynamic scoring (the plugin's table, or CTFd 3.8's own columns). */
function challengePoints(
  row: Row,
  dynamicRows: readonly Row[],
  name: string,
  report: string[],
): number | DynamicPoints {
  const value = points(int(row, "value") ?? 0, name, report);
  let source: Row | undefined;
  let prefix = "";
  if (text(row, "type") === "dynamic") {
    source = dynamicRows.find((d) => int(d, "id") === int(row, "id"));
    prefix = source !== undefined && source["dynamic_initial"] !== undefined ? "dynamic_" : "";
  } else if (text(row, "function") === "linear" || text(row, "function") === "logarithmic") {
    source = row;
  }
  if (source === undefined) return value;
  const initial = int(source, `${prefix}initial`);
  const minimum = int(source, `${prefix}minimum`);
  let decay = int(source, `${prefix}decay`);
  // Before CTFd 3.6 the plugin had no function column: every dynamic challenge was logarithmic.
  const fn = text(source, `${prefix}function`) === "linear" ? "linear" : "logarithmic";
  if (
    initial === undefined || minimum === undefined || decay === undefined || initial < 0 ||
    minimum < 0 || decay < 0 || minimum > initial
  ) {
    report.push(
      `The dynamic challenge "${name}" has scoring Cairn cannot follow (initial ${initial}, minimum ${minimum}, decay ${decay}): it is worth a fixed ${value}`,
    );
    return value;
  }
  // CTFd reads a logarithmic decay of 0 as 1, which gives the same values.
  if (fn === "logarithmic" && decay === 0) decay = 1;
  return {
    initial: points(initial, name, report),
    minimum: points(minimum, name, report),
    decay: points(decay, name, report),
    function: fn,
  };
}

/** A number of points as a hunt file may hold it: 0 to MAX_COUNT (CTFd has no bound). */
function points(value: number, name: string, report: string[]): number {
  if (value <= MAX_COUNT) return Math.max(0, value);
  report.push(
    `"${name}" is worth ${value} points in CTFd, more than a hunt file allows: it is worth ${MAX_COUNT}`,
  );
  return MAX_COUNT;
}

/** `max_attempts` as a guess limit's count: 0 (none) for none, at most the most a hunt file takes. */
function attempts(value: number, name: string, report: string[]): number {
  if (value <= MAX_COUNT) return Math.max(0, value);
  report.push(
    `"${name}" allowed ${value} attempts in CTFd, more than a hunt file allows: it allows ${MAX_COUNT}`,
  );
  return MAX_COUNT;
}

/**
 * Static flags as exact answers; case-insensitive ones and regexes as `answer_regex`, a
 * case-sensitive regex in a `(?-i:…)` group.
 */
function importFlags(
  flags: readonly Row[],
  name: string,
  report: string[],
): { answer: string[]; answer_regex: string[] } {
  const answer: string[] = [];
  const answerRegex: string[] = [];
  /** The flag each regex pattern came from, as CTFd held it. */
  const flagOf = new Map<string, string>();
  for (const row of flags) {
    const content = text(row, "content");
    if (content === undefined) continue;
    const caseInsensitive = text(row, "data") === "case_insensitive";
    const type = text(row, "type");
    if (type === "static") {
      // A case-insensitive static flag is the same text as a (case-insensitive) pattern.
      if (caseInsensitive) answerRegex.push(content.trim().replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
      else answer.push(content.trim());
    } else if (type === "regex") {
      // Python's `re` reads the flag; Cairn's patterns are JavaScript's, in Unicode mode.
      const translated = fromPython(content);
      // CTFd compares a regex flag with case unless it is case-insensitive (its data, or a leading
      // (?i)); Cairn's patterns ignore case, except in a (?-i:…) group.
      const pattern = caseInsensitive || translated.caseInsensitive
        ? translated.pattern
        : `(?-i:${translated.pattern})`;
      try {
        // The flag alone, as a group around it could close what it leaves open: "a)|(b".
        new RegExp(translated.pattern, "u");
      } catch {
        report.push(
          `A regex flag of "${name}" is not valid in JavaScript's syntax and was left out: ${content}`,
        );
        continue;
      }
      if (backtrackRisk(pattern) !== undefined) {
        report.push(
          `A regex flag of "${name}" was left out: a crafted guess could make it run for seconds (cairn check explains the shape): ${content}`,
        );
        continue;
      }
      // Only a change of syntax is reported: a (?-i:…) group keeps the flag as CTFd judged it.
      if (translated.pattern !== content) {
        report.push(
          `A regex flag of "${name}" is written in JavaScript's syntax, which Cairn's patterns use, ` +
            `as ${pattern} (CTFd's, in Python's: ${content})`,
        );
      }
      answerRegex.push(pattern);
      flagOf.set(pattern, content);
    } else {
      report.push(`A flag of "${name}" has the plugin type "${type}" and was left out`);
    }
  }
  // A guess is tried against each pattern: flags fine alone can be too many together.
  const patterns = [...new Set(answerRegex)];
  const risks = backtrackRisks(patterns);
  const kept = patterns.filter((pattern, index) => {
    if (risks[index] === undefined) return true;
    report.push(
      `A regex flag of "${name}" was left out: with the flags before it, a crafted guess could make them run for seconds (cairn check explains the shape): ${
        flagOf.get(pattern) ?? pattern
      }`,
    );
    return false;
  });
  return { answer: [...new Set(answer)], answer_regex: kept };
}

/**
 * The challenge's hints, and the ids they get. A hint that needs itself, through
 * other hints of the challenge or not, or needs such a hint, could never be
 * taken in CTFd: it is left out.
 */
function importHints(
  rows: readonly Row[],
  challengeId: number,
  name: string,
  report: string[],
): { entries: HintEntry[]; ids: Map<number, string> } {
  const entries: HintEntry[] = [];
  // Hint ids are CTFd's primary key: a repeated one (an edited export) counts once.
  const seen = new Set<number>();
  const mine = rows.filter((h) => {
    const id = int(h, "id");
    if (int(h, "challenge_id") !== challengeId || id === undefined || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const ids = new Map(mine.map((row) => [int(row, "id")!, `hint-${int(row, "id")}`]));
  // Prerequisites on other hints of the challenge become hint_taken() rules.
  const needs = new Map(mine.map((row) => {
    const listed = (json(row, "requirements") as { prerequisites?: unknown } | undefined)
      ?.prerequisites;
    return [int(row, "id")!, Array.isArray(listed) ? listed.map(Number) : []];
  }));
  const never = hintsNeverAvailable(needs, ids);
  for (const hintId of never) {
    ids.delete(hintId);
    report.push(
      `Hint ${hintId} of "${name}" needs itself through its prerequisites (or a hint that does), ` +
        "so no team could take it: it was left out",
    );
  }
  for (const row of mine) {
    const hintId = int(row, "id")!;
    if (never.has(hintId)) continue;
    const id = ids.get(hintId)!;
    const title = text(row, "title")?.trim() || undefined;
    const content = (text(row, "content") ?? "").trim();
    const needed = needs.get(hintId)!.map((n) => ids.get(n));
    if (needed.some((n) => n === undefined)) {
      report.push(
        `Hint ${hintId} of "${name}" needed a hint of another challenge first; that need was dropped`,
      );
    }
    const rule = needed.filter((n): n is string => n !== undefined)
      .map((n) => `hint_taken("${n}")`).join(" and ");
    entries.push({
      id,
      ...(title !== undefined && { title }),
      // A hint with a title and nothing else gives its title once taken, as it did in CTFd.
      text: content !== "" ? content : title ?? "(empty hint)",
      cost: points(int(row, "cost") ?? 0, name, report),
      ...(rule !== "" && { unlock: rule }),
    });
  }
  return { entries, ids };
}

/** The hints (CTFd ids) on a cycle of prerequisites among the challenge's hints, or needing one. */
function hintsNeverAvailable(
  needs: ReadonlyMap<number, readonly number[]>,
  ids: ReadonlyMap<number, string>,
): Set<number> {
  const never = new Set<number>();
  const reaches = (from: number, target: number): boolean => {
    const seen = new Set<number>();
    const stack = [...(needs.get(from) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === target) return true;
      if (seen.has(next) || !ids.has(next)) continue;
      seen.add(next);
      stack.push(...(needs.get(next) ?? []));
    }
    return false;
  };
  for (const hintId of needs.keys()) if (reaches(hintId, hintId)) never.add(hintId);
  // And those that need them, down any chain.
  for (let changed = true; changed;) {
    changed = false;
    for (const [hintId, needed] of needs) {
      if (never.has(hintId) || !needed.some((n) => never.has(n))) continue;
      never.add(hintId);
      changed = true;
    }
  }
  return never;
}

/** The challenge's files: copied from `uploads/<location>` to the puzzle's assets folder. */
function importFiles(
  rows: readonly Row[],
  challengeId: number,
  puzzleId: string,
  uploads: ReadonlySet<string>,
  report: string[],
): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const row of rows.filter((f) => int(f, "challenge_id") === challengeId)) {
    const location = text(row, "location");
    if (location === undefined) continue;
    const from = `uploads/${location}`;
    if (!uploads.has(from)) {
      report.push(`The file ${location} of puzzle "${puzzleId}" is not in the export`);
      continue;
    }
    addFile(out, from, puzzleId);
  }
  return out;
}

/**
 * A challenge's solution (CTFd 3.8: `hidden`, `visible` to any team that sees the challenge, or
 * shown once `solved`) as the puzzle's, which Cairn shows once solved; its links to uploads made
 * links to the puzzle's `assets/solution/`, where they are copied. Undefined for none, an empty
 * one, or a hidden one (named in `solutions`, for the report).
 */
function challengeSolution(
  row: Row | undefined,
  context: {
    id: string;
    name: string;
    uploads: ReadonlySet<string>;
    files: { from: string; to: string }[];
    solutions: { hidden: string[]; visible: string[] };
  },
  report: string[],
): string | undefined {
  const content = row === undefined ? undefined : text(row, "content")?.trim();
  if (row === undefined || !content) return undefined;
  const { id, name, uploads, files, solutions } = context;
  const state = text(row, "state") ?? "hidden";
  if (state !== "solved" && state !== "visible") {
    solutions.hidden.push(`"${name}"`);
    return undefined;
  }
  if (state === "visible") solutions.visible.push(`"${name}"`);
  const linked = linkUploads(content, id, uploads, files, report, "solution");
  const tag = htmlTag(linked);
  if (tag !== undefined) {
    report.push(
      `The solution of "${name}" has HTML (${tag}), which CTFd rendered and Cairn shows as ` +
        `text: write it in Markdown in solutions/${id}.md`,
    );
  }
  return linked + "\n";
}

/**
 * Copies `from` to the puzzle's assets (in `folder`, such as "solution/"), named after it,
 * unique among `files`; gives its path under the assets folder.
 */
function addFile(
  files: { from: string; to: string }[],
  from: string,
  puzzleId: string,
  folder = "",
): string {
  const base = from.split("/").at(-1)!;
  // Letters and digits of any script stay (`データ.txt`); spaces, brackets and the like, which a
  // Markdown link would have to escape, become "_"; so does a leading dot (a hidden file).
  const clean = base.normalize("NFC").replace(/[^\p{L}\p{M}\p{N}._-]/gu, "_")
    .replace(/^[.]+/, "_");
  const names = new Set(files.map((f) => f.to.split("/").at(-1)));
  // A file named as the solution's folder would be hidden until the solve (and be in its way).
  const taken = (name: string) =>
    names.has(name) || (folder === "" && name.replace(/[.]+$/, "").toLowerCase() === "solution");
  let name = clean;
  for (let n = files.length + 1; taken(name); n++) name = `${n}-${clean}`;
  files.push({ from, to: `assets/${puzzleId}/${folder}${name}` });
  return `${folder}${name}`;
}

/**
 * A link to one of CTFd's uploads, `/files/<location>`, with or without the server's address (and
 * not the end of another path: `https://example.org/repo/files/x`).
 */
const UPLOAD_LINK =
  /(?<![^\s(<>"'=])(?:https?:\/\/[^\s/()<>"']+)?\/files\/([^\s()<>"'?#]+)(?:\?[^\s()<>"'#]*)?/g;

/**
 * The description (or the solution) with each link to a CTFd upload the export holds (an image or
 * a file put in it with CTFd's editor) made a link to the puzzle's assets, where it is copied (a
 * solution's into `assets/solution/`, which teams get once they solved the puzzle, unless the
 * description has it already); a line of the report for each one it does not hold.
 */
function linkUploads(
  description: string,
  puzzleId: string,
  uploads: ReadonlySet<string>,
  files: { from: string; to: string }[],
  report: string[],
  what: "description" | "solution" = "description",
): string {
  return description.replace(UPLOAD_LINK, (link, location: string) => {
    let from: string;
    try {
      from = `uploads/${decodeURIComponent(location)}`;
    } catch {
      from = `uploads/${location}`;
    }
    if (!uploads.has(from)) {
      report.push(
        `The ${what} of puzzle "${puzzleId}" links to ${link}, which is not in the export`,
      );
      return link;
    }
    const copied = files.find((f) => f.from === from);
    const name = copied?.to.slice(`assets/${puzzleId}/`.length) ??
      addFile(files, from, puzzleId, what === "solution" ? "solution/" : "");
    return `assets/${name}`;
  });
}

/** The puzzle's body: the description, its connection info, links to its files, the author. */
function challengeBody(row: Row, files: string[]): string {
  const parts = [text(row, "description")?.trim() ?? ""];
  const connection = text(row, "connection_info")?.trim();
  if (connection !== undefined) {
    parts.push(
      connection.includes("`")
        ? `**Connection:** ${connection}`
        : `**Connection:** \`${connection}\``,
    );
  }
  if (files.length > 0) {
    parts.push(["**Files:**", ...files.map((f) => `- [${f}](assets/${f})`)].join("\n"));
  }
  const author = text(row, "attribution")?.trim();
  if (author !== undefined) parts.push(`*${author}*`);
  return parts.filter((part) => part !== "").join("\n\n") + "\n";
}

/** An HTML tag, or comment, in Markdown (out of code), as CTFd renders it and Cairn does not. */
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?\/?>|<!--/;

/** The first HTML tag of a description, outside its code blocks and code spans. */
function htmlTag(description: string): string | undefined {
  const prose = description.replace(/^ {0,3}(```|~~~)[^]*?(^ {0,3}\1|(?![^]))/gm, "")
    .replace(/(`+)[^`][^]*?\1/g, "");
  return HTML_TAG.exec(prose)?.[0];
}

/** The CTFd ids of the challenges this one needs solved first. */
function prerequisites(row: Row): number[] {
  const needs = (json(row, "requirements") as { prerequisites?: unknown } | undefined)
    ?.prerequisites;
  if (!Array.isArray(needs)) return [];
  return needs.map((id) => (typeof id === "number" ? id : Number(id))).filter(Number.isInteger);
}
