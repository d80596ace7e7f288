/**
 * The SSE transport for a Live stream. On Bun the body is a "direct"
 * ReadableStream: each event is written straight into the socket's buffer, so
 * a broadcast to 10,000 streams is one synchronous call per stream, with no
 * per-write promise and no stream queue (Hono's `streamSSE` pipes every write
 * through a TransformStream, which cost 4–5 times the CPU: see the README).
 * Elsewhere (Deno) it is a standard ReadableStream whose queue is the buffer.
 */
import type { BoardView, Live, Sink } from "./mod.ts";

/** Response headers for an event stream; proxies are asked not to buffer it. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
  "x-content-type-options": "nosniff",
};

/**
 * One stream's end of the transport. A class with plain fields, so a
 * broadcast reaches the controller in two hops per stream (client, sink)
 * rather than through closures and their scopes: at 10,000 streams the
 * loop's cost is mostly those memory reads.
 */
class DirectSink implements Sink {
  closed = false;
  controller: ReadableStreamDirectController | undefined;
  leave: (() => void) | undefined;
  private readonly ended: Promise<void>;
  private finish!: () => void;

  constructor() {
    this.ended = new Promise<void>((resolve) => this.finish = resolve);
  }

  write(chunk: Uint8Array): number | Promise<number> {
    return this.controller!.write(chunk);
  }

  /** Called once the server ends the stream, to let go of its connection. */
  release: (() => void) | undefined;

  /** Ends the stream from the server's side (at shutdown, or when the client fell behind). */
  close(): void {
    if (!this.closed) this.release?.();
    this.end();
    try {
      this.controller?.close();
    } catch {
      // Already closed by the client's side.
    }
  }

  /** Leaves Live and lets the response finish; safe to call more than once. */
  end = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.leave?.();
    this.finish();
  };

  /** Joins `live` once the server starts sending the body. */
  open(
    live: Live,
    controller: ReadableStreamDirectController,
    teamId: number | undefined,
    lastEventId: string | undefined,
    options: StreamOptions = {},
  ): Promise<void> | undefined {
    if (this.closed) return;
    this.controller = controller;
    this.leave = live.connect(teamId, this, lastEventId, options);
    // The first write can find the client already gone: leave at once.
    if (this.closed) this.leave?.();
    if (this.leave === undefined) {
      this.end();
      return;
    }
    // Bun keeps the response open while this promise is pending.
    return this.ended;
  }
}

/**
 * Why a stream the server ended fails rather than closes (on Deno): its
 * client stopped reading. The listener knows it, and does not report it as an
 * error (server/listen.ts).
 */
export class StreamDropped extends Error {
  override readonly name = "StreamDropped";
  constructor() {
    super("the client stopped reading its live stream");
  }
}

/** Bytes queued for a slow reader before a write reports that it is behind. */
const QUEUE_BYTES = 64 * 1024;

/**
 * One stream's end on runtimes without direct streams: events are queued in
 * the stream, and a write that fills the queue returns a promise that settles
 * when the reader has taken it (Live then counts the client as behind).
 */
class QueueSink implements Sink {
  closed = false;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private leave: (() => void) | undefined;
  private drained: (() => void) | undefined;

  write(chunk: Uint8Array): number | Promise<void> {
    this.controller!.enqueue(chunk);
    if ((this.controller!.desiredSize ?? 1) > 0) return chunk.length;
    return new Promise<void>((resolve) => this.drained = resolve);
  }

  /**
   * Ends the stream from the server's side. A reader that is not taking what
   * is queued (it fell behind) would never take the stream's end either, and
   * its connection would stay open for good: its stream fails instead, which
   * ends the response and closes the connection.
   */
  close(): void {
    const stuck = this.drained !== undefined;
    this.end();
    try {
      if (stuck) this.controller?.error(new StreamDropped());
      else this.controller?.close();
    } catch {
      // Already closed by the client's side.
    }
  }

  end = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.leave?.();
    this.drained?.();
  };

  /** The body: joins `live` when the stream starts, leaves when it is cancelled. */
  stream(
    live: Live,
    teamId: number | undefined,
    lastEventId: string | undefined,
    options: StreamOptions = {},
  ): ReadableStream {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (this.closed) return;
        this.controller = controller;
        this.leave = live.connect(teamId, this, lastEventId, options);
        if (this.closed) this.leave?.();
        if (this.leave === undefined) this.close();
      },
      pull: () => {
        const drained = this.drained;
        this.drained = undefined;
        drained?.();
      },
      cancel: this.end,
    }, new ByteLengthQueuingStrategy({ highWaterMark: QUEUE_BYTES }));
  }
}

/**
 * Who a stream is for, besides its team: an organizer, and the session it was
 * opened with; and what its `scoreboard` events carry.
 */
type StreamOptions = {
  admin?: boolean;
  session?: string;
  view?: BoardView;
  division?: string;
  page?: number;
  address?: string;
};

/** The options `Live.connect` takes, from `eventStream`'s. */
function streamOptions(options: StreamOptions): StreamOptions {
  return {
    ...(options.admin !== undefined && { admin: options.admin }),
    ...(options.session !== undefined && { session: options.session }),
    ...(options.view !== undefined && { view: options.view }),
    ...(options.division !== undefined && { division: options.division }),
    ...(options.page !== undefined && { page: options.page }),
    ...(options.address !== undefined && { address: options.address }),
  };
}

/**
 * A response body that joins `live` as a stream when the server starts sending
 * it, and leaves when the client goes away (`signal` aborts, or the body is
 * cancelled) or when Live closes it.
 */
export function eventStream(
  live: Live,
  options: {
    teamId: number | undefined;
    lastEventId: string | undefined;
    signal: AbortSignal;
    /** An organizer's stream, which also gets the admin-only events. */
    admin?: boolean;
    /** The hash of the session token a team's stream was opened with: it ends with the session. */
    session?: string;
    /** What its `scoreboard` events carry: the whole board (the default), or the team's row. */
    view?: BoardView;
    /** With the `top` or `page` view: the division whose board it follows, ranked among themselves. */
    division?: string;
    /** With the `page` view: the page of the board it follows (from 1). */
    page?: number;
    /** The client's address, which a stream with no team and no organizer counts against. */
    address?: string;
    /**
     * Called when the server ends the stream. Closing the stream alone does
     * not close the connection: its idle timeout was turned off for the
     * stream, and a client that stopped reading never takes the stream's end.
     * The HTTP route gives the connection a short idle timeout back here.
     */
    release?: () => void;
  },
): ReadableStream {
  if (!("Bun" in globalThis)) {
    const sink = new QueueSink();
    if (options.signal.aborted) sink.end();
    else options.signal.addEventListener("abort", sink.end, { once: true });
    return sink.stream(live, options.teamId, options.lastEventId, streamOptions(options));
  }
  const sink = new DirectSink();
  sink.release = options.release;
  if (options.signal.aborted) sink.end();
  else options.signal.addEventListener("abort", sink.end, { once: true });
  return new ReadableStream({
    type: "direct",
    pull: (controller: ReadableStreamDirectController) =>
      sink.open(live, controller, options.teamId, options.lastEventId, streamOptions(options)),
    cancel: sink.end,
  });
}
