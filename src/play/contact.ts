/**
 * Fair times for actions made offline. Every response to a team carries a
 * signed "last contact" token: an HMAC of the team, the server's time and
 * the session it answered (a short hash of the session's token), under a key
 * kept in the database's meta table. A queued action sends the time the
 * player pressed the button and the newest token it held then; the server
 * counts the action at that time, clamped between the token's time (the team
 * was surely online then), the last action the token's session made online,
 * and the time it received the action. An action whose time was clamped, or
 * that arrived more than 10 minutes after it counts, is flagged for the
 * organizers.
 */
import { createHash, type Hash, randomBytes } from "node:crypto";
import type { ActionFlag } from "../engine/mod.ts";
import type { Store } from "../store/mod.ts";
import { secretsEqual } from "./accounts.ts";

/** The response header with the token, and the request headers of a queued action. */
export const CONTACT_HEADER = "cairn-contact";
export const PRESSED_AT_HEADER = "cairn-pressed-at";
/** An action counted this long after it arrived is flagged `late`. */
export const LATE_MS = 10 * 60 * 1000;
/** A claimed time moved by more than this is flagged `clamped` (phones' clocks drift a little). */
export const CLAMP_TOLERANCE_MS = 5_000;

/** When an action counts, and why the organizers should look at it, if they should. */
export interface ActionTime {
  /** Undefined: now (the action was not queued). */
  at: number | undefined;
  flag: ActionFlag | undefined;
}

/** The token issued for each request in flight, for the page it renders (see `contactOf`). */
const issued = new WeakMap<Request, string>();

/** Remembers the token issued for a request: its page carries it too. */
export function noteContact(request: Request, token: string): void {
  issued.set(request, token);
}

/** The last-contact token issued for a request, if it came from a team. */
export function contactOf(request: Request): string | undefined {
  return issued.get(request);
}

/** Sessions whose short hash is remembered; the memo starts over when full. */
const KNOWN_SESSIONS = 100_000;

/** Signs and checks the last-contact tokens. */
export class ContactTokens {
  /** Each session's newest token, reused within the same second so hot answers stay cheap. */
  private readonly recent = new Map<string, { second: number; token: string }>();
  /** Each session's short hash, the id its tokens carry, by the session's token. */
  private readonly ids = new Map<string, string>();
  /**
   * When each session (a phone), by its id, last made an action that counted
   * on arrival: the phone was surely online then, whatever older token it or
   * another session of its team shows later. In memory: after a restart, or
   * on another node, only the token bounds.
   */
  private readonly online = new Map<string, number>();

  private readonly signer: (payload: string) => string;

  private constructor(key: Buffer) {
    this.signer = hmacSha256(key);
  }

  /** The signer over the key in the store's meta, made (and stored) on first start. */
  static load(store: Store): ContactTokens {
    let key = store.meta("contact_key");
    if (key === undefined) {
      key = randomBytes(32).toString("base64url");
      // SQLite stores it before returning, or throws; a shared log recorded it at the first start.
      void store.setMeta({ contact_key: key }).catch(() => {});
    }
    return new ContactTokens(Buffer.from(key, "base64url"));
  }

  /** A token saying the server heard from `teamId`'s `session` at `now` (to the second). */
  issue(teamId: number, session: string, now: number): string {
    const second = Math.floor(now / 1000);
    const cached = this.recent.get(session);
    if (cached !== undefined && cached.second === second) return cached.token;
    const payload = `${teamId}.${second}.${this.idOf(session)}`;
    const token = `${payload}.${this.sign(payload)}`;
    if (this.recent.size >= KNOWN_SESSIONS) this.recent.clear();
    this.recent.set(session, { second, token });
    return token;
  }

  /**
   * The time (epoch ms) a token of `teamId` vouches for, and the id of the
   * session it was issued to; undefined for a bad, old-style or foreign one.
   */
  verify(token: string, teamId: number): { at: number; session: string } | undefined {
    const match = /^(\d{1,15})\.(\d{1,15})\.([\w-]{16})\.([\w-]{43})$/.exec(token);
    if (match === null || Number(match[1]) !== teamId) return undefined;
    const payload = `${match[1]}.${match[2]}.${match[3]}`;
    if (!secretsEqual(match[4]!, this.sign(payload))) return undefined;
    return { at: Number(match[2]) * 1000, session: match[3]! };
  }

  /** A session's id in its tokens: 96 bits of the SHA-256 of its token, which it does not reveal. */
  private idOf(session: string): string {
    let id = this.ids.get(session);
    if (id === undefined) {
      id = createHash("sha256").update(session).digest("base64url").slice(0, 16);
      if (this.ids.size >= KNOWN_SESSIONS) this.ids.clear();
      this.ids.set(session, id);
    }
    return id;
  }

  /**
   * When a queued action counts: the time it was pressed, clamped between
   * `now` and the latest of the token's time, the last action the token's
   * session made online, and the last action the sending session made online
   * (so a phone cannot show an old token, even from another session of its
   * team, to count before what was done since), and flagged when clamped or
   * late. Without a claimed time, or with `offlineTimes` false (the hunt's
   * `offline_times = false`), it counts now.
   */
  timeOf(
    teamId: number,
    claim: { pressedAt?: number; contact?: string; session?: string },
    now: number,
    offlineTimes = true,
  ): ActionTime {
    const session = claim.session === undefined ? undefined : this.idOf(claim.session);
    // Without offline times (`offline_times = false`), a claimed time counts for nothing.
    if (claim.pressedAt === undefined || !offlineTimes) {
      if (session !== undefined) this.online.set(session, now);
      return { at: undefined, flag: undefined };
    }
    const contact = claim.contact === undefined ? undefined : this.verify(claim.contact, teamId);
    // Online since: this phone, and the phone the token came from (one may log in again).
    const onlineAt = Math.max(
      session === undefined ? -Infinity : this.online.get(session) ?? -Infinity,
      contact === undefined ? -Infinity : this.online.get(contact.session) ?? -Infinity,
    );
    const lower = Math.min(Math.max(contact?.at ?? now, onlineAt), now);
    const at = Math.min(Math.max(claim.pressedAt, lower), now);
    const flag = Math.abs(at - claim.pressedAt) > CLAMP_TOLERANCE_MS
      ? "clamped"
      : now - at > LATE_MS
      ? "late"
      : undefined;
    // Sent at once (the usual case): it counts now, like any request.
    if (now - at < 1000) {
      if (session !== undefined) this.online.set(session, now);
      return { at: undefined, flag };
    }
    return { at, flag };
  }

  private sign(payload: string): string {
    return this.signer(payload);
  }
}

/** SHA-256's block: a key is padded (or first hashed) to it. */
const BLOCK = 64;

/**
 * HMAC-SHA256 under `key` (RFC 2104), as base64url: the same bytes as
 * `createHmac("sha256", key)`, but the key's two padded blocks are hashed
 * once, and each signature starts from copies of those hashes. On Deno a
 * `createHmac` costs about 15 µs, the copies about 6; on Bun 1.5 and 1.1.
 */
export function hmacSha256(key: Uint8Array): (payload: string) => string {
  const block = new Uint8Array(BLOCK);
  block.set(key.length > BLOCK ? createHash("sha256").update(key).digest() : key);
  const inner: Hash = createHash("sha256").update(block.map((byte) => byte ^ 0x36));
  const outer: Hash = createHash("sha256").update(block.map((byte) => byte ^ 0x5c));
  return (payload) =>
    outer.copy().update(inner.copy().update(payload).digest()).digest("base64url");
}
