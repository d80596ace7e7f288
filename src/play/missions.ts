/**
 * Mission actions: a team's submission (a streamed upload, or a text), and an
 * organizer's judging (claim the next one, give a verdict). The file is on
 * disk, fsynced, before the submission that names it is committed; a refused
 * submission's file is removed unless another submission names it.
 */
import * as v from "valibot";
import { maxChars } from "./_chars.ts";
import { TEXT_LIMITS } from "./limits.ts";
import { bannedRefusal } from "./banned.ts";
import {
  type ActionFlag,
  extensionOf,
  MAX_SUBMISSION_TEXT,
  type Submission,
  type SubmitOutcome,
  type Verdict,
} from "../engine/mod.ts";
import { fileResponse } from "../store/mod.ts";
import { type ActionOptions, PUZZLE_NOT_OPEN } from "./actions.ts";
import { type ActionTime, LATE_MS } from "./contact.ts";
import { type Outcome, refusal } from "./errors.ts";
import { decideTurn, type Game } from "./game.ts";
import {
  multipartBoundary,
  QUOTA_USED,
  readUpload,
  tooLargeText,
  type UploadFields,
} from "./upload.ts";
import { UploadGate, type UploadLimits } from "./upload_gate.ts";

/** `POST /api/admin/judge/claim`: who claims the next pending submission. */
export const ClaimBody = v.strictObject({
  judge: v.pipe(v.string(), v.minLength(1), maxChars(TEXT_LIMITS.judge)),
});

/**
 * `POST /api/admin/submissions/:id/verdict`: accept (all or part of the points) or
 * reject (with a message for the team). Each is strict, so `points` on a rejection
 * or `message` on an acceptance is an unknown field, not silently dropped.
 */
export const VerdictBody = v.variant("accept", [
  v.strictObject({
    accept: v.literal(true),
    points: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
  v.strictObject({
    accept: v.literal(false),
    message: v.optional(v.pipe(v.string(), maxChars(TEXT_LIMITS.verdictMessage))),
  }),
]);

/** A submission as the team and the judges see it. */
export interface SubmissionView {
  id: number;
  puzzle: string;
  submit: Submission["submit"];
  status: Submission["status"];
  points: number;
  message: string | null;
  text: string | null;
  type: string | null;
  size: number;
  at: string;
}

/**
 * A submission's stored file as a response, or undefined when it has none:
 * its sniffed type, a download name, nosniff and a sandboxing policy, so a
 * file is never run as a page. Callers decide who may have it.
 */
export function submissionFile(game: Game, submission: Submission): Response | undefined {
  if (submission.file === null) return undefined;
  const file = game.store.upload(submission.file.hash);
  if (file === undefined) return undefined;
  const name = `submission-${submission.id}.${extensionOf(submission.file.type) ?? "bin"}`;
  return fileResponse(file, {
    headers: {
      "content-type": submission.file.type,
      "content-disposition": `inline; filename="${name}"`,
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; sandbox",
      "cache-control": "private, max-age=3600",
    },
  });
}

/**
 * How a submission queued offline says when it was sent (the headers of `ActionOptions`), and
 * the server the request came through (Hono's `c.env`): on Bun, its `timeout()` keeps a slow
 * upload's connection open while its bytes arrive (`runtimeTimer`).
 */
export type SubmitOptions = Pick<ActionOptions, "pressedAt" | "contact"> & { server?: unknown };

/** Multipart framing and a text part never need more than this beside the file. */
const FRAMING_BYTES = 64 * 1024;

/** Seconds Bun's own idle timer gets past an upload's (`idleMs`), so that the upload's goes first. */
const RUNTIME_IDLE_MARGIN_SECONDS = 10;

/** The JSON view of a submission. */
export function submissionView(submission: Submission): SubmissionView {
  return {
    id: submission.id,
    puzzle: submission.puzzle,
    submit: submission.submit,
    status: submission.status,
    points: submission.points,
    message: submission.message,
    text: submission.text,
    type: submission.file?.type ?? null,
    size: submission.file?.size ?? 0,
    at: new Date(submission.at).toISOString(),
  };
}

/**
 * The judges' view of a submission: the team's, and its flag when it was sent from a phone's
 * outbox with a time that was clamped, or that arrived late.
 */
export function judgedView(submission: Submission): SubmissionView & { flag?: ActionFlag } {
  const view = submissionView(submission);
  return submission.flag === null ? view : { ...view, flag: submission.flag };
}

/** What a refused submission answers. */
function submitRefusal(outcome: Exclude<SubmitOutcome, { kind: "ok" }>) {
  switch (outcome.kind) {
    case "hunt_not_running":
      return refusal(outcome.kind);
    case "not_found":
      return refusal("not_found", PUZZLE_NOT_OPEN);
    case "not_a_mission":
      return refusal("bad_request", "This puzzle takes answers: send a guess, not a submission");
    case "wrong_kind":
      return refusal("bad_request", `This mission takes a ${outcome.expected}`);
    case "already_solved":
      return refusal("conflict", "This mission is already solved");
    case "pending":
      return refusal("conflict", "Your last submission for this mission is waiting for a judge");
    case "over_quota":
      return refusal("payload_too_large", QUOTA_USED);
  }
}

/** The mission actions over a game; `uploads` sets the limits on uploads in flight (tests). */
export function missionActions(game: Game, options: { uploads?: Partial<UploadLimits> } = {}) {
  /** The uploads in flight, per team and in all, and the memory they hold. */
  const uploads = new UploadGate(options.uploads);

  return {
    uploads,

    /**
     * A team's submission for a mission; answered once its file and its record are on disk.
     * One queued offline counts when it was sent (`options`), as a guess does.
     */
    async submit(
      teamId: number,
      puzzleId: string,
      request: Request,
      options: SubmitOptions = {},
    ): Promise<Outcome<SubmissionView>> {
      const began = game.engine.now();
      const body = await readSubmission(game, uploads, request, { puzzleId, teamId, options });
      if (!body.ok) return body;
      const { file, text } = body.reply;
      await decideTurn(game);
      // The engine may have been swapped while the body arrived.
      const engine = game.engine;
      const team = engine.teams.get(teamId);
      const banned = bannedRefusal(game, teamId);
      if (banned !== undefined) {
        if (file !== undefined && !named(game, file.hash)) game.store.removeUpload(file.hash);
        return banned;
      }
      // Its time is clamped again now that it has all arrived: a slow upload still counts when
      // sent. One whose time was clamped, or that arrived late, is flagged for the judges.
      const time = arrivedTime(game, timeOf(game, teamId, options), { options, began });
      const outcome: SubmitOutcome = team === undefined ? { kind: "not_found" } : engine.submit(
        team,
        puzzleId,
        {
          ...(file !== undefined && { file }),
          ...(text !== undefined && { text }),
        },
        time.at,
        time.flag,
      );
      if (outcome.kind !== "ok") {
        if (file !== undefined && !named(game, file.hash)) game.store.removeUpload(file.hash);
        return submitRefusal(outcome);
      }
      const background = engine.takeBackgroundWrites();
      await game.commit([...background, ...outcome.writes]);
      game.logger.info("submission", { team: teamId, puzzle: puzzleId, id: outcome.submission.id });
      return { ok: true, reply: submissionView(outcome.submission) };
    },

    /** The oldest pending submission no other judge holds, claimed by `judge` for 2 minutes; `skip` lets one go. */
    claimNext(judge: string, options: { skip?: number } = {}): Submission | undefined {
      return game.engine.claimNext(judge, options);
    },

    /**
     * A judge's verdict: accept (all or part of the points) or reject with a message. With
     * `waiting`, given as the judge saw it waiting: refused once another judge has accepted it,
     * checked at the verdict's turn (where nodes share a log, that acceptance may come in only
     * then).
     */
    async judge(
      submissionId: number,
      verdict: Verdict,
      options: { waiting?: boolean } = {},
    ): Promise<Outcome<SubmissionView & { unlocked: string[] }>> {
      await decideTurn(game);
      if (options.waiting && game.engine.submissions.get(submissionId)?.status === "accepted") {
        return refusal("conflict", OVERTAKEN);
      }
      const outcome = game.engine.judge(submissionId, verdict);
      switch (outcome.kind) {
        case "not_found":
          return refusal("not_found", "There is no such submission");
        case "already_judged":
          return refusal("conflict", `This submission is already ${outcome.submission.status}`);
        case "invalid_points":
          return refusal("bad_request", `Points must be a whole number from 0 to ${outcome.max}`);
        case "ok": {
          const background = game.engine.takeBackgroundWrites();
          await game.commit([...background, ...outcome.writes]);
          return {
            ok: true,
            reply: { ...judgedView(outcome.submission), unlocked: outcome.unlocked },
          };
        }
      }
    },
  };
}

export type MissionActions = ReturnType<typeof missionActions>;

/** A verdict given on a submission seen waiting, refused because another judge accepted it. */
const OVERTAKEN = "Another judge accepted this submission meanwhile: to take it back, " +
  "reject it under Recently accepted";

/**
 * When a submission counts, and its flag: for one queued offline, its pressed time (fair times,
 * as for a guess).
 */
function timeOf(game: Game, teamId: number, options: SubmitOptions): ActionTime {
  return game.contacts.timeOf(teamId, options, game.engine.now(), game.engine.hunt.offlineTimes);
}

/**
 * When an upload sent at once (no time claimed) counts: when it began to arrive, by the server's
 * clock, so that a slow one begun before `ends_at` gets the hunt's `offline_grace` as one that says
 * when it was made does (the player page's outbox says it only for one that waited). Not with
 * `offline_times = false`, where every upload counts when its last byte arrives.
 */
function arrivedTime(
  game: Game,
  time: ActionTime,
  { options, began }: { options: SubmitOptions; began: number },
): ActionTime {
  const now = game.engine.now();
  if (options.pressedAt !== undefined || !game.engine.hunt.offlineTimes) return time;
  // Within a second, as a request that took no time: it counts now (see `ContactTokens.timeOf`).
  if (now - began < 1000) return time;
  return { at: began, flag: now - began > LATE_MS ? "late" : undefined };
}

/**
 * Reads the body of a submission: multipart (a file or a `text`), or nothing usable. What the
 * engine would refuse (a mission solved or waiting for a judge, a quota used up) is refused
 * before a byte of the body is read, and so is a team with its uploads in flight already.
 */
async function readSubmission(
  game: Game,
  uploads: UploadGate,
  request: Request,
  { puzzleId, teamId, options }: { puzzleId: string; teamId: number; options: SubmitOptions },
): Promise<Outcome<UploadFields>> {
  const team = game.engine.teams.get(teamId);
  if (team === undefined) return refusal("unauthorized");
  const limit = game.engine.uploadLimit(team, puzzleId, timeOf(game, teamId, options).at);
  const text = limit.kind === "wrong_kind" && limit.expected === "text";
  if (limit.kind !== "ok" && !text) return submitRefusal(limit);
  const maxBytes = limit.kind === "ok" ? limit.maxBytes : 0;
  const tooLarge = limit.kind === "ok"
    ? tooLargeText(maxBytes, limit.by)
    : "The request body is too large for a text";
  // A declared length past the cap is refused before any byte is read.
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes + FRAMING_BYTES + MAX_SUBMISSION_TEXT * 4) {
    return refusal("payload_too_large", tooLarge);
  }
  const boundary = multipartBoundary(request.headers.get("content-type") ?? undefined);
  if (boundary === undefined || request.body === null) {
    return refusal("bad_request", "Send the submission as multipart/form-data");
  }
  const busy = uploads.enter(teamId);
  if (busy !== undefined) return busy;
  const { photoMax } = game.engine.hunt.uploads;
  const memory = uploads.reserve(teamId, {
    budget: uploads.budget(photoMax),
    share: uploads.teamShare(photoMax),
  });
  const { idleMs } = uploads.limits;
  const onBytes = runtimeTimer(options.server, request, idleMs);
  const video = limit.kind === "ok" && limit.puzzle.mission!.submit === "video";
  try {
    return await readUpload(request.body, boundary, {
      maxBytes,
      tooLarge,
      maxText: MAX_SUBMISSION_TEXT,
      accept: text ? "text" : video ? "video" : "image",
      begin: () => game.store.beginUpload(),
      hold: memory.hold,
      ...(Number.isFinite(declared) && { declared }),
      idleMs,
      ...(onBytes !== undefined && { onBytes }),
      onStoreFailure: (error) =>
        game.logger.error("upload_failed", {
          team: teamId,
          puzzle: puzzleId,
          message: error instanceof Error ? error.message : String(error),
        }),
    });
  } finally {
    memory.release();
    uploads.leave(teamId);
  }
}

/**
 * On Bun, pushes the connection's idle timer back as an upload's bytes arrive (at most once a
 * second), past the upload's own `idleMs`. Under its idle timeout, Bun (uWebSockets) cuts a
 * request body that arrives slower than 16 KiB/s on average, with no answer, and a phone on bad
 * Wi-Fi is often slower; pushed back, its timer cuts only an upload that sends nothing at all,
 * and the upload's own timer answers one first (408). Undefined on Deno, which has no such timer.
 */
function runtimeTimer(server: unknown, request: Request, idleMs: number) {
  const timeout = (server as { timeout?: unknown } | undefined)?.timeout;
  if (typeof timeout !== "function") return undefined;
  const seconds = Math.min(255, Math.ceil(idleMs / 1000) + RUNTIME_IDLE_MARGIN_SECONDS);
  let last = -Infinity;
  const push = () => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    timeout.call(server, request, seconds);
  };
  push();
  return push;
}

/** Whether a stored submission names the file. */
function named(game: Game, hash: string): boolean {
  for (const submission of game.engine.submissions.values()) {
    if (submission.file?.hash === hash) return true;
  }
  return false;
}
