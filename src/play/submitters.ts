/**
 * Single-submitter mode (`[hunt] submitters = "one"`): the first device that
 * submits a guess, a hint take or a check-in for a team becomes its only
 * submitter, until an organizer releases it or that device logs out.
 * Offline teammates see different states; one submitter keeps one story.
 * A device is a session: a login on a phone.
 */
import type { Write } from "../engine/mod.ts";
import { hashToken } from "./accounts.ts";

/** A team's submitter: its session token hash, and whether its claim was undone (not saved). */
interface Holder {
  readonly tokenHash: string;
  withdrawn: boolean;
}

/** Each team's submitter, by session token hash; the durable copy is in the store. */
export class Submitters {
  private readonly holders = new Map<number, Holder>();

  /** The index over what the store holds. */
  static from(rows: readonly { teamId: number; tokenHash: string }[]): Submitters {
    const submitters = new Submitters();
    for (const row of rows) submitters.holders.set(row.teamId, saved(row.tokenHash));
    return submitters;
  }

  /**
   * May this session submit for its team? "ok", or the claim that makes it the team's submitter
   * (it is now, in memory: commit its write, or undo it), or "other" when another device is.
   */
  claim(teamId: number, token: string, now: number): "ok" | "other" | RoleChange {
    const tokenHash = hashToken(token);
    const holder = this.holders.get(teamId);
    if (holder?.tokenHash === tokenHash) return "ok";
    if (holder !== undefined) return "other";
    const claim: Holder = { tokenHash, withdrawn: false };
    this.holders.set(teamId, claim);
    return {
      write: { kind: "submitter", teamId, tokenHash, at: now },
      undo: () => {
        // Withdrawn for good: a release made since must not give it back when undone after this.
        claim.withdrawn = true;
        if (this.holders.get(teamId) === claim) this.holders.delete(teamId);
      },
    };
  }

  /** Plays another node's record (a shared log): a team's submitter taken or released. */
  follow(write: Write): void {
    if (write.kind === "submitter") this.holders.set(write.teamId, saved(write.tokenHash));
    else if (write.kind === "submitter_release") this.holders.delete(write.teamId);
  }

  /** Whether the team has a submitter. */
  has(teamId: number): boolean {
    return this.holders.has(teamId);
  }

  /**
   * Frees the team's submitter role, at once: the next device that submits takes it. The write
   * stores that; `undo` gives the role back to its device when the write was not saved.
   */
  release(teamId: number): RoleChange | undefined {
    const holder = this.holders.get(teamId);
    if (holder === undefined) return undefined;
    this.holders.delete(teamId);
    return {
      write: { kind: "submitter_release", teamId },
      // Whoever claimed it since could not be saved either: the store refuses every write after
      // a failed one, so the role goes back to the device the store still names; none, when the
      // claim it freed failed too (its undo ran first: the store refuses in the order it was asked).
      undo: () => {
        if (!holder.withdrawn) this.holders.set(teamId, holder);
      },
    };
  }

  /** The release a session's logout makes, when it held its team's role. */
  releaseFor(teamId: number, token: string): RoleChange | undefined {
    return this.holders.get(teamId)?.tokenHash === hashToken(token)
      ? this.release(teamId)
      : undefined;
  }
}

/** The holder of a role the store holds. */
function saved(tokenHash: string): Holder {
  return { tokenHash, withdrawn: false };
}

/** A team's submitter role taken or freed in memory: the write that stores it, and its undoing. */
export interface RoleChange {
  write: Write;
  /** Puts the role back as it was: the write was not saved, and the store holds it so. */
  undo: () => void;
}
