/**
 * Durable state. `Store` is the one door to the database: every read and
 * write of a running server goes through it. `SqliteStore` implements it
 * (the embedded migrations, the group-commit writer, the single-instance
 * lock) over `bun:sqlite` on Bun and `node:sqlite` on Deno, through the small
 * connection interface of driver.ts. The file-level helpers below serve the
 * commands that read a database directly (`backup`, `export`).
 */
export type {
  Announcement,
  BatchStats,
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
export {
  copyFiles,
  exportName,
  filesByTeam,
  filesDirOf,
  FileStore,
  MISSING_LIST,
  missingFiles,
  namedFiles,
  pruneFiles,
  teamFilePaths,
} from "./files.ts";
export type { CopyResult, NamedFile, SubmissionFile, TeamFileRow } from "./files.ts";
export { SqliteStore } from "./sqlite.ts";
export type { OpenStore } from "./sqlite.ts";
export {
  damaged,
  getMeta,
  isSqliteFile,
  migrate,
  openDatabase,
  openForReading,
  openForReadingMigrated,
  quickCheck,
  schemaVersion,
  setMeta,
  writeProblem,
} from "./db.ts";
export {
  csvHeader,
  csvLines,
  hasScoring,
  readResults,
  RESULT_COLUMNS,
  RESULT_TABLES,
  saveScoring,
  toCsv,
} from "./export.ts";
export type { Results, ResultTable } from "./export.ts";
export { openConnection } from "./driver.ts";
export type { Connection, Statement } from "./driver.ts";
export { loadSnapshot } from "./load.ts";
export { readSolvePoints } from "./scoring.ts";
export { acquireLock } from "./lock.ts";
export type { Lock } from "./lock.ts";
export { MIGRATIONS } from "./migrations.ts";
export { CommitError, walFile, Writer } from "./writer.ts";
export { OutdatedError } from "./outdated.ts";
export type { Committer, WalFile, WriterOptions } from "./writer.ts";
export { backupDatabase, removeCopy } from "./backup.ts";
export { DiskFile, diskFileOf, fileResponse, readRange } from "./disk_file.ts";
export { syncPath } from "./sync_path.ts";
export type { BackupResult } from "./backup.ts";
