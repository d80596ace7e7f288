// HEAD answers with the length their GET would say. Hono answers a HEAD by
// running the GET route and sending its headers with no body, which Bun and
// Deno then send as `content-length: 0` (RFC 9110 §9.3.2 wants a GET's
// headers, §8.6 the GET's length or none). Pages count theirs as they are
// compressed (mod.ts, compressPages); this counts the rest: the /api JSON,
// /healthz, /metrics.
import type { Context, Next } from "hono";

/** Answers whose body is made as it is sent (live events, an export of guesses). */
const streamedAnswers = new WeakSet<Response>();

/**
 * Marks an answer whose body is a stream made as it is sent: its GET goes out
 * chunked, with no length, and its HEAD neither makes nor counts it (the
 * runtime still says `content-length: 0` for a bodiless answer: Deno keeps
 * that even beside `transfer-encoding: chunked`).
 */
export function streamed(answer: Response): Response {
  streamedAnswers.add(answer);
  return answer;
}

/**
 * For a HEAD, says the length of the GET's answer where the route did not (a
 * body of bytes or a string, counted here); a GET passes straight through.
 */
export async function headLength(c: Context, next: Next): Promise<void> {
  if (c.req.method !== "HEAD") return await next();
  await next();
  const answer = c.res;
  // A stream goes unread: cancelled, or a live stream would stay open on Deno, subscribed to events.
  if (streamedAnswers.has(answer)) return await answer.body?.cancel();
  if (answer.headers.has("content-length")) return;
  // No content at all: the runtime says no length for these on a GET either.
  if (answer.status === 204 || answer.status === 304 || answer.body === null) return;
  const length = (await answer.arrayBuffer()).byteLength;
  const headers = new Headers(answer.headers);
  headers.set("content-length", String(length));
  // Cleared first, or Hono would copy the old answer's headers onto the new one.
  c.res = undefined;
  c.res = new Response(null, { status: answer.status, statusText: answer.statusText, headers });
}
