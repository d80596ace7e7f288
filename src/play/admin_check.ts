/**
 * The admin check, for the API and the pages alike: the admin token as a
 * Bearer token, else in the admin cookie (the pages' sign-in), compared by
 * hash in constant time. Wrong tokens are limited per client address
 * (`AdminAttempts`): past the limit, an address's tokens are not compared at
 * all for the rest of the minute, and a warning is logged, at most one a
 * minute. Every place that tells an organizer from anyone else asks here, so
 * none of them can be used to guess the token faster.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { ADMIN_ATTEMPT_LIMIT, hashToken, secretsEqual } from "./accounts.ts";
import { clientAddress } from "./address.ts";
import { ApiError } from "./errors.ts";
import type { Game } from "./game.ts";
import { ADMIN_COOKIE, bearer } from "./session.ts";

/** What a request's admin credential is worth. */
export type AdminCheck =
  | { kind: "admin" }
  /** No admin token offered: none at all, or a team's session token. */
  | { kind: "none" }
  | { kind: "wrong" }
  /** Too many wrong tokens from the client's address lately: not compared. */
  | { kind: "limited"; retryAfter: number };

/** Judges `token`, offered as the admin token from `address`; a wrong one is counted. */
export function judgeAdminToken(game: Game, address: string, token: string): AdminCheck {
  const attempts = game.accounts.adminAttempts;
  const now = game.engine.now();
  const wait = attempts.blocked(address, now);
  if (wait !== undefined) return { kind: "limited", retryAfter: wait };
  const tokenHash = hashToken(token);
  if (secretsEqual(tokenHash, game.adminTokenHash)) return { kind: "admin" };
  const warning = attempts.fail(address, tokenHash, now);
  if (warning !== undefined) {
    game.logger.warn("admin_token_limited", {
      address,
      wrong_tokens: ADMIN_ATTEMPT_LIMIT,
      per: "1m",
      other_addresses: warning.others,
    });
  }
  return { kind: "wrong" };
}

/** The admin check of a request: its Bearer token, else the admin cookie. */
export function checkAdmin(c: Context, game: Game): AdminCheck {
  const offered = bearer(c);
  const token = offered ?? getCookie(c, ADMIN_COOKIE);
  if (token === undefined || token === "") return { kind: "none" };
  // A team's session token is not a try at the admin token.
  if (offered !== undefined && game.accounts.teamFor(offered) !== undefined) {
    return { kind: "none" };
  }
  return judgeAdminToken(game, clientAddress(c, game.proxies), token);
}

/** Whether the request is an organizer's. */
export function isAdmin(c: Context, game: Game): boolean {
  return checkAdmin(c, game).kind === "admin";
}

/** An organizer's request passes; anyone else's gets 401, or 429 past the limit on wrong tokens. */
export function requireAdmin(c: Context, game: Game): void {
  const check = checkAdmin(c, game);
  if (check.kind === "admin") return;
  if (check.kind === "limited") throw adminLimited(check.retryAfter);
  throw new ApiError("unauthorized", "The admin token is missing or wrong");
}

/** The 429 for an address that tried too many wrong admin tokens. */
export function adminLimited(retryAfter: number): ApiError {
  return new ApiError(
    "rate_limited",
    "Too many wrong admin tokens from this address; try again later",
    { "retry-after": String(retryAfter) },
  );
}
