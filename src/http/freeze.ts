import type { Database } from "bun:sqlite";
import { getMeta, setMeta } from "../store/mod.ts";
import type { Freeze } from "./runtime.ts";

/**
 * The scoreboard's freeze, kept in the database's `meta` table so that a
 * restart keeps it. An organizer's freeze or reveal wins over the hunt's
 * freeze_at: frozen at the time they froze it, or live once revealed.
 */
export function dbFreeze(db: Database, huntFreezeAt: () => number | undefined): Freeze {
  let frozenAt = numberOrUndefined(getMeta(db, "scoreboard_frozen_at"));
  let revealed = getMeta(db, "scoreboard_revealed") === "true";
  return {
    frozenAt(now) {
      if (revealed) return undefined;
      if (frozenAt !== undefined) return frozenAt;
      const scheduled = huntFreezeAt();
      return scheduled !== undefined && now >= scheduled ? scheduled : undefined;
    },
    set(frozen, now) {
      revealed = !frozen;
      frozenAt = frozen ? now : undefined;
      db.transaction(() => {
        setMeta(db, "scoreboard_revealed", String(revealed));
        setMeta(db, "scoreboard_frozen_at", frozenAt === undefined ? "" : String(frozenAt));
      })();
    },
  };
}

function numberOrUndefined(text: string | undefined): number | undefined {
  return text === undefined || text === "" ? undefined : Number(text);
}
