/**
 * The one catalogue of error kinds the API answers with, and the envelope
 * `{"error": {"code", "message"}}` every one of them is sent in.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERRORS = {
  bad_request: { status: 400, message: "The request is not valid" },
  unauthorized: { status: 401, message: "Log in first" },
  forbidden: { status: 403, message: "You may not do that" },
  not_found: { status: 404, message: "There is nothing here" },
  method_not_allowed: { status: 405, message: "That method is not allowed here" },
  request_timeout: { status: 408, message: "The request stopped arriving" },
  conflict: { status: 409, message: "That conflicts with the current state" },
  hunt_not_running: { status: 409, message: "The hunt is not running" },
  payload_too_large: { status: 413, message: "The request body is larger than 64 KiB" },
  unprocessable: {
    status: 422,
    message: "This Idempotency-Key was already used for another request",
  },
  rate_limited: { status: 429, message: "Too many attempts; try again later" },
  internal: { status: 500, message: "Something went wrong on the server" },
  unavailable: { status: 503, message: "The server cannot save right now; try again" },
} as const satisfies Record<string, { status: ContentfulStatusCode; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An expected failure thrown from a handler and turned into the envelope by `onError`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, message?: string, headers: Record<string, string> = {}) {
    super(message ?? ERRORS[code].message);
    this.code = code;
    this.headers = headers;
  }
}

/** Builds the JSON body for an error code. */
export function envelope(code: ErrorCode, message?: string): string {
  return JSON.stringify({ error: { code, message: message ?? ERRORS[code].message } });
}

/**
 * The `Retry-After` of a 503 `unavailable` that gives none of its own (seconds): the database
 * cannot be reached or written, or the server is stopping. A node is back within a second or two
 * of its database, and a restarted one within a few.
 */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/** Builds a complete error response; every 503 says when to try again (`Retry-After`). */
export function errorResponse(
  code: ErrorCode,
  message?: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(envelope(code, message), {
    status: ERRORS[code].status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-content-type-options": "nosniff",
      ...(code === "unavailable" && { "retry-after": String(UNAVAILABLE_RETRY_SECONDS) }),
      ...headers,
    },
  });
}

/** An expected refusal, as data: what the API answers as the envelope and a page as a flash. */
export interface Refusal {
  ok: false;
  code: ErrorCode;
  message: string;
  /**
   * What a page says instead of `message`, where that names the server's own trouble (a
   * database driver's error) that a player can do nothing about; the API keeps `message`.
   */
  shown?: string;
  /** Seconds to wait, for `rate_limited`. */
  retryAfter?: number;
}

/** What an action returns: its reply once it is on disk, or why it was refused. */
export type Outcome<T> = { ok: true; reply: T } | Refusal;

/** A refusal of `code`, with the catalogue's sentence unless `message` is given. */
export function refusal(code: ErrorCode, message?: string, retryAfter?: number): Refusal {
  return {
    ok: false,
    code,
    message: message ?? ERRORS[code].message,
    ...(retryAfter !== undefined && { retryAfter }),
  };
}

/** The response for a refusal: the envelope, with `Retry-After` where it applies. */
export function refusalResponse(refused: Refusal): Response {
  return errorResponse(
    refused.code,
    refused.message,
    refused.retryAfter === undefined ? {} : { "retry-after": String(refused.retryAfter) },
  );
}
