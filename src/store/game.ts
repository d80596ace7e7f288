import type { Database } from "bun:sqlite";
import { type Clock, Engine, type Hunt } from "../engine/mod.ts";
import { getMeta, openDatabase, setMeta } from "./db.ts";
import { loadSnapshot } from "./load.ts";
import { acquireLock } from "./lock.ts";
import { type BatchStats, Writer } from "./writer.ts";

/** A running game: the engine, and the database that makes it durable. */
export interface Game {
  db: Database;
  engine: Engine;
  writer: Writer;
  /** How long loading the state took, in ms. */
  loadMs: number;
  /** Commits what is queued, and releases the database and its lock. */
  close(): void;
}

export type OpenGame = { kind: "ok"; game: Game } | { kind: "locked" };

export interface OpenGameOptions {
  dbPath: string;
  hunt: Hunt;
  clock: Clock;
  onBatch?: (stats: BatchStats) => void;
  onFailure?: (error: Error) => void;
}

/**
 * Opens the game on a database: takes the single-instance lock, migrates,
 * records the hunt's start the first time (when the file sets none, so a
 * restart does not reset it), and rebuilds the engine from what is stored.
 */
export function openGame(options: OpenGameOptions): OpenGame {
  const lock = acquireLock(options.dbPath);
  if (lock.kind === "busy") return { kind: "locked" };
  let db: Database | undefined;
  try {
    db = openDatabase(options.dbPath);
    let startsAt = Number(getMeta(db, "hunt_started_at") ?? NaN);
    if (Number.isNaN(startsAt)) {
      startsAt = options.clock.now();
      setMeta(db, "hunt_started_at", String(startsAt));
    }
    const started = performance.now();
    const engine = new Engine(options.hunt, { clock: options.clock, startsAt });
    engine.restore(
      loadSnapshot(db, { now: options.clock.now(), longestWindowMs: engine.longestGuessWindow() }),
    );
    // Unlocks that came due while the server was down are recorded now.
    const { writes } = engine.tick();
    const writer = new Writer(db, {
      ...(options.onBatch && { onBatch: options.onBatch }),
      ...(options.onFailure && { onFailure: options.onFailure }),
    });
    if (writes.length > 0) {
      void writer.commit(writes).catch(() => {});
      writer.flush();
    }
    const loadMs = performance.now() - started;
    const opened = db;
    return {
      kind: "ok",
      game: {
        db: opened,
        engine,
        writer,
        loadMs,
        close: () => {
          writer.flush();
          opened.close();
          lock.release();
        },
      },
    };
  } catch (error) {
    db?.close();
    lock.release();
    throw error;
  }
}
