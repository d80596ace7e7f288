/**
 * Who sent a request, for the API and the pages alike: the session token
 * (Bearer or cookie), the cookies, and the same-origin rule (the admin check
 * is in admin_check.ts).
 */
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import { parse } from "hono/utils/cookie";
import type { Engine, Team } from "../engine/mod.ts";
import type { Game } from "./game.ts";

export const SESSION_COOKIE = "cairn_session";
/** The organizers' cookie, set by the admin page's sign-in: HttpOnly, SameSite=Strict. */
export const ADMIN_COOKIE = "cairn_admin";
/**
 * Each request's tokens, read once: the middleware (last contact, CSRF) and
 * the route all ask, and a request's headers never change. Null: none.
 */
const bearers = new WeakMap<Request, string | null>();
const credentials = new WeakMap<Request, string | null>();
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The Bearer token of a request's Authorization header, if any (read each time it is asked). */
export function requestBearer(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  return header === null ? undefined : BEARER.exec(header)?.[1];
}

/** The token of a request's session cookie, if any (read each time it is asked). */
export function sessionCookie(request: Request): string | undefined {
  const cookie = request.headers.get("cookie");
  return cookie ? parse(cookie, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
}

/** The Bearer token of the Authorization header, if any. */
export function bearer(c: Context): string | undefined {
  const raw = c.req.raw;
  const known = bearers.get(raw);
  if (known !== undefined) return known ?? undefined;
  const token = requestBearer(raw);
  bearers.set(raw, token ?? null);
  return token;
}

/** The session token: from the Authorization header, else from the cookie. */
export function credential(c: Context): string | undefined {
  const raw = c.req.raw;
  const known = credentials.get(raw);
  if (known !== undefined) return known ?? undefined;
  const token = bearer(c) ?? sessionCookie(raw);
  credentials.set(raw, token ?? null);
  return token;
}

/** Stores the admin token in the admin cookie, for the organizers' pages. */
export function setAdminCookie(c: Context, token: string): void {
  setTokenCookie(c, ADMIN_COOKIE, token, { sameSite: "Strict", days: 7 });
}

/** A token in an HttpOnly cookie for the whole site, Secure behind https. */
function setTokenCookie(
  c: Context,
  name: string,
  token: string,
  options: { sameSite: "Strict" | "Lax"; days: number },
): void {
  setCookie(c, name, token, {
    httpOnly: true,
    sameSite: options.sameSite,
    secure: isHttps(c),
    path: "/",
    maxAge: 60 * 60 * 24 * options.days,
  });
}

function isHttps(c: Context): boolean {
  return requestUrl(c.req.url)?.protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
}

/**
 * The request's URL, or undefined when it cannot be parsed: the runtime builds
 * it from the Host header, which a client may send malformed (`a b`, `x:99999`).
 */
export function requestUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Stores a team's session token in the session cookie. */
export function setSessionCookie(c: Context, token: string): void {
  setTokenCookie(c, SESSION_COOKIE, token, { sameSite: "Lax", days: 30 });
}

/** Same origin: the Origin header, when sent, names this server; browsers always send it cross-site. */
export function sameOriginRequest(c: Context): boolean {
  return sameOrigin(c.req.raw);
}

/** `sameOriginRequest` over a plain Request (the hot routes have no Context). */
export function sameOrigin(request: Request): boolean {
  const headers = request.headers;
  if (headers.get("sec-fetch-site") === "cross-site") return false;
  const origin = headers.get("origin");
  if (origin === null) return true;
  // A Host no URL can hold names no origin a browser sends.
  const url = requestUrl(request.url);
  if (url === undefined) return false;
  const host = headers.get("host") ?? url.host;
  const forwarded = headers.get("x-forwarded-proto");
  return origin === `${url.protocol}//${host}` ||
    (forwarded !== null && origin === `${forwarded}://${host}`);
}

/** A team and the engine it was found in (a reload swaps the engine). */
export interface Player {
  engine: Engine;
  team: Team;
}

/** The team the request's session belongs to, or undefined. */
export function sessionPlayer(game: Game, c: Context): Player | undefined {
  return playerOf(game, sessionTeam(game, c));
}

/** The id of the team the request's session belongs to, or undefined. */
export function sessionTeam(game: Game, c: Context): number | undefined {
  const token = credential(c);
  return token === undefined ? undefined : game.accounts.teamFor(token);
}

/** The team of that id in the current engine, with the engine, or undefined. */
export function playerOf(game: Game, teamId: number | undefined): Player | undefined {
  const engine = game.engine;
  const team = teamId === undefined ? undefined : engine.teams.get(teamId);
  return team === undefined ? undefined : { engine, team };
}
