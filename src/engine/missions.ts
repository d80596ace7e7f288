/**
 * Missions: submissions (a photo, a video or a text) that a judge accepts or
 * rejects, and the judging queue that hands each pending one to one judge at
 * a time. Pure data and decisions; the engine applies them to the teams.
 */
import type { Puzzle } from "./model.ts";
import type { ActionFlag, StoredFile } from "./writes.ts";

/** How long a judge holds the submission it claimed before another judge may take it. */
export const CLAIM_MS = 2 * 60_000;

/** The longest text a text mission takes, in characters. */
export const MAX_SUBMISSION_TEXT = 2_000;

/** A team's submission for a mission, as the engine keeps it. */
export interface Submission {
  id: number;
  teamId: number;
  puzzle: string;
  submit: "photo" | "video" | "text";
  file: StoredFile | null;
  text: string | null;
  status: "pending" | "accepted" | "rejected";
  /** The points it earned (or would earn): the puzzle's, or the judge's part of them. */
  points: number;
  /** The judge's message to the team, if any. */
  message: string | null;
  at: number;
  /** When it was accepted (its solve's time), or null. */
  acceptedAt: number | null;
  /** When a judge last gave a verdict, or null. */
  judgedAt: number | null;
  /** Sent from a phone's outbox with a time that was clamped, or that arrived late; else null. */
  flag: ActionFlag | null;
}

/** What the team sends for a mission: a stored file, or a text. */
export interface SubmissionInput {
  file?: StoredFile;
  text?: string;
}

/** What `submit()` decided. */
export type SubmitOutcome =
  | { kind: "hunt_not_running" }
  | { kind: "not_found" }
  /** The puzzle takes answers, not submissions. */
  | { kind: "not_a_mission" }
  /** A photo for a text mission, or the like. */
  | { kind: "wrong_kind"; expected: "photo" | "video" | "text" }
  | { kind: "already_solved" }
  /** The team's last submission for this mission still waits for a judge. */
  | { kind: "pending"; submission: Submission }
  | { kind: "over_quota"; quota: number }
  | {
    kind: "ok";
    submission: Submission;
    unlocked: string[];
    writes: import("./writes.ts").Write[];
  };

/** A judge's decision: accept (with the puzzle's points, or `points` of them), or reject with a message. */
export type Verdict =
  | { accept: true; points?: number }
  | { accept: false; message?: string };

/** What `judge()` decided. */
export type JudgeOutcome =
  | { kind: "not_found" }
  /** Accepting needs a pending submission; rejecting a pending or accepted one. */
  | { kind: "already_judged"; submission: Submission }
  | { kind: "invalid_points"; max: number }
  | {
    kind: "ok";
    submission: Submission;
    /** Puzzles the acceptance unlocked. */
    unlocked: string[];
    writes: import("./writes.ts").Write[];
  };

/**
 * Who holds which pending submission. A judge claims the oldest one that
 * nobody else holds; the claim lapses after `CLAIM_MS`, or when its verdict
 * is given. Claims live in memory only: after a restart every pending
 * submission is free again, which is what a judge would expect.
 */
export class JudgeQueue {
  private readonly claims = new Map<number, { judge: string; until: number }>();

  /**
   * The oldest pending submission that `judge` holds or nobody holds, claimed
   * for `judge`. With `skip`, the judge lets that one go and gets another one.
   */
  claimNext(
    pending: Iterable<Submission>,
    judge: string,
    now: number,
    options: { skip?: number } = {},
  ): Submission | undefined {
    if (options.skip !== undefined) this.releaseClaim(options.skip, judge);
    let free: Submission | undefined;
    for (const submission of pending) {
      if (submission.status !== "pending" || submission.id === options.skip) continue;
      const claim = this.claims.get(submission.id);
      // A judge who reloads the page gets back the one they hold.
      if (claim !== undefined && claim.until > now && claim.judge === judge) {
        claim.until = now + CLAIM_MS;
        return submission;
      }
      if (free === undefined && (claim === undefined || claim.until <= now)) free = submission;
    }
    if (free !== undefined) this.claims.set(free.id, { judge, until: now + CLAIM_MS });
    return free;
  }

  /** Lets a submission go before its claim lapses, if `judge` holds it. */
  releaseClaim(id: number, judge: string): void {
    if (this.claims.get(id)?.judge === judge) this.claims.delete(id);
  }

  /** Lets a submission go (its verdict is in). */
  release(id: number): void {
    this.claims.delete(id);
  }

  /** Until when the submission is held, and by whom, if it is. */
  claimOf(id: number, now: number): { judge: string; until: number } | undefined {
    const claim = this.claims.get(id);
    return claim !== undefined && claim.until > now ? claim : undefined;
  }
}

/** Whether a stored file's type fits what the mission asks for. */
export function fitsMission(puzzle: Puzzle, input: SubmissionInput): boolean {
  const submit = puzzle.mission?.submit;
  if (submit === "text") return input.text !== undefined && input.file === undefined;
  if (input.file === undefined) return false;
  const video = input.file.type.startsWith("video/");
  return submit === "video" ? video : !video;
}

/** The file extension of each type a mission accepts, for download and export names. */
const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/heic": "heic",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/quicktime": "mov",
};

/** The extension of a stored file's type, or undefined for a type missions never take. */
export function extensionOf(type: string | null): string | undefined {
  return type === null ? undefined : EXTENSIONS[type];
}
