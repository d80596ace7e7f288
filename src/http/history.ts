import { type Game, scoreHistory } from "../play/mod.ts";

/**
 * The body of `GET /api/scoreboard/history[?division=D]`: the top 10's score
 * over time (within one division, with `division`). It stops at the freeze
 * while the board is frozen, and is encoded again only when the public board
 * changes.
 */
export function scoreboardHistory(game: Game): (division?: string) => string {
  const cached = new Map<string, { etag: string; json: string }>();
  return (division) => {
    const engine = game.engine;
    // The board's bytes, and the number of score changes (a change and its undo leave the same
    // board, but not the same history).
    let changes = 0;
    for (const team of engine.teams.values()) changes += team.scoreEvents.length;
    const etag = `${game.live.scoreboard().etag}:${changes}`;
    const key = division ?? "";
    let hit = cached.get(key);
    if (hit?.etag !== etag) {
      const at = game.freeze.frozenAt(engine.now());
      const iso = (ms: number) => new Date(ms).toISOString();
      hit = {
        etag,
        json: JSON.stringify({
          frozen: at !== undefined,
          teams: scoreHistory(engine, at, { division }).map((line) => ({
            name: line.name,
            points: line.points.map((p) => ({ at: iso(p.at), score: p.score })),
          })),
        }),
      };
      // One entry per division at most: the hunt's divisions are few.
      cached.set(key, hit);
    }
    return hit.json;
  };
}
