// Request helpers shared by the player and admin routes: lean JSON
// responses, credentials (Bearer or cookie), the admin check, the cookie.
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { hashToken, secretsEqual } from "./accounts.ts";

export const SESSION_COOKIE = "cairn_session";
/** The organizers' cookie, set by the admin page's sign-in: HttpOnly, SameSite=Strict. */
export const ADMIN_COOKIE = "cairn_admin";
export const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
};

/** A JSON response with only the headers it needs: hot responses stay lean. */
export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const merged = Object.keys(headers).length === 0 ? JSON_HEADERS : { ...JSON_HEADERS, ...headers };
  return new Response(JSON.stringify(data), { status, headers: merged });
}

/**
 * A JSON response built on the context, for routes that set cookies: Hono
 * adds the context's headers only to responses it builds itself.
 */
export function jsonWithCookies(c: Context, data: unknown, status: 200 | 201 = 200): Response {
  c.header("x-content-type-options", "nosniff");
  return c.json(data, status);
}

export function bearer(c: Context): string | undefined {
  const header = c.req.header("authorization");
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/** The session token: from the Authorization header, else from the cookie. */
export function credential(c: Context): string | undefined {
  return bearer(c) ?? getCookie(c, SESSION_COOKIE);
}

/**
 * The admin check: the admin token as a Bearer token, else in the admin
 * cookie (the web pages' sign-in), compared by hash in constant time.
 */
export function isAdmin(c: Context, adminTokenHash: string): boolean {
  const token = bearer(c) ?? getCookie(c, ADMIN_COOKIE);
  return token !== undefined && secretsEqual(hashToken(token), adminTokenHash);
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
  return new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
}

/** Stores a team's session token in the session cookie. */
export function setSessionCookie(c: Context, token: string): void {
  setTokenCookie(c, SESSION_COOKIE, token, { sameSite: "Lax", days: 30 });
}

/** Same origin: the Origin header, when sent, names this server; browsers always send it cross-site. */
export function sameOriginRequest(c: Context): boolean {
  if (c.req.header("sec-fetch-site") === "cross-site") return false;
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  const url = new URL(c.req.url);
  const host = c.req.header("host") ?? url.host;
  const forwarded = c.req.header("x-forwarded-proto");
  return origin === `${url.protocol}//${host}` ||
    (forwarded !== undefined && origin === `${forwarded}://${host}`);
}
