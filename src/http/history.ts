import { type Game, scoreHistory } from "../play/mod.ts";

/**
 * The body of `GET /api/scoreboard/history`: the top 10's score over time. It
 * stops at the freeze while the board is frozen, and is encoded again only
 * when the public board changes.
 */
export function scoreboardHistory(game: Game): () => string {
  let cached: { etag: string; json: string } | undefined;
  return () => {
    const engine = game.engine;
    // The board's bytes, and the number of score changes (a change and its undo leave the same
    // board, but not the same history).
    let changes = 0;
    for (const team of engine.teams.values()) changes += team.scoreEvents.length;
    const etag = `${game.live.scoreboard().etag}:${changes}`;
    if (cached?.etag !== etag) {
      const at = game.freeze.frozenAt(engine.now());
      const iso = (ms: number) => new Date(ms).toISOString();
      cached = {
        etag,
        json: JSON.stringify({
          frozen: at !== undefined,
          teams: scoreHistory(engine, at).map((line) => ({
            name: line.name,
            points: line.points.map((p) => ({ at: iso(p.at), score: p.score })),
          })),
        }),
      };
    }
    return cached.json;
  };
}
