/**
 * Ask routes: a team asks a question on an ask hint, lists its asks (and its
 * hint tokens), and withdraws an open one; organizers list the asks with the
 * team's guesses beside each and answer or refuse them.
 */
import type { Context, Hono } from "hono";
import * as v from "valibot";
import {
  ApiError,
  askActions,
  AskBody,
  AskFilter,
  askView,
  EmptyBody,
  idempotencyKey,
  parseId,
  type Play,
  readJson,
  refusalResponse,
  ReplyBody,
  requireAdmin,
  sessionPlayer,
  tokensView,
} from "../play/mod.ts";
import { json } from "./_json.ts";

/** An id in the path: decimal digits, or 404 as for an ask that does not exist. */
function askId(c: Context): number {
  const id = parseId(c.req.param("id"));
  if (id === undefined) throw new ApiError("not_found", "There is no such ask");
  return id;
}

/** Mounts the ask routes on the API. */
export function askRoutes(api: Hono, { game }: Play): void {
  const actions = askActions(game);
  const player = (c: Context) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) throw new ApiError("unauthorized");
    return found;
  };
  const admin = (c: Context) => requireAdmin(c, game);

  api.post("/api/puzzles/:id/hints/:hint/asks", async (c) => {
    const { team } = player(c);
    // Accepts an Idempotency-Key (play/idempotency.ts), as hints and check-ins do.
    const key = idempotencyKey(c.req.raw);
    const { question } = await readJson(c, AskBody);
    const outcome = await actions.ask(team.id, c.req.param("id"), c.req.param("hint"), question, {
      ...(key !== undefined && { key }),
    });
    return outcome.ok ? json({ ask: outcome.reply }, 201) : refusalResponse(outcome);
  });

  api.get("/api/puzzles/:id/asks", (c) => {
    const { engine, team } = player(c);
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) throw new ApiError("not_found");
    return json({
      asks: engine.asksOf(team, puzzle).map(askView),
      tokens: tokensView(engine, team),
    });
  });

  api.delete("/api/asks/:id", async (c) => {
    const { team } = player(c);
    await readJson(c, EmptyBody);
    const id = askId(c);
    const outcome = await actions.withdraw(team.id, id);
    return outcome.ok ? json({ ask: outcome.reply }) : refusalResponse(outcome);
  });

  api.get("/api/admin/asks", async (c) => {
    admin(c);
    const status = v.safeParse(AskFilter, c.req.queries("status")?.[0] ?? "open");
    if (!status.success) throw new ApiError("bad_request", 'Expected status "open" or "all"');
    return json({ asks: await actions.list(status.output) });
  });

  api.post("/api/admin/asks/:id/reply", async (c) => {
    admin(c);
    const body = await readJson(c, ReplyBody);
    const id = askId(c);
    const outcome = await actions.reply(id, body);
    return outcome.ok ? json({ ask: outcome.reply }) : refusalResponse(outcome);
  });
}
