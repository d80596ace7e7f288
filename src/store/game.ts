import type { Database } from "bun:sqlite";
import { type Clock, Engine, type Hunt, type Write } from "../engine/mod.ts";
import { getMeta, openDatabase, setMeta } from "./db.ts";
import { saveScoring } from "./export.ts";
import { loadSnapshot } from "./load.ts";
import { acquireLock } from "./lock.ts";
import { type BatchStats, Writer } from "./writer.ts";

/** A running game: the engine, and the database that makes it durable. */
export interface Game {
  db: Database;
  /** Replaced by `reloadGame`. */
  engine: Engine;
  writer: Writer;
  /** How long loading the state took, in ms. */
  loadMs: number;
  /** How long opening the database took, its quick_check and migrations included, in ms. */
  checkMs?: number;
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
    // A damaged file is refused (quick_check) before anything is played on it.
    const checkStarted = performance.now();
    db = openDatabase(options.dbPath, { check: true });
    const checkMs = performance.now() - checkStarted;
    let startsAt = Number(getMeta(db, "hunt_started_at") ?? NaN);
    if (Number.isNaN(startsAt)) {
      startsAt = options.clock.now();
      setMeta(db, "hunt_started_at", String(startsAt));
    }
    saveScoring(db, options.hunt);
    const started = performance.now();
    const engine = new Engine(options.hunt, { clock: options.clock, startsAt });
    engine.restore(
      loadSnapshot(db, { now: options.clock.now(), longestWindowMs: engine.longestGuessWindow() }),
    );
    // Routes given at restore (new or changed routes) and unlocks that came due
    // while the server was down are recorded now.
    const writes = [...engine.takeBackgroundWrites(), ...engine.tick().writes];
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
        checkMs,
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

/** An engine for `hunt`, with the state stored in `db`. */
function buildEngine(db: Database, hunt: Hunt, clock: Clock): Engine {
  const startsAt = Number(getMeta(db, "hunt_started_at"));
  const engine = new Engine(hunt, { clock, startsAt });
  engine.restore(
    loadSnapshot(db, { now: clock.now(), longestWindowMs: engine.longestGuessWindow() }),
  );
  return engine;
}

export type ReloadOutcome =
  | {
    kind: "ok";
    summary: ReloadSummary;
    /** The unlocks the new rules allowed, committed: for the caller to publish. */
    writes: Write[];
  }
  | { kind: "error"; errors: string[] };

/** What a reload changed. */
export interface ReloadSummary {
  added: string[];
  removed: string[];
  changed: string[];
  /** Puzzles whose variants were dealt out again (their number, or the seed, changed). */
  reassigned: string[];
  /** How many team route orders were given anew (the route changed, or is new). */
  rerouted: number;
  puzzles: number;
}

/**
 * Swaps in a new hunt: the queued writes are committed first, so the
 * database holds the whole state; then a new engine is built from it, and
 * the unlocks the new rules allow are recorded. Removing a puzzle
 * that a team has solved is refused, as scores would silently change.
 */
export function reloadGame(game: Game, hunt: Hunt, clock: Clock): ReloadOutcome {
  game.writer.flush();
  if (game.writer.failed) {
    return { kind: "error", errors: ["The database cannot be written; reload refused"] };
  }
  const solved = game.db.query<{ puzzle: string }, []>(
    "SELECT DISTINCT puzzle FROM solves ORDER BY puzzle",
  ).all();
  const lost = solved.filter((row) => !hunt.puzzleIndex.has(row.puzzle)).map((row) => row.puzzle);
  if (lost.length > 0) {
    return {
      kind: "error",
      errors: lost.map((id) =>
        `Puzzle "${id}" has solves, so it cannot be removed: put it back in the file`
      ),
    };
  }
  const before = game.engine.hunt;
  try {
    saveScoring(game.db, hunt);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: "error", errors: [`Cannot save the hunt's scoring: ${message}`] };
  }
  const engine = buildEngine(game.db, hunt, clock);
  const writes = [...engine.takeBackgroundWrites(), ...engine.tick().writes];
  game.engine = engine;
  if (writes.length > 0) {
    void game.writer.commit(writes).catch(() => {});
    game.writer.flush();
  }
  const shape = (from: Hunt, p: Hunt["puzzles"][number]) =>
    JSON.stringify([
      p.title,
      p.round,
      p.tags,
      p.points,
      p.body,
      p.unlock?.source,
      p.hints.map((h) => [h.id, h.text, h.cost, h.unlock?.source]),
      p.checkpoint,
      p.guessLimit,
      p.variants?.map((variant) => [variant.body, variant.checkpoint]),
      p.otherVariantMessage,
      p.route === undefined ? undefined : from.routes[p.route]?.id,
    ]);
  const old = new Map(before.puzzles.map((p) => [p.id, p]));
  return {
    kind: "ok",
    summary: {
      added: hunt.puzzles.filter((p) => !old.has(p.id)).map((p) => p.id),
      removed: before.puzzles.filter((p) => !hunt.puzzleIndex.has(p.id)).map((p) => p.id),
      changed: hunt.puzzles.filter((p) =>
        old.has(p.id) && shape(before, old.get(p.id)!) !== shape(hunt, p)
      ).map((
        p,
      ) => p.id),
      reassigned: hunt.puzzles.filter((p) => {
        const was = old.get(p.id);
        return was?.variants !== undefined && p.variants !== undefined &&
          (was.variants.length !== p.variants.length || was.variantOffset !== p.variantOffset);
      }).map((p) => p.id),
      rerouted: writes.filter((write) => write.kind === "route").length,
      puzzles: hunt.puzzles.length,
    },
    writes,
  };
}
