/**
 * The one door to the database. The engine's `Write` records go in through
 * `commit`; what the server needs back comes out through named reads: the
 * snapshot it boots from, the accounts, the meta values, and the organizers'
 * views. Hot reads never come here: they are served from memory.
 *
 * Reads that leave the request path (the admin pages, stats, export) return
 * promises, so that a store over a network database can answer them too.
 */
import type { Hunt, Snapshot, Write } from "../engine/mod.ts";
import type { Results, ResultTable } from "./export.ts";

/** A stored announcement. */
export interface Announcement {
  id: number;
  text: string;
  at: number;
}

/** One row of the organizers' guess feed. */
export interface GuessRow {
  id: number;
  team: number;
  team_name: string;
  puzzle: string;
  raw: string;
  normalized: string;
  result: string;
  /** When it arrived. */
  at: number;
  /** When it counts, for a guess made offline (else null). */
  effective_at: number | null;
  /** "clamped" or "late": a guess made offline whose time the organizers should check. */
  flag: string | null;
}

/** A team's guess on a puzzle, as an organizer answering its ask reads it. */
export type PuzzleGuess = Pick<GuessRow, "id" | "raw" | "result" | "at">;

/** A wrong guess (incorrect or partial), as the hunt's stats count it: its answer as compared. */
export interface WrongGuess {
  id: number;
  team: number;
  puzzle: string;
  normalized: string;
}

/** Everything a team did, for the organizers' page of that team; oldest first. */
export interface TeamHistory {
  guesses: Omit<GuessRow, "team" | "team_name">[];
  hints: { puzzle: string; hint: string; at: number; flag: string | null }[];
  checkins: { puzzle: string; at: number; flag: string | null }[];
  adjustments: { id: number; points: number; reason: string; at: number }[];
}

/** Guesses in one minute: its start (epoch ms), and how many, how many correct. */
export interface MinuteCount {
  at: number;
  guesses: number;
  correct: number;
}

/**
 * What teams hold that a hunt file must go on naming: a start or a reload
 * on a file without it would silently change scores, or leave teams in a
 * division the board cannot rank.
 */
export interface HeldByTeams {
  /** The puzzles some team has solved (an accepted mission counts). */
  solved: string[];
  /** The hints some team took that cost points, at the costs the running hunt gives them. */
  hints: { puzzle: string; hint: string; cost: number }[];
  /** The puzzles with asks that cost points and were not given back (refused or withdrawn). */
  asked: string[];
  /** The divisions some team is in. */
  divisions: string[];
}

/** The stored accounts, loaded once at boot. */
export interface StoredAccounts {
  passwords: { id: number; hash: string }[];
  sessions: { tokenHash: string; teamId: number }[];
}

/** A keyed request's stored answer (`Idempotency-Key`), loaded once at boot. */
export interface StoredIdempotency {
  teamId: number;
  key: string;
  fingerprint: string;
  status: number;
  body: string;
  at: number;
}

/** Keys of the `meta` table the server reads and writes. */
export type MetaKey =
  | "hunt_started_at"
  | "admin_token_hash"
  | "scoreboard_frozen_at"
  | "scoreboard_revealed_at"
  /** The HMAC key of the last-contact tokens (play/contact.ts), base64url. */
  | "contact_key"
  /** On a shared log: the fingerprint of the hunt a node last started or reloaded (server/fingerprint.ts). */
  | "hunt_fingerprint"
  /** On a shared log: the format of its records, the newest a node recorded (store/log_format.ts). */
  | "log_format";

/** What a commit batch cost, for metrics. */
export interface BatchStats {
  /** Requests (commit calls) in the batch. */
  requests: number;
  /** Rows written. */
  rows: number;
  /** Time inside the transaction, fsync included, in ms. */
  ms: number;
}

/** Who hears what the store's writer does. */
export interface StoreListeners {
  /** Every committed batch, for metrics. */
  onBatch?: (stats: BatchStats) => void;
  /** Once, when a commit fails: the store then refuses every write. */
  onFailure?: (error: Error) => void;
  /**
   * Where the database is a server (PostgreSQL): once when it cannot be
   * reached, with why, however long it stays so (writes get 503 meanwhile)…
   */
  onUnreachable?: (reason: string) => void;
  /** …and once when it can be again, with how long it could not (ms). */
  onReachable?: (awayMs: number) => void;
  /**
   * Records other nodes appended to a shared log, in log order, each batch
   * once: the server plays them onto its engine, accounts and live streams.
   */
  onFollow?: (writes: readonly Write[]) => void;
}

/** An upload being written: bytes go in as they arrive; `finish` makes the file durable. */
export interface UploadSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Fsyncs the file and gives it its content-hash name; resolves once that is on disk. */
  finish(): Promise<{ hash: string; size: number }>;
  /** Removes what was written so far. */
  abort(): Promise<void>;
}

/** All database access of a running server goes through this. */
export interface Store {
  /** Makes writes durable (group commit); resolves once they are on disk. */
  commit(writes: readonly Write[]): Promise<void>;
  /** Commits what is queued now (at shutdown and before a reload). */
  flush(): void;
  /** Whether a commit has failed: the state in memory can no longer be trusted. */
  readonly failed: boolean;
  /** Sets who hears of each committed batch, and of the failure that stops the store. */
  watch(listeners: StoreListeners): void;
  /** Why a write cannot be made now, or undefined when it can (for /healthz). */
  writeProblem(): string | undefined;

  /** Everything the engine needs at boot. */
  snapshot(options: { now: number; longestWindowMs: number }): Snapshot;
  /** Password hashes and open sessions. */
  accounts(): StoredAccounts;
  /** Each team's only submitter (`submitters = "one"`), by session token hash. */
  submitters(): { teamId: number; tokenHash: string }[];
  /** The stored answers of keyed requests, oldest first (at most 1,000 a team; see play/idempotency.ts). */
  idempotencyKeys(): StoredIdempotency[];
  /** Every announcement, oldest first (few, and kept in memory by live). */
  announcements(): Announcement[];
  /** What teams hold that a reload (or a start) may not remove from the hunt. */
  held(): HeldByTeams;
  /** Records the hunt's scoring (points, hint costs) for exports made without the hunt file. */
  saveScoring(hunt: Hunt): void;
  meta(key: MetaKey): string | undefined;
  /**
   * Stores the values; resolves once they are durable (and, on a shared log,
   * appended for every node). Fails with a `CommitError` (503) when they cannot be.
   */
  setMeta(values: Partial<Record<MetaKey, string>>): Promise<void>;

  /** The guess feed: `limit` guesses after `after`, oldest first, or newest first with `newest`. */
  guessFeed(options: { after: number; limit: number; newest?: boolean }): Promise<GuessRow[]>;
  /** One team's guesses, hints, check-ins and adjustments. */
  teamHistory(teamId: number): Promise<TeamHistory>;
  /** One team's guesses on one puzzle, oldest first: what an organizer reads beside its ask. */
  teamPuzzleGuesses(teamId: number, puzzle: string): Promise<PuzzleGuess[]>;
  /** Guesses in each of the last `minutes` minutes before `now`, the current one last. */
  guessesPerMinute(now: number, minutes?: number): Promise<MinuteCount[]>;
  /** How many guesses and solves are stored; a mission's accepted submission is a solve. */
  counts(): Promise<{ guesses: number; solves: number }>;
  /**
   * The results' tables named (teams, solves, guesses, the final scoreboard,
   * routes…), read together, and the last guess id then: the guesses up to
   * it are those the tables saw (`resultGuesses`).
   */
  results<T extends ResultTable>(
    tables: readonly T[],
  ): Promise<{ results: Pick<Results, T>; lastGuessId: number }>;
  /** The results' guesses after id `after`, up to `through`, oldest first, at most `limit`. */
  resultGuesses(
    options: { after: number; through: number; limit: number },
  ): Promise<Results["guesses"]>;
  /**
   * The wrong guesses (incorrect or partial) after id `after`, up to `through`, oldest first, at
   * most `limit`, with only what the hunt's stats count: lighter to read than `resultGuesses`.
   */
  wrongGuesses(
    options: { after: number; through: number; limit: number },
  ): Promise<WrongGuess[]>;

  /** Starts storing a mission upload in the folder beside the database. */
  beginUpload(): Promise<UploadSink>;
  /** A stored upload by its content hash, or undefined. */
  upload(hash: string): Blob | undefined;
  /** Removes an upload no submission names (a refused submission's file). */
  removeUpload(hash: string): void;
  /** Removes uploads no stored submission names, and half-written ones; returns how many. */
  cleanUploads(): number;

  /**
   * Where several nodes share one log: resolves once this node may decide,
   * holding the log's lock with every other node's records played. The
   * caller decides and commits with no await in between. A single node has
   * none (there is nothing to wait for).
   */
  decideTurn?(): Promise<void>;
  /** Where several nodes share one log: plays the records appended so far. */
  sync?(): Promise<void>;
  /** Where commits are asynchronous: resolves once everything queued is committed (or failed). */
  drain?(): Promise<void>;
  /**
   * Where commits are asynchronous (a shared log): the writes queued or being committed, oldest
   * first, that `snapshot()` and `held()` do not show yet. A single node's `flush` commits them.
   */
  unsettled?(): readonly Write[];

  /** Commits what is queued and releases the database (and its lock). */
  close(): void;
}
