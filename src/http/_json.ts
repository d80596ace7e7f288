// Lean JSON responses: hot answers carry only the headers they need.
import type { Context } from "hono";

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
