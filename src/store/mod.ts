/**
 * Durable state in `bun:sqlite`: the embedded migrations, the group-commit
 * writer, loading the engine's state at boot, and the single-instance lock.
 */
export { getMeta, migrate, openDatabase, setMeta } from "./db.ts";
export { openGame, reloadGame } from "./game.ts";
export type { Game, OpenGame, OpenGameOptions, ReloadOutcome, ReloadSummary } from "./game.ts";
export { loadSnapshot } from "./load.ts";
export { acquireLock } from "./lock.ts";
export type { Lock } from "./lock.ts";
export { MIGRATIONS } from "./migrations.ts";
export { CommitError, Writer } from "./writer.ts";
export type { BatchStats, WriterOptions } from "./writer.ts";
