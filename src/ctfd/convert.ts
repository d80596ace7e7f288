/**
 * A CTFd export, read into its tables, converted to Cairn: the hunt file
 * (with each puzzle's body as a Markdown file), the puzzles' files, and the
 * records that make up the database (teams, guesses and solves, unlocks,
 * hint takes, adjustments, announcements), all as `Write`s the store already
 * knows how to write. Pure: reading the zip and writing the folder are the
 * command's (`cli/import.ts`).
 */
import { stringify } from "smol-toml";
import { type Hunt, teamNameKey, titleCase, type Write } from "../engine/mod.ts";
import { formatProblem, loadHunt, MAX_COUNT } from "../hunt/mod.ts";
import { type Accounts, bracketDivisions, importAccounts } from "./accounts.ts";
import { plainText } from "./plain.ts";
import { importChallenges, type PuzzleOut } from "./puzzles.ts";
import { CTFD1_REVISIONS, date, int, type Row, text } from "./tables.ts";

/** A read export: each `db/<table>.json`'s rows, and the upload paths the zip holds. */
export interface ExportInput {
  tables: ReadonlyMap<string, readonly Row[]>;
  /** Every `uploads/<hash>/<name>` entry of the zip. */
  uploads: ReadonlySet<string>;
}

/** What the import writes. */
export interface Conversion {
  toml: string;
  /** `puzzles/<id>.md` (and `solutions/<id>.md`) → its Markdown. */
  bodies: Map<string, string>;
  /** Zip entry → path under the output folder. */
  files: { from: string; to: string }[];
  hunt: Hunt;
  writes: Write[];
  /** When the hunt started, for a hunt file with no `starts_at`: the first thing that happened. */
  startedAt: number | undefined;
  /** What did not carry over, one line each. */
  report: string[];
  counts: Record<
    "teams" | "puzzles" | "guesses" | "solves" | "hints" | "adjustments" | "announcements",
    number
  >;
}

export type ConvertResult = { kind: "ok"; conversion: Conversion } | {
  kind: "error";
  message: string;
};

/** Tables CTFd has that Cairn has no place for, and what to call them in the report. */
const NOT_CARRIED: readonly [string, string][] = [
  ["pages", "page(s)"],
  ["fields", "custom field(s)"],
  ["field_entries", "custom field answer(s)"],
  ["comments", "admin comment(s)"],
  ["topics", "challenge topic(s)"],
  ["ratings", "challenge rating(s) and review(s)"],
  ["audiences", "audience(s)"],
];

/** The last moment a hunt file can name: the end of the year 9999 (UTC). */
const LAST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Converts a CTFd 2 or later export; refuses one from CTFd 1 or one that is not an export. */
export function convertExport(input: ExportInput): ConvertResult {
  const { tables } = input;
  const table = (name: string): readonly Row[] => tables.get(name) ?? [];
  const version = table("alembic_version")[0];
  const revision = version === undefined ? undefined : text(version, "version_num");
  if (revision === undefined) {
    return {
      kind: "error",
      message: "Not a CTFd export: db/alembic_version.json is missing or empty",
    };
  }
  if (CTFD1_REVISIONS.has(revision)) {
    return {
      kind: "error",
      message:
        `This export is from CTFd 1 (database version ${revision}), which Cairn cannot read: ` +
        "upgrade the event to CTFd 2 or later, export it again, and import that",
    };
  }
  if (!tables.has("challenges")) {
    return { kind: "error", message: "Not a CTFd export: db/challenges.json is missing" };
  }
  const config = new Map(
    table("config").map((row) => [text(row, "key") ?? "", text(row, "value")]),
  );
  const report: string[] = [];
  const mode = config.get("user_mode") === "users" ? "users" : "teams";
  const divisions = bracketDivisions(table("brackets"), mode, report);
  const accounts = importAccounts(
    { teams: table("teams"), users: table("users"), divisions },
    mode,
    report,
  );
  const puzzles = importChallenges(
    {
      challenges: table("challenges"),
      dynamic: table("dynamic_challenge"),
      flags: table("flags"),
      tags: table("tags"),
      hints: table("hints"),
      files: table("files"),
      solutions: table("solutions"),
    },
    input.uploads,
    report,
  );
  const times = huntTimes(config, report);
  reportSettings(config, mode, report);
  const rules = unlockRules(puzzles, times.end, report);
  const bodies = new Map(puzzles.map((p) => [p.entry.body_file, p.body]));
  for (const { entry, solution } of puzzles) {
    if (entry.solution_file !== undefined) bodies.set(entry.solution_file, solution!);
  }
  const hunt = {
    title: config.get("ctf_name")?.trim() || "CTFd event",
    ...(times.start !== undefined && { starts_at: new Date(times.start) }),
    ...(times.end !== undefined && { ends_at: new Date(times.end) }),
    ...(times.freeze !== undefined && { freeze_at: new Date(times.freeze) }),
    ...registration(config),
    ...(mode === "teams" && teamSize(config)),
    ...(divisions.size > 0 && { divisions: [...divisions.values()] }),
    ...(solvesShown(config) && { show_solves: true }),
  };
  const entries = puzzles.map((p) => ({
    ...p.entry,
    ...(rules.has(p) && { unlock: rules.get(p)! }),
  }));
  const round = roundTitles(puzzles);
  const toml = "# Imported from a CTFd export by `cairn import ctfd`: see import-report.txt.\n" +
    stringify({ hunt, ...(round.length > 0 && { round }), puzzle: entries });
  const loaded = loadHunt(toml, { file: "hunt.toml", readFile: (path) => bodies.get(path) });
  if (loaded.hunt === undefined) {
    const problems = loaded.problems.filter((p) => p.severity === "error").map(formatProblem);
    return { kind: "error", message: `The converted hunt does not load:\n${problems.join("\n")}` };
  }
  for (const [name, what] of NOT_CARRIED) {
    if (table(name).length > 0) report.push(`${table(name).length} ${what} had no place in Cairn`);
  }
  const grouped = puzzles.filter((p) => p.moduleId !== undefined && !p.hidden);
  if (grouped.length > 0) {
    report.push(
      `${grouped.length} challenge(s) were in modules (CTFd 3.8), which only the audiences given ` +
        "access to them see; Cairn has no audiences, so every team sees them: " +
        grouped.map((p) => `"${p.entry.title}"`).join(", "),
    );
  }
  const played = playedRecords(
    tables,
    { hunt: loaded.hunt, accounts, puzzles, start: times.start },
    report,
  );
  return {
    kind: "ok",
    conversion: {
      toml,
      bodies,
      files: puzzles.flatMap((p) => p.files),
      hunt: loaded.hunt,
      ...played,
      report,
      counts: {
        ...played.counts,
        teams: accounts.teams.length,
        puzzles: puzzles.length,
      },
    },
  };
}

/**
 * A `[[round]]` table for each round whose id, title-cased, is not its category as CTFd shows
 * it (`OSINT`, not "Osint"; `暗号`, not "Category 1"); the first category wins a shared id.
 */
function roundTitles(puzzles: readonly PuzzleOut[]): { id: string; title: string }[] {
  const rounds = new Map<string, string>();
  for (const { entry, category } of puzzles) {
    if (category !== undefined && !rounds.has(entry.round)) rounds.set(entry.round, category);
  }
  return [...rounds].filter(([id, title]) => titleCase(id) !== title)
    .map(([id, title]) => ({ id, title }));
}

/** Prerequisites as `solved()` rules; a hidden challenge stays locked (`unlock = "false"`). */
function unlockRules(
  puzzles: readonly PuzzleOut[],
  end: number | undefined,
  report: string[],
): Map<PuzzleOut, string> {
  const byCtfd = new Map(puzzles.map((p) => [p.ctfdId, p]));
  const rules = new Map<PuzzleOut, string>();
  for (const puzzle of puzzles) {
    if (puzzle.scheduledAt !== undefined && end !== undefined && puzzle.scheduledAt >= end) {
      report.push(`"${puzzle.entry.title}" was scheduled after the end, so it stays hidden`);
      puzzle.hidden = true;
    }
  }
  // A challenge that needs itself, through any chain, never opens in CTFd: it stays hidden.
  for (const puzzle of onCycles(puzzles, byCtfd)) {
    if (puzzle.hidden) continue;
    report.push(
      `"${puzzle.entry.title}" needs itself through its prerequisites, so no team could open it: ` +
        "it stays hidden",
    );
    puzzle.hidden = true;
  }
  // A challenge that needs a hidden one stays hidden too, down any chain.
  for (let changed = true; changed;) {
    changed = false;
    for (const puzzle of puzzles) {
      if (puzzle.hidden || !puzzle.prerequisites.some((id) => byCtfd.get(id)?.hidden)) continue;
      report.push(`"${puzzle.entry.title}" needs a hidden challenge, so it stays hidden too`);
      puzzle.hidden = true;
      changed = true;
    }
  }
  for (const puzzle of puzzles) {
    if (puzzle.hidden) {
      rules.set(puzzle, "false");
      continue;
    }
    const needs = puzzle.prerequisites.map((id) => byCtfd.get(id));
    if (needs.some((p) => p === undefined)) {
      report.push(
        `"${puzzle.entry.title}" needed a challenge that did not come over; that need was dropped`,
      );
    }
    // A scheduled challenge (CTFd 3.8) shows from its time on.
    const parts = needs.filter((p) => p !== undefined).map((p) => `solved("${p.entry.id}")`);
    if (puzzle.scheduledAt !== undefined) {
      parts.push(`after("${new Date(puzzle.scheduledAt).toISOString()}")`);
    }
    if (parts.length > 0) rules.set(puzzle, parts.join(" and "));
  }
  return rules;
}

/** The challenges on a cycle of prerequisites (each one needed by itself, through others or not). */
function onCycles(
  puzzles: readonly PuzzleOut[],
  byCtfd: ReadonlyMap<number, PuzzleOut>,
): PuzzleOut[] {
  const needs = (p: PuzzleOut) =>
    p.prerequisites.map((id) => byCtfd.get(id)).filter((n): n is PuzzleOut => n !== undefined);
  return puzzles.filter((start) => {
    const seen = new Set<PuzzleOut>();
    const stack = needs(start);
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (next === start) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...needs(next));
    }
    return false;
  });
}

/**
 * Who may register: no one when CTFd's registration was private, with CTFd's registration code
 * when it asked for one (both match in any case), anyone otherwise.
 */
function registration(
  config: ReadonlyMap<string, string | undefined>,
): { registration: "open" | "closed" } | { registration: "code"; registration_codes: string[] } {
  if (config.get("registration_visibility") === "private") return { registration: "closed" };
  const code = config.get("registration_code")?.trim();
  return code ? { registration: "code", registration_codes: [code] } : { registration: "open" };
}

/** CTFd's most users a team may have (`team_size`; 0 or none: no limit) as the most members. */
function teamSize(
  config: ReadonlyMap<string, string | undefined>,
): { team_size: { max: number } } | undefined {
  const size = Number(config.get("team_size") ?? NaN);
  return Number.isInteger(size) && size > 0
    ? { team_size: { max: Math.min(size, MAX_COUNT) } }
    : undefined;
}

/**
 * Whether CTFd showed players each challenge's solves: it does while players
 * may see scores and accounts (`score_visibility` and `account_visibility`
 * neither "hidden" nor "admins").
 */
function solvesShown(config: ReadonlyMap<string, string | undefined>): boolean {
  const scores = config.get("score_visibility");
  return scores !== "hidden" && scores !== "admins" &&
    config.get("account_visibility") !== "admins";
}

/** CTFd's settings Cairn has no place for, when the event set them: each a line of the report. */
function reportSettings(
  config: ReadonlyMap<string, string | undefined>,
  mode: "teams" | "users",
  report: string[],
): void {
  // CTFd reads a setting of digits as a number and "true" or "false" as a boolean.
  const on = (key: string) => {
    const value = config.get(key)?.trim().toLowerCase() ?? "";
    return value === "true" || (/^\d+$/.test(value) && Number(value) > 0);
  };
  const scores = config.get("score_visibility");
  const shown = scores === "hidden"
    ? "hidden"
    : scores === "private"
    ? "shown only to logged-in players"
    : scores === "admins"
    ? "shown only to admins"
    : undefined;
  if (shown !== undefined) {
    report.push(
      `The scoreboard was ${shown} in CTFd; Cairn's is public (/scoreboard, /api/scoreboard and ` +
        "the CTFtime feed /api/ctftime), to anyone who can reach the server",
    );
  }
  if (config.get("registration_visibility") === "mlc") {
    report.push(
      "Registration was through MajorLeagueCyber in CTFd; Cairn has no sign-in through another " +
        "site: registration is open, with a team name and a password",
    );
  }
  const most = mode === "teams" ? "num_teams" : "num_users";
  if (on(most)) {
    report.push(
      `CTFd allowed at most ${config.get(most)?.trim()} ${mode}; Cairn has no such limit ` +
        '(registration = "closed" stops new teams)',
    );
  }
  if (on("paused")) {
    report.push(
      "The CTF was paused in CTFd; Cairn has no pause: it runs from its start to its end",
    );
  }
}

/** The start, end and freeze from CTFd's config (UNIX seconds), kept when they make sense together. */
function huntTimes(
  config: ReadonlyMap<string, string | undefined>,
  report: string[],
): { start?: number; end?: number; freeze?: number } {
  const seconds = (key: string) => {
    const value = Number(config.get(key) ?? NaN);
    if (!Number.isFinite(value) || value <= 0) return undefined;
    // A hunt file's times are years 0000 to 9999, as TOML's are.
    if (value * 1000 > LAST_TIME) {
      report.push(`The ${key} time (${config.get(key)}) is past the year 9999 and was dropped`);
      return undefined;
    }
    return value * 1000;
  };
  const start = seconds("start");
  let end = seconds("end");
  let freeze = seconds("freeze");
  if (start !== undefined && end !== undefined && end <= start) {
    report.push("The end time was not after the start time and was dropped");
    end = undefined;
  }
  if (
    freeze !== undefined &&
    ((start !== undefined && freeze < start) || (end !== undefined && freeze > end))
  ) {
    report.push("The freeze time was outside the event and was dropped");
    freeze = undefined;
  }
  return {
    ...(start !== undefined && { start }),
    ...(end !== undefined && { end }),
    ...(freeze !== undefined && { freeze }),
  };
}

interface Played {
  hunt: Hunt;
  accounts: Accounts;
  puzzles: readonly PuzzleOut[];
  start: number | undefined;
}

/** The teams and everything they did, as writes, with the counts and the hunt's recorded start. */
function playedRecords(
  tables: ReadonlyMap<string, readonly Row[]>,
  played: Played,
  report: string[],
): {
  writes: Write[];
  startedAt: number | undefined;
  counts: Omit<Conversion["counts"], "teams" | "puzzles">;
} {
  const table = (name: string): readonly Row[] => tables.get(name) ?? [];
  const { hunt, accounts, puzzles } = played;
  const byCtfd = new Map(puzzles.map((p) => [p.ctfdId, p]));
  const submissions = [...table("submissions")].sort((a, b) =>
    (date(a, "date") ?? 0) - (date(b, "date") ?? 0) || (int(a, "id") ?? 0) - (int(b, "id") ?? 0)
  );
  // Without a start in the config, the hunt started with the first thing that happened.
  const times = [
    ...accounts.teams.map((t) => t.createdAt),
    ...submissions.map((s) => date(s, "date")),
  ].filter((t): t is number => t !== undefined);
  const startedAt = played.start === undefined && times.length > 0 ? Math.min(...times) : undefined;
  const huntStart = played.start ?? startedAt ?? 0;
  const writes: Write[] = accounts.teams.map((team) => ({
    kind: "team",
    id: team.id,
    name: team.name,
    nameKey: teamNameKey(team.name),
    passwordHash: team.passwordHash,
    division: team.division,
    members: team.members,
    at: team.createdAt ?? huntStart,
  }));
  // Hidden (or banned) before anything it did, as if it had always been: its solves count for no
  // other team.
  for (const team of accounts.teams) {
    if (!team.hidden) continue;
    const at = team.createdAt ?? huntStart;
    writes.push(
      team.banned
        ? { kind: "team_banned", teamId: team.id, banned: true, at }
        : { kind: "team_hidden", teamId: team.id, hidden: true, at },
    );
  }
  const guesses = guessWrites(submissions, { hunt, accounts, byCtfd }, report);
  writes.push(
    ...unlockWrites(guesses.firstSeen, guesses.solvedAt, { hunt, accounts, puzzles, huntStart }),
  );
  writes.push(...guesses.writes);
  const hints = hintWrites(table("unlocks"), { accounts, puzzles }, report);
  const adjustments = adjustmentWrites(table("awards"), { accounts, puzzles, hints });
  const announcements = announcementWrites(table("notifications"), huntStart, report);
  writes.push(...hints, ...adjustments, ...announcements);
  return {
    writes,
    startedAt,
    counts: {
      guesses: guesses.writes.length,
      solves: guesses.solvedAt.size,
      hints: hints.length,
      adjustments: adjustments.length,
      announcements: announcements.length,
    },
  };
}

/**
 * Notifications as announcements: the title, then the content, whose Markdown (CTFd renders it)
 * becomes the plain text Cairn shows an announcement as (`plainText`); a line of the report says
 * how many had any.
 */
function announcementWrites(rows: readonly Row[], huntStart: number, report: string[]): Write[] {
  let formatted = 0;
  const writes = rows.map((row, i): Write => {
    const content = text(row, "content");
    const plain = content === undefined ? undefined : plainText(content);
    if (content !== undefined && plain !== content.trim()) formatted += 1;
    return {
      kind: "announcement",
      id: i + 1,
      text: [text(row, "title"), plain].filter((t) => t !== undefined && t !== "").join("\n\n") ||
        "(empty)",
      at: date(row, "date") ?? huntStart,
    };
  });
  if (formatted > 0) {
    report.push(
      `${formatted} notification(s) had Markdown, which CTFd renders and Cairn shows as typed: ` +
        "each came over as plain text, its words without the marks, a link's address after its " +
        "words, code as it is",
    );
  }
  return writes;
}

/** Submissions as guesses: correct, incorrect and partial ones; CTFd's discarded and rate-limited ones are left out. */
function guessWrites(
  submissions: readonly Row[],
  context: { hunt: Hunt; accounts: Accounts; byCtfd: ReadonlyMap<number, PuzzleOut> },
  report: string[],
): { writes: Write[]; solvedAt: Map<string, number>; firstSeen: Map<string, number> } {
  const writes: Write[] = [];
  const solvedAt = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  let skipped = 0;
  let orphans = 0;
  for (const row of submissions) {
    const teamId = context.accounts.teamOf(row);
    const puzzle = context.byCtfd.get(int(row, "challenge_id") ?? -1);
    const id = int(row, "id");
    const at = date(row, "date");
    if (teamId === undefined || puzzle === undefined || id === undefined || at === undefined) {
      orphans++;
      continue;
    }
    const type = text(row, "type");
    const result = type === "correct"
      ? "correct"
      : type === "incorrect"
      ? "incorrect"
      : type === "partial"
      ? "partial"
      : undefined;
    const key = `${teamId}\u0000${puzzle.entry.id}`;
    if (result === undefined || solvedAt.has(key)) {
      skipped++;
      continue;
    }
    if (!firstSeen.has(key)) firstSeen.set(key, at);
    if (result === "correct") solvedAt.set(key, at);
    const raw = text(row, "provided") ?? "";
    const compiled = context.hunt.puzzles[context.hunt.puzzleIndex.get(puzzle.entry.id)!]!;
    writes.push({
      kind: "guess",
      id,
      teamId,
      puzzle: puzzle.entry.id,
      raw,
      normalized: compiled.answers.normalize(raw),
      result,
      extraUsed: false,
      at,
    });
  }
  if (skipped > 0) {
    report.push(`${skipped} discarded, rate-limited or repeated submission(s) were left out`);
  }
  if (orphans > 0) {
    report.push(
      `${orphans} submission(s) of accounts or challenges that did not come over were left out`,
    );
  }
  return { writes, solvedAt, firstSeen };
}

/**
 * When each puzzle unlocked for each team: from the later of the team's
 * registration and the start, or once its prerequisites were all solved; and
 * never later than the team's first guess on it (it had the puzzle then).
 */
function unlockWrites(
  firstSeen: ReadonlyMap<string, number>,
  solvedAt: ReadonlyMap<string, number>,
  context: { hunt: Hunt; accounts: Accounts; puzzles: readonly PuzzleOut[]; huntStart: number },
): Write[] {
  const writes: Write[] = [];
  const byCtfd = new Map(context.puzzles.map((p) => [p.ctfdId, p]));
  for (const team of context.accounts.teams) {
    const from = Math.max(team.createdAt ?? context.huntStart, context.huntStart);
    for (const puzzle of context.puzzles) {
      const key = (p: PuzzleOut) => `${team.id}\u0000${p.entry.id}`;
      let at: number | undefined;
      if (!puzzle.hidden) {
        const needs = puzzle.prerequisites.map((id) => byCtfd.get(id)).filter((p) =>
          p !== undefined
        );
        const times = needs.map((p) => solvedAt.get(key(p!)));
        if (times.every((t) => t !== undefined)) {
          at = Math.max(from, puzzle.scheduledAt ?? from, ...(times as number[]));
        }
      }
      const seen = firstSeen.get(key(puzzle));
      if (seen !== undefined && !puzzle.hidden) at = at === undefined ? seen : Math.min(at, seen);
      if (at !== undefined) {
        writes.push({ kind: "unlock", teamId: team.id, puzzle: puzzle.entry.id, at });
      }
    }
  }
  return writes;
}

/** CTFd's hint unlocks as hint takes. */
function hintWrites(
  unlocks: readonly Row[],
  context: { accounts: Accounts; puzzles: readonly PuzzleOut[] },
  report: string[],
): Write[] {
  const hintOf = new Map<number, { puzzle: string; hint: string }>();
  for (const puzzle of context.puzzles) {
    for (const [ctfdId, hint] of puzzle.hints) {
      hintOf.set(ctfdId, { puzzle: puzzle.entry.id, hint });
    }
  }
  const taken = new Set<string>();
  const writes: Write[] = [];
  let solutions = 0;
  for (const row of unlocks) {
    if (text(row, "type") !== "hints") {
      solutions++;
      continue;
    }
    const teamId = context.accounts.teamOf(row);
    const hint = hintOf.get(int(row, "target") ?? -1);
    const at = date(row, "date");
    if (teamId === undefined || hint === undefined || at === undefined) continue;
    const key = `${teamId}\u0000${hint.puzzle}\u0000${hint.hint}`;
    if (taken.has(key)) continue;
    taken.add(key);
    writes.push({ kind: "hint", teamId, puzzle: hint.puzzle, hint: hint.hint, at });
  }
  if (solutions > 0) {
    report.push(`${solutions} unlock(s) of challenge solutions had no place in Cairn`);
  }
  return writes.sort((a, b) => (a as { at: number }).at - (b as { at: number }).at);
}

/**
 * Awards as adjustments. The awards CTFd makes for hints ("Hint <id>", category
 * "hints", of minus the cost paid) are left to the hint takes, which charge
 * the hint's cost as the hunt file has it. Where CTFd charged otherwise (the
 * cost was changed after the unlock, or an organizer deleted the award to
 * refund it), an adjustment makes up the difference, and a hint award with no
 * hint take here stays an adjustment: each team's total is CTFd's.
 */
function adjustmentWrites(
  awards: readonly Row[],
  context: { accounts: Accounts; puzzles: readonly PuzzleOut[]; hints: readonly Write[] },
): Write[] {
  const writes: Write[] = [];
  const add = (teamId: number, points: number, reason: string, at: number) =>
    writes.push({ kind: "adjustment", id: writes.length + 1, teamId, points, reason, at });
  /** What CTFd charged each team for each hint (by its Cairn puzzle and hint ids), and the awards. */
  const paid = new Map<string, { points: number; rows: Row[] }>();
  const hintKey = new Map<number, string>();
  for (const puzzle of context.puzzles) {
    for (const [ctfdId, hint] of puzzle.hints) {
      hintKey.set(ctfdId, `${puzzle.entry.id}\u0000${hint}`);
    }
  }
  for (const row of awards) {
    const teamId = context.accounts.teamOf(row);
    const points = int(row, "value");
    const at = date(row, "date");
    if (teamId === undefined || points === undefined || points === 0 || at === undefined) continue;
    const hint = /^Hint (\d+)$/.exec(text(row, "name") ?? "");
    if (text(row, "category") === "hints" && hint !== null) {
      const key = `${teamId}\u0000${hintKey.get(Number(hint[1])) ?? `ctfd ${hint[1]}`}`;
      const entry = paid.get(key) ?? { points: 0, rows: [] };
      entry.points -= points;
      entry.rows.push(row);
      paid.set(key, entry);
      continue;
    }
    add(teamId, points, awardReason(row), at);
  }
  const costs = new Map<string, number>();
  for (const puzzle of context.puzzles) {
    for (const hint of puzzle.entry.hint ?? []) {
      costs.set(`${puzzle.entry.id}\u0000${hint.id}`, hint.cost);
    }
  }
  for (const take of context.hints) {
    if (take.kind !== "hint") continue;
    const key = `${take.teamId}\u0000${take.puzzle}\u0000${take.hint}`;
    const charged = paid.get(key)?.points ?? 0;
    paid.delete(key);
    const cost = costs.get(`${take.puzzle}\u0000${take.hint}`) ?? 0;
    if (charged !== cost) {
      add(
        take.teamId,
        cost - charged,
        `CTFd charged ${charged} points for ${take.hint} of ${take.puzzle}, not its cost of ${cost}`,
        take.at,
      );
    }
  }
  // Hint awards with no hint take here: CTFd counts them all the same.
  for (const { rows } of paid.values()) {
    for (const row of rows) {
      add(context.accounts.teamOf(row)!, int(row, "value")!, awardReason(row), date(row, "date")!);
    }
  }
  return writes.sort((a, b) => (a as { at: number }).at - (b as { at: number }).at)
    .map((write, i) => ({ ...write, id: i + 1 }) as Write);
}

/** An award's name, and its description after a colon when it has one. */
function awardReason(row: Row): string {
  const name = text(row, "name") ?? "Award";
  const description = text(row, "description");
  return description === undefined ? name : `${name}: ${description}`;
}
