import { type Clock, Engine, type Hunt, type Write } from "../engine/mod.ts";
import { IdempotencyKeys } from "../play/mod.ts";
import type { Store } from "../store/mod.ts";

/**
 * The hunt's start: the file's `starts_at`, else the time the server first
 * started on this database, recorded then so that a restart does not reset it.
 */
export function huntStart(store: Store, clock: Clock): number {
  const stored = Number(store.meta("hunt_started_at") ?? NaN);
  if (!Number.isNaN(stored)) return stored;
  const now = clock.now();
  // SQLite stores it before returning, or throws; a shared log recorded it at the first start.
  void store.setMeta({ hunt_started_at: String(now) }).catch(() => {});
  return now;
}

/**
 * An engine for `hunt` with the state the store holds, and the writes that
 * catching up produced: routes given at restore (new or changed routes) and
 * unlocks that came due while the server was down. Where commits are
 * asynchronous (a shared log), the writes decided and not yet stored are
 * played on top: a reload must not forget an answer being committed.
 */
export function bootEngine(
  store: Store,
  hunt: Hunt,
  clock: Clock,
): { engine: Engine; writes: Write[] } {
  const engine = new Engine(hunt, { clock, startsAt: huntStart(store, clock) });
  engine.restore(
    store.snapshot({ now: clock.now(), longestWindowMs: engine.longestGuessWindow() }),
  );
  for (const write of store.unsettled?.() ?? []) engine.apply(write);
  return { engine, writes: [...engine.takeBackgroundWrites(), ...engine.tick().writes] };
}

/**
 * Commits writes made outside any request (at boot, at a reload), at once, through `commit` (the
 * server's publishes what they mean once stored; default: the store's own). Refused with the store
 * still open (a shared log out of reach for its 5 s), they go back to the engine current then (a
 * reload may have swapped it meanwhile), which holds what they record, for the clock's next commit
 * (a trim of stored answers is only tried again at boot).
 */
export function commitNow(
  store: Store,
  writes: readonly Write[],
  options: { commit?: (writes: readonly Write[]) => Promise<void>; engine?: () => Engine } = {},
): void {
  if (writes.length === 0) return;
  const commit = options.commit ?? ((batch: readonly Write[]) => store.commit(batch));
  // A failure is the store's to report (its listener stops the server); nobody waits here.
  void commit(writes).catch(() => {
    if (!store.failed) options.engine?.().returnBackgroundWrites(writes);
  });
  store.flush();
}

/**
 * The answers of keyed requests the store holds. A database from before the
 * cap may hold more for a team than it keeps: those are forgotten now.
 */
export function bootKeys(store: Store): IdempotencyKeys {
  const { keys, trim } = IdempotencyKeys.load(store.idempotencyKeys());
  commitNow(store, trim);
  return keys;
}
