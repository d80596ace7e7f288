// What the player, board and admin pages share: the HTML response, the hunt's
// header, the flash a refusal becomes, and the addresses players can open.
import { networkInterfaces } from "node:os";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Engine } from "../engine/mod.ts";
import { huntTimes } from "../live/mod.ts";
import {
  contactOf,
  errorResponse,
  listensEverywhere,
  listensOnLoopback,
  type Refusal,
  requestUrl,
  UNAVAILABLE_RETRY_SECONDS,
} from "../play/mod.ts";
import { clock } from "./charts.ts";
import type { Flash } from "./flash.ts";
import type { HuntInfo } from "./player.tsx";

const NO_STORE = { "cache-control": "no-store" };

/** The cookie that holds the id of the last announcement the player dismissed. */
export const DISMISSED_COOKIE = "cairn_dismissed";
/** The announcement banner's opening tag, as layout.tsx renders it, and its id. */
const BANNER = /<div class="announcement" id="announcement" [^>]*?data-id="(\d+)"/;

/** An HTML response; pages are never cached, since they show a team's own state. */
export function html(c: Context, node: unknown, status: 200 | 403 | 404 | 503 = 200): Response {
  // A client that does not ask for HTML (a script, curl) gets the API's envelope for an error.
  if (status === 404 && !acceptsHtml(c)) return errorResponse("not_found");
  for (const [key, value] of Object.entries(NO_STORE)) c.header(key, value);
  let page = String(node);
  // A team's page carries its last-contact token, for the outbox's fair times (play/contact.ts).
  const contact = contactOf(c.req.raw);
  if (contact !== undefined) {
    page = page.replace("<head>", `<head><meta name="cairn-contact" content="${contact}">`);
  }
  // An announcement the player dismissed (this one or a later one) stays hidden.
  const dismissed = Number(getCookie(c, DISMISSED_COOKIE));
  if (dismissed > 0) {
    page = page.replace(BANNER, (tag, id) => (Number(id) <= dismissed ? `${tag} hidden=""` : tag));
  }
  return c.html("<!doctype html>" + page, status) as Response;
}

/** Marks a fragment or data response as never cached. */
export function noStore(c: Context): void {
  c.header("cache-control", NO_STORE["cache-control"]);
}

/** What every player page shows of the hunt: its title, registration, and whether it runs. */
export function huntInfo(engine: Engine): HuntInfo {
  const hunt = engine.hunt;
  const now = engine.now();
  let status: string | undefined;
  const released = hunt.solutionsAt;
  if (now < engine.startsAt) status = `The hunt starts ${startText(engine.startsAt, now)}.`;
  else if (engine.ended(now)) {
    status = "The hunt has ended." +
      (released === undefined
        ? ""
        : now < released
        ? ` Solutions show here ${startText(released, now)}.`
        : " Each puzzle's solution is on its page.");
  }
  // The next start, end or release of solutions, for a page left open across it.
  const next = [engine.startsAt, hunt.endsAt, released].find((at) => at !== undefined && at > now);
  return {
    title: hunt.title,
    // Registration is open until the end only: after it, the landing page offers no join form.
    registration: engine.ended(now) ? "closed" : hunt.registration,
    divisions: hunt.divisions,
    teamSize: hunt.teamSize,
    ...(status !== undefined && { status }),
    ...(released !== undefined && now >= released && { stats: true as const }),
    ...(next !== undefined && { changesInMs: next - now }),
    times: timesText(huntTimes(engine)),
  };
}

/** The hunt's times as a page carries them (`HuntInfo.times`): "start|end". */
export function timesText(times: { starts_at: string; ends_at: string | null }): string {
  return `${times.starts_at}|${times.ends_at ?? ""}`;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** When the hunt starts, for people: "at 10:00" the same day, "on Sat 21 Nov at 10:00" before. */
export function startText(startsAt: number, now: number): string {
  const start = new Date(startsAt);
  if (start.toDateString() === new Date(now).toDateString()) return `at ${clock(startsAt)}`;
  const day = `${WEEKDAYS[start.getDay()]} ${start.getDate()} ${MONTHS[start.getMonth()]}`;
  return `on ${day} at ${clock(startsAt)}`;
}

/** Each puzzle's title by id, to name unlocked puzzles. */
export function titlesOf(engine: Engine): Map<string, string> {
  return new Map(engine.hunt.puzzles.map((p) => [p.id, p.title]));
}

/**
 * The flash a refused form post leaves: a warning for a limit, else an error, in the words a page
 * shows (never a database driver's). A 503 says when to try again, as its `Retry-After` does for
 * the API.
 */
export function refusalFlash(refused: Refusal, fields?: Flash["fields"]): Flash {
  const retryAfter = refused.retryAfter ??
    (refused.code === "unavailable" ? UNAVAILABLE_RETRY_SECONDS : undefined);
  return {
    tone: refused.code === "rate_limited" ? "warn" : "bad",
    title: refused.shown ?? refused.message,
    ...(retryAfter !== undefined && { retryAfter }),
    ...(fields !== undefined && { fields }),
  };
}

/** Whether the client asks for HTML: browsers do for every page they open. */
export function acceptsHtml(c: Context): boolean {
  return (c.req.header("accept") ?? "").includes("text/html");
}

export const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.\-\[\]:]+$/;

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("127.") || hostname === "[::1]";
}

/**
 * The addresses players can open, best first: the one this request came to,
 * unless it is loopback (a laptop's own browser), then the addresses the
 * server listens on (`listening`, `serve --host`) that other machines reach: this
 * machine's LAN addresses when it listens on all of them. A server on
 * loopback only has none: the request's own address is all there is.
 */
export function playerOrigins(c: Context, listening: string): string[] {
  const url = requestUrl(c.req.url);
  const host = c.req.header("host") ?? url?.host;
  const here = `${url?.protocol}//${host}`;
  const parsed = url === undefined ? undefined : requestUrl(here);
  // A malformed Host header: links stay on whatever address the page was loaded from.
  if (url === undefined || parsed === undefined) return [""];
  const { hostname, port } = parsed;
  if (!isLoopback(hostname)) return [here];
  if (listensOnLoopback(listening)) return [here];
  if (!listensEverywhere(listening)) {
    const bound = listening.includes(":") && !listening.startsWith("[")
      ? `[${listening}]`
      : listening;
    return [`${url.protocol}//${bound}${port ? `:${port}` : ""}`, here];
  }
  const lan: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || address.family !== "IPv4") continue;
      lan.push(`${url.protocol}//${address.address}${port ? `:${port}` : ""}`);
    }
  }
  return [...lan, here];
}

/** A query parameter's first value. */
export function param(c: Context, name: string): string | undefined {
  return c.req.queries(name)?.[0];
}
