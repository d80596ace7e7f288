/**
 * The one-shot message a form post leaves for the page it redirects to
 * (POST, redirect, GET): kept in a short-lived cookie and cleared when shown.
 * One too big for a cookie (a refused form with a long text typed in it, in
 * any script) is kept in this process's memory instead, under a random id
 * that the cookie carries.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

const FLASH_COOKIE = "cairn_flash";

export interface Flash {
  tone: "ok" | "warn" | "bad" | "info";
  title: string;
  text?: string;
  /** Ids of puzzles the action unlocked. */
  unlocked?: string[];
  /** Seconds to wait, for a guess limit. */
  retryAfter?: number;
  /** Lines to show as-is (a reload's errors, filled in by the page). */
  lines?: string[];
  /** The page shows the last failed reload's errors. */
  reloadErrors?: boolean;
  /** Form fields to fill in again after an error. */
  fields?: Record<string, string>;
  /** A team's ban just lifted: its page says by the Show button that the team is still hidden. */
  banLifted?: boolean;
}

/** Browsers keep cookies up to about 4 KiB: a longer message is kept in memory (`held`). */
const MAX_FLASH = 3000;
/** Seconds a message waits for its page: the cookie's lifetime, and a held message's. */
const FLASH_SECONDS = 60;
/**
 * Messages held in memory at most (each at most a form's 64 KiB): past it the oldest goes,
 * and its page shows the title alone, which the cookie still carries.
 */
const HELD_MAX = 256;

/** Messages too big for the cookie, by the id their cookie carries, in the order they were left. */
const held = new Map<string, { flash: Flash; until: number }>();

/** What the cookie holds: a message, or a held message's id with its tone and title. */
type Carried = Flash & { held?: string };

/** Leaves a message for the next page. */
export function setFlash(c: Context, flash: Flash): void {
  let value = encode(flash);
  if (value.length > MAX_FLASH) value = encode(hold(flash));
  setCookie(c, FLASH_COOKIE, value, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    maxAge: FLASH_SECONDS,
  });
}

/** Keeps a message in memory; the cookie carries its id, and its title for a page that misses it. */
function hold(flash: Flash): Carried {
  const now = Date.now();
  for (const [id, entry] of held) {
    if (entry.until > now && held.size < HELD_MAX) break;
    held.delete(id);
  }
  const id = randomId();
  held.set(id, { flash, until: now + FLASH_SECONDS * 1000 });
  return { tone: flash.tone, title: flash.title.slice(0, 500), held: id };
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function encode(flash: Carried): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(flash))) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

/**
 * What was typed in the form `form` when the server refused it (the flash's fields), so the
 * page shows it again, to fix and send, rather than an empty form or the value before.
 */
export function typedIn(
  flash: Flash | undefined,
  form: string,
): Record<string, string> | undefined {
  return flash?.fields?.form === form ? flash.fields : undefined;
}

/**
 * A request the pages' scripts make in the background (`cairn-background`: a list redrawn, pages
 * kept for offline) takes no message: it stays for the page the browser is going to.
 */
const BACKGROUND_HEADER = "cairn-background";

/** Takes the message left for this page, if any, and clears it. */
export function takeFlash(c: Context): Flash | undefined {
  const value = getCookie(c, FLASH_COOKIE);
  if (value === undefined || c.req.header(BACKGROUND_HEADER) !== undefined) return undefined;
  deleteCookie(c, FLASH_COOKIE, { path: "/" });
  try {
    const bytes = Uint8Array.from(atob(value), (ch) => ch.codePointAt(0)!);
    const carried = JSON.parse(new TextDecoder().decode(bytes)) as Carried;
    if (typeof carried?.title !== "string") return undefined;
    if (carried.held === undefined) return carried;
    // Held in memory: gone if it waited too long, or if another node left it (then the title).
    const entry = typeof carried.held === "string" ? held.get(carried.held) : undefined;
    if (entry !== undefined) held.delete(carried.held);
    if (entry !== undefined && entry.until > Date.now()) return entry.flash;
    return { tone: carried.tone, title: carried.title };
  } catch {
    return undefined;
  }
}
