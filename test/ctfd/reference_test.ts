// cairn import ctfd against CTFd's own scoring, on a generated event: every team's score and the
// order of the board must be those CTFd computes from the same tables. The reference below follows
// CTFd 3.8's code (utils/scores get_standings, plugins/dynamic_challenges/decay.py, the hint award
// of api/v1/unlocks.py), written apart from Cairn's engine.
import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/cli/mod.ts";
import { fakeIo } from "../_io.ts";
import { tempDirs } from "../_tmp.ts";
import { at, exportZip, random, seconds, T0, type Tables } from "./_export.ts";

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

// deno-lint-ignore no-explicit-any -- generated rows, read field by field as CTFd's code does
type Row = Record<string, any>;

/**
 * An event as CTFd records one: no submission after a team's solve or past `max_attempts`, an
 * award of minus the cost for each hint unlock; with hidden and banned teams, hidden challenges,
 * prerequisites, both decay functions, hint costs changed after some unlocks, and refunds.
 */
function generate(seed: number): Tables {
  const rnd = random(seed);
  const CHALLENGES = 40, TEAMS = 60, SUBMISSIONS = 5_000;
  const challenges: Row[] = [], dynamic: Row[] = [], flags: Row[] = [], hints: Row[] = [];
  for (let i = 1; i <= CHALLENGES; i++) {
    const isDynamic = i % 3 === 0;
    challenges.push({
      id: i,
      name: `Chal ${i}`,
      description: `Solve ${i}.`,
      connection_info: null,
      max_attempts: i % 11 === 0 ? 4 : 0,
      category: ["Web", "Pwn", "Misc"][i % 3],
      type: isDynamic ? "dynamic" : "standard",
      state: i % 17 === 0 ? "hidden" : "visible",
      requirements: i > 10 && i % 7 === 0 ? { prerequisites: [i - 5, i - 3] } : null,
      next_id: null,
      value: isDynamic ? 500 : 50 + i,
    });
    if (isDynamic) {
      dynamic.push({
        id: i,
        initial: 500,
        minimum: 100,
        decay: i % 2 ? 20 : 4,
        function: i % 2 ? "linear" : "logarithmic",
      });
    }
    flags.push({ id: i, challenge_id: i, type: "static", content: `flag{c${i}}`, data: null });
    if (i % 2 === 0) {
      hints.push({
        id: hints.length + 1,
        type: "standard",
        challenge_id: i,
        content: `About ${i}`,
        cost: 10 + (i % 4) * 5,
        requirements: null,
      });
    }
  }
  const teams: Row[] = [], users: Row[] = [];
  for (let t = 1; t <= TEAMS; t++) {
    teams.push({
      id: t,
      name: `Team ${t}`,
      password: null,
      hidden: t % 23 === 0,
      banned: t % 29 === 0,
      created: at(-60 + t),
    });
    users.push({
      id: t,
      name: `u${t}`,
      type: "user",
      team_id: t,
      password: null,
      created: at(-60),
    });
  }
  const submissions: Row[] = [], solves: Row[] = [], unlocks: Row[] = [], awards: Row[] = [];
  const solved = new Set<string>();
  const wrong = new Map<string, number>();
  for (let s = 1; s <= SUBMISSIONS; s++) {
    const team = 1 + Math.floor(rnd() * TEAMS);
    const challenge = 1 + Math.floor(rnd() * CHALLENGES);
    const key = `${team}:${challenge}`;
    const max = challenges[challenge - 1]!.max_attempts;
    if (solved.has(key) || (max > 0 && (wrong.get(key) ?? 0) >= max)) continue;
    const correct = rnd() < 0.3;
    const id = submissions.length + 1;
    submissions.push({
      id,
      challenge_id: challenge,
      user_id: team,
      team_id: team,
      ip: "10.0.0.1",
      provided: correct ? `flag{c${challenge}}` : `nope ${s}`,
      type: correct ? "correct" : "incorrect",
      date: at((s * 300) / SUBMISSIONS),
    });
    if (correct) {
      solved.add(key);
      solves.push({ id, challenge_id: challenge, user_id: team, team_id: team });
    } else wrong.set(key, (wrong.get(key) ?? 0) + 1);
  }
  for (let k = 0; k < 120; k++) {
    const hint = hints[Math.floor(rnd() * hints.length)]!;
    const team = 1 + Math.floor(rnd() * TEAMS);
    if (unlocks.some((u) => u.team_id === team && u.target === hint.id)) continue;
    const when = at(k * 2);
    unlocks.push({
      id: unlocks.length + 1,
      user_id: team,
      team_id: team,
      target: hint.id,
      date: when,
      type: "hints",
    });
    // Some awards were deleted (a refund); some hints cost 3 less when taken (edited since).
    if (k % 9 === 0) continue;
    awards.push({
      id: awards.length + 1,
      user_id: team,
      team_id: team,
      type: "standard",
      name: `Hint ${hint.id}`,
      description: `Hint for Chal ${hint.challenge_id}`,
      date: when,
      value: -(hint.cost - (k % 4 === 0 ? 3 : 0)),
      category: "hints",
    });
  }
  for (let k = 0; k < 20; k++) {
    awards.push({
      id: awards.length + 1,
      user_id: null,
      team_id: 1 + Math.floor(rnd() * TEAMS),
      type: "standard",
      name: `Bonus ${k}`,
      description: null,
      date: at(10 + k * 7),
      value: k % 5 === 0 ? -15 : 20,
      category: null,
    });
  }
  return {
    alembic_version: [{ version_num: "67ebab6de598" }],
    config: [
      { id: 1, key: "ctf_name", value: "Generated CTF" },
      { id: 2, key: "user_mode", value: "teams" },
      { id: 3, key: "start", value: seconds(T0) },
      { id: 4, key: "end", value: seconds(T0 + 6 * 3_600_000) },
    ],
    challenges,
    dynamic_challenge: dynamic,
    flags,
    hints,
    teams,
    users,
    submissions,
    solves,
    unlocks,
    awards,
  };
}

/**
 * The same event in users mode: each user plays alone, hidden or banned as its team was, and the
 * rows name no team.
 */
function usersMode(tables: Tables): Tables {
  const teams = new Map(tables.teams!.map((t) => [t.id as number, t]));
  const solo = (row: Row) => ({ ...row, team_id: null });
  return {
    ...tables,
    config: tables.config!.map((row) => row.key === "user_mode" ? { ...row, value: "users" } : row),
    teams: [],
    users: tables.users!.map((user) => ({
      ...solo(user),
      hidden: teams.get(user.team_id as number)!.hidden,
      banned: teams.get(user.team_id as number)!.banned,
    })),
    submissions: tables.submissions!.map(solo),
    solves: tables.solves!.map(solo),
    unlocks: tables.unlocks!.map(solo),
    awards: tables.awards!.map((award) => ({ ...solo(award), user_id: award.team_id })),
  };
}

/**
 * CTFd's standings (as after the event, no freeze): each shown account's name and score, in
 * order. An account is a team in teams mode, a user in users mode.
 */
function ctfdStandings(tables: Tables): [string, number][] {
  const users = tables.config!.some((row) => row.key === "user_mode" && row.value === "users");
  const account = users ? "user_id" : "team_id";
  const teams = new Map((users ? tables.users! : tables.teams!).map((t) => [t.id as number, t]));
  const shown = (id: number) => !teams.get(id)!.hidden && !teams.get(id)!.banned;
  const byId = new Map(tables.challenges!.map((c) => [c.id as number, c]));
  const dynamic = new Map(tables.dynamic_challenge!.map((d) => [d.id as number, d]));
  // decay.py: the solves of shown accounts, less the first; rounded up; never below the minimum.
  const count = new Map<number, number>();
  for (const s of tables.solves!) {
    if (shown(s[account] as number)) {
      count.set(s.challenge_id as number, (count.get(s.challenge_id as number) ?? 0) + 1);
    }
  }
  const value = (challenge: number): number => {
    const d = dynamic.get(challenge);
    if (d === undefined) return byId.get(challenge)!.value as number;
    const n = Math.max((count.get(challenge) ?? 0) - 1, 0);
    const [initial, minimum, decay] = [d.initial as number, d.minimum as number, d.decay as number];
    const raw = d.function === "linear"
      ? initial - decay * n
      : ((minimum - initial) / (decay * decay)) * n * n + initial;
    return Math.max(Math.ceil(raw), minimum);
  };
  // get_standings: solves at each challenge's value, plus awards; ties by the last solve or award
  // (of a value other than 0), then its id.
  const dates = new Map(tables.submissions!.map((s) => [s.id as number, s.date as string]));
  const score = new Map<number, { score: number; last: string }>();
  const add = (team: number, points: number, when: string) => {
    const entry = score.get(team) ?? { score: 0, last: "" };
    entry.score += points;
    if (points !== 0 && when > entry.last) entry.last = when;
    score.set(team, entry);
  };
  for (const s of tables.solves!) {
    if (shown(s[account] as number)) {
      add(s[account] as number, value(s.challenge_id as number), dates.get(s.id as number)!);
    }
  }
  for (const a of tables.awards!) {
    if (shown(a[account] as number)) add(a[account] as number, a.value as number, a.date as string);
  }
  return [...score.entries()]
    .sort(([, a], [, b]) => b.score - a.score || (a.last < b.last ? -1 : a.last > b.last ? 1 : 0))
    .map(([team, { score }]) => [teams.get(team)!.name as string, score]);
}

const events: [string, () => Tables][] = [
  ["teams mode, seed 1", () => generate(1)],
  ["teams mode, seed 2", () => generate(2)],
  ["teams mode, seed 3", () => generate(3)],
  ["users mode, seed 4", () => usersMode(generate(4))],
];
for (const [what, event] of events) {
  test(`an imported event's board is CTFd's: every score and the order (${what})`, async () => {
    const dir = dirs.make("cairn-ctfd-reference-");
    const tables = event();
    writeFileSync(join(dir, "export.zip"), exportZip(tables));
    const out = join(dir, "event");
    const io = fakeIo();
    expect(await run(["import", "ctfd", join(dir, "export.zip"), "--out", out], io)).toBe(0);
    const results = join(dir, "results.json");
    const db = join(out, "cairn.db");
    const exported = fakeIo();
    expect(await run(["export", "--db", db, "--format", "json", "--out", results], exported))
      .toBe(0);
    const board = (JSON.parse(readFileSync(results, "utf8")) as {
      scoreboard: { name: string; score: number; solves: number }[];
    }).scoreboard;
    // CTFd lists only teams with a solve or an award; Cairn lists every team.
    const expected = ctfdStandings(tables);
    const listed = new Set(expected.map(([name]) => name));
    expect(board.filter((row) => listed.has(row.name)).map((row) => [row.name, row.score]))
      .toEqual(expected);
    expect(board.filter((row) => !listed.has(row.name)).every((row) => row.score === 0)).toBe(
      true,
    );
  });
}
