/**
 * The Hono app: every route Cairn answers, with one `notFound` and one
 * `onError` so that every failure leaves in the same envelope.
 */
import { Hono } from "hono";
import type { Logger } from "../log/mod.ts";
import { ApiError, errorResponse } from "./errors.ts";

export { ApiError, envelope, errorResponse, ERRORS } from "./errors.ts";
export type { ErrorCode } from "./errors.ts";

export interface AppOptions {
  logger: Logger;
}

const HEALTHY = JSON.stringify({ ok: true });

/** Creates the app. Everything it needs is passed in, so tests build it with no I/O. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();

  app.get("/healthz", () =>
    new Response(HEALTHY, {
      headers: { "content-type": "application/json", "x-content-type-options": "nosniff" },
    }));

  app.notFound(() => errorResponse("not_found"));
  app.onError((error) => {
    if (error instanceof ApiError) return errorResponse(error.code, error.message, error.headers);
    options.logger.error("unhandled_error", {
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return errorResponse("internal");
  });
  return app;
}
