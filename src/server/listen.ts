/**
 * The HTTP listener under `cairn serve` (and the tests that need a socket):
 * `Bun.serve` on Bun, `Deno.serve` on Deno, both serving the same app's
 * `fetch`. When that `fetch` carries `routes` (the hot routes, http/hot.ts),
 * Bun serves them as its own routes, ahead of `fetch`; Deno has no router of
 * its own, and the same `fetch` matches them itself.
 */
import type { AppFetch } from "../http/mod.ts";

/** A listening server. */
export interface Listener {
  hostname: string;
  port: number;
  /**
   * Stops listening. Without `force`, waits for in-flight requests to finish;
   * with it, closes every connection at once.
   */
  stop(force?: boolean): Promise<void>;
}

export interface ListenOptions {
  hostname: string;
  port: number;
  /** The app's `fetch`, with the routes to serve ahead of it, if any. */
  fetch: AppFetch;
  /** PEM certificate and key: serve HTTPS only. */
  tls?: { cert: string; key: string };
}

// The few parts of Deno's API used here (tsc checks this project against Bun's types).
interface DenoServer {
  addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
  finished: Promise<void>;
}
interface DenoServe {
  serve(options: {
    hostname: string;
    port: number;
    signal: AbortSignal;
    onListen: () => void;
    cert?: string;
    key?: string;
    handler: (request: Request, info: unknown) => Response | Promise<Response>;
  }): DenoServer;
}

/** Listens on `hostname:port` (0: any free port); throws when it cannot. */
export function listen(options: ListenOptions): Listener {
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if ("Bun" in globalThis || deno === undefined) return listenBun(options);
  const abort = new AbortController();
  const server = deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: abort.signal,
    onListen: () => {},
    ...(options.tls !== undefined && { cert: options.tls.cert, key: options.tls.key }),
    handler: (request, info) => options.fetch(request, info),
  });
  return {
    hostname: server.addr.hostname,
    port: server.addr.port,
    stop: async (force) => {
      if (force) abort.abort();
      else await server.shutdown();
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
