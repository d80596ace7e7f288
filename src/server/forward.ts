/**
 * One `fetch` for the listener over apps that may change while it listens: a
 * node on PostgreSQL whose batch failed before its commit starts again in
 * place (cli/serve.ts), and its socket stays open meanwhile, so that players
 * get a 503 to retry rather than a refused connection.
 */
import type { Engine } from "../engine/mod.ts";
import { type AppFetch, type ServeHandler, unavailableApp } from "../http/mod.ts";
import { pageRestarting } from "../ui/mod.ts";

/** The app the listener serves now; `app` may be set to another one at any time. */
export interface Serving {
  app: AppFetch;
}

/**
 * A `fetch` that answers with whichever app `serving` holds at each request,
 * its hot routes included: the routes are those of the app held now (every
 * game's app has the same), each passed on to the app held when it is called,
 * or to its `fetch` when that app has none (`unavailable`).
 */
export function forwarding(serving: Serving): AppFetch {
  const routes: NonNullable<AppFetch["routes"]> = {};
  for (const [pattern, methods] of Object.entries(serving.app.routes ?? {})) {
    const forwarded: Partial<Record<"GET" | "POST", ServeHandler>> = {};
    for (const method of Object.keys(methods) as ("GET" | "POST")[]) {
      forwarded[method] = (request, server) => {
        const handler = serving.app.routes?.[pattern]?.[method];
        return handler === undefined ? serving.app(request, server) : handler(request, server);
      };
    }
    routes[pattern] = forwarded;
  }
  return Object.assign(
    (request: Request, env?: unknown) => serving.app(request, env),
    { routes },
  );
}

/**
 * An app that answers every request 503 `unavailable` (and `Retry-After`): with `message` in the
 * envelope, or, given the game that stopped (`engine`), a page saying so for a browser.
 */
export function unavailable(message: string, engine?: Engine): AppFetch {
  return unavailableApp(
    message,
    (c) => engine === undefined ? undefined : pageRestarting(engine, c),
  );
}
