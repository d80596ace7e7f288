/**
 * What clues readable offline need from the server: the service worker
 * (`/sw.js`, hand-written in `sw.js`, with this build's shell filled in) and
 * the page it shows for anything it has not kept (`/offline`). Which pages it
 * may keep, the pages say themselves (`cairn-offline: cache`, or `once` for
 * one to keep without its one-time message, see `markCacheable`). Service
 * workers run only in secure contexts: HTTPS (see `cairn tls`) or localhost.
 */
import type { Context, Hono } from "hono";
import { compressedResponse, type Compressible, type Play } from "../play/mod.ts";
import { huntInfo } from "./_page.ts";
import type { Flash } from "./flash.ts";
import { ASSETS, contentHash } from "./assets.ts";
import { MessagePage } from "./player.tsx";
// @ts-expect-error -- a browser script, embedded as text
import swJs from "./sw.js" with { type: "text" };

export const OFFLINE_PATH = "/offline";

/**
 * What the worker precaches: the stylesheet, the players' scripts (the announcements' too: a copy
 * kept says offline that it may be out of date), the icon, the offline page.
 */
const SHELL = [
  ASSETS.css.path,
  ASSETS.common.path,
  ASSETS.player.path,
  ASSETS.outbox.path,
  ASSETS.announcements.path,
  ASSETS.icon.path,
  OFFLINE_PATH,
];

/**
 * The worker's script, built once: a new build (new asset hashes) is a new
 * worker. Compressed as the assets are: browsers fetch it again at every
 * navigation to look for a new version.
 */
const WORKER: Compressible = (() => {
  const version = contentHash(swJs as string + SHELL.join(","));
  const text = (swJs as string)
    .replace("__CAIRN_VERSION__", version)
    .replace('"__CAIRN_SHELL__"', JSON.stringify(JSON.stringify(SHELL)));
  return { body: new TextEncoder().encode(text) };
})();

/**
 * Marks a team's page as one the service worker may keep for it offline; one that shows a form
 * post's one-time message (`flash`) is kept without it, by a later fetch (`once`): offline, the
 * team would see "Logged in" or "Checked in" again.
 */
export function markCacheable(c: Context, flash: Flash | undefined): void {
  c.header("cairn-offline", flash === undefined ? "cache" : "once");
}

/** `/sw.js` and `/offline`, to mount with the players' pages. */
export function offlinePages(pages: Hono, { game }: Play): void {
  pages.get("/sw.js", (c) =>
    compressedResponse(WORKER, c.req.header("accept-encoding"), {
      "content-type": "text/javascript; charset=utf-8",
      // Checked at every navigation, so a new build's worker is found at once.
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    }));

  // The same for every team (it is cached once for all): nothing of any team in it, not even
  // the last-contact token that `html()` adds to a team's pages.
  pages.get(OFFLINE_PATH, (c) => {
    const page = MessagePage({
      hunt: huntInfo(game.engine),
      title: "You are offline",
      text:
        "This page is not saved on this phone: it opens by itself once the network is back. Puzzles you opened before can still be read, and answers you send wait here until then.",
      // A hunt with no checkpoint (a CTF) has no “Found a checkpoint?” on its list to point to.
      ...(game.engine.hunt.checkpoints.size > 0 && {
        more:
          "Scanned a checkpoint's QR code? Type the code printed under it in “Found a checkpoint?” on the puzzle list: it is checked in when the network is back.",
      }),
      // The list is kept on the phone (the landing page is not): back to it, not to another
      // "You are offline".
      back: "/puzzles",
      // common.js fetches the page asked for again once the network is back (`/offline` itself
      // goes to the list): a page that runs the outbox then sends what waits, a QR link checks in.
      data: { "offline-page": "/puzzles" },
    });
    c.header("cache-control", "no-store");
    return c.html("<!doctype html>" + String(page));
  });
}
