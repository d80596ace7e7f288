/**
 * The pages' stylesheet and scripts, embedded in the binary as text and
 * served under a content hash (`/assets/app.3k2j1h.css`), so browsers cache
 * them for a year and a new build is fetched at once. Each is compressed
 * once, on its first request: gzip at once, brotli (smaller, but about 50
 * times the CPU) in the background, sent from then on to the browsers that
 * take it (docs/performance.md, "Compressed pages and assets").
 */
import { createHash } from "node:crypto";
import { brotliOf, compressedResponse, type Compressible } from "../play/mod.ts";
import css from "./app.css" with { type: "text" };
// @ts-expect-error -- a browser script, embedded as text
import commonJs from "./common.js" with { type: "text" };
// @ts-expect-error -- a browser script, embedded as text
import playerJs from "./player.js" with { type: "text" };
// @ts-expect-error -- a browser script, embedded as text
import outboxJs from "./outbox.js" with { type: "text" };
// @ts-expect-error -- a browser script, embedded as text
import boardJs from "./board.js" with { type: "text" };
import icon from "./icon.svg" with { type: "text" };
// @ts-expect-error -- a browser script, embedded as text
import adminJs from "./admin.js" with { type: "text" };
// @ts-expect-error -- a browser script, embedded as text
import announcementsJs from "./announcements.js" with { type: "text" };

interface Asset extends Compressible {
  path: string;
  type: string;
}

const encoder = new TextEncoder();

/**
 * A short content hash for an asset's URL and the service worker's version,
 * computed once at start: SHA-1 on every runtime, so that an event moved
 * between Bun and Deno keeps the URLs phones have cached.
 */
export function contentHash(text: string): string {
  return createHash("sha1").update(text).digest("hex").slice(0, 10);
}

const TYPES = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
} as const;

function asset(name: string, ext: keyof typeof TYPES, text: string): Asset {
  const hash = contentHash(text);
  return {
    path: `/assets/${name}.${hash}.${ext}`,
    body: encoder.encode(text),
    type: TYPES[ext],
  };
}

/** Each asset's URL, for the pages to link. */
export const ASSETS = {
  css: asset("app", "css", css),
  common: asset("common", "js", commonJs as string),
  player: asset("player", "js", playerJs as string),
  outbox: asset("outbox", "js", outboxJs as string),
  board: asset("board", "js", boardJs as string),
  admin: asset("admin", "js", adminJs as string),
  announcements: asset("announcements", "js", announcementsJs as string),
  icon: asset("icon", "svg", icon),
} as const;

const byPath = new Map(Object.values(ASSETS).map((a) => [a.path, a]));

const HEADERS = {
  "cache-control": "public, max-age=31536000, immutable",
  "x-content-type-options": "nosniff",
};

/**
 * The response for an asset path, in the best coding `acceptEncoding` takes,
 * or undefined for an unknown path.
 */
export function assetResponse(
  path: string,
  acceptEncoding: string | null | undefined,
): Response | undefined {
  const found = byPath.get(path);
  if (found === undefined) return undefined;
  return compressedResponse(found, acceptEncoding, { "content-type": found.type, ...HEADERS });
}

/** Settles once every asset has its brotli coding: what a first request starts, started now. */
export function compressAssets(): Promise<void> {
  return Promise.all(Object.values(ASSETS).map((a) => a.brotli ??= brotliOf(a))).then(() => {});
}
