/**
 * The Hono app: every route Cairn answers, with one `notFound` and one
 * `onError` so that every failure leaves in the same envelope.
 */
import { type Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { matchedRoutes } from "hono/route";
import MarkdownIt from "markdown-it";
import * as v from "valibot";
import {
  type Engine,
  MAX_GUESS_LENGTH,
  type Puzzle,
  type Team,
  teamNameKey,
  type Variant,
  type Write,
} from "../engine/mod.ts";
import { eventStream, type Live, publicBoard, SSE_HEADERS } from "../live/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Metrics } from "../metrics/mod.ts";
import {
  bearer,
  credential,
  json,
  jsonWithCookies,
  sameOriginRequest,
  SESSION_COOKIE,
  setSessionCookie,
} from "./_auth.ts";
import { hashPassword, Limiter, secretsEqual } from "./accounts.ts";
import { adminRoutes } from "./admin.ts";
import { readJson } from "./body.ts";
import { ApiError, errorResponse } from "./errors.ts";
import type { Freeze, Runtime } from "./runtime.ts";

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
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
const rendered = new WeakMap<Puzzle | Variant, string>();

const Text = (max: number) => v.pipe(v.string(), v.maxLength(max));
const RegisterBody = v.strictObject({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, "The team name is empty"), v.maxLength(64)),
  password: v.pipe(
    v.string(),
    v.minLength(8, "The password needs at least 8 characters"),
    v.maxLength(256),
  ),
  division: v.optional(v.nullable(Text(64))),
  members: v.optional(v.pipe(v.array(Text(64)), v.maxLength(50))),
  code: v.optional(Text(256)),
});
const LoginBody = v.strictObject({ name: Text(64), password: Text(256) });
const GuessBody = v.strictObject({ answer: v.string() });
const CheckInBody = v.strictObject({ code: Text(256) });
const EmptyBody = v.strictObject({});

/** Creates the app. Everything it needs is passed in, so tests build it over an in-memory database. */
export function createApp(options: AppOptions): Hono {
  const { runtime, freeze, logger, live, metrics } = options;
  const badCodes = new Limiter(10, 60_000);
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
    const hunt = runtime.engine.hunt;
    if (hunt.registration === "closed") throw new ApiError("forbidden", "Registration is closed");
    if (hunt.registration === "code") {
      // Compare against every code, without stopping at a match.
      let valid = false;
      for (const code of hunt.registrationCodes) {
        valid = secretsEqual(body.code ?? "", code) || valid;
      }
      if (!valid) throw new ApiError("forbidden", "A valid registration code is needed");
    }
    if (runtime.engine.teamByName(body.name)) {
      throw new ApiError("conflict", "That team name is taken");
    }
    const passwordHash = await hashPassword(body.password);
    // The engine is read again after the hash: a reload or another registration may have happened.
    const engine = runtime.engine;
    const result = engine.register({
      name: body.name,
      passwordHash,
      division: body.division ?? null,
      members: body.members ?? [],
    });
    if (result.kind === "name_taken") throw new ApiError("conflict", "That team name is taken");
    if (result.kind === "invalid") throw new ApiError("bad_request", result.message);
    const session = runtime.accounts.openSession(result.team.id, engine.now());
    await runtime.writer.commit([
      ...engine.takeBackgroundWrites(),
      ...result.writes,
      session.write,
    ]);
    runtime.accounts.addTeam(result.team.id, passwordHash);
    session.open();
    setSessionCookie(c, session.token);
    logger.info("team_registered", { team: result.team.id, name: result.team.name });
    return jsonWithCookies(
      c,
      { team: { id: result.team.id, name: result.team.name }, token: session.token },
      201,
    );
  });

  app.post("/api/session", async (c) => {
    const body = await readJson(c, LoginBody);
    const engine = runtime.engine;
    const wait = runtime.accounts.limitLogin(teamNameKey(body.name), engine.now());
    if (wait !== undefined) {
      throw new ApiError("rate_limited", "Too many login attempts for this team; try again later", {
        "retry-after": String(wait),
      });
    }
    const team = engine.teamByName(body.name);
    if (!(await runtime.accounts.verify(team?.id, body.password)) || team === undefined) {
      throw new ApiError("unauthorized", "Wrong team name or password");
    }
    const session = runtime.accounts.openSession(team.id, engine.now());
    await runtime.writer.commit([session.write]);
    session.open();
    setSessionCookie(c, session.token);
    return jsonWithCookies(c, { token: session.token });
  });

  app.delete("/api/session", async (c) => {
    await readJson(c, EmptyBody);
    const token = credential(c);
    const write = token === undefined ? undefined : runtime.accounts.closeSession(token);
    if (write === undefined) throw new ApiError("unauthorized");
    await runtime.writer.commit([write]);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return jsonWithCookies(c, { ok: true });
  });

  app.get("/api/puzzles", (c) => {
    const { engine, team } = player(c);
    engine.catchUp(team);
    return json(puzzleList(engine, team));
  });

  app.get("/api/puzzles/:id", (c) => {
    const { engine, team } = player(c);
    engine.catchUp(team);
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) throw new ApiError("not_found");
    const now = engine.now();
    return json({
      id: puzzle.id,
      title: puzzle.title,
      round: puzzle.round,
      points: puzzle.points,
      body_html: bodyHtml(engine.bodySource(team, puzzle)),
      solved: engine.solved(team, puzzle),
      hints: puzzle.hints.map((hint) => {
        const taken = engine.hintTaken(team, puzzle, hint);
        return {
          id: hint.id,
          cost: hint.cost,
          available: taken || engine.hintAvailable(team, puzzle, hint, now),
          taken,
          ...(taken && { text: hint.text }),
        };
      }),
    });
  });

  app.post("/api/puzzles/:id/guesses", async (c) => {
    player(c); // 401 before reading any body
    const { answer } = await readJson(c, GuessBody);
    // A reload may have swapped the engine while the body arrived: take it only now.
    const { engine, team } = player(c);
    if ([...answer].length > MAX_GUESS_LENGTH) {
      throw new ApiError("bad_request", `A guess is at most ${MAX_GUESS_LENGTH} characters`);
    }
    const outcome = engine.guess(team, c.req.param("id"), answer);
    const background = engine.takeBackgroundWrites();
    switch (outcome.kind) {
      case "hunt_not_running":
        return await refuse(runtime, background, "hunt_not_running");
      case "not_found":
        return await refuse(runtime, background, "not_found");
      case "rate_limited":
        return await refuse(
          runtime,
          background,
          "rate_limited",
          "Too many wrong guesses on this puzzle; wait a little",
          {
            "retry-after": String(outcome.retryAfterSeconds),
          },
        );
      case "already_solved":
        await runtime.writer.commit(background);
        return json({ result: "already_solved", unlocked: [] });
      case "judged":
        await runtime.writer.commit([...background, ...outcome.writes]);
        return json({
          result: outcome.result,
          ...(outcome.message !== undefined && { message: outcome.message }),
          unlocked: outcome.unlocked,
        });
    }
  });

  app.post("/api/puzzles/:id/hints/:hint", async (c) => {
    player(c); // 401 before reading any body
    await readJson(c, EmptyBody);
    // A reload may have swapped the engine while the body arrived: take it only now.
    const { engine, team } = player(c);
    const outcome = engine.takeHint(team, c.req.param("id"), c.req.param("hint"));
    const background = engine.takeBackgroundWrites();
    switch (outcome.kind) {
      case "hunt_not_running":
        return await refuse(runtime, background, "hunt_not_running");
      case "not_found":
        return await refuse(runtime, background, "not_found");
      case "not_available":
        return await refuse(runtime, background, "forbidden", "This hint is not available yet");
      case "ok":
        await runtime.writer.commit([...background, ...outcome.writes]);
        return json({
          hint: { id: outcome.hint.id, text: outcome.hint.text, cost: outcome.hint.cost },
        });
    }
  });

  app.post("/api/checkins", async (c) => {
    player(c); // 401 before reading any body
    const { code } = await readJson(c, CheckInBody);
    // A reload may have swapped the engine while the body arrived: take it only now.
    const { engine, team } = player(c);
    // Wrong codes are limited per team, so checkpoint codes cannot be guessed from afar.
    const wait = badCodes.blocked(team.id, engine.now());
    if (wait !== undefined) {
      throw new ApiError("rate_limited", "Too many unknown checkpoint codes; try again later", {
        "retry-after": String(wait),
      });
    }
    const outcome = engine.checkIn(team, code);
    const background = engine.takeBackgroundWrites();
    switch (outcome.kind) {
      case "hunt_not_running":
        return await refuse(runtime, background, "hunt_not_running");
      case "not_found":
        await runtime.writer.commit(background);
        badCodes.hit(team.id, engine.now());
        throw new ApiError("not_found", "There is no checkpoint with that code");
      case "other_variant":
        // Counted like an unknown code, so that codes cannot be probed this way either.
        await runtime.writer.commit(background);
        badCodes.hit(team.id, engine.now());
        throw new ApiError(
          "not_found",
          "This checkpoint belongs to another team's version of the puzzle",
        );
      case "ok":
        await runtime.writer.commit([...background, ...outcome.writes]);
        return json({ puzzle: outcome.puzzle.id, unlocked: outcome.unlocked });
    }
  });

  app.route("/api/admin", adminRoutes({ runtime, freeze, logger, live }));

  app.notFound(() => errorResponse("not_found"));
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
  function player(c: Context): { engine: Engine; team: Team } {
    const token = credential(c);
    const teamId = token === undefined ? undefined : runtime.accounts.teamFor(token);
    const engine = runtime.engine;
    const team = teamId === undefined ? undefined : engine.teams.get(teamId);
    if (team === undefined) throw new ApiError("unauthorized");
    return { engine, team };
  }

  return app;
}

/** The pattern of the route that answers a request (its first non-middleware match), or "unmatched". */
function routeOf(c: Context): string {
  for (const route of matchedRoutes(c)) {
    if (route.method !== "ALL") return route.path;
  }
  return "unmatched";
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

/** A puzzle's (or a variant's) markdown as HTML (raw HTML in it is escaped), rendered once. */
function bodyHtml(source: Puzzle | Variant): string {
  let html = rendered.get(source);
  if (html === undefined) {
    html = markdown.render(source.body);
    rendered.set(source, html);
  }
  return html;
}

/** Refuses an action, once the unlocks its catch-up found (if any) are on disk. */
async function refuse(
  runtime: Runtime,
  background: readonly Write[],
  ...error: ConstructorParameters<typeof ApiError>
): Promise<never> {
  await runtime.writer.commit(background);
  throw new ApiError(...error);
}
