/**
 * The one-shot message a form post leaves for the page it redirects to
 * (POST, redirect, GET): kept in a short-lived cookie and cleared when shown.
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
}

/** Browsers keep cookies up to about 4 KiB: a longer message keeps only its title. */
const MAX_FLASH = 3000;

/** Leaves a message for the next page. */
export function setFlash(c: Context, flash: Flash): void {
  let value = encode(flash);
  if (value.length > MAX_FLASH) {
    value = encode({ tone: flash.tone, title: flash.title.slice(0, 500) });
  }
  setCookie(c, FLASH_COOKIE, value, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    maxAge: 60,
  });
}

function encode(flash: Flash): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(flash))) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary);
}

/** Takes the message left for this page, if any, and clears it. */
export function takeFlash(c: Context): Flash | undefined {
  const value = getCookie(c, FLASH_COOKIE);
  if (value === undefined) return undefined;
  deleteCookie(c, FLASH_COOKIE, { path: "/" });
  try {
    const bytes = Uint8Array.from(atob(value), (ch) => ch.codePointAt(0)!);
    const flash = JSON.parse(new TextDecoder().decode(bytes)) as Flash;
    return typeof flash?.title === "string" ? flash : undefined;
  } catch {
    return undefined;
  }
}
