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

/** How long one kind of failure stays out of the log after a line about it. */
export const QUIET_MS = 10_000;
/** Kinds of failure remembered per logger; past it, the memory starts over. */
const QUIET_KINDS = 1_000;

/** Per logger: each kind of failure (event and message), when its quiet ends, and lines left out. */
const quiet = new WeakMap<Logger, Map<string, { until: number; left: number }>>();

/**
 * Whether a failure is logged now: the first of its kind is, then none for
 * `QUIET_MS`, so that a failure on every request (the database down, a bug
 * in a hot route) writes a line every 10 s rather than one per request.
 * Returns the number of lines left out since the last one, or undefined to
 * leave this one out.
 */
function logNow(logger: Logger, kind: string, now: number): number | undefined {
  let kinds = quiet.get(logger);
  if (kinds === undefined) quiet.set(logger, kinds = new Map());
  const known = kinds.get(kind);
  if (known !== undefined && now < known.until) {
    known.left++;
    return undefined;
  }
  if (known === undefined && kinds.size >= QUIET_KINDS) kinds.clear();
  kinds.set(kind, { until: now + QUIET_MS, left: 0 });
  return known?.left ?? 0;
}

/**
 * Turns any error that reaches the app into the envelope; an unexpected one
 * is logged, each kind at most once every `QUIET_MS` (the next line about it
 * says how many were left out: `left_out=N`). `now` is a clock in ms.
 */
export function errorHandler(
  logger: Logger,
  now: () => number = () => performance.now(),
): (error: Error) => Response {
  /** Logs a failure unless its kind was logged lately; whether it did. */
  const log = (level: "warn" | "error", event: string, message: string, stack?: string) => {
    const left = logNow(logger, `${event} ${message}`, now());
    if (left === undefined) return false;
    logger[level](event, { message, ...(left > 0 && { left_out: left }), stack });
    return true;
  };
  return function onError(error) {
    if (error instanceof ApiError) return errorResponse(error.code, error.message, error.headers);
    if (error.name === "CommitError") {
      // A write refused with nothing decided (the database unreachable) leaves the server running.
      if ((error as { refused?: boolean }).refused === true) {
        log("warn", "write_refused", error.message);
      } else if ((error as { logged?: boolean }).logged !== true) {
        // The store's failure, which every waiting request hears of: the first logs it (or the
        // server does, cli/serve.ts, when it was logged lately and so left out here).
        if (log("error", "commit_failed", error.message)) {
          (error as { logged?: boolean }).logged = true;
        }
      }
      return errorResponse("unavailable");
    }
    if (error instanceof Error) log("error", "unhandled_error", error.message, error.stack);
    else log("error", "unhandled_error", String(error));
    return errorResponse("internal");
  };
}
