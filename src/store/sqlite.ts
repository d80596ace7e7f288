/**
 * The SQLite store, over `bun:sqlite` on Bun and `node:sqlite` on Deno (see
 * driver.ts): one database file in WAL mode with full sync, the group-commit
 * writer, the single-instance lock, and every read the server makes, each
 * statement prepared once on first use.
 */
import { type Connection, scanRows, type Statement } from "./driver.ts";
import { closeSync, mkdtempSync, openSync, readSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hunt, Snapshot, Write } from "../engine/mod.ts";
import { checkBeside } from "./check.ts";
import { MIGRATIONS } from "./migrations.ts";
import { openDatabase, writeProblem } from "./db.ts";
import { readGuesses, readTables, type Results, type ResultTable, saveScoring } from "./export.ts";
import { filesDirOf, FileStore } from "./files.ts";
import { loadSnapshot } from "./load.ts";
import { GuessMinutes, MINUTE } from "./minutes.ts";
import { TeamGuesses } from "./team_guesses.ts";
import { acquireLock } from "./lock.ts";
import type {
  Announcement,
  GuessRow,
  HeldByTeams,
  MetaKey,
  MinuteCount,
  PuzzleGuess,
  Store,
  StoredAccounts,
  StoredIdempotency,
  StoreListeners,
  TeamHistory,
  UploadSink,
  WrongGuess,
} from "./store.ts";
import { CommitError, type Committer, walFile, Writer } from "./writer.ts";
import { startCommitThread } from "./commit_thread.ts";

export type OpenStore = { kind: "ok"; store: SqliteStore } | { kind: "locked" };

const FEED_COLUMNS =
  "g.id, g.team_id AS team, t.name AS team_name, g.puzzle, g.raw, g.normalized, g.result, g.at, g.effective_at, g.flag";

/** The SQLite store. */
export class SqliteStore implements Store {
  /** The group commit: on the main thread, or on the commit thread once `commitOnThread` started it. */
  private writer: Committer;
  private listeners: StoreListeners;
  private readonly statements = new Map<string, Statement>();
  /**
   * Mission uploads: in the folder given, or the one named after the database
   * file; for a store with neither, in a temporary folder made by the first
   * upload (see `files`).
   */
  private uploads: FileStore | undefined;
  /** Whether `uploads` is a temporary folder, made by `files` and removed on close. */
  private readonly temporaryUploads: boolean;
  /** Guesses per minute (minutes.ts): every guess given to `commit`, and those on file before. */
  private readonly minutes = new GuessMinutes();
  /**
   * Each team's guess ids (team_guesses.ts), read by id when a view of one
   * team needs them (`noted`): all of them the first time, then those stored
   * since. Noting each guess as it was committed cost a durable guess 5-10%
   * of its rate, and noting those on file in boot's pass over the guesses
   * added 0.1-0.3 s to a boot on 1,000,000 (bench/load/ab.ts, bench/boot.ts).
   */
  private readonly teamGuesses = new TeamGuesses();
  /** The last guess id noted in `teamGuesses`. */
  private notedThrough = 0;
  /**
   * The last guess id on file when the store opened, until those guesses are
   * counted in `minutes` (by the boot's pass over them, or by the first chart).
   */
  private uncounted: number | undefined;

  private constructor(
    /** The connection itself: for tests, and the commands that read the file directly. */
    readonly db: Connection,
    private readonly path: string | undefined,
    private readonly release: () => void,
    listeners: StoreListeners,
    filesDir?: string,
  ) {
    this.listeners = listeners;
    this.uncounted =
      db.query<{ id: number | null }>("SELECT max(id) AS id FROM guesses").get()?.id ??
        undefined;
    const dir = filesDir ?? (path !== undefined ? filesDirOf(path) : undefined);
    if (dir !== undefined) this.uploads = new FileStore(dir);
    this.temporaryUploads = dir === undefined;
    this.writer = new Writer(db, {
      onBatch: (stats) => this.listeners.onBatch?.(stats),
      onFailure: (error) => this.listeners.onFailure?.(error),
      // The writer syncs the WAL itself where there is one (a file SQLite could put in WAL mode).
      ...(path !== undefined && inWalMode(db) && { wal: walFile(`${realpathSync(path)}-wal`) }),
    });
  }

  /**
   * Opens the database file: takes the single-instance lock, refuses a damaged
   * file (quick_check), and migrates. `checkMs` is how long that took.
   */
  static open(
    path: string,
    options: StoreListeners = {},
    filesDir?: string,
    check: "first" | "beside" = "first",
  ): OpenStore & { checkMs?: number; checked?: Promise<string | undefined> } {
    const lock = acquireLock(path);
    if (lock.kind === "busy") return { kind: "locked" };
    try {
      const started = performance.now();
      // Beside the boot only when nothing is to be migrated: a migration writes, and a
      // damaged file is refused before anything writes to it.
      const beside = check === "beside" && isCurrent(path);
      const db = openDatabase(path, { check: !beside });
      const checkMs = performance.now() - started;
      if (beside) {
        return {
          kind: "ok",
          store: new SqliteStore(db, path, lock.release, options, filesDir),
          checked: checkBeside(path),
        };
      }
      return {
        kind: "ok",
        store: new SqliteStore(db, path, lock.release, options, filesDir),
        checkMs,
      };
    } catch (error) {
      // No lock file is left beside what could not be opened (another program's file).
      lock.abandon();
      throw error;
    }
  }

  /**
   * A store over a database already open (`:memory:` in tests, and a shared
   * log's copy in memory), with no lock.
   */
  static over(
    db: Connection,
    options: StoreListeners & { filesDir?: string } = {},
  ): SqliteStore {
    return new SqliteStore(
      db,
      undefined,
      () => {},
      options,
      options.filesDir,
    );
  }

  /**
   * The uploads folder. A store with no database file and no folder given (an
   * in-memory one) makes a temporary folder here, on first use, and removes it
   * on close: most such stores (the tests', a shared log's copy) never upload.
   */
  get files(): FileStore {
    return this.uploads ??= new FileStore(mkdtempSync(join(tmpdir(), "cairn-files-")));
  }

  beginUpload(): Promise<UploadSink> {
    return this.files.begin();
  }

  upload(hash: string): Blob | undefined {
    return this.uploads?.file(hash);
  }

  removeUpload(hash: string): void {
    this.uploads?.remove(hash);
  }

  cleanUploads(): number {
    if (this.uploads === undefined) return 0;
    const names = this.all<{ hash: string }>(
      "SELECT DISTINCT file_hash AS hash FROM submissions WHERE file_hash IS NOT NULL",
    );
    return this.uploads.clean(new Set(names.map((row) => row.hash)));
  }

  commit(writes: readonly Write[]): Promise<void> {
    // Counted as handed over (a batch that fails is counted, and the server then exits to
    // rebuild); a failed writer refuses everything after, which is not counted.
    if (!this.writer.failed) this.minutes.add(writes);
    return this.writer.commit(writes);
  }

  flush(): void {
    this.writer.flush();
  }

  drain(): Promise<void> {
    return this.writer.drain();
  }

  /**
   * Moves the commits to a thread of their own, with its own connection
   * (commit_thread.ts). Call once, before the first commit; resolves with why
   * the thread could not start (commits then stay on this thread).
   */
  async commitOnThread(): Promise<string | undefined> {
    if (this.path === undefined) return "an in-memory database has no file to share with a thread";
    const thread = await startCommitThread(this.path, {
      onBatch: (stats) => this.listeners.onBatch?.(stats),
      onFailure: (error) => this.listeners.onFailure?.(error),
    });
    if (typeof thread === "string") return thread;
    const before = this.writer;
    before.flush();
    before.close();
    this.writer = thread;
    return undefined;
  }

  /** Where commits run now: on the main thread, or on the commit thread. */
  get commitsOn(): "main" | "commit" {
    return this.writer instanceof Writer ? "main" : "commit";
  }

  watch(listeners: StoreListeners): void {
    this.listeners = listeners;
  }

  get failed(): boolean {
    return this.writer.failed;
  }

  writeProblem(): string | undefined {
    return writeProblem(this.db, {
      ...(this.path !== undefined && { path: this.path }),
      failed: this.writer.failed,
      // While the commit thread commits, it holds the write lock itself: that proves nothing.
      probeLock: !this.writer.busy,
    });
  }

  snapshot(options: { now: number; longestWindowMs: number }): Snapshot {
    const preloaded = this.preloaded;
    this.preloaded = undefined;
    return preloaded ?? this.load(options);
  }

  /**
   * Reads the snapshot now, for the next `snapshot()` call (the boot's), while
   * the integrity check runs beside it. An earlier `now` only reads a few more
   * recent guesses, which the engine's guess windows then drop.
   */
  preload(options: { now: number; longestWindowMs: number }): void {
    this.preloaded = this.load(options);
  }

  /** Reads the snapshot, counting the guesses on file at open in `minutes` if not yet done. */
  private load(options: { now: number; longestWindowMs: number }): Snapshot {
    const through = this.uncounted;
    this.uncounted = undefined;
    return loadSnapshot(this.db, {
      ...options,
      ...(through !== undefined && { minutes: { through, into: this.minutes } }),
    });
  }

  private preloaded: Snapshot | undefined;

  accounts(): StoredAccounts {
    return {
      passwords: this.all("SELECT id, password_hash AS hash FROM teams"),
      sessions: this.all("SELECT token_hash AS tokenHash, team_id AS teamId FROM sessions"),
    };
  }

  submitters(): { teamId: number; tokenHash: string }[] {
    return this.all("SELECT team_id AS teamId, token_hash AS tokenHash FROM submitters");
  }

  idempotencyKeys(): StoredIdempotency[] {
    return this.all(
      // Oldest first: a team's keys beyond its cap are forgotten oldest first.
      `SELECT team_id AS teamId, key, fingerprint, status, body, at FROM idempotency_keys ORDER BY at`,
    );
  }

  announcements(): Announcement[] {
    return this.all("SELECT id, text, at FROM announcements ORDER BY id");
  }

  held(): HeldByTeams {
    const ids = (sql: string) => this.all<{ id: string }>(sql).map((row) => row.id);
    return {
      solved: ids(`SELECT puzzle AS id FROM solves UNION
        SELECT puzzle FROM submissions WHERE status = 'accepted' ORDER BY id`),
      // The costs saved for the running hunt (at start, for the last one that ran).
      hints: this.all(`SELECT DISTINCT h.puzzle, h.hint, c.cost FROM hint_takes h
        JOIN hunt_hints c ON c.puzzle = h.puzzle AND c.hint = h.hint
        WHERE c.cost != 0 ORDER BY h.puzzle, h.hint`),
      asked: ids(`SELECT DISTINCT puzzle AS id FROM asks
        WHERE cost != 0 AND status NOT IN ('refused', 'withdrawn') ORDER BY id`),
      divisions: ids(
        "SELECT DISTINCT division AS id FROM teams WHERE division IS NOT NULL ORDER BY id",
      ),
    };
  }

  saveScoring(hunt: Hunt): void {
    saveScoring(this.db, hunt);
  }

  meta(key: MetaKey): string | undefined {
    const row = this.statement("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | null
      | undefined;
    return row?.value;
  }

  /**
   * Stored before it returns (this connection syncs fully). A failure throws a
   * `CommitError` at once, which boot reports and a request answers with 503.
   */
  setMeta(values: Partial<Record<MetaKey, string>>): Promise<void> {
    const upsert = this.statement(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    try {
      this.db.transaction(() => {
        for (const [key, value] of Object.entries(values)) upsert.run(key, value);
      }).immediate();
    } catch (error) {
      throw new CommitError(error);
    }
    return Promise.resolve();
  }

  guessFeed(options: { after: number; limit: number; newest?: boolean }): Promise<GuessRow[]> {
    const sql = options.newest
      ? `SELECT ${FEED_COLUMNS} FROM guesses g JOIN teams t ON t.id = g.team_id
         WHERE g.id > ? ORDER BY g.id DESC LIMIT ?`
      : `SELECT ${FEED_COLUMNS} FROM guesses g JOIN teams t ON t.id = g.team_id
         WHERE g.id > ? ORDER BY g.id LIMIT ?`;
    return Promise.resolve(this.all(sql, options.after, options.limit));
  }

  teamHistory(teamId: number): Promise<TeamHistory> {
    return Promise.resolve({
      guesses: this.guessesById(
        "id, puzzle, raw, normalized, result, at, effective_at, flag",
        this.noted().ids(teamId),
      ),
      hints: this.all(
        "SELECT puzzle, hint, at, flag FROM hint_takes WHERE team_id = ? ORDER BY at",
        teamId,
      ),
      checkins: this.all(
        "SELECT puzzle, at, flag FROM checkins WHERE team_id = ? ORDER BY at",
        teamId,
      ),
      adjustments: this.all(
        "SELECT id, points, reason, at FROM adjustments WHERE team_id = ? ORDER BY id",
        teamId,
      ),
    });
  }

  teamPuzzleGuesses(teamId: number, puzzle: string): Promise<PuzzleGuess[]> {
    return Promise.resolve(
      this.guessesById("id, raw, result, at", this.noted().ids(teamId, puzzle)),
    );
  }

  /**
   * The guesses of these ids (from `teamGuesses`: guesses keep no index by
   * team, migration 4), oldest first: each one looked up by its id.
   */
  private guessesById<T>(columns: string, ids: readonly number[]): T[] {
    if (ids.length === 0) return [];
    return this.all<T>(
      `SELECT ${columns} FROM guesses WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      JSON.stringify(ids),
    );
  }

  guessesPerMinute(now: number, minutes = 60): Promise<MinuteCount[]> {
    return Promise.resolve(this.countedMinutes().last(now, minutes));
  }

  counts(): Promise<{ guesses: number; solves: number }> {
    const count = (sql: string) => this.all<{ n: number }>(sql)[0]?.n ?? 0;
    return Promise.resolve({
      guesses: this.countedMinutes().total,
      // A mission's solve is its accepted submission, which has no row in solves.
      solves: count(`SELECT (SELECT count(*) FROM solves) +
        (SELECT count(*) FROM submissions WHERE status = 'accepted') AS n`),
    });
  }

  /**
   * The guesses per minute, once the guesses on file at open are counted: a
   * store that never read its snapshot (a command, a test) counts them here,
   * in one pass by rowid.
   */
  private countedMinutes(): GuessMinutes {
    const through = this.uncounted;
    if (through !== undefined) {
      this.uncounted = undefined;
      const rows = this.all<{ minute: number; guesses: number; correct: number }>(
        `SELECT at / ${MINUTE} AS minute, count(*) AS guesses, sum(result = 'correct') AS correct
         FROM guesses WHERE id <= ? GROUP BY minute`,
        through,
      );
      for (const row of rows) this.minutes.countMinute(row.minute, row.guesses, row.correct);
    }
    return this.minutes;
  }

  /**
   * Each team's guesses, up to the last one stored: those stored since the
   * last look are read now, by id (a range of the table's rowid). Guesses are
   * stored in the order of their ids, here as on a shared log's copy, whose
   * node decides each in its turn after every earlier record.
   */
  private noted(): TeamGuesses {
    const teams = this.teamGuesses;
    const rows = scanRows<{ id: number; teamId: number; puzzle: string }>(
      this.db,
      {
        select: "SELECT id, team_id AS teamId, puzzle FROM guesses",
        key: ["id"],
        after: [this.notedThrough],
      },
    );
    for (const row of rows) {
      teams.add(row.id, row.teamId, row.puzzle);
      this.notedThrough = row.id;
    }
    return teams;
  }

  results<T extends ResultTable>(
    tables: readonly T[],
  ): Promise<{ results: Pick<Results, T>; lastGuessId: number }> {
    return Promise.resolve(readTables(this.db, tables));
  }

  resultGuesses(
    options: { after: number; through: number; limit: number },
  ): Promise<Results["guesses"]> {
    return Promise.resolve(readGuesses(this.db, options));
  }

  wrongGuesses(
    options: { after: number; through: number; limit: number },
  ): Promise<WrongGuess[]> {
    return Promise.resolve(
      this.statement(
        `SELECT id, team_id AS team, puzzle, normalized FROM guesses
         WHERE id > ? AND id <= ? AND result <> 'correct' ORDER BY id LIMIT ?`,
      ).all(options.after, options.through, options.limit) as WrongGuess[],
    );
  }

  close(): void {
    this.writer.flush();
    this.writer.close();
    // Its statements finalized, so that the file is released now, and the WAL checkpointed away.
    this.db.close(true);
    this.release();
    if (this.temporaryUploads && this.uploads !== undefined) {
      rmSync(this.uploads.dir, { recursive: true, force: true });
    }
  }

  /** A statement, prepared on first use and kept. */
  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private all<T>(sql: string, ...params: (string | number)[]): T[] {
    return this.statement(sql).all(...params) as T[];
  }
}

/** Whether the connection's journal is a WAL (SQLite keeps another mode where it cannot make one). */
function inWalMode(db: Connection): boolean {
  return db.query<{ journal_mode: string }>("PRAGMA journal_mode").get()?.journal_mode === "wal";
}

/**
 * Whether the file is a Cairn database that needs no migration, read from its
 * header's user_version (bytes 60–63), with no connection. A version still in
 * the WAL reads as older: the check then runs first, as it always did.
 */
function isCurrent(path: string): boolean {
  try {
    const fd = openSync(path, "r");
    try {
      const header = new Uint8Array(100);
      if (readSync(fd, header, 0, 100, 0) < 100) return false;
      if (new TextDecoder().decode(header.subarray(0, 15)) !== "SQLite format 3") return false;
      return new DataView(header.buffer).getUint32(60) === MIGRATIONS.length;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}
