/**
 * The HTTP listener under `cairn serve` (and the tests that need a socket):
 * `Bun.serve` on Bun, `Deno.serve` on Deno, both serving the same app's
 * `fetch`. When that `fetch` carries `routes` (the hot routes, http/hot.ts),
 * Bun serves them as its own routes, ahead of `fetch`; Deno has no router of
 * its own, and the same `fetch` matches them itself.
 */
import type { AppFetch } from "../http/mod.ts";
import { StreamDropped } from "../live/mod.ts";
import { errorResponse } from "../play/mod.ts";
import { answerRange } from "./_range.ts";

/** A listening server. */
export interface Listener {
  hostname: string;
  port: number;
  /**
   * Stops listening. Without `force`, waits for in-flight requests to finish,
   * for at most `stopGraceMs`, then closes the connections still open; with
   * it, closes every connection at once.
   */
  stop(force?: boolean): Promise<void>;
}

/**
 * How long a graceful stop waits for in-flight requests by default: a client
 * that stopped sending its request body would otherwise hold the server up
 * until it goes away (Deno has no timeout of its own), past a service
 * manager's stop timeout (systemd's is 30 s in deploy/, then SIGKILL).
 */
export const STOP_GRACE_MS = 10_000;

export interface ListenOptions {
  hostname: string;
  port: number;
  /** The app's `fetch`, with the routes to serve ahead of it, if any. */
  fetch: AppFetch;
  /** PEM certificate and key: serve HTTPS only. */
  tls?: { cert: string; key: string };
  /** How long `stop()` waits for in-flight requests (default `STOP_GRACE_MS`). */
  stopGraceMs?: number;
  /**
   * Bun only: the seconds a connection may send nothing before it is closed
   * (default `IDLE_TIMEOUT_SECONDS`). A request body must also keep arriving at
   * 16 KiB/s or better under it, unless the app pushes the timer back, as a
   * mission upload does (play/upload.ts). Deno has no such timeout.
   */
  idleTimeout?: number;
}

/** Bun's own default idle timeout, in seconds, said here rather than assumed. */
export const IDLE_TIMEOUT_SECONDS = 10;

// The few parts of Deno's API used here (tsc checks this project against Bun's types).
interface DenoServer {
  addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
  finished: Promise<void>;
}
interface DenoServeInfo {
  /** Settles once the response has been sent in full, or has failed. */
  completed: Promise<void>;
}
interface DenoServe {
  serve(options: {
    hostname: string;
    port: number;
    signal: AbortSignal;
    onListen: () => void;
    /** A handler that threw or a response body that failed; answers in its place. */
    onError: (error: unknown) => Response;
    cert?: string;
    key?: string;
    handler: (request: Request, info: unknown) => Response | Promise<Response>;
  }): DenoServer;
}

/** Listens on `hostname:port` (0: any free port); throws when it cannot. */
export function listen(options: ListenOptions): Listener {
  const listener = listenOn(options);
  const graceMs = options.stopGraceMs ?? STOP_GRACE_MS;
  return {
    ...listener,
    stop: async (force) => {
      if (!force) {
        // In-flight requests finish within the grace period, or lose their connections.
        let timer: ReturnType<typeof setTimeout> | undefined;
        const late = new Promise<"late">((resolve) => timer = setTimeout(resolve, graceMs, "late"));
        const stopped = await Promise.race([listener.stop(false), late]);
        clearTimeout(timer);
        if (stopped !== "late") return;
      }
      await listener.stop(true);
    },
  };
}

/** The runtime's listener; its graceful stop waits as long as requests take. */
function listenOn(options: ListenOptions): Listener {
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if ("Bun" in globalThis || deno === undefined) return listenBun(options);
  // A graceful stop is done in two steps, not with Deno's `shutdown()` alone: that one waits for
  // every connection to finish its request, a client that stopped sending its body included, for
  // as long as the client stays, and once it has begun nothing closes those connections (aborting
  // the server then fails). So first, new requests are answered 503 while the requests in flight
  // are answered (`completed`: handed to the connection); then `shutdown()` sends those answers
  // and closes idle connections. A forced stop before `shutdown()` aborts the server, closing every
  // connection; after it, there is nothing left to close but what `shutdown()` waits for, which
  // the process's exit closes.
  const abort = new AbortController();
  let inFlight = 0;
  let stopping = false;
  let idle: (() => void) | undefined;
  let shutdown: Promise<void> | undefined;
  const settle = () => {
    if (--inFlight === 0) idle?.();
  };
  const server = deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: abort.signal,
    onListen: () => {},
    // Deno's own, but quiet about a live stream ended on purpose because its client stopped
    // reading: failing its body is what closes the connection (live/sse.ts).
    onError: (error) => {
      if (!(error instanceof StreamDropped)) console.error(error);
      return new Response("Internal Server Error", { status: 500 });
    },
    ...(options.tls !== undefined && { cert: options.tls.cert, key: options.tls.key }),
    handler: (request, info) => {
      if (stopping) {
        return errorResponse("unavailable", "The server is stopping", { connection: "close" });
      }
      inFlight++;
      (info as DenoServeInfo).completed.then(settle, settle);
      const answer = options.fetch(request, info);
      // Bun.serve answers byte ranges of its files itself, and gives their length; here, for a
      // DiskFile's body. An answer made at once is returned at once, not as a promise.
      if (request.method !== "GET") return answer;
      return answer instanceof Response
        ? answerRange(request, answer)
        : answer.then((response) => answerRange(request, response));
    },
  });
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    stop: async (force) => {
      stopping = true;
      if (force) {
        if (shutdown === undefined && !abort.signal.aborted) abort.abort();
        if (shutdown === undefined) await server.finished;
        return;
      }
      if (inFlight > 0) await new Promise<void>((resolve) => idle = resolve);
      if (abort.signal.aborted) return await server.finished;
      shutdown ??= server.shutdown();
      await shutdown;
      await server.finished;
    },
  };
}

function listenBun(options: ListenOptions): Listener {
  const server = Bun.serve({
    hostname: options.hostname,
    port: options.port,
    // Bun's routes type each handler's request by its pattern; these take any pattern's params.
    routes: (options.fetch.routes ?? {}) as Bun.Serve.Routes<undefined, string>,
    fetch: options.fetch,
    idleTimeout: options.idleTimeout ?? IDLE_TIMEOUT_SECONDS,
    ...(options.tls !== undefined && { tls: options.tls }),
    // A backstop only: the app answers oversized bodies itself with a 413 envelope, before
    // reading them. Bun does not buffer a body the app leaves unread, so this bound can leave
    // room for photo and video uploads.
    maxRequestBodySize: 256 * 1024 * 1024,
  });
  return {
    hostname: server.hostname ?? options.hostname,
    port: server.port ?? options.port,
    stop: (force) => server.stop(force),
  };
}
