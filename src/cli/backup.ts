import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { backupDatabase, openForReading } from "../store/mod.ts";
import type { CommandSpec, Values } from "./_args.ts";
import { EXIT, type Io } from "./_io.ts";
import { DEFAULT_DB } from "./serve.ts";

export const backupSpec: CommandSpec = {
  name: "backup",
  summary: "Write a consistent copy of the database, safe while the server runs.",
  usage: "cairn backup OUT [--db FILE]",
  options: {
    db: { type: "string", value: "FILE", env: "CAIRN_DB", default: DEFAULT_DB, help: "Database" },
  },
  positionals: { min: 1, max: 1, names: "OUT" },
  notes: [
    "OUT is a file, replaced atomically if it exists, or an existing folder, which gets",
    "cairn-YYYYMMDD-HHMMSS.db. The copy is checked with SQLite's quick_check before it",
    "takes OUT's name. To restore: stop the server, copy the backup over the database",
    "file, delete the database's -wal and -shm files if any, and start the server.",
  ].join("\n"),
};

/** Copies the database into OUT while the server may be writing to it. */
export async function backup(values: Values, positionals: string[], io: Io): Promise<number> {
  const dbPath = resolve(values.db as string);
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
      const result = await backupDatabase(db, out);
      const ms = Math.round(performance.now() - started);
      io.stdout(`backup: wrote ${result.path} (${formatBytes(result.bytes)}) in ${ms} ms\n`);
    } finally {
      db.close();
    }
  } catch (error) {
    io.stderr(`backup: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
  return EXIT.ok;
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

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
