/**
 * The JSON API: the app-wide middleware (metrics, security headers, CSRF),
 * `/healthz` and `/metrics`, every `/api` route, a puzzle's files, and the
 * one `onError` that sends every failure in the same envelope. The pages
 * live in `ui/`; the composition root (`server/`) mounts both.
 */
import { type Context, Hono, type Next } from "hono";
import { deleteCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { matchedRoutes } from "hono/route";
import { eventStream, huntTimes, SSE_HEADERS } from "../live/mod.ts";
import {
  ACCEPT_ENCODING,
  ApiError,
  bearer,
  CheckInBody,
  chooseCoding,
  clientAddress,
  type Coding,
  CONTACT_HEADER,
  credential,
  ctftimeJson,
  EmptyBody,
  engineFeed,
  errorResponse,
  type Game,
  gzipPage,
  hashToken,
  isAdmin,
  LoginBody,
  noteContact,
  openApiDocument,
  ownMachine,
  PAGE_GZIP_MIN_BYTES,
  type Play,
  type Player,
  readJson,
  refusalResponse,
  RegisterBody,
  sameOriginRequest,
  secretsEqual,
  SESSION_COOKIE,
  sessionPlayer,
  sessionTeam,
  setSessionCookie,
  teamGuesses,
  varyOnEncoding,
} from "../play/mod.ts";
import { json, JSON_HEADERS, jsonWithCookies, reply } from "./_json.ts";
import { crossSite, keyed, UNSAFE } from "./_request.ts";
import { headLength, streamed } from "./_head.ts";
import { type AppFetch, type HotAnswers, hotAnswers, type HotCall } from "./hot.ts";
import { adminRoutes } from "./admin.ts";
import { askRoutes } from "./asks.ts";
import { statsRoutes } from "./stats.ts";
import { missionRoutes } from "./missions.ts";
import { scoreboardHistory } from "./history.ts";
import { puzzleFileResponse } from "./puzzle_files.ts";

export { errorHandler, json } from "./_json.ts";
export { hotAnswers, serveHot } from "./hot.ts";
export type { AppFetch, HotAnswers, ServeHandler, ServeRoutes } from "./hot.ts";

/** The `Retry-After` of a live stream refused to an address that holds as many as it may. */
const PUBLIC_STREAMS_RETRY_SECONDS = 10;
/** Idle seconds after which the connection of an event stream the server ended is closed. */
const RELEASED_STREAM_IDLE_SECONDS = 2;
const SCOREBOARD_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
};
/** The pages' coding: gzip alone, made for each page (brotli costs 2.6–4.4 times the CPU). */
const GZIP_ONLY: readonly Coding[] = ["gzip"];
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

/**
 * An app that answers every request 503 `unavailable` with `Retry-After`: `page(c)` where it
 * gives one (a browser's page, with the pages' security headers), else the envelope with
 * `message`. A node that starts again in place serves it meanwhile (cli/serve.ts).
 */
export function unavailableApp(
  message: string,
  page: (c: Context) => Response | undefined,
): AppFetch {
  const app = new Hono();
  // A HEAD (a load balancer's on /healthz) says the length its GET would, as when serving.
  app.use("*", headLength);
  app.use("*", async function pageHeaders(c, next) {
    if (c.req.path.startsWith("/api/")) return next();
    await pageSecurity(c, next);
  });
  app.all("*", (c) => page(c) ?? errorResponse("unavailable", message));
  return (request) => app.fetch(request);
}

/**
 * Installs what every request goes through, first: timing for `/metrics`,
 * `/metrics` and `/healthz` themselves, the pages' security headers, and the
 * same-origin rule for cookie-authenticated writes.
 */
export function installFront(app: Hono, { game }: Play): void {
  const { metrics, store } = game;

  // First, so that it times every answer, errors and 404s included. The route label is the
  // matched pattern (`/api/puzzles/:id`), never the raw path, so the series stay bounded.
  app.use("*", async function measure(c, next) {
    const started = performance.now();
    await next();
    metrics.request(c.req.method, routeOf(c), c.res.status, (performance.now() - started) / 1000);
  });

  // A HEAD says the length its GET would, where the runtime would say 0 (_head.ts).
  app.use("*", headLength);

  app.get(
    "/metrics",
    async () =>
      new Response(await metrics.text(), { headers: { "content-type": metrics.contentType } }),
  );

  // Where nodes share a log, a session opened on another node a moment ago may not have
  // reached this one: an unknown token first makes it read the log (no session affinity).
  const sync = store.sync?.bind(store);
  if (sync !== undefined) {
    app.use("*", async function unseenSession(c, next) {
      const token = credential(c);
      if (token === undefined || game.accounts.teamFor(token) !== undefined) return next();
      // The admin token is no team's: nothing in the log would tell more of it.
      if (secretsEqual(hashToken(token), game.adminTokenHash)) return next();
      await sync();
      // Still unknown because the log cannot be read: a 401 would log a player out for nothing.
      const problem = game.accounts.teamFor(token) === undefined ? store.writeProblem() : undefined;
      await next();
      if (problem !== undefined && c.res.status === 401) {
        c.res = errorResponse("unavailable", problem);
      }
    });
  }

  // Ready, and able to save: a load balancer or systemd watchdog can act on a 503.
  app.get("/healthz", () => {
    const problem = store.writeProblem();
    if (problem !== undefined) return errorResponse("unavailable", problem);
    // Still 200: a rolling reload passes through this, and the node serves meanwhile.
    if (game.huntDiffers()) return json({ ok: true, db: "writable", hunt: "differs" });
    return json({ ok: true, db: "writable" });
  });

  // Pages (everything outside /api) get the Content-Security-Policy and frame
  // headers; JSON responses carry only nosniff, to keep hot responses lean.
  app.use("*", async function pageHeaders(c, next) {
    if (c.req.path.startsWith("/api/")) return next();
    await pageSecurity(c, next);
  });

  // Pages go out gzipped to the browsers that take it (every browser does), so that no reverse
  // proxy is needed for it. Nothing under /api/ is: live streams, exports, the JSON answers.
  app.use("*", compressPages);

  // Every answer to a team carries a signed last-contact token: a guess made
  // offline later sends the newest one, to show when the team was last online.
  app.use("*", async function lastContact(c, next) {
    const token = credential(c);
    const teamId = token === undefined ? undefined : game.accounts.teamFor(token);
    if (token === undefined || teamId === undefined) return next();
    const contact = game.contacts.issue(teamId, token, game.engine.now());
    noteContact(c.req.raw, contact);
    await next();
    try {
      c.res.headers.set(CONTACT_HEADER, contact);
    } catch {
      // A response with immutable headers goes out as it is.
    }
  });

  // CSRF: a cookie-authenticated unsafe request must come from this origin.
  // Requests carrying a Bearer token are exempt: no browser adds one by itself.
  app.use("*", async function sameOrigin(c, next) {
    if (UNSAFE.has(c.req.method) && bearer(c) === undefined && !sameOriginRequest(c)) {
      throw crossSite();
    }
    await next();
  });
}

/**
 * Gzips a page (an HTML answer outside /api/) for a browser that takes it,
 * when it is large enough to gain; every page says it varies by encoding, and a HEAD the length
 * its GET would have.
 */
async function compressPages(c: Context, next: Next): Promise<void> {
  if (c.req.path.startsWith("/api/")) return await next();
  await next();
  const page = c.res;
  const type = page.headers.get("content-type") ?? "";
  // Only pages: never a puzzle's or a team's file, nor an answer already coded, ranged or empty.
  if (!type.startsWith("text/html") || page.headers.has("content-encoding")) return;
  if (page.status === 204 || page.status === 206 || page.status === 304) return;
  const gzip = chooseCoding(c.req.header(ACCEPT_ENCODING), GZIP_ONLY) !== undefined;
  // Without gzip, a GET goes out as it is; a HEAD's length is counted below.
  if (!gzip && c.req.method !== "HEAD") {
    varyOnEncoding(page.headers);
    return;
  }
  const bytes = new Uint8Array(await page.arrayBuffer());
  const headers = new Headers(page.headers);
  varyOnEncoding(headers);
  let body: Uint8Array = bytes;
  if (gzip && bytes.length >= PAGE_GZIP_MIN_BYTES) {
    body = gzipPage(bytes);
    headers.set("content-encoding", "gzip");
  }
  // Said here, for HEAD: Hono answers it with the GET's headers and no body, which the runtime
  // would count as 0 bytes.
  headers.set("content-length", String(body.length));
  // Cleared first, or Hono would copy the old answer's headers onto it, and stream its body.
  c.res = undefined;
  c.res = new Response(body, { status: page.status, statusText: page.statusText, headers });
}

/**
 * The API's routes, to mount at the root: `/api/…` and a puzzle's files.
 * `answers` are the hot routes' answers, when the app also serves them
 * directly (`serveHot`), so both paths share one puzzle-list cache.
 */
export function apiRoutes(play: Play, answers: HotAnswers = hotAnswers(play)): Hono {
  const api = new Hono();
  publicRoutes(api, play, answers);
  accountRoutes(api, play);
  puzzleRoutes(api, play, answers);
  missionRoutes(api, play);
  askRoutes(api, play);
  statsRoutes(api, play);
  api.route("/api/admin", adminRoutes(play));
  return api;
}

/** The routes anyone may read: the hunt, the scoreboard and its history, live events. */
function publicRoutes(api: Hono, { game }: Play, hot: HotAnswers): void {
  const { live, freeze } = game;

  api.get("/api/hunt", () => {
    const engine = game.engine;
    const hunt = engine.hunt;
    const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return json({
      title: hunt.title,
      ...huntTimes(engine),
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

  // The whole board, or a part of it, each encoded once per change: a hot route (hot.ts).
  api.get("/api/scoreboard", (c) => hot.scoreboard(c.req.raw, hotCall(game, c)));

  // CTFtime's scoreboard feed: as public as the board, so frozen while it is.
  api.get("/api/ctftime", () => {
    const engine = game.engine;
    const feed = engineFeed(engine, freeze.frozenAt(engine.now()));
    return new Response(ctftimeJson(feed), { headers: SCOREBOARD_HEADERS });
  });

  // The API's own description, built once from the schemas that validate it.
  let openApi: string | undefined;
  api.get("/api/openapi.json", () => {
    openApi ??= JSON.stringify(openApiDocument());
    return new Response(openApi, { headers: JSON_HEADERS });
  });

  // The top 10's score over time, for the projector's chart (of one division, with ?division=D).
  const history = scoreboardHistory(game);
  api.get("/api/scoreboard/history", (c) => {
    const division = c.req.queries("division")?.[0];
    if (division !== undefined && !game.engine.hunt.divisions.includes(division)) {
      throw new ApiError("bad_request", `Unknown division "${division.slice(0, 64)}"`);
    }
    return new Response(history(division), { headers: SCOREBOARD_HEADERS });
  });

  api.get("/api/events", (c) => {
    // A team gets its own solves and unlocks too; an organizer (the admin token or cookie) the
    // guess feed; anyone gets the public events.
    const view = c.req.queries("scoreboard")?.[0] ?? "full";
    if (view !== "full" && view !== "team" && view !== "top" && view !== "page") {
      throw new ApiError(
        "bad_request",
        "scoreboard must be full (the whole board), team (its row), top (the top and its place) " +
          "or page (a page of the board)",
      );
    }
    // A team's standings of one division follow that division's top and the team's place in it,
    // or one page of that division's board.
    const division = c.req.queries("division")?.[0];
    if (division !== undefined && view !== "top" && view !== "page") {
      throw new ApiError("bad_request", "division can be used with scoreboard=top or page only");
    }
    const pageAsked = c.req.queries("page")?.[0];
    if (pageAsked !== undefined && view !== "page") {
      throw new ApiError("bad_request", "page can be used with scoreboard=page only");
    }
    const page = pageAsked === undefined ? 1 : Number(pageAsked);
    if (!/^[0-9]{1,9}$/.test(pageAsked ?? "1") || page < 1) {
      throw new ApiError("bad_request", "page must be a whole number from 1");
    }
    if (division !== undefined && !game.engine.hunt.divisions.includes(division)) {
      throw new ApiError("bad_request", `Unknown division "${division.slice(0, 64)}"`);
    }
    const admin = isAdmin(c, game);
    const token = credential(c);
    const teamId = token === undefined ? undefined : game.accounts.teamFor(token);
    // A Bearer token is sent on purpose, so a dead one is refused. A cookie is sent by the
    // browser on every page: a dead one gets the public stream, and is cleared.
    const deadCookie = token !== undefined && teamId === undefined && !admin;
    if (deadCookie && bearer(c) !== undefined) throw new ApiError("unauthorized");
    const address = teamId === undefined && !admin ? publicStreamAddress(c, game) : undefined;
    // A quiet stream must not be closed by Bun's idle timeout: the heartbeat keeps it busy. A HEAD
    // sends no stream, and its connection keeps its timeout: it stayed open, idle, for good.
    const server = c.env as { timeout?: (request: Request, seconds: number) => void } | undefined;
    if (c.req.method !== "HEAD") server?.timeout?.(c.req.raw, 0);
    const lastEventId = c.req.header("last-event-id");
    const body = eventStream(live, {
      teamId,
      lastEventId,
      signal: c.req.raw.signal,
      admin,
      view,
      ...(division !== undefined && { division }),
      ...(view === "page" && { page }),
      ...(address !== undefined && { address }),
      // A team's stream ends with its session (a logout, or a new password that logs it out).
      ...(teamId !== undefined && { session: hashToken(token!) }),
      // Once the server ends the stream (the client fell behind, or shutdown), the connection
      // closes when idle: a client that stopped reading would otherwise hold it forever.
      release: () => server?.timeout?.(c.req.raw, RELEASED_STREAM_IDLE_SECONDS),
    });
    if (!deadCookie) return streamed(new Response(body, { headers: SSE_HEADERS }));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return streamed(c.body(body, 200, SSE_HEADERS));
  });
}

/**
 * The client address a live stream with no team and no organizer counts against, or undefined for
 * a HEAD and for this machine's own (a reverse proxy beside it that is not trusted cannot tell its
 * clients apart); a 429 once that address holds as many such streams as it may.
 */
function publicStreamAddress(c: Context, game: Game): string | undefined {
  if (c.req.method === "HEAD") return undefined;
  const address = clientAddress(c, game.proxies);
  if (ownMachine(address)) return undefined;
  if (game.live.publicStreamsFull(address)) {
    throw new ApiError(
      "rate_limited",
      `This address already holds ${game.live.perAddressLimit} live streams without a team's ` +
        "session; close some, or log in (a team's streams count apart)",
      { "retry-after": String(PUBLIC_STREAMS_RETRY_SECONDS) },
    );
  }
  return address;
}

/** Registering, logging in and out. */
function accountRoutes(api: Hono, { game, player: actions }: Play): void {
  api.post("/api/teams", async (c) => {
    const outcome = await actions.register(await readJson(c, RegisterBody), {
      address: clientAddress(c, game.proxies),
    });
    if (!outcome.ok) return refusalResponse(outcome);
    setSessionCookie(c, outcome.reply.token);
    return jsonWithCookies(c, outcome.reply, 201);
  });

  api.post("/api/session", async (c) => {
    const outcome = await actions.login(await readJson(c, LoginBody), {
      address: clientAddress(c, game.proxies),
    });
    if (!outcome.ok) return refusalResponse(outcome);
    setSessionCookie(c, outcome.reply.token);
    return jsonWithCookies(c, outcome.reply);
  });

  api.delete("/api/session", async (c) => {
    await readJson(c, EmptyBody);
    await actions.logout(credential(c));
    // Cleared even when the session was already over, so a browser never keeps a dead cookie.
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return jsonWithCookies(c, { ok: true });
  });
}

/** What the hot answers need of a request, read here through the front middleware's caches. */
function hotCall(game: Game, c: Context): HotCall {
  return {
    token: credential(c),
    teamId: sessionTeam(game, c),
    id: c.req.param("id") ?? "",
    now: game.engine.now(),
  };
}

/** A team's puzzles: the list, one puzzle, guesses, hints, check-ins and files. */
function puzzleRoutes(api: Hono, { game, player: actions }: Play, hot: HotAnswers): void {
  /** The logged-in team, or a 401. */
  const player = (c: Context): Player => {
    const found = sessionPlayer(game, c);
    if (found === undefined) throw new ApiError("unauthorized");
    return found;
  };

  // The hot routes: the same answers as `serveHot` gives without this chain (http/hot.ts).
  api.get("/api/puzzles", (c) => hot.list(c.req.raw, hotCall(game, c)));
  api.get("/api/puzzles/:id", (c) => hot.puzzle(c.req.raw, hotCall(game, c)));
  api.post("/api/puzzles/:id/guesses", (c) => hot.guess(c.req.raw, hotCall(game, c)));

  // What every teammate guessed on a puzzle (play/guess_history.ts): read from the store.
  api.get("/api/puzzles/:id/guesses", async (c) => {
    const { engine, team } = player(c);
    engine.catchUp(team);
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) throw new ApiError("not_found");
    const { guesses } = await teamGuesses(game, team, puzzle);
    return json({
      guesses: guesses.map((guess) => ({ ...guess, at: new Date(guess.at).toISOString() })),
    });
  });

  // Hints and check-ins accept an Idempotency-Key (play/idempotency.ts), as guesses do.
  api.post("/api/puzzles/:id/hints/:hint", async (c) => {
    const { team } = player(c); // 401 before reading any body
    const options = keyed(c.req.raw, credential(c));
    await readJson(c, EmptyBody);
    return reply(
      await actions.takeHint(team.id, c.req.param("id"), c.req.param("hint"), options),
    );
  });

  api.post("/api/checkins", async (c) => {
    const { team } = player(c); // 401 before reading any body
    const options = keyed(c.req.raw, credential(c));
    const { code } = await readJson(c, CheckInBody);
    return reply(await actions.checkIn(team.id, code, options));
  });

  // A puzzle's own files, for its body's pictures and links (session cookie or Bearer).
  api.get("/puzzles/:id/assets/:file{.+}", (c) => {
    const { engine, team } = player(c);
    return puzzleFileResponse(engine, team, c.req.param("id"), c.req.param("file"));
  });
}

/** The pattern of the route that answers a request (its first non-middleware match), or "unmatched". */
function routeOf(c: Context): string {
  for (const route of matchedRoutes(c)) {
    if (route.method !== "ALL") return route.path;
  }
  return "unmatched";
}
