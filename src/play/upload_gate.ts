/**
 * What mission uploads in flight may take from the server: a few at a time
 * per team, and, between them all, a budget of the bytes they hold in memory
 * (a PNG, WebP or HEIC photo held whole until its end, a video's metadata box,
 * a JPEG's head; upload.ts says how much each holds). Past either, an upload
 * is refused before it holds more: 429 for a team's upload past its few in
 * flight, 503 for one the budget cannot hold, both with `Retry-After`. One
 * team may hold at most a share of the budget (`teamShare`), so that a team
 * trickling large photos slowly cannot hold it all while others wait.
 */
import { type Refusal, refusal } from "./errors.ts";

/** The limits on uploads in flight; docs/missions.md says why these numbers. */
export interface UploadLimits {
  /** A team's submissions read at once (default 3). */
  perTeam: number;
  /**
   * The bytes all uploads in flight may hold in memory between them; by
   * default the larger of 64 MiB and twice the hunt's photo cap, so that a
   * photo at the cap always fits.
   */
  memoryBytes?: number;
  /** How long an upload may send nothing before it is cut, in ms (default 30 s). */
  idleMs: number;
}

export const UPLOAD_LIMITS: UploadLimits = { perTeam: 3, idleMs: 30_000 };

/** The least memory budget (unless `memoryBytes` sets one): four photos at the 15 MB default cap. */
export const UPLOAD_MEMORY_FLOOR = 64 * 1_048_576;

/** Seconds a team refused for its uploads in flight is told to wait. */
const TEAM_RETRY_SECONDS = 10;
/** Seconds an upload refused for the full memory budget is told to wait. */
const BUSY_RETRY_SECONDS = 30;

/** The bytes one upload holds against the budget. */
export interface Reservation {
  /**
   * Holds `bytes` in all (more or fewer than before); or, holding no more,
   * the refusal when the team's share (429) or the budget (503) is short.
   */
  hold(bytes: number): Refusal | undefined;
  /** Gives back all it holds; once is enough, and more is harmless. */
  release(): void;
}

/** Counts the uploads in flight, per team and in all, and the bytes they hold. */
export class UploadGate {
  readonly limits: UploadLimits;
  private readonly teams = new Map<number, number>();
  /** The bytes each team's uploads hold now. */
  private readonly teamBytes = new Map<number, number>();
  private count = 0;
  private bytes = 0;

  constructor(limits: Partial<UploadLimits> = {}) {
    this.limits = { ...UPLOAD_LIMITS, ...limits };
  }

  /** Uploads being read now. */
  get inFlight(): number {
    return this.count;
  }

  /** The bytes they hold in memory now. */
  get held(): number {
    return this.bytes;
  }

  /** The memory budget, for a hunt whose photo cap is `photoMax`. */
  budget(photoMax: number): number {
    return this.limits.memoryBytes ?? Math.max(UPLOAD_MEMORY_FLOOR, 2 * photoMax);
  }

  /**
   * What one team's uploads may hold between them: a quarter of the budget,
   * or one photo at the cap when that is more (a team can always send one).
   */
  teamShare(photoMax: number): number {
    const budget = this.budget(photoMax);
    return Math.min(budget, Math.max(Math.floor(budget / 4), photoMax));
  }

  /** Lets one more upload of the team in, or refuses it (429) when it has `perTeam` in flight. */
  enter(teamId: number): Refusal | undefined {
    const mine = this.teams.get(teamId) ?? 0;
    if (mine >= this.limits.perTeam) {
      const n = this.limits.perTeam;
      return refusal(
        "rate_limited",
        `Your team is already sending ${n} submission${n === 1 ? "" : "s"}: ` +
          "send this one once one of them has arrived",
        TEAM_RETRY_SECONDS,
      );
    }
    this.teams.set(teamId, mine + 1);
    this.count++;
    return undefined;
  }

  /** One upload of the team that `enter` let in has ended, however it ended. */
  leave(teamId: number): void {
    const mine = this.teams.get(teamId) ?? 0;
    if (mine <= 1) this.teams.delete(teamId);
    else this.teams.set(teamId, mine - 1);
    this.count--;
  }

  /**
   * A new reservation for one of the team's uploads, holding nothing yet,
   * against `budget` bytes in all and `share` bytes for the team's uploads.
   */
  reserve(teamId: number, { budget, share }: { budget: number; share: number }): Reservation {
    let mine = 0;
    return {
      hold: (bytes) => {
        const team = this.teamBytes.get(teamId) ?? 0;
        if (bytes > mine) {
          if (this.bytes - mine + bytes > budget) return busyRefusal();
          // The share bounds what a team's uploads hold together. One alone may hold up to half the
          // budget (a long video's metadata, held whole), or it would be refused every time; the
          // other half stays for the other teams.
          const others = team - mine;
          const cap = others > 0 ? share : Math.max(share, Math.floor(budget / 2));
          if (others + bytes > cap) return shareRefusal();
        }
        this.move(teamId, team, bytes - mine);
        mine = bytes;
        return undefined;
      },
      release: () => {
        this.move(teamId, this.teamBytes.get(teamId) ?? 0, -mine);
        mine = 0;
      },
    };
  }

  /** Adds `delta` bytes to what the team (holding `team` now) and all uploads hold. */
  private move(teamId: number, team: number, delta: number): void {
    this.bytes += delta;
    if (team + delta === 0) this.teamBytes.delete(teamId);
    else this.teamBytes.set(teamId, team + delta);
  }
}

/** What an upload past its team's share of the memory budget is told (429: the outbox waits). */
function shareRefusal(): Refusal {
  return refusal(
    "rate_limited",
    "Your team is already sending large photos: send this one once they have arrived",
    TEAM_RETRY_SECONDS,
  );
}

/** What an upload that the full memory budget stops is told (503: the outbox sends it again). */
export function busyRefusal(): Refusal {
  return refusal(
    "unavailable",
    "The server is receiving too many photos at once: try again in a moment",
    BUSY_RETRY_SECONDS,
  );
}

/** What an upload that sent nothing for `idleMs` is told. */
export function stalledRefusal(idleMs: number): Refusal {
  const seconds = Math.max(1, Math.round(idleMs / 1000));
  return refusal(
    "request_timeout",
    `Nothing of the upload arrived for ${seconds} second${seconds === 1 ? "" : "s"}`,
  );
}
