import type { Write } from "../engine/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Game } from "../play/mod.ts";

/** The longest wait setTimeout holds (about 24.8 days); a later time is reached in steps. */
const LONGEST_TIMEOUT = 2 ** 31 - 1;

/**
 * What the clock waits for the engine's next time with: the runtime's setTimeout, or one a test
 * fires by hand (the test's clock does not move by itself, so a real timer would never see the time
 * come).
 */
export interface Timer {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const RUNTIME_TIMER: Timer = {
  set: (run, ms) => {
    const handle = setTimeout(run, ms);
    unref(handle);
    return handle;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Keeps time-based unlocks current: records them at each time the engine
 * says a rule can change, commits background writes (unlocks found on reads)
 * every second, and sends the live heartbeat. It waits by the engine's time,
 * which never steps back with the wall clock. Its timers never keep the
 * process alive by themselves.
 */
export function runClock(
  { game, logger, timer = RUNTIME_TIMER }: {
    game: Game;
    logger: Logger;
    timer?: Timer | undefined;
  },
): { stop: () => void; reschedule: () => void } {
  let waiting: unknown;
  const commit = (writes: Write[]) => {
    if (writes.length === 0) return;
    game.commit(writes).catch((error) => {
      logger.error("background_commit_failed", { message: String(error) });
      // Refused with the store still open (a shared log out of reach for its 5 s): the engine
      // holds these unlocks, so they go with the next commit. A failed store stops the server.
      if (!game.store.failed) game.engine.returnBackgroundWrites(writes);
    });
  };
  const schedule = () => {
    timer.clear(waiting);
    waiting = undefined;
    const next = game.engine.nextChangeAt();
    if (next === undefined) return;
    waiting = timer.set(() => {
      commit(game.engine.tick().writes);
      // A time may be the freeze: the public board changes then.
      game.live.scoreboardChanged();
      schedule();
    }, Math.min(Math.max(0, next - game.engine.now()), LONGEST_TIMEOUT));
  };
  schedule();
  const background = setInterval(() => {
    commit(game.engine.takeBackgroundWrites());
    // After a burst of closed streams (a Wi-Fi drop takes every phone at
    // once), ask for a collection: an idle server would otherwise hold their
    // buffers until it next allocates enough to start one by itself.
    if (game.live.takeClosedCount() >= 1000) collectGarbage();
  }, 1000);
  const heartbeat = setInterval(() => game.live.heartbeat(), 20_000);
  unref(background);
  unref(heartbeat);
  return {
    reschedule: schedule,
    stop: () => {
      timer.clear(waiting);
      clearInterval(background);
      clearInterval(heartbeat);
      commit(game.engine.takeBackgroundWrites());
    },
  };
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Asks the runtime for a quick collection, where it offers one (Bun does). */
function collectGarbage(): void {
  (globalThis as { Bun?: { gc(full: boolean): void } }).Bun?.gc(false);
}
