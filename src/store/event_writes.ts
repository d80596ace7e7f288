/**
 * An SQLite event as the `Write` records that would have made it: what
 * `cairn migrate` appends to an empty PostgreSQL log, so that an event that
 * outgrows one box moves to several nodes mid-life. Written through the same
 * writer, the records give back the same rows: ids, times, flags, sessions,
 * keys and verdicts included.
 */
import type { Write } from "../engine/mod.ts";
import type { Connection } from "./driver.ts";

type Row = Record<string, unknown>;

const num = (value: unknown) => Number(value);
const text = (value: unknown) => value === null || value === undefined ? null : String(value);
const flag = (value: unknown) =>
  value === "clamped" || value === "late" ? { flag: value as "clamped" | "late" } : {};

/** Every record of the event, in an order the writer accepts (teams before what names them). */
export function eventWrites(db: Connection): Write[] {
  const all = (sql: string) => db.query<Row>(sql).all();
  return [...teamWrites(all), ...playWrites(all), ...accountWrites(all)];
}

type All = (sql: string) => Row[];

/** The server's values, the teams and their route orders. */
function teamWrites(all: All): Write[] {
  const writes: Write[] = [];

  // Server-wide values. The hunt's scoring is read from its own tables (pg.ts scoringRecord).
  for (const row of all("SELECT key, value FROM meta ORDER BY key")) {
    if (row.key === "hunt_title") continue;
    writes.push({ kind: "meta", key: String(row.key), value: String(row.value) });
  }
  for (const row of all("SELECT * FROM teams ORDER BY id")) {
    writes.push({
      kind: "team",
      id: num(row.id),
      name: String(row.name),
      nameKey: String(row.name_key),
      passwordHash: String(row.password_hash),
      division: text(row.division),
      members: JSON.parse(String(row.members)) as string[],
      at: num(row.created_at),
    });
  }
  // A hidden team is hidden from the start: its solves, replayed after, count for no one else.
  for (const row of all("SELECT id, created_at FROM teams WHERE hidden = 1 ORDER BY id")) {
    writes.push({
      kind: "team_hidden",
      teamId: num(row.id),
      hidden: true,
      at: num(row.created_at),
    });
  }
  for (const row of all("SELECT id, created_at FROM teams WHERE banned = 1 ORDER BY id")) {
    writes.push({
      kind: "team_banned",
      teamId: num(row.id),
      banned: true,
      at: num(row.created_at),
    });
  }
  for (const row of all("SELECT * FROM routes ORDER BY team_id, route")) {
    writes.push({
      kind: "route",
      teamId: num(row.team_id),
      route: String(row.route),
      stops: JSON.parse(String(row.stops)) as string[],
      at: num(row.at),
    });
  }
  return writes;
}

/** What the teams did, and what the organizers did to them. */
function playWrites(all: All): Write[] {
  const writes: Write[] = [];
  for (const row of all("SELECT * FROM unlocks ORDER BY at, team_id, puzzle")) {
    writes.push({
      kind: "unlock",
      teamId: num(row.team_id),
      puzzle: String(row.puzzle),
      at: num(row.at),
    });
  }
  // A correct guess is its solve: the writer records the solve with it.
  for (const row of all("SELECT * FROM guesses ORDER BY id")) {
    writes.push({
      kind: "guess",
      id: num(row.id),
      teamId: num(row.team_id),
      puzzle: String(row.puzzle),
      raw: String(row.raw),
      normalized: String(row.normalized),
      result: row.result as "correct" | "incorrect" | "partial",
      extraUsed: num(row.extra_used) === 1,
      at: num(row.at),
      ...(row.effective_at !== null && { effectiveAt: num(row.effective_at) }),
      ...flag(row.flag),
    });
  }
  for (const row of all("SELECT * FROM hint_takes ORDER BY at, team_id")) {
    writes.push({
      kind: "hint",
      teamId: num(row.team_id),
      puzzle: String(row.puzzle),
      hint: String(row.hint),
      at: num(row.at),
      ...flag(row.flag),
    });
  }
  for (const row of all("SELECT * FROM checkins ORDER BY at, team_id")) {
    writes.push({
      kind: "checkin",
      teamId: num(row.team_id),
      puzzle: String(row.puzzle),
      at: num(row.at),
      ...flag(row.flag),
    });
  }
  for (const row of all("SELECT * FROM adjustments ORDER BY id")) {
    writes.push({
      kind: "adjustment",
      id: num(row.id),
      teamId: num(row.team_id),
      points: num(row.points),
      reason: String(row.reason),
      at: num(row.at),
    });
  }
  for (const row of all("SELECT * FROM extra_guesses ORDER BY id")) {
    writes.push({
      kind: "extra_guesses",
      teamId: num(row.team_id),
      puzzle: String(row.puzzle),
      count: num(row.count),
      at: num(row.at),
    });
  }
  for (const row of all("SELECT * FROM announcements ORDER BY id")) {
    writes.push({ kind: "announcement", id: num(row.id), text: String(row.text), at: num(row.at) });
  }
  for (const row of all("SELECT * FROM submissions ORDER BY id")) writes.push(...submission(row));
  for (const row of all("SELECT * FROM asks ORDER BY id")) writes.push(...ask(row));
  return writes;
}

/** Open sessions, submitters and the stored answers of keyed requests. */
function accountWrites(all: All): Write[] {
  const writes: Write[] = [];
  for (const row of all("SELECT * FROM sessions ORDER BY created_at")) {
    writes.push({
      kind: "session",
      tokenHash: String(row.token_hash),
      teamId: num(row.team_id),
      at: num(row.created_at),
    });
  }
  for (const row of all("SELECT * FROM submitters ORDER BY team_id")) {
    writes.push({
      kind: "submitter",
      teamId: num(row.team_id),
      tokenHash: String(row.token_hash),
      at: num(row.at),
    });
  }
  for (const row of all("SELECT * FROM idempotency_keys ORDER BY at")) {
    writes.push({
      kind: "idempotency",
      teamId: num(row.team_id),
      key: String(row.key),
      fingerprint: String(row.fingerprint),
      status: num(row.status),
      body: String(row.body),
      at: num(row.at),
    });
  }
  return writes;
}

/**
 * A submission as its first record and its verdicts: accepted at once (judge
 * = "auto") or pending, then accepted by a judge, then perhaps rejected.
 */
function submission(row: Row): Write[] {
  const at = Number(row.at);
  const acceptedAt = row.accepted_at === null ? null : Number(row.accepted_at);
  const judgedAt = row.judged_at === null ? null : Number(row.judged_at);
  const status = String(row.status);
  const points = Number(row.points);
  const base = {
    id: Number(row.id),
    teamId: Number(row.team_id),
    puzzle: String(row.puzzle),
  };
  const file = row.file_hash === null ? null : {
    hash: String(row.file_hash),
    type: String(row.file_type),
    size: Number(row.file_size),
  };
  // Accepted when it arrived (and never judged since, or rejected later): judge = "auto".
  const auto = acceptedAt === at && (judgedAt === null || status === "rejected");
  const writes: Write[] = [{
    kind: "submission",
    ...base,
    submit: String(row.submit) as "photo" | "video" | "text",
    file,
    text: row.text === null ? null : String(row.text),
    status: auto ? "accepted" : "pending",
    points,
    at,
    ...(row.flag === "clamped" || row.flag === "late" ? { flag: row.flag } : {}),
  }];
  const verdict = (
    verdictStatus: "accepted" | "rejected",
    when: number,
  ): Extract<Write, { kind: "verdict" }> => ({
    kind: "verdict",
    submissionId: base.id,
    teamId: base.teamId,
    puzzle: base.puzzle,
    status: verdictStatus,
    points,
    message: verdictStatus === "rejected" && row.message !== null ? String(row.message) : null,
    at: when,
  });
  if (!auto && acceptedAt !== null) {
    // Judged when `judged_at` says, unless a rejection came after (then that is the rejection's).
    const judged = status === "accepted" ? judgedAt ?? acceptedAt : acceptedAt;
    writes.push({ ...verdict("accepted", judged), acceptedAt });
  }
  if (status === "rejected") writes.push(verdict("rejected", judgedAt ?? acceptedAt ?? at));
  return writes;
}

/** An ask as its record and, once closed, its close. */
function ask(row: Row): Write[] {
  const base = {
    teamId: num(row.team_id),
    puzzle: String(row.puzzle),
    hint: String(row.hint),
  };
  const writes: Write[] = [{
    kind: "ask",
    id: num(row.id),
    ...base,
    question: String(row.question),
    cost: num(row.cost),
    token: num(row.token) === 1,
    at: num(row.at),
  }];
  if (row.status !== "open") {
    writes.push({
      kind: "ask_close",
      askId: num(row.id),
      ...base,
      status: row.status as "answered" | "refused" | "withdrawn",
      answer: text(row.answer),
      at: num(row.closed_at ?? row.at),
    });
  }
  return writes;
}
