import type { Hono } from "hono";
import { ApiError, type Play, STATS_CLOSED, statsOpen } from "../play/mod.ts";
import { json } from "./_json.ts";

/**
 * `GET /api/stats`: the hunt's stats for everyone (play/hunt_stats.ts), from
 * its `solutions_at` on; before it, and in a hunt without one, 403.
 */
export function statsRoutes(api: Hono, { game, stats }: Play): void {
  api.get("/api/stats", async () => {
    if (!statsOpen(game.engine, game.engine.now())) throw new ApiError("forbidden", STATS_CLOSED);
    return json(await stats());
  });
}
