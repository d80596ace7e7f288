/**
 * The SSE transport for a Live stream. The body is a Bun "direct"
 * ReadableStream: each event is written straight into the socket's buffer, so
 * a broadcast to 10,000 streams is one synchronous call per stream, with no
 * per-write promise and no stream queue (Hono's `streamSSE` pipes every write
 * through a TransformStream, which cost about 20 µs a stream: see the README).
 */
import type { Live } from "./mod.ts";

/** Response headers for an event stream; proxies are asked not to buffer it. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
  "x-content-type-options": "nosniff",
};

/**
 * A response body that joins `live` as a stream when the server starts sending
 * it, and leaves when the client goes away (`signal` aborts, or the body is
 * cancelled) or when Live closes it.
 */
export function eventStream(
  live: Live,
  options: { teamId: number | undefined; lastEventId: string | undefined; signal: AbortSignal },
): ReadableStream {
  let closed = false;
  let finish = () => {};
  const ended = new Promise<void>((resolve) => finish = resolve);
  let leave: (() => void) | undefined;
  const end = () => {
    if (closed) return;
    closed = true;
    leave?.();
    finish();
  };
  options.signal.addEventListener("abort", end, { once: true });
  return new ReadableStream({
    type: "direct",
    pull(controller: ReadableStreamDirectController) {
      if (closed) return;
      leave = live.connect(options.teamId, {
        write: (chunk) => controller.write(chunk),
        get closed() {
          return closed;
        },
        close() {
          end();
          controller.close();
        },
      }, options.lastEventId);
      if (leave === undefined) return end();
      // Bun keeps the response open while this promise is pending.
      return ended;
    },
    cancel: end,
  });
}
