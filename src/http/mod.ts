/**
 * The Hono app: every route Cairn answers, with one `notFound` and one
 * `onError` so that every failure leaves in the same envelope.
 */
import { type Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { matchedRoutes } from "hono/route";
import * as v from "valibot";
import type { Engine, Team } from "../engine/mod.ts";
import { eventStream, type Live, publicBoard, SSE_HEADERS } from "../live/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Metrics } from "../metrics/mod.ts";
import {
  bearer,
  credential,
  json,
  JSON_HEADERS,
  jsonWithCookies,
  sameOriginRequest,
  SESSION_COOKIE,
  setSessionCookie,
} from "./_auth.ts";
import {
  CheckInBody,
  findPlayer,
  GuessBody,
  LoginBody,
  playerActions,
  RegisterBody,
} from "./actions.ts";
import { adminRoutes } from "./admin.ts";
import { readJson } from "./body.ts";
import { puzzleFileResponse } from "./puzzle_files.ts";
import { puzzleView } from "./puzzle_view.ts";
import { scoreHistory } from "./stats.ts";
import { ApiError, errorResponse } from "./errors.ts";
import type { Freeze, Runtime } from "./runtime.ts";
import { pageRoutes } from "../ui/mod.ts";

export { Accounts, hashPassword, hashToken, newToken, secretsEqual } from "./accounts.ts";
export { isAdmin, json, SESSION_COOKIE } from "./_auth.ts";
export { BODY_LIMIT } from "./body.ts";
export { ApiError, envelope, errorResponse, ERRORS } from "./errors.ts";
export type { ErrorCode } from "./errors.ts";
export { dbFreeze } from "./freeze.ts";
export type { Committer, Freeze, ReloadResult, Runtime } from "./runtime.ts";

export interface AppOptions {
  logger: Logger;
  runtime: Runtime;
  freeze: Freeze;
  live: Live;
  metrics: Metrics;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SCOREBOARD_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
};
const pageSecurity = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  strictTransportSecurity: false,
});

const EmptyBody = v.strictObject({});

/** Creates the app. Everything it needs is passed in, so tests build it over an in-memory database. */
export function createApp(options: AppOptions): Hono {
  const { runtime, freeze, logger, live, metrics } = options;
  const actions = playerActions(runtime, logger);
  const listJson = puzzleListCache();
  const app = new Hono();

  // First, so that it times every answer, errors and 404s included. The route label is the
  // matched pattern (`/api/puzzles/:id`), never the raw path, so the series stay bounded.
  app.use("*", async function measure(c, next) {
    const started = performance.now();
    await next();
    metrics.request(c.req.method, routeOf(c), c.res.status, (performance.now() - started) / 1000);
  });

  app.get(
    "/metrics",
    async () =>
      new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } }),
  );

  // Ready, and able to save: a load balancer or systemd watchdog can act on a 503.
  app.get("/healthz", () => {
    const problem = runtime.writeProblem();
    if (problem !== undefined) return errorResponse("unavailable", problem);
    return json({ ok: true, db: "writable" });
  });

  // Pages (everything outside /api) get the Content-Security-Policy and frame
  // headers; JSON responses carry only nosniff, to keep hot responses lean.
  app.use("*", async function pageHeaders(c, next) {
    if (c.req.path.startsWith("/api/")) return next();
    await pageSecurity(c, next);
  });

  // CSRF: a cookie-authenticated unsafe request must come from this origin.
  // Requests carrying a Bearer token are exempt: no browser adds one by itself.
  app.use("*", async function sameOrigin(c, next) {
    if (UNSAFE.has(c.req.method) && bearer(c) === undefined && !sameOriginRequest(c)) {
      throw new ApiError("forbidden", "Cross-site requests are not allowed");
    }
    await next();
  });

  app.get("/api/hunt", () => {
    const engine = runtime.engine;
    const hunt = engine.hunt;
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return json({
      title: hunt.title,
      starts_at: iso(engine.startsAt),
      ends_at: iso(hunt.endsAt),
      freeze_at: iso(hunt.freezeAt),
      running: engine.running(),
      registration: hunt.registration,
      divisions: hunt.divisions,
      team_size: {
        min: hunt.teamSize.min,
        max: hunt.teamSize.max === Infinity ? null : hunt.teamSize.max,
      },
    });
  });

  app.get("/api/scoreboard", (c) => {
    const division = c.req.query("division");
    if (division === undefined) {
      // The public board is encoded once per change and served as the same bytes.
      const board = live.scoreboard();
      if (c.req.header("if-none-match") === board.etag) return new Response(null, { status: 304 });
      return new Response(board.json, { headers: { ...SCOREBOARD_HEADERS, etag: board.etag } });
    }
    if (!runtime.engine.hunt.divisions.includes(division)) {
      throw new ApiError("bad_request", `Unknown division "${division.slice(0, 64)}"`);
    }
    return json(publicBoard(runtime.engine, freeze.frozenAt, division));
  });

  // The top 10's score over time, for the projector's chart. It stops at the freeze while the
  // board is frozen, and is rebuilt only when the public board changes.
  let history: { etag: string; json: string } | undefined;
  app.get("/api/scoreboard/history", () => {
    const engine = runtime.engine;
    // The board's bytes, and the number of score changes (a change and its undo leave the same
    // board, but not the same history).
    let changes = 0;
    for (const team of engine.teams.values()) changes += team.scoreEvents.length;
    const etag = `${live.scoreboard().etag}:${changes}`;
    if (history?.etag !== etag) {
      const at = freeze.frozenAt(engine.now());
      const lines = scoreHistory(engine, at);
      const iso = (ms: number) => new Date(ms).toISOString();
      history = {
        etag,
        json: JSON.stringify({
          frozen: at !== undefined,
          teams: lines.map((line) => ({
            name: line.name,
            points: line.points.map((p) => ({ at: iso(p.at), score: p.score })),
          })),
        }),
      };
    }
    return new Response(history.json, { headers: SCOREBOARD_HEADERS });
  });

  app.get("/api/events", (c) => {
    // A team gets its own solves and unlocks too; anyone gets the public events.
    const token = credential(c);
    const teamId = token === undefined ? undefined : runtime.accounts.teamFor(token);
    if (token !== undefined && teamId === undefined) throw new ApiError("unauthorized");
    if (teamId !== undefined && live.streamsOf(teamId) >= live.perTeamLimit) {
      throw new ApiError(
        "rate_limited",
        `A team may hold ${live.perTeamLimit} live streams at once`,
        {
          "retry-after": "10",
        },
      );
    }
    // A quiet stream must not be closed by Bun's idle timeout: the heartbeat keeps it busy.
    (c.env as { timeout?: (request: Request, seconds: number) => void } | undefined)?.timeout?.(
      c.req.raw,
      0,
    );
    const lastEventId = c.req.header("last-event-id");
    const body = eventStream(live, { teamId, lastEventId, signal: c.req.raw.signal });
    return new Response(body, { headers: SSE_HEADERS });
  });

  app.post("/api/teams", async (c) => {
    const body = await readJson(c, RegisterBody);
    const result = await actions.register(body);
    setSessionCookie(c, result.token);
    return jsonWithCookies(c, result, 201);
  });

  app.post("/api/session", async (c) => {
    const body = await readJson(c, LoginBody);
    const result = await actions.login(body);
    setSessionCookie(c, result.token);
    return jsonWithCookies(c, result);
  });

  app.delete("/api/session", async (c) => {
    await readJson(c, EmptyBody);
    if (!(await actions.logout(credential(c)))) throw new ApiError("unauthorized");
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return jsonWithCookies(c, { ok: true });
  });

  app.get("/api/puzzles", (c) => {
    const { engine, team } = player(c);
    engine.catchUp(team);
    return new Response(listJson(engine, team), { headers: JSON_HEADERS });
  });

  app.get("/api/puzzles/:id", (c) => {
    const { engine, team } = player(c);
    engine.catchUp(team);
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) throw new ApiError("not_found");
    const { bodyHtml, ...view } = puzzleView(engine, team, puzzle, engine.now());
    return json({ ...view, body_html: bodyHtml });
  });

  app.post("/api/puzzles/:id/guesses", async (c) => {
    player(c); // 401 before reading any body
    const { answer } = await readJson(c, GuessBody);
    // A reload may have swapped the engine while the body arrived: take it only now.
    return json(await actions.guess(player(c), c.req.param("id"), answer));
  });

  app.post("/api/puzzles/:id/hints/:hint", async (c) => {
    player(c); // 401 before reading any body
    await readJson(c, EmptyBody);
    // A reload may have swapped the engine while the body arrived: take it only now.
    const hint = await actions.takeHint(player(c), c.req.param("id"), c.req.param("hint"));
    return json({ hint });
  });

  app.post("/api/checkins", async (c) => {
    player(c); // 401 before reading any body
    const { code } = await readJson(c, CheckInBody);
    // A reload may have swapped the engine while the body arrived: take it only now.
    return json(await actions.checkIn(player(c), code));
  });

  app.route("/api/admin", adminRoutes({ runtime, freeze, logger, live }));

  // A puzzle's own files, for its body's pictures and links (session cookie or Bearer).
  app.get("/puzzles/:id/assets/:file{.+}", (c) => {
    const { engine, team } = player(c);
    return puzzleFileResponse(engine, team, c.req.param("id"), c.req.param("file"));
  });

  const pages = pageRoutes({ runtime, freeze, live, logger, actions });
  app.route("/", pages.routes);

  app.notFound((c) => pages.notFound(c) ?? errorResponse("not_found"));
  app.onError((error) => {
    if (error instanceof ApiError) return errorResponse(error.code, error.message, error.headers);
    if (error.name === "CommitError") {
      logger.error("commit_failed", { message: error.message });
      return errorResponse("unavailable");
    }
    logger.error("unhandled_error", {
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return errorResponse("internal");
  });

  /** The logged-in team, or a 401. */
  const player = (c: Context) => findPlayer(runtime, c);

  return app;
}

/** The pattern of the route that answers a request (its first non-middleware match), or "unmatched". */
function routeOf(c: Context): string {
  for (const route of matchedRoutes(c)) {
    if (route.method !== "ALL") return route.path;
  }
  return "unmatched";
}

/**
 * `GET /api/puzzles` bodies, encoded once per change in what a team sees (its
 * version) and kept until the next time its list can change by the clock
 * alone (an unlock time still ahead: puzzles stay hidden until the start).
 * A reload makes new Team objects, so their entries simply go.
 */
export function puzzleListCache(): (engine: Engine, team: Team) => string {
  const cache = new WeakMap<Team, { version: number; until: number; json: string }>();
  return (engine, team) => {
    const now = engine.now();
    const hit = cache.get(team);
    if (hit !== undefined && hit.version === team.version && now < hit.until) return hit.json;
    const json = JSON.stringify(puzzleList(engine, team));
    let until = Infinity;
    for (const at of team.state.unlockedAt) if (at > now && at < until) until = at;
    cache.set(team, { version: team.version, until, json });
    return json;
  };
}

/** The body of `GET /api/puzzles`: the puzzles a team can see now, in file order. */
export function puzzleList(engine: Engine, team: Team) {
  return {
    puzzles: engine.unlockedPuzzles(team).map((p) => ({
      id: p.id,
      title: p.title,
      round: p.round,
      points: p.points,
      solved: engine.solved(team, p),
    })),
  };
}
