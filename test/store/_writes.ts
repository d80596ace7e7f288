// Records for the store's tests and bench/pg.ts: what a registration writes, for any team id.
import type { Write } from "../../src/engine/mod.ts";

/** Team `id`'s registration record, named after its id. */
export function teamWrite(id: number): Extract<Write, { kind: "team" }> {
  return {
    kind: "team",
    id,
    name: `Team ${id}`,
    nameKey: `team ${id}`,
    passwordHash: "h",
    division: null,
    members: ["Ann", "Bo"],
    at: id,
  };
}
