// `GET /api/scoreboard`: the whole public board (of one division), or a part
// of it, `limit` rows from `offset` or around the caller's own team's row,
// each served as bytes encoded once per board change, with an ETag. It is a
// hot route (hot.ts): served directly, and through Hono with the same answer.
import type { Encoded } from "../live/mod.ts";
import { ApiError, type Game } from "../play/mod.ts";
import { type CachedBody, cachedBody } from "../runtime.ts";
import type { HotCall } from "./hot.ts";

/** The most rows one `limit` asks for. */
export const SCOREBOARD_LIMIT_MAX = 500;
/** The rows of a part asked for with `offset` alone. */
export const SCOREBOARD_LIMIT_DEFAULT = 100;
/** The rows of `around=me` without `limit`: the team's own, with 3 above and 3 below. */
export const SCOREBOARD_AROUND_DEFAULT = 7;
/** The furthest `offset`: far past any board, and sent back as it was asked. */
export const SCOREBOARD_OFFSET_MAX = 999_999_999;

const HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
};
/** `around=me` answers each team its own part: no shared cache may keep one for another. */
const AROUND_CACHING = { "cache-control": "private", vary: "authorization, cookie" };
const WHOLE_NUMBER = /^\d+$/;
/** Each encoded board's body as it is sent (`cachedBody`), made on its first request. */
const bodies = new WeakMap<Encoded, CachedBody>();

function bodyOf(board: Encoded): CachedBody {
  let body = bodies.get(board);
  if (body === undefined) {
    body = cachedBody(board.json);
    bodies.set(board, body);
  }
  return body;
}

/** A query parameter's first value, by name. */
type Query = (name: string) => string | undefined;

const NO_QUERY: Query = () => undefined;

/** The query of a request's URL: none at all for the plain `/api/scoreboard`, the common case. */
function queryOf(url: string): Query {
  const at = url.indexOf("?");
  if (at === -1) return NO_QUERY;
  const hash = url.indexOf("#", at);
  const params = new URLSearchParams(url.slice(at + 1, hash === -1 ? undefined : hash));
  return (name) => params.get(name) ?? undefined;
}

/** A query parameter that must be a whole number in `[min, max]`, if given. */
function wholeNumber(query: Query, name: string, min: number, max: number): number | undefined {
  const text = query(name);
  if (text === undefined) return undefined;
  const value = WHOLE_NUMBER.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new ApiError("bad_request", `${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** The part of the board a request asks for: none for the whole board. */
function partAsked(
  query: Query,
  teamId: number | undefined,
  game: Game,
  division: string | undefined,
): { offset: number; limit: number } | undefined {
  const limit = wholeNumber(query, "limit", 1, SCOREBOARD_LIMIT_MAX);
  const offset = wholeNumber(query, "offset", 0, SCOREBOARD_OFFSET_MAX);
  const around = query("around");
  if (around === undefined) {
    if (limit === undefined && offset === undefined) return undefined;
    return { offset: offset ?? 0, limit: limit ?? SCOREBOARD_LIMIT_DEFAULT };
  }
  if (around !== "me") throw new ApiError("bad_request", "around must be me (your team's row)");
  if (offset !== undefined) {
    throw new ApiError("bad_request", "around and offset cannot be used together");
  }
  if (teamId === undefined) {
    throw new ApiError("unauthorized", "around=me needs a team's token or session cookie");
  }
  const at = game.live.positionOf(teamId, division);
  // A hidden team, or one outside the division, has no row: no rows around it either.
  if (at === undefined) return { offset: 0, limit: 0 };
  const rows = limit ?? SCOREBOARD_AROUND_DEFAULT;
  const total = game.live.standings(division).teams.length;
  // The team's row in the middle, the window kept whole at the top and the bottom of the board.
  const start = Math.max(0, Math.min(at - Math.floor((rows - 1) / 2), total - rows));
  return { offset: start, limit: rows };
}

/**
 * Answers `GET /api/scoreboard[?division=D][&limit=N][&offset=M | &around=me]`
 * for the caller `call` (its team, for `around=me`).
 */
export function scoreboardAnswer(request: Request, call: HotCall, game: Game): Response {
  const query = queryOf(request.url);
  const division = query("division");
  if (division !== undefined && !game.engine.hunt.divisions.includes(division)) {
    throw new ApiError("bad_request", `Unknown division "${division.slice(0, 64)}"`);
  }
  const part = partAsked(query, call.teamId, game, division);
  const board = game.live.scoreboardJson(division, part);
  const around = query("around") !== undefined;
  if (request.headers.get("if-none-match") === board.etag) {
    const headers = around ? { etag: board.etag, ...AROUND_CACHING } : { etag: board.etag };
    return new Response(null, { status: 304, headers });
  }
  const headers = around ? { ...HEADERS, ...AROUND_CACHING } : HEADERS;
  return new Response(bodyOf(board), { headers: { ...headers, etag: board.etag } });
}
