// Lean JSON responses: hot answers carry only the headers they need, and the
// one envelope every error is sent in.
import type { Context } from "hono";
import type { Logger } from "../log/mod.ts";
import { ApiError, errorResponse, type Outcome, refusalResponse } from "../play/mod.ts";

export const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
};

/**
 * The same, built once as a `Headers`: a Response copies it about twice as
 * fast as it reads a plain object's (each Response gets its own copy).
 */
export const JSON_HEADER_LIST = new Headers(JSON_HEADERS);

/** A JSON response with only the headers it needs: hot responses stay lean. */
export function json(data: unknown, status = 200, headers?: Record<string, string>): Response {
  const merged = headers === undefined || Object.keys(headers).length === 0
    ? JSON_HEADER_LIST
    : { ...JSON_HEADERS, ...headers };
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

/** The JSON answer for an outcome: its reply, or the refusal's envelope. */
export function reply<T>(outcome: Outcome<T>, status = 200): Response {
  return outcome.ok ? json(outcome.reply, status) : refusalResponse(outcome);
}

/** Turns any error that reaches the app into the envelope; an unexpected one is logged. */
export function errorHandler(logger: Logger): (error: Error) => Response {
  return function onError(error) {
    if (error instanceof ApiError) return errorResponse(error.code, error.message, error.headers);
    if (error.name === "CommitError") {
      // A write refused with nothing decided (the database unreachable) leaves the server running.
      if ((error as { refused?: boolean }).refused === true) {
        logger.warn("write_refused", { message: error.message });
      } else logger.error("commit_failed", { message: error.message });
      return errorResponse("unavailable");
    }
    logger.error("unhandled_error", {
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return errorResponse("internal");
  };
}
