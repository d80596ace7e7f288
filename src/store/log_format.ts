/**
 * The format of the shared log's records (PostgreSQL, pg.ts). During an
 * upgrade, nodes of two versions may meet on one log; a node that played
 * records it misreads would serve another game than the others (other
 * scores, other names). So each node records its format in the log when it
 * starts (a `meta` record, `log_format`), and refuses what it cannot read: a
 * log of a newer format at its start, and, while it runs, a newer format or
 * a record kind it does not know, which stop it.
 */
import type { Write } from "../engine/mod.ts";
import { OutdatedError } from "./outdated.ts";

/**
 * The format of the records this version writes, and the newest it reads.
 * Bump it whenever a record kind is added to `Write` (engine/writes.ts), or a
 * record's meaning changes (a field added that changes the game, a field read
 * otherwise), and say below what each number brought. A node still reads every
 * older format: it records its own over it.
 *
 * 1. The records as they were when the log's format was first recorded
 *    (version 0.1.0): the kinds of `KINDS`. Logs written before carry no
 *    format, and their nodes check none.
 * 2. `team_hidden`: an organizer hides a team from the public standings, which
 *    changes the other teams' dynamic values and first-solve bonuses;
 *    `team_banned`: an organizer bans a team, which hides it too.
 */
export const LOG_FORMAT = 2;

/** The meta key of the log's format. */
export const LOG_FORMAT_KEY = "log_format";

/**
 * Every kind of record this version knows. A kind added to `Write` does not
 * compile until it is listed here: bump `LOG_FORMAT` with it.
 */
const KINDS: Record<Write["kind"], true> = {
  team: true,
  guess: true,
  submission: true,
  verdict: true,
  ask: true,
  ask_close: true,
  unlock: true,
  hint: true,
  checkin: true,
  route: true,
  adjustment: true,
  extra_guesses: true,
  announcement: true,
  session: true,
  session_end: true,
  password: true,
  team_name: true,
  team_hidden: true,
  team_banned: true,
  idempotency: true,
  idempotency_evict: true,
  idempotency_prune: true,
  submitter: true,
  submitter_release: true,
  meta: true,
};

/** What an organizer does about a log this node cannot read. */
const UPGRADE = "run the newer Cairn on every node";

/** A log, or a record in it, that this version cannot read: the node must not go on. */
export class LogFormatError extends OutdatedError {
  override readonly name = "LogFormatError";
}

/** The record of this version's format, as a node appends it. */
export function formatRecord(): Write {
  return { kind: "meta", key: LOG_FORMAT_KEY, value: String(LOG_FORMAT) };
}

/** Why this version cannot play `write`, read from the log; undefined when it can. */
export function formatProblem(write: Write): string | undefined {
  const kind: string = write.kind;
  if (!Object.hasOwn(KINDS, kind)) {
    return `the log holds a record of kind ${kind}, which this Cairn (log format ${LOG_FORMAT}) ` +
      `does not know: ${UPGRADE}`;
  }
  if (write.kind !== "meta" || write.key !== LOG_FORMAT_KEY) return undefined;
  if (Number(write.value) <= LOG_FORMAT) return undefined;
  return `the log is of format ${write.value} and this Cairn reads format ${LOG_FORMAT} at most: ` +
    UPGRADE;
}
