import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import {
  backupDatabase,
  copyFiles,
  type CopyResult,
  filesDirOf,
  isSqliteFile,
  missingFiles,
  type NamedFile,
  namedFiles,
  openForReading,
  pruneFiles,
  removeCopy,
} from "../store/mod.ts";
import { isPostgresUrl } from "../store/pg.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";
import { databaseFileProblem, dbOption, isFolder, parentProblem } from "./_paths.ts";

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
    "made if missing (its parent must exist). Any other OUT is a file, replaced atomically if it",
    "is an earlier backup; one that does not exist must have an extension (.db): a name without",
    "one is refused, as a folder not made yet. It refuses the database itself, its -wal, -shm,",
    "-journal and .lock files, and an existing file, not empty, that is not an SQLite database.",
    "The copy is checked with SQLite's quick_check before it takes OUT's name; before that, the",
    "mission files the copy names go to OUT.files/ (files already there are kept, hard-linked",
    "from the newest earlier dated backup when OUT is a folder, and files the copy no longer",
    "names are removed). To restore: stop the server, copy the backup over the database file and",
    "OUT.files/ over the database's DB.files/ folder, delete the database's -wal and -shm files",
    "if any, and start the server. SQLite files only: back up PostgreSQL with pg_dump.",
  ].join("\n"),
};

/** Copies the database into OUT while the server may be writing to it. */
export async function backup(values: Values, positionals: string[], io: Io): Promise<number> {
  if (isPostgresUrl(values.db as string)) {
    io.stderr(
      "backup: works on SQLite files only; back up a PostgreSQL database with pg_dump (docs/scale-out.md)\n",
    );
    return EXIT.failure;
  }
  const dbPath = resolve(values.db as string);
  const filesIn = values.files === undefined ? filesDirOf(dbPath) : resolve(values.files as string);
  const target = backupTarget(positionals[0]!, dbPath);
  if (target.kind === "refused") {
    io.stderr(`backup: ${target.message}\n`);
    return EXIT.failure;
  }
  const { out, makeFolder, dated } = target;
  const started = performance.now();
  try {
    const db = openForReading(dbPath);
    try {
      if (makeFolder !== undefined) mkdirSync(makeFolder);
      if (dated) removeDatedLeftovers(dirname(out));
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
        `backup: wrote ${result.path} (${formatBytes(result.bytes)})${also} in ${ms} ms\n`,
      );
      if (copied.missing.length > 0) {
        io.stderr(`backup: ${missingFiles(copied.missing, filesIn)}\n`);
        return EXIT.failure;
      }
    } finally {
      db.close();
    }
  } catch (error) {
    io.stderr(`backup: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

/**
 * The file a backup goes to, from OUT: an existing folder, or a name ending in
 * "/" (a folder, made if missing), gets a dated file; any other name is the
 * file itself, which must have an extension when it does not exist (a name
 * without one is taken for a folder not yet made). Refuses the database and the
 * files beside it, and an existing file, not empty, that is not an SQLite database.
 */
function backupTarget(
  given: string,
  dbPath: string,
):
  | { kind: "ok"; out: string; makeFolder?: string; dated: boolean }
  | { kind: "refused"; message: string } {
  const path = resolve(given);
  const refused = (message: string) => ({ kind: "refused" as const, message });
  const asFolder = given.endsWith("/");
  let out = path;
  let makeFolder: string | undefined;
  if (existsSync(path)) {
    if (isFolder(path)) out = join(path, `cairn-${stamp()}.db`);
    else if (asFolder) return refused(`${path} is a file, not a folder`);
  } else {
    const parent = parentProblem(path);
    if (parent !== undefined) return refused(parent);
    if (asFolder) {
      makeFolder = path;
      out = join(path, `cairn-${stamp()}.db`);
    } else if (extname(path) === "") {
      return refused(
        `there is no folder ${path}: make it (mkdir ${path}) to write dated backups into it, ` +
          `or give a file name such as ${path}.db`,
      );
    }
  }
  const database = databaseFileProblem(out, dbPath);
  if (database !== undefined) return refused(database);
  if (existsSync(out) && statSync(out).size > 0 && !isSqliteFile(out)) {
    return refused(
      `${out} is not an SQLite database, and a backup replaces only an earlier backup; choose another file`,
    );
  }
  return {
    kind: "ok",
    out,
    dated: out !== path,
    ...(makeFolder !== undefined && { makeFolder }),
  };
}

/**
 * The files folder of the newest earlier dated backup in `folder`, to hard-link
 * unchanged files from, or undefined.
 */
function earlierFiles(folder: string, current: string): string | undefined {
  const earlier = readdirSync(folder)
    .filter((name) => /^cairn-\d{8}-\d{6}\.db\.files$/.test(name))
    .map((name) => join(folder, name))
    .filter((path) => path !== current)
    .sort();
  return earlier.at(-1);
}

/**
 * Removes the temporary copies that dated backups killed before they finished
 * (SIGTERM, SIGKILL) left in `folder`: each had a name of its own, so no later
 * backup replaces it.
 */
function removeDatedLeftovers(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (/^\.cairn-\d{8}-\d{6}\.db\.tmp$/.test(name)) removeCopy(join(folder, name));
  }
}

/** The UTC time as YYYYMMDD-HHMMSS, for backup file names that sort by date. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

function count(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
