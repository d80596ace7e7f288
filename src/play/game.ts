/**
 * What the API and the pages serve from: the engine (swapped on reload), the
 * store, accounts, the scoreboard's freeze, live updates and metrics. The
 * composition root (`src/server/`) builds it; nothing here builds anything.
 */
import type { Engine, Team, Write } from "../engine/mod.ts";
import type { Live } from "../live/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Metrics } from "../metrics/mod.ts";
import type { Store } from "../store/mod.ts";
import type { Accounts } from "./accounts.ts";
import type { TrustedProxies } from "./address.ts";
import type { ContactTokens } from "./contact.ts";
import { ApiError } from "./errors.ts";
import type { Freeze } from "./freeze.ts";
import type { IdempotencyKeys } from "./idempotency.ts";
import type { Submitters } from "./submitters.ts";

/** What a reload changed. */
export interface ReloadSummary {
  added: string[];
  removed: string[];
  changed: string[];
  /** Puzzles whose variants were dealt out again (their number, or the seed, changed). */
  reassigned: string[];
  /** How many team route orders were given anew (the route changed, or is new). */
  rerouted: number;
  /** The `[hunt]` keys whose value changed, such as `ends_at`. */
  hunt: string[];
  puzzles: number;
}

/** What a reload answers: the change summary, or every error. */
export type ReloadResult =
  | { kind: "ok"; summary: ReloadSummary }
  | { kind: "error"; errors: string[] };

/** A running game, as the routes see it. */
export interface Game {
  /** The current engine: read it again after any await, since a reload swaps it. */
  readonly engine: Engine;
  readonly store: Store;
  readonly accounts: Accounts;
  /** The answers of keyed requests (`Idempotency-Key`), per team. */
  readonly idempotency: IdempotencyKeys;
  /** The signer of last-contact tokens, for fair times of actions made offline. */
  readonly contacts: ContactTokens;
  /** With `submitters = "one"`: each team's only submitting device. */
  readonly submitters: Submitters;
  /** SHA-256 of the admin token. */
  readonly adminTokenHash: string;
  /** The reverse proxies whose `X-Forwarded-For` names the client (`serve --trust-proxy`). */
  readonly proxies: TrustedProxies;
  /** The address the server listens on (`serve --host`): `0.0.0.0` or `::` for every one. */
  readonly host: string;
  readonly freeze: Freeze;
  readonly live: Live;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * Makes writes durable, then publishes them (live events, metrics): events
   * never run ahead of the database.
   */
  commit(writes: readonly Write[]): Promise<void>;
  /**
   * Re-reads the hunt file; a valid one replaces `engine`, and the unlocks and
   * scoreboard it changes are published and logged.
   */
  reload(): ReloadResult;
  /**
   * Where nodes share a log: whether this node's hunt differs from the one
   * the node that started or reloaded last recorded (for `/healthz`).
   */
  huntDiffers(): boolean;
}

/**
 * Where several nodes share one log (PostgreSQL), waits until this node may
 * decide: it holds the log's lock and has played every other node's
 * records. The caller decides and commits right after, with no await in
 * between, so that its writes join the batch that holds the lock. On a
 * single node there is nothing to wait for: undefined, and no await.
 */
export function decideTurn(game: Game): Promise<void> | undefined {
  return game.store.decideTurn?.();
}

/**
 * The team with id `id`, or undefined. Where nodes share a log, an id this
 * node does not know is looked for there first: a team registered on another
 * node a moment ago may not have reached this one (the log is read at most
 * once a second without a notification). Still unknown because the log
 * cannot be read, it is a 503 rather than a "no such team".
 */
export async function teamWithId(game: Game, id: number): Promise<Team | undefined> {
  const known = game.engine.teams.get(id);
  if (known !== undefined || game.store.sync === undefined) return known;
  await game.store.sync();
  const team = game.engine.teams.get(id);
  if (team !== undefined) return team;
  const problem = game.store.writeProblem();
  if (problem !== undefined) throw new ApiError("unavailable", problem);
  return undefined;
}
