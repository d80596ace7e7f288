/**
 * The web pages: players (landing, puzzles, puzzle, checkpoint), the
 * projector (/scoreboard) and the organizers (/admin). Pages render on the
 * server with hono/jsx; every form posts and redirects (POST, redirect, GET),
 * so the core flows work without JavaScript, and the embedded scripts only
 * enhance them. Form posts run the same actions as the JSON API, from
 * `play/`; this module never imports `http/`.
 */
import type { Context } from "hono";
import { type Play, sessionPlayer } from "../play/mod.ts";
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
