/**
 * Single-submitter mode (`[hunt] submitters = "one"`): the first device that
 * submits a guess, a hint take or a check-in for a team becomes its only
 * submitter, until an organizer releases it or that device logs out.
 * Offline teammates see different states; one submitter keeps one story.
 * A device is a session: a login on a phone.
 */
import type { Write } from "../engine/mod.ts";
import { hashToken } from "./accounts.ts";

/** Each team's submitter, by session token hash; the durable copy is in the store. */
export class Submitters {
  private readonly holders = new Map<number, string>();

  /** The index over what the store holds. */
  static from(rows: readonly { teamId: number; tokenHash: string }[]): Submitters {
    const submitters = new Submitters();
    for (const row of rows) submitters.holders.set(row.teamId, row.tokenHash);
    return submitters;
  }

  /**
   * May this session submit for its team? "ok", or the write that makes it
   * the team's submitter (it is now, in memory), or "other" when another
   * device is.
   */
  claim(teamId: number, token: string, now: number): "ok" | "other" | Write {
    const tokenHash = hashToken(token);
    const holder = this.holders.get(teamId);
    if (holder === tokenHash) return "ok";
    if (holder !== undefined) return "other";
    this.holders.set(teamId, tokenHash);
    return { kind: "submitter", teamId, tokenHash, at: now };
  }

  /** Plays another node's record (a shared log): a team's submitter taken or released. */
  follow(write: Write): void {
    if (write.kind === "submitter") this.holders.set(write.teamId, write.tokenHash);
    else if (write.kind === "submitter_release") this.holders.delete(write.teamId);
  }

  /** Whether the team has a submitter. */
  has(teamId: number): boolean {
    return this.holders.has(teamId);
  }

  /** Frees the team's submitter role: the next device that submits takes it. */
  release(teamId: number): Write | undefined {
    return this.holders.delete(teamId) ? { kind: "submitter_release", teamId } : undefined;
  }

  /** Gives a session its team's role back: its release was not saved, and the store still holds it. */
  restore(teamId: number, token: string): void {
    this.holders.set(teamId, hashToken(token));
  }

  /** The release a session's logout makes, when it held its team's role. */
  releaseFor(teamId: number, token: string): Write | undefined {
    return this.holders.get(teamId) === hashToken(token) ? this.release(teamId) : undefined;
  }
}
