/**
 * Durable state in `bun:sqlite`: the embedded migrations, the group-commit
 * writer, loading the engine's state at boot, and the single-instance lock.
 */
export {
  getMeta,
  migrate,
  openDatabase,
  openForReading,
  quickCheck,
  schemaVersion,
  setMeta,
  writeProblem,
} from "./db.ts";
export { openGame, reloadGame } from "./game.ts";
export type { Game, OpenGame, OpenGameOptions, ReloadOutcome, ReloadSummary } from "./game.ts";
export {
  hasScoring,
  readResults,
  RESULT_COLUMNS,
  RESULT_TABLES,
  saveScoring,
  toCsv,
} from "./export.ts";
export type { Results, ResultTable } from "./export.ts";
export { loadSnapshot } from "./load.ts";
export { acquireLock } from "./lock.ts";
export type { Lock } from "./lock.ts";
export { MIGRATIONS } from "./migrations.ts";
export { CommitError, Writer } from "./writer.ts";
export type { BatchStats, WriterOptions } from "./writer.ts";
export { backupDatabase } from "./backup.ts";
export type { BackupResult } from "./backup.ts";
