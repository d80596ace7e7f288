/**
 * The web pages: players (landing, puzzles, puzzle, checkpoint), the
 * projector (/scoreboard) and the organizers (/admin). Pages render on the
 * server with hono/jsx; every form posts and redirects (POST, redirect, GET),
 * so the core flows work without JavaScript, and the embedded scripts only
 * enhance them. Form posts run the same actions as the JSON API, from
 * `play/`; this module never imports `http/`.
 */
import type { Context } from "hono";
import type { Engine } from "../engine/mod.ts";
import { type Play, requestUrl, sessionPlayer, UNAVAILABLE_RETRY_SECONDS } from "../play/mod.ts";
import { acceptsHtml, html, huntInfo } from "./_page.ts";
import { MessagePage } from "./player.tsx";

export { adminPages } from "./admin_routes.ts";
export { apiDocsPages } from "./api_docs.tsx";
export { ASSETS } from "./assets.ts";
export { boardPages } from "./board_routes.ts";
export { playerPages } from "./player_routes.ts";

/** The page for an unknown path, for browsers; undefined for the API and other clients. */
export function pageNotFound({ game }: Play, c: Context): Response | undefined {
  if (c.req.path.startsWith("/api/") || !acceptsHtml(c)) return undefined;
  const found = sessionPlayer(game, c);
  return html(
    c,
    MessagePage({
      hunt: huntInfo(game.engine),
      title: "Page not found",
      text: "There is nothing at this address.",
      team: found?.team.name,
    }),
    404,
  );
}

/**
 * The page for a browser's request the server could not save (503 `unavailable`: a failed
 * commit, a database that cannot be reached): nothing was saved, and when to try again, as the
 * answer's `Retry-After` says (which it keeps), with a link back to the page the form was on. A
 * page that could not be shown (a GET) says that instead, and links to itself.
 * Undefined for the API and other clients, which keep the envelope.
 */
export function pageUnavailable(
  { game }: Play,
  c: Context,
  answer: Response,
): Response | undefined {
  if (c.req.path.startsWith("/api/") || !acceptsHtml(c)) return undefined;
  const retryAfter = Number(answer.headers.get("retry-after") ?? UNAVAILABLE_RETRY_SECONDS);
  const found = sessionPlayer(game, c);
  // A page that could not be shown (a read that needed the shared log) saved nothing either,
  // but there was nothing to save: it says so, and links to itself.
  const reading = c.req.method === "GET" || c.req.method === "HEAD";
  const back = reading
    ? onThisServer(c.req.path) + (requestUrl(c.req.url)?.search ?? "")
    : backTo(c);
  const page = html(
    c,
    MessagePage({
      hunt: huntInfo(game.engine),
      title: reading ? "Not available" : "Not saved",
      text: reading
        ? "The server cannot show this page right now."
        : "The server cannot save right now: nothing was saved.",
      retryAfter,
      team: found?.team.name,
      ...(back !== undefined &&
        { back, backText: reading ? "Try this page again" : "Back to the page" }),
    }),
    503,
  );
  page.headers.set("retry-after", String(retryAfter));
  return page;
}

/**
 * The page for a browser while the server starts again in place (cli/serve.ts): no page is
 * served for a moment, and nothing sent then is saved; when to try again. `engine` is the game
 * that stopped, for the hunt's title. Undefined for the API and other clients.
 */
export function pageRestarting(engine: Engine, c: Context): Response | undefined {
  if (c.req.path.startsWith("/api/") || !acceptsHtml(c)) return undefined;
  const back = backTo(c);
  const page = html(
    c,
    MessagePage({
      hunt: huntInfo(engine),
      title: "Starting again",
      text: "The server is starting again after it could not save: nothing sent now is saved.",
      retryAfter: UNAVAILABLE_RETRY_SECONDS,
      back: back ?? onThisServer(c.req.path),
      backText: "Back to the page",
    }),
    503,
  );
  page.headers.set("retry-after", String(UNAVAILABLE_RETRY_SECONDS));
  return page;
}

/** The page a form was posted from (its `Referer`), when it is on this server (by its Host). */
function backTo(c: Context): string | undefined {
  const from = requestUrl(c.req.header("referer") ?? "");
  const host = c.req.header("host") ?? requestUrl(c.req.url)?.host;
  if (from === undefined || from.host !== host) return undefined;
  return onThisServer(from.pathname) + from.search;
}

/**
 * A path as a link that stays on this server: a path that starts `//` (or `/\`) would be read
 * as another host's address (`//evil.example/`), so its leading slashes become one.
 */
function onThisServer(path: string): string {
  return path.replace(/^[/\\]+/, "/");
}
