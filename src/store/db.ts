import { type Connection, copyDatabase, openConnection } from "./driver.ts";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statfsSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { MIGRATIONS } from "./migrations.ts";
import { OutdatedError } from "./outdated.ts";

const BUSY_TIMEOUT_MS = 5000;
/** The size the WAL file is brought back to after a checkpoint. */
export const WAL_SIZE_LIMIT = 8 * 1024 * 1024;
/**
 * The page cache, in KiB (negative, as SQLite takes it), 16 times SQLite's
 * default of 2 MB: the pages every commit touches (each table's and index's last
 * pages) stay in memory. Not more: it fills with every page read, and boot
 * reads every guess, so the cache grows to its limit or the file's size
 * (256 MB would hold a 1M-guess database, 85 MB more RSS for no measured gain).
 */
const CACHE_KIB = 32 * 1024;
/**
 * SQLite's automatic checkpoint, in WAL pages (~40 MB). The writer checkpoints
 * on a timer, between commits (writer.ts); this only bounds the WAL of a
 * connection without one, and of a writer whose timer falls behind.
 */
const AUTO_CHECKPOINT_PAGES = 10_000;
/** Below this much free space on the database's disk, /healthz reports it full. */
const MIN_FREE_BYTES = 1024 * 1024;

/**
 * Opens (creating if needed) the database in WAL mode with full sync, so a
 * committed transaction survives a power cut, and brings its schema up to date
 * (unless `migrate` is false: a command that only sets a value leaves the
 * schema to the server, whose version may be older than this one's).
 */
export function openDatabase(
  path: string,
  options: { check?: boolean; migrate?: boolean } = {},
): Connection {
  const db = openConnection(path);
  try {
    // Before anything writes to it (WAL mode is a write): another program's database is left alone.
    const foreign = foreignTables(db);
    if (foreign !== undefined) {
      throw new Error(
        `The file is not a Cairn database (${foreign}); give Cairn a file of its own`,
      );
    }
    tune(db);
    // With `check`, a damaged file is refused before anything, migrations included, touches it.
    const problem = options.check ? quickCheck(db) : undefined;
    if (problem !== undefined) throw new Error(damaged(problem));
    if (options.migrate !== false) migrate(db);
  } catch (error) {
    db.close();
    const message = error instanceof Error ? error.message : String(error);
    // SQLite says "file is not a database" for any file without its header: a hunt file given
    // as --db is not a damaged database, though a database whose header was overwritten is.
    if (/not a database/.test(message) && !isSqliteFile(path)) {
      throw new Error(
        "The file is not a Cairn database: it is not an SQLite file (if it was the event's " +
          "database, it is damaged: restore it from a backup)",
      );
    }
    if (/malformed|not a database/.test(message)) throw new Error(damaged(message));
    throw error;
  }
  return db;
}

/**
 * A connection's settings: WAL with full sync, so a committed transaction
 * survives a power cut, and the cache, checkpoint and timeout settings above.
 * Every connection that writes has them (the server's, the commit thread's).
 */
export function tune(db: Connection): void {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  // A long reader stops checkpoints, and the WAL grows behind it; once a checkpoint
  // completes, the next commit truncates the file back to this size, not its high-water mark.
  db.exec(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT}`);
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
  db.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  db.exec("PRAGMA foreign_keys = ON");
}

/** The sentence that refuses a damaged database, from what the check reported. */
export function damaged(problem: string): string {
  return problem.startsWith("The database fails")
    ? problem
    : `The database fails its integrity check (${problem}); restore it from a backup`;
}

/**
 * Opens an existing database for reading, as `backup` and `export` do: it
 * never creates, migrates, writes or locks it, so it is safe beside a
 * running server. Throws a one-line message when there is no Cairn database
 * there.
 */
export function openForReading(path: string): Connection {
  if (!existsSync(path)) {
    // The default, ./cairn-data/cairn.db, is where cairn serve ran: another folder has none.
    throw new Error(
      `there is no database at ${path}: give the server's with --db (cairn serve logs it as db=…)`,
    );
  }
  if (statSync(path).isDirectory()) throw new Error(`${path} is a folder, not a database file`);
  // Read-write but query-only, not read-only: a read-only connection leaves the -wal and -shm
  // files it had to create behind when it closes. Run as root beside a stopped service, they
  // would be root's, and the service's own user could then not open its database.
  const db = openConnection(path, { create: false });
  try {
    db.exec("PRAGMA query_only = ON");
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const version = schemaVersion(db);
    if (version === 0 || foreignTables(db) !== undefined) {
      throw new Error(`${path} is not a Cairn database`);
    }
    if (version > MIGRATIONS.length) {
      throw new OutdatedError(
        `The database was written by a newer Cairn (schema ${version}; this one knows ${MIGRATIONS.length})`,
      );
    }
  } catch (error) {
    db.close();
    // SQLite says "file is not a database" for any other file.
    if (error instanceof Error && /not a database/.test(error.message)) {
      throw new Error(`${path} is not a Cairn database`);
    }
    throw error;
  }
  return db;
}

/**
 * Opens an existing database for reading at this version's schema, as
 * `export` and `migrate` read it. One an older Cairn wrote (an event not yet
 * served by this version, or its backups) is copied into a temporary folder
 * and migrated there, so it reads as the server would read it once upgraded,
 * and the file itself is left as it was. Closing the connection removes the
 * copy.
 */
export async function openForReadingMigrated(path: string): Promise<Connection> {
  const db = openForReading(path);
  if (schemaVersion(db) === MIGRATIONS.length) return db;
  const dir = mkdtempSync(join(tmpdir(), "cairn-read-"));
  try {
    try {
      await copyDatabase(db, join(dir, "cairn.db"));
    } finally {
      db.close();
    }
    const copy = openDatabase(join(dir, "cairn.db"));
    copy.exec("PRAGMA query_only = ON");
    return removedOnClose(copy, dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `db`, whose `close` also removes the folder `dir` it lives in. */
function removedOnClose(db: Connection, dir: string): Connection {
  return {
    exec: (sql) => db.exec(sql),
    prepare: (sql) => db.prepare(sql),
    query: (sql) => db.query(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => {
      db.close(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Tables the first migration made: every Cairn database has them. */
const CAIRN_TABLES = ["meta", "teams", "guesses", "solves"];

/**
 * Why a database is not Cairn's (the tables it holds instead), or undefined
 * for a Cairn database, or a new one (no tables) for Cairn to fill. Cairn's
 * databases are told by `user_version` and the first migration's tables.
 */
function foreignTables(db: Connection): string | undefined {
  const tables = db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all().map((row) => row.name);
  const version = schemaVersion(db);
  // A newer Cairn's schema is its own to know: the "newer Cairn" refusal says what to do.
  if (version > MIGRATIONS.length) return undefined;
  const cairn = version === 0
    ? tables.length === 0
    : CAIRN_TABLES.every((table) => tables.includes(table));
  if (cairn) return undefined;
  if (tables.length === 0) return "it has no tables";
  return `it holds other tables: ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""}`;
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = "SQLite format 3\0";

/** Whether `path` is a file that starts with SQLite's header. */
export function isSqliteFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    return read === header.length && header.toString("latin1") === SQLITE_HEADER;
  } catch {
    // A folder, or a pipe (/dev/stdout), which cannot be read from its start: no database.
    return false;
  } finally {
    closeSync(fd);
  }
}

/** How many migrations the database has had (`PRAGMA user_version`). */
export function schemaVersion(db: Connection): number {
  return db.query<{ user_version: number }>("PRAGMA user_version").get()?.user_version ?? 0;
}

/**
 * Runs SQLite's quick integrity check. Returns undefined when the database is
 * sound, else the first problems it reports, joined on one line.
 */
export function quickCheck(db: Connection): string | undefined {
  const rows = db.query<{ quick_check: string }>("PRAGMA quick_check(5)").all();
  const problems = rows.map((row) => String(Object.values(row)[0]).replace(/\s*\n\s*/g, " "));
  return problems.length === 1 && problems[0] === "ok" ? undefined : problems.join("; ");
}

/**
 * Why the database cannot take a write now, or undefined when it can: a
 * commit has failed, the file or its folder (where the WAL lives) is not
 * writable, its disk is full, or the write lock cannot be taken at once (not probed with
 * `probeLock: false`, while this process's own commit thread holds it). It writes nothing
 * and syncs nothing, so it is cheap enough for every health check.
 */
export function writeProblem(
  db: Connection,
  options: { path?: string; failed?: boolean; probeLock?: boolean } = {},
): string | undefined {
  if (options.failed) return "A commit failed; the server must restart";
  if (options.path !== undefined) {
    try {
      accessSync(options.path, constants.W_OK);
      accessSync(dirname(options.path), constants.W_OK);
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === "ENOENT" ? "The database file is gone" : "The database file is read-only";
    }
    // A full disk is seen before a commit fails on it (which makes the server exit).
    const space = statfsSync(dirname(options.path));
    if (space.bavail * space.bsize < MIN_FREE_BYTES) return "The disk is full";
  }
  if (options.probeLock === false) return undefined;
  // Never wait here: a health check that blocks the event loop is worse than a 503.
  db.exec("PRAGMA busy_timeout = 0");
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec("ROLLBACK");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `The database cannot be locked for writing: ${message}`;
  } finally {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
  return undefined;
}

/** Applies the migrations not yet applied, each in its own transaction. */
export function migrate(db: Connection): void {
  const current = schemaVersion(db);
  if (current > MIGRATIONS.length) {
    throw new OutdatedError(
      `The database was written by a newer Cairn (schema ${current}; this one knows ${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    }).immediate();
  }
}

/** Reads a value from the `meta` table. */
export function getMeta(db: Connection, key: string): string | undefined {
  return db.query<{ value: string }>("SELECT value FROM meta WHERE key = ?").get(key)
    ?.value;
}

/** Writes a value to the `meta` table, durably. */
export function setMeta(db: Connection, key: string, value: string): void {
  db.query(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  )
    .run(key, value);
}
