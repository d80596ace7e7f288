/**
 * The organizers' routes, under /api/admin, behind the admin token
 * (`Authorization: Bearer <admin token>`).
 */
import { type Context, Hono } from "hono";
import type { Team } from "../engine/mod.ts";
import {
  AdjustmentBody,
  AnnouncementBody,
  ApiError,
  EmptyBody,
  ExtraGuessesBody,
  FreezeBody,
  iso,
  parseId,
  type Play,
  puzzleStats,
  readJson,
  refusalResponse,
  reloadFailure,
  requireAdmin,
  TeamBannedBody,
  TeamHiddenBody,
  TeamNameBody,
  TeamPasswordBody,
  teamWithId,
} from "../play/mod.ts";
import { json } from "./_json.ts";
import { exportFiles, exportResults } from "./export.ts";

/** The admin API, to mount at `/api/admin`. */
export function adminRoutes(played: Play): Hono {
  const admin = new Hono();
  admin.use("*", async function adminOnly(c, next) {
    requireAdmin(c, played.game); // 401, or 429 past the limit on wrong tokens
    await next();
  });
  teamRoutes(admin, played);
  changeRoutes(admin, played);
  resultRoutes(admin, played);
  return admin;
}

/**
 * The team a path's `:id` names, or a 404 (for an id that is not decimal digits too). One
 * registered on another node a moment ago is read from the shared log first.
 */
async function teamById({ game }: Play, c: Context): Promise<Team> {
  const id = c.req.param("id") ?? "";
  const parsed = parseId(id);
  const team = parsed === undefined ? undefined : await teamWithId(game, parsed);
  if (team === undefined) throw new ApiError("not_found", `There is no team ${id.slice(0, 64)}`);
  return team;
}

/** Teams, one team's history, and the guess feed. */
function teamRoutes(admin: Hono, played: Play): void {
  const { game } = played;
  const summary = (team: Team) => {
    const engine = game.engine;
    return {
      id: team.id,
      name: team.name,
      division: team.division,
      members: team.members,
      score: engine.score(team),
      solves: engine.solveCount(team),
      hidden: team.hidden,
      banned: team.banned,
      created_at: iso(team.createdAt),
      last_activity_at: iso(team.lastActivityAt),
    };
  };

  admin.get("/teams", () => json({ teams: [...game.engine.teams.values()].map(summary) }));

  admin.get("/teams/:id", async (c) => {
    const team = await teamById(played, c);
    const history = await game.store.teamHistory(team.id);
    const engine = game.engine;
    return json({
      team: summary(team),
      guesses: history.guesses.map(withIso),
      hints: history.hints.map(withIso),
      checkins: history.checkins.map(withIso),
      adjustments: history.adjustments.map(withIso),
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

  admin.get("/guesses", async (c) => {
    const after = Number(c.req.queries("after")?.[0] ?? 0);
    const limit = Number(c.req.queries("limit")?.[0] ?? 100);
    if (!Number.isInteger(after) || after < 0) {
      throw new ApiError("bad_request", '"after" must be a guess id');
    }
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ApiError("bad_request", '"limit" must be a whole number from 1 to 1000');
    }
    const guesses = await game.store.guessFeed({ after, limit });
    return json({ guesses: guesses.map(withIso) });
  });
}

/**
 * Announcements, adjustments, extra guesses, teams' names, passwords, hiding and bans, the freeze,
 * and reloads.
 */
function changeRoutes(admin: Hono, played: Play): void {
  const actions = played.admin;
  admin.post("/announcements", async (c) => {
    const { text } = await readJson(c, AnnouncementBody);
    const outcome = await actions.announce(text);
    return outcome.ok ? json({ announcement: outcome.reply }, 201) : refusalResponse(outcome);
  });

  admin.post("/adjustments", async (c) => {
    const body = await readJson(c, AdjustmentBody);
    const outcome = await actions.adjust(body);
    if (!outcome.ok) return refusalResponse(outcome);
    return json({
      adjustment: {
        id: outcome.reply.id,
        team: body.team,
        points: body.points,
        reason: body.reason,
      },
      unlocked: outcome.reply.unlocked,
    }, 201);
  });

  admin.post("/extra-guesses", async (c) => {
    const body = await readJson(c, ExtraGuessesBody);
    const outcome = await actions.extraGuesses(body);
    if (!outcome.ok) return refusalResponse(outcome);
    return json(
      { extra_guesses: { team: body.team, puzzle: body.puzzle, count: body.count } },
      201,
    );
  });

  admin.put("/teams/:id/name", async (c) => {
    const { name } = await readJson(c, TeamNameBody);
    const { id } = await teamById(played, c);
    const outcome = await actions.renameTeam(id, name);
    return outcome.ok ? json({ team: outcome.reply }) : refusalResponse(outcome);
  });

  admin.put("/teams/:id/hidden", async (c) => {
    const { hidden } = await readJson(c, TeamHiddenBody);
    const { id } = await teamById(played, c);
    const outcome = await actions.hideTeam(id, hidden);
    return outcome.ok ? json({ team: outcome.reply }) : refusalResponse(outcome);
  });

  admin.put("/teams/:id/banned", async (c) => {
    const { banned } = await readJson(c, TeamBannedBody);
    const { id } = await teamById(played, c);
    const outcome = await actions.banTeam(id, banned);
    if (!outcome.ok) return refusalResponse(outcome);
    return json({ team: outcome.reply.team, sessions_ended: outcome.reply.sessionsEnded });
  });

  admin.put("/teams/:id/password", async (c) => {
    const body = await readJson(c, TeamPasswordBody);
    const { id } = await teamById(played, c);
    const outcome = await actions.setPassword(id, body);
    if (!outcome.ok) return refusalResponse(outcome);
    return json({ team: outcome.reply.team, sessions_ended: outcome.reply.sessionsEnded });
  });

  admin.delete("/teams/:id/submitter", async (c) => {
    await readJson(c, EmptyBody);
    const team = await teamById(played, c);
    const outcome = await actions.releaseSubmitter(team.id);
    return outcome.ok ? json(outcome.reply) : refusalResponse(outcome);
  });

  admin.post("/scoreboard", async (c) => {
    const { frozen } = await readJson(c, FreezeBody);
    await actions.setFrozen(frozen);
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
}

/** The organizers' figures and the results. */
function resultRoutes(admin: Hono, { game }: Play): void {
  admin.get("/stats", async () => {
    const engine = game.engine;
    return json({
      puzzles: puzzleStats(engine),
      // Each minute's start as ISO 8601, as every other time the API gives.
      guesses_per_minute: (await game.store.guessesPerMinute(engine.now())).map((minute) => ({
        at: iso(minute.at)!,
        guesses: minute.guesses,
        correct: minute.correct,
      })),
    });
  });

  admin.get("/export", (c) => exportResults(c, game.store));
  admin.get("/export/files", async (c) => {
    const wanted = c.req.queries("team")?.[0];
    if (wanted === undefined) return exportFiles(game, undefined);
    const id = parseId(wanted);
    const team = id === undefined ? undefined : await teamWithId(game, id);
    if (team === undefined) {
      throw new ApiError("not_found", `There is no team ${wanted.slice(0, 64)}`);
    }
    return exportFiles(game, team);
  });
}

/** Turns an epoch-ms `at` field into ISO 8601. */
function withIso<T extends { at: number; effective_at?: number | null; flag?: string | null }>(
  row: T,
): Omit<T, "at" | "effective_at" | "flag"> & {
  at: string | null;
  effective_at?: string | null;
  flag?: string;
} {
  // An action made offline also says when it counts and why it is flagged; others stay as they were.
  const { at, effective_at, flag, ...rest } = row;
  return {
    ...rest,
    at: iso(at),
    ...(effective_at !== undefined && effective_at !== null && { effective_at: iso(effective_at) }),
    ...(flag !== undefined && flag !== null && { flag }),
  };
}
