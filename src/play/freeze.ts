import type { Store } from "../store/mod.ts";

/**
 * The public scoreboard's freeze. The hunt's freeze_at freezes it at that
 * time; an organizer can freeze it now, or reveal it, which wins over both.
 */
export interface Freeze {
  /** The time the public board shows, or undefined when it is live. */
  frozenAt(now: number): number | undefined;
  set(frozen: boolean, now: number): void;
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
  return {
    frozenAt: current,
    reread() {
      frozenAt = numberOrUndefined(store.meta("scoreboard_frozen_at"));
      revealedAt = numberOrUndefined(store.meta("scoreboard_revealed_at"));
    },
    set(frozen, now) {
      if (frozen) {
        // Freezing a frozen board keeps its freeze time: the public board must not jump.
        frozenAt = current(now) ?? now;
      } else {
        frozenAt = undefined;
        revealedAt = now;
      }
      store.setMeta({
        scoreboard_frozen_at: frozenAt === undefined ? "" : String(frozenAt),
        scoreboard_revealed_at: revealedAt === undefined ? "" : String(revealedAt),
      });
    },
  };
}

function numberOrUndefined(text: string | undefined): number | undefined {
  return text === undefined || text === "" ? undefined : Number(text);
}
