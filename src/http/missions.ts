/**
 * Mission routes: a team's submissions (a streamed multipart upload), their
 * files (to their team and organizers only), and the organizers' judging API.
 */
import type { Context, Hono } from "hono";
import {
  ApiError,
  ClaimBody,
  isAdmin,
  judgedView,
  parseId,
  type Play,
  readJson,
  refusalResponse,
  requireAdmin,
  sessionPlayer,
  submissionFile,
  submissionView,
  VerdictBody,
} from "../play/mod.ts";
import { json } from "./_json.ts";
import { timed } from "./_request.ts";

/** Mounts the mission routes on the API. */
export function missionRoutes(api: Hono, played: Play): void {
  const { game, missions: actions } = played;
  const admin = (c: Context) => requireAdmin(c, game);

  api.post("/api/puzzles/:id/submissions", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) throw new ApiError("unauthorized"); // before reading any body
    // An upload queued offline says when it was sent, for the hunt's offline grace; on Bun, the
    // server (`c.env`) keeps a slow upload's connection open.
    const options = { ...timed(c.req.raw), server: c.env };
    const outcome = await actions.submit(found.team.id, c.req.param("id"), c.req.raw, options);
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
    const submission = game.engine.submissions.get(parseId(c.req.param("id")) ?? 0);
    const player = sessionPlayer(game, c);
    const allowed = submission !== undefined &&
      (player?.team.id === submission.teamId || isAdmin(c, game));
    const response = allowed ? submissionFile(game, submission) : undefined;
    if (response === undefined) throw new ApiError("not_found");
    return response;
  });

  api.post("/api/admin/judge/claim", async (c) => {
    admin(c);
    const { judge } = await readJson(c, ClaimBody);
    const submission = actions.claimNext(judge);
    return json({ submission: submission === undefined ? null : judgedView(submission) });
  });

  api.post("/api/admin/submissions/:id/verdict", async (c) => {
    admin(c);
    const verdict = await readJson(c, VerdictBody);
    // 0 is no submission's id: a malformed one is "There is no such submission" too.
    const outcome = await actions.judge(parseId(c.req.param("id")) ?? 0, verdict);
    return outcome.ok ? json({ submission: outcome.reply }) : refusalResponse(outcome);
  });
}
