/**
 * The organizers' routes, under /api/admin, behind the admin token
 * (`Authorization: Bearer <admin token>`).
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { Team } from "../engine/mod.ts";
import type { Live } from "../live/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  readResults,
  RESULT_COLUMNS,
  RESULT_TABLES,
  type ResultTable,
  toCsv,
} from "../store/mod.ts";
import { readJson } from "./body.ts";
import { ApiError } from "./errors.ts";
import { isAdmin, json } from "./_auth.ts";
import type { Freeze, ReloadResult, Runtime } from "./runtime.ts";
import { guessesPerMinute, puzzleStats } from "./stats.ts";

export const TeamRef = v.pipe(v.number(), v.integer(), v.minValue(1));
export const AnnouncementBody = v.strictObject({
  text: v.pipe(
    v.string(),
    v.trim(),
    v.minLength(1, "The announcement is empty"),
    v.maxLength(2000),
  ),
});
export const AdjustmentBody = v.strictObject({
  team: TeamRef,
  points: v.pipe(v.number(), v.integer(), v.minValue(-1_000_000), v.maxValue(1_000_000)),
  reason: v.pipe(v.string(), v.trim(), v.minLength(1, "Give a reason"), v.maxLength(500)),
});
export const ExtraGuessesBody = v.strictObject({
  team: TeamRef,
  puzzle: v.pipe(v.string(), v.maxLength(200)),
  count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)),
});
const FreezeBody = v.strictObject({ frozen: v.boolean() });
const EmptyBody = v.strictObject({});

const iso = (
  ms: number | null | undefined,
) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export function adminRoutes(
  options: { runtime: Runtime; freeze: Freeze; logger: Logger; live: Live },
): Hono {
  const { runtime } = options;
  const admin = new Hono();

  admin.use("*", async function adminOnly(c, next) {
    if (!isAdmin(c, runtime.adminTokenHash)) {
      throw new ApiError("unauthorized", "The admin token is missing or wrong");
    }
    await next();
  });

  const teamById = (id: number): Team => teamOrThrow(runtime, id);
  const actions = adminActions(options);

  const summary = (team: Team) => {
    const engine = runtime.engine;
    return {
      id: team.id,
      name: team.name,
      division: team.division,
      members: team.members,
      score: engine.score(team),
      solves: engine.solveCount(team),
      created_at: iso(team.createdAt),
      last_activity_at: iso(team.lastActivityAt),
    };
  };

  admin.get("/teams", () => json({ teams: [...runtime.engine.teams.values()].map(summary) }));

  admin.get("/teams/:id", (c) => {
    const team = teamById(Number(c.req.param("id")));
    const engine = runtime.engine;
    const db = runtime.db;
    const rows = (sql: string) => db.query(sql).all(team.id);
    return json({
      team: summary(team),
      guesses: rows(
        "SELECT id, puzzle, raw, normalized, result, at FROM guesses WHERE team_id = ? ORDER BY id",
      ).map(withIso),
      hints: rows("SELECT puzzle, hint, at FROM hint_takes WHERE team_id = ? ORDER BY at").map(
        withIso,
      ),
      checkins: rows("SELECT puzzle, at FROM checkins WHERE team_id = ? ORDER BY at").map(withIso),
      adjustments: rows(
        "SELECT id, points, reason, at FROM adjustments WHERE team_id = ? ORDER BY id",
      ).map(withIso),
      // What the team was generated: its order of each route, and its variant of each puzzle (from 1).
      routes: engine.hunt.routes.map((route) => ({
        id: route.id,
        stops: engine.routeOf(team, route),
      })),
      variants: engine.hunt.puzzles.flatMap((puzzle) => {
        const variant = engine.variant(team, puzzle);
        return variant === undefined ? [] : [{ puzzle: puzzle.id, variant: variant.index + 1 }];
      }),
    });
  });

  admin.get("/guesses", (c) => {
    const after = Number(c.req.query("after") ?? 0);
    const limit = Number(c.req.query("limit") ?? 100);
    if (!Number.isInteger(after) || after < 0) {
      throw new ApiError("bad_request", '"after" must be a guess id');
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ApiError("bad_request", '"limit" must be a whole number from 1 to 1000');
    }
    const guesses = runtime.db.query<Record<string, unknown>, [number, number]>(
      `SELECT g.id, g.team_id AS team, t.name AS team_name, g.puzzle, g.raw, g.normalized, g.result, g.at
       FROM guesses g JOIN teams t ON t.id = g.team_id WHERE g.id > ? ORDER BY g.id LIMIT ?`,
    ).all(after, limit);
    return json({ guesses: guesses.map(withIso) });
  });

  admin.post("/announcements", async (c) => {
    const { text } = await readJson(c, AnnouncementBody);
    return json({ announcement: await actions.announce(text) }, 201);
  });

  admin.post("/adjustments", async (c) => {
    const body = await readJson(c, AdjustmentBody);
    const result = await actions.adjust(body);
    return json({
      adjustment: { id: result.id, team: body.team, points: body.points, reason: body.reason },
      unlocked: result.unlocked,
    }, 201);
  });

  admin.post("/extra-guesses", async (c) => {
    const body = await readJson(c, ExtraGuessesBody);
    await actions.extraGuesses(body);
    return json(
      { extra_guesses: { team: body.team, puzzle: body.puzzle, count: body.count } },
      201,
    );
  });

  admin.post("/scoreboard", async (c) => {
    const { frozen } = await readJson(c, FreezeBody);
    actions.setFrozen(frozen);
    return json({ frozen });
  });

  admin.post("/reload", async (c) => {
    await readJson(c, EmptyBody);
    const result = actions.reload();
    if (result.kind === "error") {
      return json({
        error: {
          code: "bad_request",
          message: reloadFailure(result.errors),
          errors: result.errors,
        },
      }, 400);
    }
    return json({ reloaded: true, ...result.summary });
  });

  admin.get("/stats", () => {
    const engine = runtime.engine;
    return json({
      puzzles: puzzleStats(engine),
      guesses_per_minute: guessesPerMinute(runtime.db, engine.now()),
    });
  });

  admin.get("/export", (c) => {
    const format = c.req.query("format") ?? "json";
    if (format !== "json" && format !== "csv") {
      throw new ApiError("bad_request", '"format" must be json or csv');
    }
    const results = readResults(runtime.db);
    if (format === "json") {
      return json(results, 200, {
        "content-disposition": 'attachment; filename="cairn-results.json"',
      });
    }
    const table = (c.req.query("table") ?? "scoreboard") as ResultTable;
    if (!RESULT_TABLES.includes(table)) {
      throw new ApiError("bad_request", `"table" must be one of ${RESULT_TABLES.join(", ")}`);
    }
    return new Response(
      toCsv(results[table], RESULT_COLUMNS[table]),
      {
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "x-content-type-options": "nosniff",
          "content-disposition": `attachment; filename="cairn-${table}.csv"`,
        },
      },
    );
  });

  return admin;
}

function teamOrThrow(runtime: Runtime, id: number): Team {
  const team = runtime.engine.teams.get(id);
  if (team === undefined) throw new ApiError("not_found", `There is no team ${id}`);
  return team;
}

/** The sentence a failed reload answers with. */
export function reloadFailure(errors: readonly string[]): string {
  const count = errors.length;
  return `The hunt file has ${count} error${count === 1 ? "" : "s"}; the running hunt is unchanged`;
}

/**
 * What organizers can change, shared by the admin API and the admin page's
 * form posts. Each action is on disk (and published) when it returns.
 */
export function adminActions(
  options: { runtime: Runtime; freeze: Freeze; logger: Logger; live: Live },
) {
  const { runtime, freeze, logger, live } = options;
  return {
    async announce(text: string): Promise<{ id: number; text: string; at: string | null }> {
      const result = runtime.engine.announce(text);
      await runtime.writer.commit(result.writes);
      logger.info("announcement", { id: result.id });
      return { id: result.id, text, at: iso(result.at) };
    },
    async adjust(
      body: v.InferOutput<typeof AdjustmentBody>,
    ): Promise<{ id: number; unlocked: string[] }> {
      const team = teamOrThrow(runtime, body.team);
      const result = runtime.engine.adjust(team, body.points, body.reason);
      await runtime.writer.commit(result.writes);
      logger.info("adjustment", { team: team.id, points: body.points });
      return { id: result.id, unlocked: result.unlocked };
    },
    async extraGuesses(body: v.InferOutput<typeof ExtraGuessesBody>): Promise<void> {
      const team = teamOrThrow(runtime, body.team);
      const result = runtime.engine.grantExtraGuesses(team, body.puzzle, body.count);
      if (result === undefined) {
        throw new ApiError("not_found", `There is no puzzle "${body.puzzle}"`);
      }
      await runtime.writer.commit(result.writes);
    },
    setFrozen(frozen: boolean): void {
      freeze.set(frozen, runtime.engine.now());
      live.scoreboardChanged();
      logger.info(frozen ? "scoreboard_frozen" : "scoreboard_revealed");
    },
    /** Re-reads the hunt file; the runtime logs the outcome and publishes what changed. */
    reload(): ReloadResult {
      return runtime.reload();
    },
  };
}

export type AdminActions = ReturnType<typeof adminActions>;

/** Turns an epoch-ms `at` column into ISO 8601. */
function withIso<T>(row: T): T {
  const record = row as Record<string, unknown>;
  return (typeof record.at === "number" ? { ...record, at: iso(record.at) } : record) as T;
}
