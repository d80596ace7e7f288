// A CTFd export made the way CTFd's exporter writes one (CTFd/utils/exports): a zip with one
// db/<table>.json per table, each {"count", "results", "meta"}, dates as naive UTC ISO text,
// db/alembic_version.json, and each upload as uploads/<hash>/<name>.
import { zipSync } from "fflate";

export const T0 = Date.parse("2026-03-07T09:00:00Z");
/** Python's datetime.isoformat() of a naive UTC time, with microseconds as CTFd keeps them. */
export const at = (minutes: number) =>
  new Date(T0 + minutes * 60_000).toISOString().replace("Z", "000");
export const seconds = (ms: number) => String(Math.floor(ms / 1000));

/** The published passlib bcrypt_sha256 (version 2) hash of "password". */
export const GULLS_HASH =
  "$bcrypt-sha256$v=2,t=2b,r=12$n79VH.0Q2TMWmt3Oqt9uku$Kq4Noyk3094Y2QlB8NdRT8SvGiI4ft2";

/** A seeded random number in [0, 1) (mulberry32), for generated exports. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Tables = Record<string, Record<string, unknown>[]>;

/** The zip: each table wrapped as CTFd's JSON serializer wraps it, and the uploads. */
export function exportZip(tables: Tables, uploads: Record<string, string> = {}): Uint8Array {
  const encoder = new TextEncoder();
  const files: Record<string, Uint8Array> = {};
  for (const [name, rows] of Object.entries(tables)) {
    files[`db/${name}.json`] = encoder.encode(
      JSON.stringify({ count: rows.length, results: rows, meta: {} }),
    );
  }
  for (const [path, text] of Object.entries(uploads)) files[path] = encoder.encode(text);
  return zipSync(files);
}

const submission = (
  id: number,
  challenge: number,
  user: number,
  team: number,
  provided: string,
  type: string,
  minutes: number,
) => ({
  id,
  challenge_id: challenge,
  user_id: user,
  team_id: team,
  ip: "10.0.0.1",
  provided,
  type,
  date: at(minutes),
});

/** A small teams-mode event with every kind of thing the import carries over, or reports. */
export function harborCtf(ternsHash: string): Tables {
  const subs = [
    submission(1, 1, 1, 1, "flag{web}", "correct", 10),
    submission(2, 1, 3, 2, "flag{WEB}", "incorrect", 11),
    submission(3, 1, 3, 2, "flag{web}", "correct", 12),
    submission(4, 1, 6, 4, "flag{web}", "correct", 13), // a banned team: not counted by CTFd
    submission(5, 1, 4, 3, "flag{web}", "correct", 14),
    submission(6, 2, 1, 1, "FLAG{C42}", "correct", 20),
    submission(7, 2, 3, 2, "nope", "incorrect", 21),
    submission(8, 2, 3, 2, "flag{c7}", "correct", 22),
    submission(9, 3, 2, 1, "flag{MISC}", "correct", 30),
    submission(10, 3, 4, 3, "alt-flag", "correct", 31),
    submission(11, 2, 4, 3, "flag{c}", "incorrect", 32),
    submission(12, 5, 3, 2, "b", "correct", 33), // a plugin challenge: left out
    submission(13, 6, 1, 1, "core", "correct", 40),
    submission(14, 6, 3, 2, "core", "correct", 41),
    submission(15, 6, 4, 3, "core", "correct", 42),
    submission(16, 3, 4, 3, "flag{misc}", "discard", 43),
  ];
  return {
    alembic_version: [{ version_num: "67ebab6de598" }],
    config: [
      { id: 1, key: "ctf_name", value: "Harbor CTF" },
      { id: 2, key: "user_mode", value: "teams" },
      { id: 3, key: "start", value: seconds(T0) },
      { id: 4, key: "end", value: seconds(T0 + 6 * 3_600_000) },
      { id: 5, key: "freeze", value: seconds(T0 + 5 * 3_600_000) },
    ],
    challenges: [
      challenge(1, "Web 1", "Web", "dynamic", {
        value: 500,
        connection_info: "http://web.ctf:8080",
      }),
      challenge(2, "Crypto Log", "Crypto", "dynamic", { value: 1000, max_attempts: 3 }),
      challenge(3, "Misc Static", "Misc", "standard", {
        value: 100,
        requirements: { prerequisites: [1] },
      }),
      challenge(4, "Hidden One", "Misc", "standard", { value: 50, state: "hidden" }),
      challenge(5, "Quiz", "Misc", "multiple_choice", { value: 30 }),
      challenge(6, "Core Dynamic", "Web", "standard", {
        value: 300,
        function: "logarithmic",
        initial: 300,
        minimum: 100,
        decay: 4,
      }),
    ],
    // Web 1 as CTFd 3.8 keeps it (dynamic_ columns); Crypto Log as before 3.8.
    dynamic_challenge: [
      {
        id: 1,
        dynamic_initial: 500,
        dynamic_minimum: 100,
        dynamic_decay: 50,
        dynamic_function: "linear",
      },
      { id: 2, initial: 1000, minimum: 200, decay: 3, function: "logarithmic" },
    ],
    flags: [
      { id: 1, challenge_id: 1, type: "static", content: "flag{web}", data: "" },
      {
        id: 2,
        challenge_id: 2,
        type: "regex",
        content: "flag\\{c[0-9]+\\}",
        data: "case_insensitive",
      },
      { id: 3, challenge_id: 3, type: "static", content: "FLAG{Misc}", data: "case_insensitive" },
      { id: 4, challenge_id: 3, type: "static", content: "alt-flag", data: null },
      { id: 5, challenge_id: 4, type: "static", content: "x", data: null },
      { id: 6, challenge_id: 5, type: "static", content: "b", data: null },
      { id: 7, challenge_id: 6, type: "static", content: "core", data: null },
    ],
    tags: [{ id: 1, challenge_id: 1, value: "Easy Peasy" }],
    files: [{
      id: 1,
      type: "challenge",
      location: "abc123/index.php",
      challenge_id: 1,
      sha1sum: null,
    }],
    hints: [
      {
        id: 1,
        type: "standard",
        challenge_id: 3,
        content: "Try harder",
        cost: 10,
        requirements: null,
      },
      {
        id: 2,
        type: "standard",
        challenge_id: 3,
        content: "Really",
        cost: 0,
        requirements: { prerequisites: [1] },
      },
    ],
    teams: [
      team(1, "Gulls", GULLS_HASH),
      team(2, "Terns", ternsHash),
      team(3, "Puffins", null),
      { ...team(4, "Banned Crew", null), banned: true },
    ],
    users: [
      user(1, "ann", 1),
      user(2, "bo", 1),
      user(3, "cy", 2),
      user(4, "dee", 3),
      { ...user(5, "root", null), type: "admin" },
      user(6, "evil", 4),
    ],
    submissions: subs,
    solves: subs.filter((s) => s.type === "correct").map((s) => ({
      id: s.id,
      challenge_id: s.challenge_id,
      user_id: s.user_id,
      team_id: s.team_id,
    })),
    unlocks: [
      { id: 1, user_id: 1, team_id: 1, target: 1, date: at(25), type: "hints" },
      { id: 2, user_id: 4, team_id: 3, target: 1, date: at(29), type: "hints" },
    ],
    awards: [
      award(1, 1, "Hint 1", -10, "hints", 25),
      award(2, 3, "Hint 1", -10, "hints", 29),
      award(3, 2, "Writeup bonus", 25, null, 50),
    ],
    notifications: [{
      id: 1,
      title: "Welcome",
      content: "Good luck",
      date: at(1),
      user_id: null,
      team_id: null,
    }],
    pages: [{
      id: 1,
      title: "Rules",
      route: "rules",
      content: "Be nice",
      draft: false,
      hidden: false,
    }],
    brackets: [{ id: 1, name: "Students", type: "teams" }],
  };
}

function challenge(
  id: number,
  name: string,
  category: string,
  type: string,
  extra: Record<string, unknown>,
) {
  return {
    id,
    name,
    description: `The ${name} challenge.`,
    connection_info: null,
    max_attempts: 0,
    category,
    type,
    state: "visible",
    requirements: null,
    next_id: null,
    ...extra,
  };
}

function team(id: number, name: string, password: string | null) {
  return { id, name, password, hidden: false, banned: false, created: at(-30 + id) };
}

function user(id: number, name: string, teamId: number | null) {
  return {
    id,
    name,
    type: "user",
    team_id: teamId,
    password: null,
    hidden: false,
    banned: false,
    created: at(-30),
  };
}

function award(
  id: number,
  teamId: number,
  name: string,
  value: number,
  category: string | null,
  minutes: number,
) {
  return {
    id,
    user_id: null,
    team_id: teamId,
    type: "standard",
    name,
    description: null,
    date: at(minutes),
    value,
    category,
    icon: null,
    requirements: null,
  };
}
