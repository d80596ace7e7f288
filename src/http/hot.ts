/**
 * The hot routes: `GET /api/puzzles`, `GET /api/puzzles/:id`,
 * `POST /api/puzzles/:id/guesses` and `GET /api/scoreboard`. Their answers
 * (`hotAnswers`) are written once, over a plain Request, and reached two ways
 * with the same result:
 *
 * - through the Hono app: `apiRoutes` mounts them behind the front
 *   middleware (`installFront`), as every other route;
 * - directly (`serveHot`): the app's `fetch` matches these three routes
 *   itself and does the front middleware's work inline, once per request
 *   (the session token read once, the unseen-session sync, the last-contact
 *   header, the same-origin rule, the error envelope, and the request's
 *   metrics under the route's pattern); every other request goes to Hono.
 *   On Bun, `listen` gives them to `Bun.serve` as `routes`, ahead of `fetch`.
 *
 * `test/http/hot_test.ts` sends the same requests both ways and compares the
 * answers byte for byte.
 */
import type { Hono } from "hono";
import {
  ApiError,
  CONTACT_HEADER,
  errorResponse,
  GuessBody,
  hashToken,
  type Play,
  type Player,
  playerOf,
  puzzleListCache,
  puzzleView,
  readRequestJson,
  requestBearer,
  sameOrigin,
  secretsEqual,
  sessionCookie,
} from "../play/mod.ts";
import { errorHandler, json, JSON_HEADER_LIST, reply } from "./_json.ts";
import { crossSite, keyed, requestId, UNSAFE } from "./_request.ts";
import { scoreboardAnswer } from "./scoreboard.ts";

/** Who sent a hot request (read once per request), and the `:id` of its path ("" for the list). */
export interface HotCall {
  /** The session token: the Bearer token, else the cookie's. */
  token: string | undefined;
  /** The team whose session that token opened, if any. */
  teamId: number | undefined;
  id: string;
  /** The hunt's time as the request came in (`engine.now()`, read once for the whole answer). */
  now: number;
}

/** A hot route's own work, after the front middleware's. */
export type HotAnswer = (request: Request, call: HotCall) => Response | Promise<Response>;

/** The hot routes' answers, shared by the Hono routes and the direct path. */
export interface HotAnswers {
  list: HotAnswer;
  puzzle: HotAnswer;
  guess: HotAnswer;
  /** Anyone's: a team's session only matters to `around=me`. */
  scoreboard: HotAnswer;
}

/** A route handler as `Bun.serve` calls it: the request, with its path's parameters. */
export type ServeHandler = (
  request: Request & { params: Record<string, string> },
  server: unknown,
) => Response | Promise<Response>;

/** Routes a listener may serve ahead of `fetch`: pattern → method → handler (`Bun.serve`'s `routes`). */
export type ServeRoutes = Record<string, Partial<Record<"GET" | "POST", ServeHandler>>>;

/** An app's `fetch`, which may carry the routes a listener can serve ahead of it. */
export type AppFetch = ((request: Request, env?: unknown) => Response | Promise<Response>) & {
  routes?: ServeRoutes;
};

const LIST = "/api/puzzles";
const BOARD = "/api/scoreboard";
/**
 * The `:id` the direct path takes: one that needs no decoding. Puzzle ids are
 * `[a-z0-9_-]`; anything else (an escape, a `#`) goes to Hono, which decodes
 * it its own way and answers 404.
 */
const PLAIN_ID = /^[\w-]+$/;

/** The answers of the hot routes over a game (one puzzle-list cache for both paths). */
export function hotAnswers({ game, player: actions }: Play): HotAnswers {
  const listJson = puzzleListCache();
  /** The logged-in team, or a 401. */
  const player = (call: HotCall): Player => {
    const found = playerOf(game, call.teamId);
    if (found === undefined) throw new ApiError("unauthorized");
    return found;
  };
  return {
    list(_request, call) {
      const { engine, team } = player(call);
      const now = call.now;
      engine.catchUp(team, now);
      const frozenAt = game.freeze.frozenAt(now);
      return new Response(listJson(engine, team, frozenAt, now), { headers: JSON_HEADER_LIST });
    },

    puzzle(_request, call) {
      const { engine, team } = player(call);
      const now = call.now;
      engine.catchUp(team, now);
      const puzzle = engine.unlockedPuzzle(team, call.id, now);
      if (puzzle === undefined) throw new ApiError("not_found");
      const view = puzzleView(engine, team, puzzle, now, game.freeze.frozenAt(now));
      const { bodyHtml, solutionHtml, ...rest } = view;
      // (JSON leaves out `solution_html` while it is undefined.)
      return json({ ...rest, body_html: bodyHtml, solution_html: solutionHtml });
    },

    // Accepts an Idempotency-Key (play/idempotency.ts).
    async guess(request, call) {
      const { team } = player(call); // 401 before reading any body
      const options = keyed(request, call.token);
      const { answer } = await readRequestJson(request, GuessBody);
      const id = requestId(request);
      if (id !== undefined) options.request = id;
      return reply(await actions.guess(team.id, call.id, answer, options));
    },

    scoreboard: (request, call) => scoreboardAnswer(request, call, game),
  };
}

/**
 * Serves the hot routes without Hono's chain: the app's `fetch` (and so
 * `app.request`, which calls it) answers them directly and hands every other
 * request to Hono, and carries them as `routes` for `listen`.
 */
export function serveHot(app: Hono, { play, answers }: { play: Play; answers: HotAnswers }): void {
  const hono = app.fetch as AppFetch;
  const list = direct(play, { method: "GET", pattern: LIST }, answers.list);
  const puzzle = direct(play, { method: "GET", pattern: `${LIST}/:id` }, answers.puzzle);
  const guess = direct(play, { method: "POST", pattern: `${LIST}/:id/guesses` }, answers.guess);
  const board = direct(play, { method: "GET", pattern: BOARD }, answers.scoreboard);

  // Bun matches the pattern and decodes `:id`; a HEAD comes to a GET route too, and goes to Hono.
  const routes: ServeRoutes = {
    [LIST]: {
      GET: (request, server) =>
        request.method === "GET" ? list(request, "") : hono(request, server),
    },
    [`${LIST}/:id`]: {
      GET: (request, server) => {
        const id = request.params.id ?? "";
        return request.method === "GET" && PLAIN_ID.test(id)
          ? puzzle(request, id)
          : hono(request, server);
      },
    },
    [`${LIST}/:id/guesses`]: {
      POST: (request, server) => {
        const id = request.params.id ?? "";
        return PLAIN_ID.test(id) ? guess(request, id) : hono(request, server);
      },
    },
    [BOARD]: {
      GET: (request, server) =>
        request.method === "GET" ? board(request, "") : hono(request, server),
    },
  };

  // Elsewhere (Deno, `app.request`): the same routes, matched on the raw path.
  function dispatch(request: Request, env?: unknown): Response | Promise<Response> {
    const method = request.method;
    const url = request.url;
    // The path starts at the first "/" after the scheme's "://" and one character of host.
    const start = url.indexOf("/", url.indexOf(":") + 4);
    if (method === "GET" && url.startsWith(BOARD, start)) {
      const next = url[start + BOARD.length];
      return next === undefined || next === "?" || next === "#"
        ? board(request, "")
        : hono(request, env);
    }
    if ((method !== "GET" && method !== "POST") || !url.startsWith(LIST, start)) {
      return hono(request, env);
    }
    // The rest of the path, up to the query or fragment: "", "/:id" or "/:id/guesses".
    const from = start + LIST.length;
    let end = from;
    while (end < url.length && url[end] !== "?" && url[end] !== "#") end++;
    const rest = url.slice(from, end);
    if (rest === "") return method === "GET" ? list(request, "") : hono(request, env);
    const slash = rest.indexOf("/", 1);
    const id = rest.slice(1, slash === -1 ? undefined : slash);
    if (rest[0] !== "/" || !PLAIN_ID.test(id)) return hono(request, env);
    if (slash === -1) return method === "GET" ? puzzle(request, id) : hono(request, env);
    return method === "POST" && rest.slice(slash) === "/guesses"
      ? guess(request, id)
      : hono(request, env);
  }

  app.fetch = Object.assign(dispatch, { routes });
}

/**
 * One hot route served directly: the work of `installFront`'s middleware,
 * inline and in its order, around the route's answer. An answer that needs
 * no waiting (the list and a puzzle, on SQLite) is returned as a Response,
 * not a promise: the server then writes it out at once, without a turn of
 * the microtask queue (about 2 µs of CPU a request, measured in the note).
 */
function direct(
  { game }: Play,
  route: { method: "GET" | "POST"; pattern: string },
  answer: HotAnswer,
): (request: Request, id: string) => Response | Promise<Response> {
  const { pattern } = route;
  const unsafe = UNSAFE.has(route.method);
  const sync = game.store.sync?.bind(game.store);
  const onError = errorHandler(game.logger);
  const record = game.metrics.recorder(route.method, pattern);

  /**
   * The last-contact header and the request's metrics, on any answer. With a
   * `problem`, the caller's session is unknown because the shared log cannot
   * be read: a 401 becomes a 503, rather than log a player out for nothing.
   */
  function finish(
    answered: Response,
    contact: string | undefined,
    started: number,
    problem?: string,
  ): Response {
    const response = problem !== undefined && answered.status === 401
      ? errorResponse("unavailable", problem)
      : answered;
    if (contact !== undefined) response.headers.set(CONTACT_HEADER, contact);
    record(response.status, (performance.now() - started) / 1000);
    return response;
  }

  /** Once the caller is known: the contact token, the same-origin rule, then the answer. */
  function answerFor(
    request: Request,
    call: HotCall,
    bearer: string | undefined,
    started: number,
    problem?: string,
  ): Response | Promise<Response> {
    let contact: string | undefined;
    let answered: Response | Promise<Response>;
    try {
      // Every answer to a team carries a signed last-contact token.
      if (call.teamId !== undefined) {
        contact = game.contacts.issue(call.teamId, call.token!, call.now);
      }
      // CSRF: a cookie-authenticated write must come from this origin (a Bearer token is exempt).
      if (unsafe && bearer === undefined && !sameOrigin(request)) throw crossSite();
      answered = answer(request, call);
    } catch (error) {
      return finish(onError(error as Error), contact, started, problem);
    }
    if (answered instanceof Response) return finish(answered, contact, started, problem);
    return answered.then(
      (response) => finish(response, contact, started, problem),
      (error) => finish(onError(error as Error), contact, started, problem),
    );
  }

  return function hot(request, id) {
    const started = performance.now();
    let bearer: string | undefined;
    let token: string | undefined;
    let teamId: number | undefined;
    try {
      bearer = requestBearer(request);
      token = bearer ?? sessionCookie(request);
      teamId = token === undefined ? undefined : game.accounts.teamFor(token);
    } catch (error) {
      return finish(onError(error as Error), undefined, started);
    }
    // Where nodes share a log, a session opened on another node may not be here yet (the admin
    // token is no team's: the log would tell nothing more of it).
    if (
      sync !== undefined && token !== undefined && teamId === undefined &&
      !secretsEqual(hashToken(token), game.adminTokenHash)
    ) {
      const known = token;
      return sync().then(
        () => {
          const call = {
            token: known,
            teamId: game.accounts.teamFor(known),
            id,
            now: game.engine.now(),
          };
          // Still unknown because the log cannot be read: its 401 will be a 503.
          const problem = call.teamId === undefined ? game.store.writeProblem() : undefined;
          return answerFor(request, call, bearer, started, problem);
        },
        (error) => finish(onError(error as Error), undefined, started),
      );
    }
    return answerFor(request, { token, teamId, id, now: game.engine.now() }, bearer, started);
  };
}
