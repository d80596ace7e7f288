// What a team's request carries besides its body, read the same way by the
// Hono routes and the hot routes (hot.ts): its action options (and a mission
// upload's offline time), its request id, and the same-origin rule for
// cookie-authenticated writes.
import {
  type ActionOptions,
  ApiError,
  CONTACT_HEADER,
  idempotencyKey,
  PRESSED_AT_HEADER,
} from "../play/mod.ts";

/** The methods that change something: a cookie-authenticated one must come from this origin. */
export const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const PRESSED_AT = /^\d{1,15}$/;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The CSRF refusal: a cookie-authenticated unsafe request from another origin. */
export function crossSite(): ApiError {
  return new ApiError("forbidden", "Cross-site requests are not allowed");
}

/** A client's `X-Request-Id`, when it is a short token worth echoing in a live event. */
export function requestId(request: Request): string | undefined {
  const header = request.headers.get("x-request-id");
  return header !== null && REQUEST_ID.test(header) ? header : undefined;
}

/**
 * The action options a request carries: its Idempotency-Key, and for an
 * action made offline, when it was pressed and the newest last-contact token.
 * `session` is the request's session token. A malformed key or time is a 400.
 */
export function keyed(request: Request, session: string | undefined): ActionOptions {
  const key = idempotencyKey(request);
  // Built field by field: spreading conditional objects cost a guess more than the header reads.
  const options: ActionOptions = timed(request);
  if (session !== undefined) options.session = session;
  if (key !== undefined) options.key = key;
  return options;
}

/**
 * For an action made offline (a guess, or a mission's upload): when it was
 * pressed and the newest last-contact token. A malformed time is a 400.
 */
export function timed(request: Request): Pick<ActionOptions, "pressedAt" | "contact"> {
  const headers = request.headers;
  const pressed = headers.get(PRESSED_AT_HEADER);
  const contact = headers.get(CONTACT_HEADER);
  if (pressed !== null && !PRESSED_AT.test(pressed.trim())) {
    throw new ApiError(
      "bad_request",
      "The Cairn-Pressed-At header must be a time in milliseconds since 1970",
    );
  }
  const options: ActionOptions = {};
  if (pressed !== null) options.pressedAt = Number(pressed);
  if (contact !== null) options.contact = contact.trim();
  return options;
}
