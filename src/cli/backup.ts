import { existsSync, lstatSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import {
  acquireLock,
  backupDatabase,
  copyFiles,
  type CopyResult,
  filesDirOf,
  isSqliteFile,
  type Lock,
  missingFiles,
  type NamedFile,
  namedFiles,
  openForReading,
  pruneFiles,
  removeCopy,
} from "../store/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, failureCode, type Io } from "./_io.ts";
import {
  databaseFileProblem,
  dbOption,
  folderProblem,
  isFolder,
  openFailure,
  parentProblem,
  sqliteFiles,
} from "./_paths.ts";

export const backupSpec: CommandSpec = {
  name: "backup",
  summary:
    "Write a consistent copy of the database and of its uploaded files, safe while the server runs.",
  usage: "cairn backup OUT [--db FILE] [--files DIR]",
  options: {
    db: dbOption("Database"),
    files: {
      type: "string",
      value: "DIR",
      env: "CAIRN_FILES",
      help: "Where the mission uploads are, as for serve (default: beside the database file)",
    },
  },
  positionals: { min: 1, max: 1, names: "OUT" },
  notes: [
    "OUT is a folder, which gets cairn-YYYYMMDD-HHMMSS.db: an existing one, or one ending in /,",
    "made if missing (its parent must exist). A dated name never replaces anything: when that",
    "second's name is taken (by a file or a .files folder), the copy is cairn-YYYYMMDD-HHMMSS-2.db,",
    "-3 and so on; a second backup into a folder while one is writing there is refused (the folder",
    "keeps .cairn-backup.lock for this). Any other OUT is a file, replaced atomically if it",
    "is an earlier backup; one that does not exist must have an extension (.db): a name without",
    "one is refused, as a folder not made yet. It refuses the database itself, its -wal, -shm,",
    "-journal and .lock files, and an existing file, not empty, that is not an SQLite database.",
    "The copy is checked with SQLite's quick_check before it takes OUT's name; before that, the",
    "mission files the copy names go to OUT.files/ (files already there are kept, hard-linked",
    "from the newest earlier dated backup when OUT is a folder, and files the copy no longer",
    "names are removed). To restore: stop the server, run `cairn restore` on the backup, and start",
    "the server. SQLite files only: back up PostgreSQL with pg_dump.",
  ].join("\n"),
};

const BACKUP_ON_POSTGRES = "back up a PostgreSQL database with pg_dump (docs/scale-out.md)";

/** Copies the database into OUT while the server may be writing to it. */
export async function backup(values: Values, positionals: string[], io: Io): Promise<number> {
  const files = sqliteFiles("backup", values, io, BACKUP_ON_POSTGRES);
  if (files === undefined) return EXIT.failure;
  const { dbPath, filesDir: filesIn } = files;
  const target = backupTarget(positionals[0]!, dbPath);
  if (target.kind === "refused") {
    io.stderr(`cairn backup: ${target.message}\n`);
    return EXIT.failure;
  }
  // The copy's mission files go to OUT.files/, before anything is written.
  const filesProblem = target.kind === "file" ? folderProblem(filesDirOf(target.out)) : undefined;
  if (filesProblem !== undefined) {
    io.stderr(`cairn backup: ${filesProblem}: the copy's mission files go there; move it away\n`);
    return EXIT.failure;
  }
  const started = performance.now();
  let lock: Lock | undefined;
  try {
    const db = openForReading(dbPath);
    try {
      let out: string;
      if (target.kind === "folder") {
        if (target.make) mkdirSync(target.folder);
        lock = folderLock(target.folder);
        removeDatedLeftovers(target.folder);
        out = datedName(target.folder, stamp(io.now?.() ?? Date.now()));
      } else {
        out = target.out;
      }
      // The files go first, beside the copy still under its temporary name: a file is on disk
      // before the submission naming it is committed and stored files never change, so every
      // file the copy names is there to copy, and OUT never names a file OUT.files lacks.
      const filesOut = filesDirOf(out);
      let files: NamedFile[] = [];
      let copied: CopyResult = { copied: 0, linked: 0, kept: 0, bytes: 0, missing: [] };
      const result = await backupDatabase(db, out, (copy) => {
        files = namedFiles(copy);
        // A hunt without uploads gets no empty folder beside each backup.
        if (files.length === 0 && !existsSync(filesOut)) return;
        copied = copyFiles(filesIn, filesOut, files, {
          name: (file) => file.hash,
          linkFrom: earlierFiles(dirname(out), filesOut),
        });
      });
      if (existsSync(filesOut)) pruneFiles(filesOut, new Set(files.map((file) => file.hash)));
      const ms = Math.round(performance.now() - started);
      const stored = files.length - copied.missing.length;
      const linked = copied.linked > 0 ? `, ${copied.linked} linked` : "";
      const also = files.length === 0
        ? ""
        : ` and ${count(stored, "file")} to ${filesOut} (${count(copied.copied, "new file")}, ${
          formatBytes(copied.bytes)
        }${linked})`;
      io.stdout(
        `cairn backup: wrote ${result.path} (${formatBytes(result.bytes)})${also} in ${ms} ms\n`,
      );
      if (copied.missing.length > 0) {
        io.stderr(`cairn backup: ${missingFiles(copied.missing, filesIn)}\n`);
        return EXIT.failure;
      }
    } finally {
      db.close();
    }
  } catch (error) {
    io.stderr(`cairn backup: ${openFailure(error, dbPath, false)}\n`);
    return failureCode(error);
  } finally {
    if (lock?.kind === "held") lock.release();
  }
  return EXIT.ok;
}

/**
 * Where a backup goes, from OUT: an existing folder, or a name ending in "/"
 * (a folder, made if missing), gets a dated file (named once the folder is
 * locked); any other name is the file itself, which must have an extension
 * when it does not exist (a name without one is taken for a folder not yet
 * made). Refuses the database and the files beside it, and an existing file,
 * not empty, that is not an SQLite database.
 */
function backupTarget(
  given: string,
  dbPath: string,
):
  | { kind: "file"; out: string }
  | { kind: "folder"; folder: string; make: boolean }
  | { kind: "refused"; message: string } {
  const path = resolve(given);
  const refused = (message: string) => ({ kind: "refused" as const, message });
  const asFolder = given.endsWith("/");
  if (existsSync(path)) {
    if (isFolder(path)) return { kind: "folder", folder: path, make: false };
    if (asFolder) return refused(`${path} is a file, not a folder`);
  } else {
    const parent = parentProblem(path);
    if (parent !== undefined) return refused(parent);
    if (asFolder) return { kind: "folder", folder: path, make: true };
    if (extname(path) === "") {
      return refused(
        `there is no folder ${path}: make it (mkdir ${path}) to write dated backups into it, ` +
          `or give a file name such as ${path}.db`,
      );
    }
  }
  const database = databaseFileProblem(path, dbPath);
  if (database !== undefined) return refused(database);
  if (existsSync(path) && statSync(path).size > 0 && !isSqliteFile(path)) {
    return refused(
      `${path} is not an SQLite database, and a backup replaces only an earlier backup; choose another file`,
    );
  }
  return { kind: "file", out: path };
}

/**
 * Takes the lock of dated backups in `folder` (`.cairn-backup.lock`, held as
 * the server holds its own, so the system drops it when the holder dies):
 * while it is held, no other backup picks a name or removes leftovers there.
 */
function folderLock(folder: string): Lock {
  const lock = acquireLock(join(folder, ".cairn-backup"));
  if (lock.kind === "busy") {
    throw new Error(
      `another backup is writing into ${folder}; run this one again once it has finished`,
    );
  }
  return lock;
}

/** A dated backup's name: cairn-STAMP.db, or cairn-STAMP-N.db (N from 2) when that second's was taken. */
const DATED = /^cairn-(\d{8}-\d{6})(?:-([1-9]\d*))?\.db$/;

/**
 * The first free dated name in `folder` for `stamp`: cairn-STAMP.db, then
 * cairn-STAMP-2.db, -3 and so on, skipping any name that a file, a folder or a
 * symlink (even a dangling one), or the name's .files folder, already has.
 */
function datedName(folder: string, stamp: string): string {
  for (let n = 1;; n++) {
    const out = join(folder, n === 1 ? `cairn-${stamp}.db` : `cairn-${stamp}-${n}.db`);
    if (!taken(out) && !taken(filesDirOf(out))) return out;
  }
}

function taken(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The files folder of the newest earlier dated backup in `folder`, to hard-link
 * unchanged files from, or undefined.
 */
function earlierFiles(folder: string, current: string): string | undefined {
  let newest: { path: string; key: [string, number] } | undefined;
  for (const name of readdirSync(folder)) {
    const match = name.endsWith(".files") ? DATED.exec(name.slice(0, -".files".length)) : null;
    const path = join(folder, name);
    if (match === null || path === current) continue;
    // By time, then by the suffix a name taken in the same second got.
    const key: [string, number] = [match[1]!, Number(match[2] ?? 1)];
    if (newest === undefined || compareKeys(key, newest.key) > 0) newest = { path, key };
  }
  return newest?.path;
}

/** The newest dated backup in `folder` (cairn-YYYYMMDD-HHMMSS.db), or undefined. */
export function newestBackup(folder: string): string | undefined {
  let newest: { name: string; key: [string, number] } | undefined;
  for (const name of readdirSync(folder)) {
    const match = DATED.exec(name);
    if (match === null) continue;
    const key: [string, number] = [match[1]!, Number(match[2] ?? 1)];
    if (newest === undefined || compareKeys(key, newest.key) > 0) newest = { name, key };
  }
  return newest === undefined ? undefined : join(folder, newest.name);
}

function compareKeys(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}

/**
 * Removes the temporary copies that dated backups killed before they finished
 * (SIGTERM, SIGKILL) left in `folder`: each had a name of its own, so no later
 * backup replaces it. Called with the folder's lock held, so none is a running
 * backup's.
 */
function removeDatedLeftovers(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (name.startsWith(".") && name.endsWith(".tmp") && DATED.test(name.slice(1, -4))) {
      removeCopy(join(folder, name));
    }
  }
}

/** The UTC time `ms` as YYYYMMDD-HHMMSS, for backup file names that sort by date. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

function count(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
