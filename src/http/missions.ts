/**
 * Mission routes: a team's submissions (a streamed multipart upload), their
 * files (to their team and organizers only), and the organizers' judging API.
 */
import type { Context, Hono } from "hono";
import {
  ApiError,
  ClaimBody,
  isAdmin,
  missionActions,
  type Play,
  readJson,
  refusalResponse,
  sessionPlayer,
  submissionView,
  VerdictBody,
} from "../play/mod.ts";
import { json } from "./_json.ts";

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/heic": "heic",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "video/quicktime": "mov",
};

/** Mounts the mission routes on the API. */
export function missionRoutes(api: Hono, played: Play): void {
  const { game } = played;
  const actions = missionActions(game);
  const admin = (c: Context) => {
    if (!isAdmin(c, game.adminTokenHash)) {
      throw new ApiError("unauthorized", "The admin token is missing or wrong");
    }
  };

  api.post("/api/puzzles/:id/submissions", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) throw new ApiError("unauthorized"); // before reading any body
    const outcome = await actions.submit(found.team.id, c.req.param("id"), c.req.raw);
    return outcome.ok ? json({ submission: outcome.reply }, 201) : refusalResponse(outcome);
  });

  api.get("/api/puzzles/:id/submissions", (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) throw new ApiError("unauthorized");
    const { engine, team } = found;
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) throw new ApiError("not_found");
    const mine = [...engine.submissions.values()].filter((s) =>
      s.teamId === team.id && s.puzzle === puzzle.id
    );
    return json({ submissions: mine.map(submissionView) });
  });

  // A submission's file: to its team and to organizers; anyone else gets 404.
  api.get("/api/submissions/:id/file", (c) => {
    const submission = game.engine.submissions.get(Number(c.req.param("id")));
    const player = sessionPlayer(game, c);
    const allowed = submission !== undefined &&
      (player?.team.id === submission.teamId || isAdmin(c, game.adminTokenHash));
    const file = allowed ? submission.file && game.store.upload(submission.file.hash) : undefined;
    if (!allowed || !submission.file || file === undefined) throw new ApiError("not_found");
    const name = `submission-${submission.id}.${EXTENSIONS[submission.file.type] ?? "bin"}`;
    return new Response(file, {
      headers: {
        "content-type": submission.file.type,
        "content-disposition": `inline; filename="${name}"`,
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, max-age=3600",
      },
    });
  });

  api.post("/api/admin/judge/claim", async (c) => {
    admin(c);
    const { judge } = await readJson(c, ClaimBody);
    const submission = actions.claimNext(judge);
    return json({ submission: submission === undefined ? null : submissionView(submission) });
  });

  api.post("/api/admin/submissions/:id/verdict", async (c) => {
    admin(c);
    const body = await readJson(c, VerdictBody);
    const outcome = await actions.judge(
      Number(c.req.param("id")),
      body.accept
        ? { accept: true, ...(body.points !== undefined && { points: body.points }) }
        : { accept: false, ...(body.message !== undefined && { message: body.message }) },
    );
    return outcome.ok ? json({ submission: outcome.reply }) : refusalResponse(outcome);
  });
}
