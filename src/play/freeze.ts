import type { Store } from "../store/mod.ts";

/**
 * The public scoreboard's freeze. The hunt's freeze_at freezes it at that
 * time; an organizer can freeze it now, or reveal it, which wins over both.
 */
export interface Freeze {
  /** The time the public board shows, or undefined when it is live. */
  frozenAt(now: number): number | undefined;
  /** Freezes or reveals the board once that is stored; fails with a 503 error when it cannot be. */
  set(frozen: boolean, now: number): Promise<void>;
  /** Reads the stored freeze again (another node sharing the log changed it). */
  reread(): void;
}

/**
 * The scoreboard's freeze, kept in the store's `meta` values so that a
 * restart keeps it. The hunt's freeze_at freezes the board at that time; an
 * organizer can freeze it now (a board already frozen keeps its time), or
 * reveal it, which ends the current freeze but not one scheduled later.
 */
export function storedFreeze(store: Store, huntFreezeAt: () => number | undefined): Freeze {
  let frozenAt = numberOrUndefined(store.meta("scoreboard_frozen_at"));
  let revealedAt = numberOrUndefined(store.meta("scoreboard_revealed_at"));
  const current = (now: number): number | undefined => {
    if (frozenAt !== undefined) return frozenAt;
    const scheduled = huntFreezeAt();
    if (scheduled === undefined || now < scheduled) return undefined;
    // A reveal ends a freeze that had begun; it does not cancel one still to come.
    return revealedAt !== undefined && revealedAt >= scheduled ? undefined : scheduled;
  };
  // One change at a time, each decided once the one before it is stored: a freeze pressed while
  // another is being stored keeps its time, and a freeze after a reveal freezes anew.
  let changing: Promise<void> = Promise.resolve();
  const change = async (frozen: boolean, now: number) => {
    // On a shared log, decided in a turn: with every other node's freeze or reveal played.
    await store.decideTurn?.();
    // Freezing a frozen board keeps its freeze time: the public board must not jump.
    const nextFrozenAt = frozen ? current(now) ?? now : undefined;
    const nextRevealedAt = frozen ? revealedAt : now;
    // Stored first: the answer, and the board, change only once every node can read it.
    await store.setMeta({
      scoreboard_frozen_at: nextFrozenAt === undefined ? "" : String(nextFrozenAt),
      scoreboard_revealed_at: nextRevealedAt === undefined ? "" : String(nextRevealedAt),
    });
    frozenAt = nextFrozenAt;
    revealedAt = nextRevealedAt;
  };
  return {
    frozenAt: current,
    reread() {
      frozenAt = numberOrUndefined(store.meta("scoreboard_frozen_at"));
      revealedAt = numberOrUndefined(store.meta("scoreboard_revealed_at"));
    },
    set(frozen, now) {
      const done = changing.then(() => change(frozen, now));
      changing = done.catch(() => {});
      return done;
    },
  };
}

function numberOrUndefined(text: string | undefined): number | undefined {
  return text === undefined || text === "" ? undefined : Number(text);
}
