/**
 * CTFd's accounts as Cairn teams. In teams mode each CTFd team becomes a
 * team, its users its members; in users mode each user becomes a team of
 * one. Hidden and banned accounts come over hidden and banned, with all they
 * did: CTFd leaves them off the scoreboard and out of the solve counts that
 * dynamic points follow, as Cairn does with a hidden team. CTFd's brackets
 * (3.7 and later) become divisions.
 */
import { escapeUnshown, memberName, showableName, teamNameKey } from "../engine/mod.ts";
import { slug } from "./puzzles.ts";
import { date, flag, int, type Row, text } from "./tables.ts";

/** An imported team. */
export interface TeamOut {
  /** The CTFd team's (or, in users mode, user's) id, kept as the Cairn team id. */
  id: number;
  name: string;
  passwordHash: string;
  members: string[];
  createdAt: number | undefined;
  /** Its bracket's division, if it was in one. */
  division: string | null;
  /** Hidden or banned in CTFd: hidden from the standings in Cairn. */
  hidden: boolean;
  /** Banned in CTFd: banned in Cairn too (hidden, and it cannot log in). */
  banned: boolean;
}

/** Who did what: the Cairn team a CTFd row (a submission, an unlock, an award) belongs to. */
export interface Accounts {
  teams: TeamOut[];
  teamOf(row: Row): number | undefined;
}

/** A password hash no login matches, for an account that had none. */
export const NO_PASSWORD = "!no-password";

const MAX_NAME = 64;

/** The columns of CTFd's users and teams that Cairn has no place for, and what to call them. */
const PROFILE: readonly [string, string][] = [
  ["email", "e-mail addresses"],
  ["affiliation", "affiliations"],
  ["country", "countries"],
  ["website", "websites"],
];

/** The accounts that come over, and how rows are attributed to them. */
export function importAccounts(
  tables: {
    teams: readonly Row[];
    users: readonly Row[];
    /** Bracket id → its division (`bracketDivisions`). */
    divisions: ReadonlyMap<number, string>;
  },
  mode: "teams" | "users",
  report: string[],
): Accounts {
  const players = tables.users.filter((user) => text(user, "type") !== "admin");
  const sources = mode === "teams" ? tables.teams : players;
  const what = mode === "teams" ? "team" : "user";
  const teams: TeamOut[] = [];
  const hidden: string[] = [];
  const taken = new Set<string>();
  const noPassword: string[] = [];
  for (const row of sources) {
    const id = int(row, "id");
    if (id === undefined) continue;
    const original = text(row, "name") ?? `${what} ${id}`;
    const banned = flag(row, "banned");
    if (banned || flag(row, "hidden")) {
      hidden.push(`"${escapeUnshown(original)}" (${banned ? "banned" : "hidden"})`);
    }
    const name = uniqueName(original, id, taken);
    if (name !== original) {
      report.push(`The ${what} "${escapeUnshown(original)}" is named "${name}" in Cairn`);
    }
    const password = text(row, "password");
    if (password === undefined) noPassword.push(`"${name}"`);
    const members = mode === "teams"
      ? players.filter((user) => int(user, "team_id") === id).map((user) =>
        member(user, name, report)
      )
      : [];
    teams.push({
      id,
      name,
      passwordHash: password ?? NO_PASSWORD,
      members,
      createdAt: date(row, "created"),
      division: tables.divisions.get(int(row, "bracket_id") ?? -1) ?? null,
      hidden: banned || flag(row, "hidden"),
      banned,
    });
  }
  if (hidden.length > 0) {
    report.push(
      `${hidden.length} hidden or banned ${what}(s) came over hidden from the standings (and a ` +
        "banned one banned: it cannot log in), with everything they did, as CTFd leaves them off " +
        "its scoreboard and out of dynamic solve counts; an organizer can lift a ban or show a " +
        `team again on its page in /admin: ${hidden.join(", ")}`,
    );
  }
  if (noPassword.length > 0) {
    report.push(
      `${noPassword.length} ${what}(s) had no password in CTFd (made by an organizer, or through ` +
        "OAuth) and cannot log in to Cairn until an organizer sets one (the team's page in " +
        `/admin): ${noPassword.join(", ")}`,
    );
  }
  // What CTFd keeps of an account that Cairn does not, among it the e-mail address a player may
  // have logged in with (CTFd takes the name or the e-mail address).
  const profiles = mode === "teams" ? [...tables.teams, ...players] : players;
  const lost = PROFILE.filter(([column]) => profiles.some((row) => text(row, column)?.trim()));
  if (lost.length > 0) {
    const whose = mode === "teams" ? "teams' and users'" : "users'";
    const login = mode === "teams"
      ? ": a team logs in with its name, not an e-mail address"
      : ": a player logs in with the user's name, not an e-mail address";
    const names = lost.map(([, what]) => what);
    const listed = names.length === 1
      ? names[0]
      : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
    report.push(
      `The ${whose} ${listed} had no place in Cairn${lost[0]![0] === "email" ? login : ""}`,
    );
  }
  if (mode === "users") {
    report.push(
      `The event ran in users mode: each of its ${teams.length} user(s) is a team of one, with the ` +
        "user's name and password",
    );
  }
  const kept = new Set(teams.map((team) => team.id));
  const column = mode === "teams" ? "team_id" : "user_id";
  return {
    teams,
    teamOf: (row) => {
      const id = int(row, column);
      return id !== undefined && kept.has(id) ? id : undefined;
    },
  };
}

/**
 * CTFd's brackets of the event's mode (of teams in teams mode, of users in
 * users mode) as divisions, by bracket id: each named as an id made from its
 * name, unique. Brackets of the other kind are reported.
 */
export function bracketDivisions(
  brackets: readonly Row[],
  mode: "teams" | "users",
  report: string[],
): Map<number, string> {
  const divisions = new Map<number, string>();
  const taken = new Set<string>();
  const other: string[] = [];
  const named: string[] = [];
  for (const row of brackets) {
    const id = int(row, "id");
    if (id === undefined) continue;
    const name = text(row, "name") ?? `bracket ${id}`;
    const type = text(row, "type");
    if (type !== undefined && type !== mode) {
      other.push(`"${escapeUnshown(name)}"`);
      continue;
    }
    const base = slug(name) ?? `bracket-${id}`;
    let division = base;
    for (let n = 2; taken.has(division); n++) division = `${base}-${n}`;
    taken.add(division);
    divisions.set(id, division);
    named.push(`"${escapeUnshown(name)}" is "${division}"`);
  }
  if (named.length > 0) report.push(`Brackets are divisions in Cairn: ${named.join(", ")}`);
  if (other.length > 0) {
    report.push(
      `${other.length} bracket(s) of ${mode === "teams" ? "users" : "teams"} had no place in ` +
        `Cairn, whose divisions group ${mode === "teams" ? "teams" : "players"}: ${
          other.join(", ")
        }`,
    );
  }
  return divisions;
}

/**
 * A name Cairn accepts, as registering checks one: no control or bidirectional
 * control character (each run of controls becomes a space), at most 64
 * characters, unique as Cairn compares names.
 */
function uniqueName(original: string, id: number, taken: Set<string>): string {
  let name = cut(showableName(original), MAX_NAME).trim();
  if (name === "") name = `Team ${id}`;
  if (taken.has(teamNameKey(name))) name = `${cut(name, MAX_NAME - 12)} (${id})`;
  taken.add(teamNameKey(name));
  return name;
}

/**
 * A user's name as one of its team's members, as registering checks one: no
 * control or bidirectional control character, no `;` (made a `,`), at most
 * 64 characters. A line in the report says what changed.
 */
function member(user: Row, team: string, report: string[]): string {
  const original = text(user, "name") ?? `user ${int(user, "id")}`;
  const name = cut(memberName(original), MAX_NAME).trim() || `user ${int(user, "id")}`;
  if (name !== original) {
    report.push(
      `The user "${escapeUnshown(original)}" is listed as "${name}" among the members of "${team}"`,
    );
  }
  return name;
}

/** The first `max` characters (code points, as the API counts them) of `text`. */
function cut(text: string, max: number): string {
  return text.length <= max ? text : [...text].slice(0, max).join("");
}
