/**
 * Fair times for actions made offline. Every response to a team carries a
 * signed "last contact" token: an HMAC of the team and the server's time,
 * under a key kept in the database's meta table. A queued action sends the
 * time the player pressed the button and the newest token it held then; the
 * server counts the action at that time, clamped between the token's time
 * (the team was surely online then) and the time it received the action.
 * An action whose time was clamped, or that arrived more than 10 minutes
 * after it counts, is flagged for the organizers.
 */
import { createHmac, randomBytes } from "node:crypto";
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

/** Signs and checks the last-contact tokens. */
export class ContactTokens {
  /** Each team's newest token, reused within the same second so hot answers stay cheap. */
  private readonly recent = new Map<number, { second: number; token: string }>();
  /**
   * When each session (a phone) last made an action that counted on arrival:
   * the phone was surely online then, whatever older token it shows later.
   * In memory: after a restart, or on another node, only the token bounds.
   */
  private readonly online = new Map<string, number>();

  private constructor(private readonly key: Buffer) {}

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

  /** A token saying the server heard from `teamId` at `now` (to the second). */
  issue(teamId: number, now: number): string {
    const second = Math.floor(now / 1000);
    const cached = this.recent.get(teamId);
    if (cached !== undefined && cached.second === second) return cached.token;
    const payload = `${teamId}.${second}`;
    const token = `${payload}.${this.sign(payload)}`;
    this.recent.set(teamId, { second, token });
    return token;
  }

  /** The time (epoch ms) a token of `teamId` vouches for, or undefined for a bad or foreign one. */
  verify(token: string, teamId: number): number | undefined {
    const match = /^(\d{1,15})\.(\d{1,15})\.([\w-]{43})$/.exec(token);
    if (match === null || Number(match[1]) !== teamId) return undefined;
    const payload = `${match[1]}.${match[2]}`;
    return secretsEqual(match[3]!, this.sign(payload)) ? Number(match[2]) * 1000 : undefined;
  }

  /**
   * When a queued action counts: the time it was pressed, clamped between
   * `now` and the later of the token's time and the last action the same
   * session made online (so a phone cannot show an old token to count before
   * what it did since), and flagged when clamped or late. Without a claimed
   * time, it counts now.
   */
  timeOf(
    teamId: number,
    claim: { pressedAt?: number; contact?: string; session?: string },
    now: number,
  ): ActionTime {
    const { session } = claim;
    if (claim.pressedAt === undefined) {
      if (session !== undefined) this.online.set(session, now);
      return { at: undefined, flag: undefined };
    }
    const contactAt = claim.contact === undefined ? undefined : this.verify(claim.contact, teamId);
    const onlineAt = session === undefined ? undefined : this.online.get(session);
    const lower = Math.min(Math.max(contactAt ?? now, onlineAt ?? -Infinity), now);
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
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }
}
