/**
 * `cairn restore BACKUP`: puts a backup in place of the database, the server
 * stopped, in one step. The backup is checked, copied beside the database
 * (fsynced, checked again, given the folder's owner), and its uploads copied
 * into the uploads folder, before anything of the database changes. The
 * database it replaces (with its -wal and -shm) and its uploads are kept as
 * hard links in a dated `before-restore` folder; then the old -wal and -shm go
 * and the copy takes the database's name, one rename, and the folder is
 * fsynced. The command holds the database's lock throughout, so no server
 * starts meanwhile.
 */
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import {
  acquireLock,
  backupDatabase,
  type Connection,
  filesDirOf,
  isSqliteFile,
  type Lock,
  missingFiles,
  type NamedFile,
  namedFiles,
  openForReading,
  OutdatedError,
  quickCheck,
  syncPath,
} from "../store/mod.ts";
import type { CommandSpec, Sources, Values } from "./_args.ts";
import { EXIT, failureCode, type Io } from "./_io.ts";
import {
  accessProblem,
  databaseFileProblem,
  dbOption,
  folderProblem,
  isFolder,
  parentProblem,
  sqliteFiles,
} from "./_paths.ts";
import { newestBackup, stamp } from "./backup.ts";
import { writeFiles } from "./_write.ts";

export const restoreSpec: CommandSpec = {
  name: "restore",
  summary:
    "Put a backup in place of the database, the server stopped, keeping the database it replaces.",
  usage: "cairn restore BACKUP [--db FILE] [--files DIR]",
  options: {
    db: dbOption("Database to replace"),
    files: {
      type: "string",
      value: "DIR",
      env: "CAIRN_FILES",
      help:
        "Where the server keeps the mission uploads, as for serve (default: beside the database file)",
    },
  },
  positionals: { min: 1, max: 1, names: "BACKUP" },
  notes: [
    "Stop the server first: restore refuses while one runs on the database, and holds the",
    "database's lock while it works, so that none starts meanwhile. BACKUP is a file that",
    "`cairn backup` wrote (or a database a restore kept); it must be a Cairn database that passes",
    "SQLite's quick_check, and not one a newer Cairn wrote (that exits 3). It is copied beside the",
    "database and checked, and the uploads it names are copied from BACKUP.files/ into the",
    "uploads folder, before the database changes. The database it replaces, with its -wal and",
    "-shm files and its uploads, is kept in DB.before-restore-YYYYMMDD-HHMMSS/ (hard links, no",
    "extra space): to undo, restore DB.before-restore-…/cairn.db the same way. The restored",
    "database gets the owner of its folder, and mode 0600. Stopped before the swap, a restore",
    "leaves the database as it was; stopped during it (a power cut), it leaves DB.restoring,",
    "and the server refuses to start until a restore is run again. Then start the server.",
    "With no database there yet (a new machine), it restores into a new file, in a folder that",
    "exists: a --db or CAIRN_DB whose folder does not is refused (the default's folder is made).",
    "SQLite files only: restore PostgreSQL with pg_restore (docs/scale-out.md).",
  ].join("\n"),
};

/** What a restore did, for its report. */
interface Restored {
  teams: number;
  guesses: number;
  lastGuessAt: number | null;
  /** The folder the replaced database was kept in, or undefined when there was none. */
  kept: string | undefined;
  files: number;
  copied: number;
  missing: string[];
}

/**
 * The file a restore writes beside the database while it replaces it (from
 * the removal of the old -wal to the rename of the copy), holding the path of
 * the database it kept: a server does not start while it is there.
 */
function restoreMarker(dbPath: string): string {
  return `${dbPath}.restoring`;
}

/**
 * Why a server cannot start on `dbPath`: a restore stopped (killed, a power
 * cut) while it replaced the database, which may then be neither the old one
 * nor the backup. Undefined when none did.
 */
export function unfinishedRestore(dbPath: string): string | undefined {
  const marker = restoreMarker(dbPath);
  if (!existsSync(marker)) return undefined;
  const kept = readKept(marker);
  return `a restore of ${dbPath} did not finish: run the same cairn restore again` +
    (kept === undefined ? "" : `, or put back the database it replaced: cairn restore ${kept}`);
}

/** The kept database a marker names, or undefined when it cannot be read. */
function readKept(marker: string): string | undefined {
  try {
    return readFileSync(marker, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

const RESTORE_ON_POSTGRES = "restore a PostgreSQL database with pg_restore (docs/scale-out.md)";

/** Replaces the database with a backup, the server stopped, keeping the one it replaces. */
export async function restore(
  values: Values,
  positionals: string[],
  io: Io,
  sources: Sources = {},
): Promise<number> {
  const files = sqliteFiles("restore", values, io, RESTORE_ON_POSTGRES);
  if (files === undefined) return EXIT.failure;
  const { dbPath, filesDir } = files;
  const backupPath = resolve(positionals[0]!);
  const problem = backupProblem(backupPath, dbPath) ??
    databaseProblem(dbPath, sources.db) ?? uploadsProblem(filesDir);
  if (problem !== undefined) {
    io.stderr(`cairn restore: ${problem}\n`);
    return EXIT.failure;
  }
  let lock: Lock | undefined;
  let source: Connection | undefined;
  let ok = false;
  try {
    // Checked before anything is made beside the database: a refused backup changes nothing.
    source = openBackup(backupPath);
    // As serve makes it: its user's only, as the database holds the teams' password hashes.
    mkdirSync(dirname(dbPath), { recursive: true, mode: 0o700 });
    lock = takeLock(dbPath);
    if (lock.kind === "busy") {
      io.stderr(
        `cairn restore: a Cairn server is running on ${dbPath}; stop it first (systemctl stop cairn), ` +
          "then run this again\n",
      );
      return EXIT.failure;
    }
    const earlier = existsSync(restoreMarker(dbPath))
      ? readKept(restoreMarker(dbPath)) ?? "unknown"
      : undefined;
    const done = await restoreFrom(
      source,
      { backupPath, dbPath, filesDir },
      io.now?.() ?? Date.now(),
    );
    ok = true;
    if (earlier !== undefined) {
      io.stdout(
        `cairn restore: an earlier restore did not finish; the database it replaced is ${earlier}\n`,
      );
    }
    io.stdout(report(done, { backupPath, dbPath, filesDir, custom: values.files !== undefined }));
    if (done.missing.length > 0) {
      io.stderr(
        `cairn restore: ${
          missingFiles(done.missing, filesDirOf(backupPath))
        } (nor in ${filesDir}); ` +
          "the database is restored, and their submissions have no file\n",
      );
      return EXIT.failure;
    }
  } catch (error) {
    io.stderr(`cairn restore: ${error instanceof Error ? error.message : String(error)}\n`);
    return failureCode(error);
  } finally {
    source?.close();
    // A lock file this restore made is removed when nothing was restored.
    if (lock?.kind === "held") {
      if (ok) lock.release();
      else lock.abandon();
    }
  }
  return EXIT.ok;
}

/** Why `backup` cannot be restored onto the database at `dbPath`, or undefined. */
function backupProblem(backup: string, dbPath: string): string | undefined {
  if (!existsSync(backup)) return `there is no backup at ${backup}`;
  if (isFolder(backup)) {
    const newest = newestBackup(backup);
    return `${backup} is a folder; give one of its backups` +
      (newest === undefined ? "" : `, such as the newest, ${newest}`);
  }
  if (databaseFileProblem(backup, dbPath) !== undefined || sameFile(backup, dbPath)) {
    return `${backup} is the database restore would replace, or a file beside it; give a backup of it`;
  }
  return undefined;
}

/**
 * Why the database at `dbPath` is no database a restore replaces, or undefined. A new file is
 * fine (a new machine), but only in a folder that exists when the path was given (`source`, the
 * flag or variable): a typo there would restore where no server serves from. The default's
 * folder is made, as serve makes it.
 */
function databaseProblem(dbPath: string, source: string | undefined): string | undefined {
  if (!existsSync(dbPath)) {
    const problem = source === undefined ? undefined : parentProblem(dbPath);
    return problem === undefined
      ? undefined
      : `${problem}, so there is no database at ${dbPath} to replace; check ${source}, ` +
        `or make the folder first (mkdir -p ${dirname(dbPath)})`;
  }
  if (isFolder(dbPath)) return `${dbPath} is a folder, not a database file`;
  // A file this user may not read is not known to be no database: the restore replaces it.
  const access = accessProblem(dbPath, true);
  if (access !== undefined) return `cannot replace the database ${dbPath}: ${access}`;
  if (statSync(dbPath).size > 0 && !isSqliteFile(dbPath)) {
    return `${dbPath} is not an SQLite database, so not one a restore replaces; check --db (or CAIRN_DB)`;
  }
  return undefined;
}

/** Why the uploads folder `filesDir` cannot be one, or undefined. */
function uploadsProblem(filesDir: string): string | undefined {
  const problem = folderProblem(filesDir);
  return problem === undefined
    ? undefined
    : `${problem}: the uploads go there; check --files (or CAIRN_FILES)`;
}

/** Whether two paths name the same file (hard links included). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/**
 * Takes the database's single-instance lock, as the server does. A lock file
 * it makes gets the folder's owner: made by root beside a service, the
 * service's user could not open it, and its server would not start.
 */
function takeLock(dbPath: string): Lock {
  const path = `${dbPath}.lock`;
  const made = !existsSync(path);
  const lock = acquireLock(dbPath);
  if (lock.kind === "held" && made) give(path, statSync(dirname(dbPath)));
  return lock;
}

/** Opens the backup for reading, with a message that names it when it cannot be restored. */
function openBackup(path: string): Connection {
  let db: Connection;
  try {
    db = openForReading(path);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof OutdatedError) {
      throw new OutdatedError(
        `${message.replace(/^The database/, path)}: restore it with that Cairn, or a newer one`,
      );
    }
    if (/malformed/.test(message)) {
      throw new Error(`${path} fails its integrity check (${message}); choose another backup`);
    }
    if (/unable to open/.test(message)) {
      throw new Error(
        `cannot read ${path} (${message}); run restore as a user who can, such as the backup's owner`,
      );
    }
    if (/not a Cairn database/.test(message)) {
      throw new Error(`${message}; give a file that cairn backup wrote`);
    }
    throw error;
  }
  try {
    const problem = quickCheck(db);
    if (problem !== undefined) {
      throw new Error(`${path} fails its integrity check (${problem}); choose another backup`);
    }
  } catch (error) {
    db.close();
    const message = error instanceof Error ? error.message : String(error);
    if (/malformed/.test(message) && !message.startsWith(path)) {
      throw new Error(`${path} fails its integrity check (${message}); choose another backup`);
    }
    throw error;
  }
  return db;
}

/**
 * The restore itself, with the lock held: the checked copy takes the
 * database's name only once its uploads are in place and the database it
 * replaces is kept. A failure before that leaves the database as it was, and
 * removes what this restore made.
 */
async function restoreFrom(
  source: Connection,
  where: { backupPath: string; dbPath: string; filesDir: string },
  now: number,
): Promise<Restored> {
  const { backupPath, dbPath, filesDir } = where;
  // A database that is a symlink stays one: the file it points to is replaced.
  const db = lstatSync(dbPath, { throwIfNoEntry: false })?.isSymbolicLink()
    ? realpathSync(dbPath)
    : dbPath;
  let restored: Restored | undefined;
  let kept: string | undefined;
  let swapping = false;
  try {
    await backupDatabase(source, db, (copy, temp) => {
      // The service's user must be able to open it: the folder's owner, for it alone.
      give(temp, statSync(dirname(db)), 0o600);
      syncPath(temp);
      const summary = summarize(copy);
      // The uploads first, the long part: stopped there, a restore leaves the database as it was.
      const files = namedFiles(copy);
      const put = putFiles(files, filesDirOf(backupPath), filesDir);
      kept = keep(db, filesDir, now);
      // From here until the copy has the database's name, the database is neither the old one
      // nor the backup: the marker stops a server from starting on it if this restore stops.
      swapping = true;
      writeMarker(dbPath, kept === undefined ? "" : join(kept, basename(db)));
      // The old -wal and -shm belong to the database kept: SQLite would apply them to the copy.
      for (const suffix of SQLITE_FILES) rmSync(db + suffix, { force: true });
      restored = { ...summary, kept, files: files.length, ...put };
    });
    rmSync(restoreMarker(dbPath), { force: true });
    syncPath(dirname(dbPath));
  } catch (error) {
    if (kept !== undefined && !swapping) rmSync(kept, { recursive: true, force: true });
    if (kept !== undefined && swapping) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `${message}; the database before the restore is kept in ${kept}: restore ${
          join(kept, basename(db))
        } to put it back`,
      );
    }
    throw error;
  }
  return restored!;
}

/** Writes the marker of a restore under way (synced), for the folder's owner. */
function writeMarker(dbPath: string, kept: string): void {
  const marker = restoreMarker(dbPath);
  writeFiles([[marker, `${kept}\n`, 0o600]]);
  give(marker, statSync(dirname(dbPath)));
}

/** What SQLite keeps beside a database, which belongs to that database only. */
const SQLITE_FILES = ["-wal", "-shm", "-journal"] as const;

/** The teams, the guesses and the time of the last guess a database holds. */
function summarize(db: Connection): Pick<Restored, "teams" | "guesses" | "lastGuessAt"> {
  const teams = db.query<{ n: number }>("SELECT count(*) AS n FROM teams").get()?.n ?? 0;
  const guesses = db.query<{ n: number; last: number | null }>(
    "SELECT count(*) AS n, max(at) AS last FROM guesses",
  ).get();
  return { teams, guesses: guesses?.n ?? 0, lastGuessAt: guesses?.last ?? null };
}

/**
 * Keeps the database at `db` (with its -wal, -shm and uploads) in a dated
 * folder beside it, `DB.before-restore-YYYYMMDD-HHMMSS`, as hard links (a copy
 * where the file system has none): the folder is a database a restore can put
 * back. Undefined when there is no database to keep.
 */
function keep(db: string, filesDir: string, now: number): string | undefined {
  if (!existsSync(db)) return undefined;
  removeUnfinished(db);
  const folder = freeName(`${db}.before-restore-${stamp(now)}`);
  mkdirSync(folder, { mode: 0o700 });
  give(folder, statSync(dirname(db)));
  for (const suffix of ["", ...SQLITE_FILES]) {
    if (existsSync(db + suffix)) linkOrCopy(db + suffix, join(folder, basename(db) + suffix));
  }
  if (isFolder(filesDir)) {
    const files = filesDirOf(join(folder, basename(db)));
    mkdirSync(files, { mode: 0o700 });
    give(files, statSync(filesDir));
    for (const name of readdirSync(filesDir)) {
      if (HASH.test(name)) linkOrCopy(join(filesDir, name), join(files, name));
    }
    syncPath(files);
  }
  syncPath(folder);
  syncPath(dirname(folder));
  return folder;
}

/**
 * Removes the folders a restore stopped before its end (killed, or failed on
 * a full disk) kept: their database is still the one in place, the same file
 * (hard links), so they keep nothing.
 */
function removeUnfinished(db: string): void {
  const prefix = `${basename(db)}.before-restore-`;
  for (const name of readdirSync(dirname(db))) {
    const folder = join(dirname(db), name);
    // Only while every file it kept is still the one in place: one that stopped after removing
    // the old -wal holds the only copy of it.
    const same = ["", ...SQLITE_FILES].every((suffix) => {
      const kept = join(folder, basename(db) + suffix);
      return !existsSync(kept) || sameFile(kept, db + suffix);
    });
    if (name.startsWith(prefix) && sameFile(join(folder, basename(db)), db) && same) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

/** How a stored upload is named: the SHA-256 of its bytes. */
const HASH = /^[0-9a-f]{64}$/;

/**
 * Copies into `to` the uploads of `files` it lacks, from `from`: each under a
 * temporary name, given the folder's owner, fsynced, then renamed. Files
 * already there are kept (a name is its content's hash); what the restored
 * database does not name, the server removes at its next start.
 */
function putFiles(
  files: readonly NamedFile[],
  from: string,
  to: string,
): { copied: number; missing: string[] } {
  const missing: string[] = [];
  let copied = 0;
  if (files.length === 0) return { copied, missing };
  if (!existsSync(to)) {
    mkdirSync(to, { recursive: true, mode: 0o700 });
    give(to, statSync(dirname(to)));
  }
  const owner = statSync(to);
  for (const { hash } of files) {
    if (!HASH.test(hash) || isFile(join(to, hash))) continue;
    if (!isFile(join(from, hash))) {
      missing.push(hash);
      continue;
    }
    // Named as the server's own uploads in progress, which it removes at start if left.
    const temp = join(to, `.upload-restore-${hash}`);
    rmSync(temp, { force: true });
    try {
      copyFileSync(join(from, hash), temp);
      give(temp, owner, 0o600);
      syncPath(temp);
      renameSync(temp, join(to, hash));
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    copied++;
  }
  syncPath(to);
  return { copied, missing };
}

/** Hard-links `from` as `to`, or copies it (owner and mode kept) where links are refused. */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
    give(to, statSync(from), statSync(from).mode & 0o7777);
    syncPath(to);
  }
}

/**
 * Gives `path` the owner of `like` (only root may; anyone else's file stays
 * theirs, as a new one would be) and, when given, `mode`.
 */
function give(path: string, like: Stats, mode?: number): void {
  if (mode !== undefined) chmodSync(path, mode);
  try {
    chownSync(path, like.uid, like.gid);
  } catch {
    // Not root: the file is its writer's.
  }
}

/** `base`, or `base-2`, `-3`… when something is there already. */
function freeName(base: string): string {
  for (let n = 1;; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (lstatSync(name, { throwIfNoEntry: false }) === undefined) return name;
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The lines a restore prints: what was kept and how to undo it, what is now in place. */
function report(
  done: Restored,
  where: { backupPath: string; dbPath: string; filesDir: string; custom: boolean },
): string {
  const lines: string[] = [];
  const { backupPath, dbPath, filesDir } = where;
  if (done.kept !== undefined) {
    const undo = `cairn restore ${join(done.kept, basename(dbPath))} --db ${dbPath}` +
      (where.custom ? ` --files ${filesDir}` : "");
    lines.push(
      `cairn restore: the database it replaces is kept in ${done.kept} (to undo: ${undo})`,
    );
  }
  const last = done.lastGuessAt === null
    ? "no guesses"
    : `${count(done.guesses, "guess", "guesses")}, the last at ${
      new Date(done.lastGuessAt).toISOString()
    }`;
  const files = done.files === 0
    ? ""
    : `; ${
      count(done.files - done.missing.length, "uploaded file")
    } in ${filesDir} (${done.copied} copied)`;
  // A new file is said so in words: a path typed wrong is a database no server serves from.
  const into = done.kept === undefined
    ? `into a new database at ${dbPath} (there was none)`
    : dbPath;
  lines.push(
    `cairn restore: restored ${into} from ${backupPath}: ${
      count(done.teams, "team")
    }, ${last}${files}`,
  );
  // At a venue the server is as often a cairn serve in a terminal as a service.
  const serve = `cairn serve --db ${dbPath}` + (where.custom ? ` --files ${filesDir}` : "");
  lines.push(
    done.kept === undefined
      ? `cairn restore: start the server on it: ${serve} (with your --hunt), or a service whose ` +
        `CAIRN_DB is ${dbPath}`
      : `cairn restore: start the server now, as before: ${serve} (with your --hunt), ` +
        "or systemctl start cairn",
  );
  return lines.join("\n") + "\n";
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
