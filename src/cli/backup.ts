import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  backupDatabase,
  copyFiles,
  type CopyResult,
  filesDirOf,
  missingFiles,
  type NamedFile,
  namedFiles,
  openForReading,
  pruneFiles,
} from "../store/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";
import { DEFAULT_DB } from "./serve.ts";

export const backupSpec: CommandSpec = {
  name: "backup",
  summary:
    "Write a consistent copy of the database and of its uploaded files, safe while the server runs.",
  usage: "cairn backup OUT [--db FILE] [--files DIR]",
  options: {
    db: { type: "string", value: "FILE", env: "CAIRN_DB", default: DEFAULT_DB, help: "Database" },
    files: {
      type: "string",
      value: "DIR",
      env: "CAIRN_FILES",
      help: "Where the mission uploads are, as for serve (default: beside the database file)",
    },
  },
  positionals: { min: 1, max: 1, names: "OUT" },
  notes: [
    "OUT is a file, replaced atomically if it exists, or an existing folder, which gets",
    "cairn-YYYYMMDD-HHMMSS.db. The copy is checked with SQLite's quick_check before it",
    "takes OUT's name; before that, the mission files the copy names go to OUT.files/ (files",
    "already there are kept, hard-linked from the newest earlier dated backup when OUT is a",
    "folder, and files the copy no longer names are removed). To restore: stop",
    "the server, copy the backup over the database file and OUT.files/ over the database's",
    "DB.files/ folder, delete the database's -wal and -shm files if any, and start the server.",
  ].join("\n"),
};

/** Copies the database into OUT while the server may be writing to it. */
export async function backup(values: Values, positionals: string[], io: Io): Promise<number> {
  const dbPath = resolve(values.db as string);
  const filesIn = values.files === undefined ? filesDirOf(dbPath) : resolve(values.files as string);
  let out = resolve(positionals[0]!);
  if (existsSync(out) && statSync(out).isDirectory()) out = join(out, `cairn-${stamp()}.db`);
  if (!existsSync(dirname(out))) {
    io.stderr(`backup: the folder ${dirname(out)} does not exist\n`);
    return EXIT.failure;
  }
  if (existsSync(out) && sameFile(out, dbPath)) {
    io.stderr(`backup: ${out} is the database itself; choose another file\n`);
    return EXIT.failure;
  }
  const started = performance.now();
  try {
    const db = openForReading(dbPath);
    try {
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

/** The UTC time as YYYYMMDD-HHMMSS, for backup file names that sort by date. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function count(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
