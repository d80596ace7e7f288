/**
 * What the HTTP layer serves from: the engine (swapped on reload), the
 * writer that makes actions durable, accounts, and the scoreboard's freeze.
 */
import type { Database } from "bun:sqlite";
import type { Engine, Write } from "../engine/mod.ts";
import type { ReloadSummary } from "../store/mod.ts";
import type { Accounts } from "./accounts.ts";

export interface Committer {
  commit(writes: readonly Write[]): Promise<void>;
}

/** What the admin's reload answers: the change summary, or every error. */
export type ReloadResult =
  | {
    kind: "ok";
    summary: ReloadSummary;
  }
  | { kind: "error"; errors: string[] };

export interface Runtime {
  engine: Engine;
  writer: Committer;
  accounts: Accounts;
  /** SHA-256 of the admin token. */
  adminTokenHash: string;
  db: Database;
  /**
   * Re-reads the hunt file; a valid one replaces `engine`, and the unlocks and
   * scoreboard it changes are published and logged.
   */
  reload(): ReloadResult;
  /** Why the database cannot be written now, or undefined when it can (for /healthz). */
  writeProblem(): string | undefined;
}

/**
 * The public scoreboard's freeze. The hunt's freeze_at freezes it at that
 * time; an organizer can freeze it now, or reveal it, which wins over both.
 */
export interface Freeze {
  /** The time the public board shows, or undefined when it is live. */
  frozenAt(now: number): number | undefined;
  set(frozen: boolean, now: number): void;
}
