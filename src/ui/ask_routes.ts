/**
 * The asks' pages and forms: a team's question and its withdrawal (from the
 * puzzle page), and the organizers' /admin/hints with its reply forms. They
 * run the same ask actions as the API.
 */
import type { Hono } from "hono";
import * as v from "valibot";
import type { Engine } from "../engine/mod.ts";
import {
  askActions,
  AskBody,
  askView,
  parseId,
  type Play,
  readForm,
  ReplyBody,
  sessionPlayer,
} from "../play/mod.ts";
import { html, refusalFlash } from "./_page.ts";
import { HintsPage } from "./asks.tsx";
import { setFlash, takeFlash } from "./flash.ts";
import { carding, judging } from "./_nav.ts";

/** How many closed asks /admin/hints lists below the open ones. */
const RECENT = 10;

/** The team's question and withdrawal forms (player pages). */
export function askForms(pages: Hono, { game }: Play): void {
  const actions = askActions(game);

  pages.post("/puzzles/:id/hints/:hint/asks", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    const form = await readForm(c);
    const id = c.req.param("id");
    const hintId = c.req.param("hint");
    const body = v.safeParse(AskBody, { question: form.question ?? "" });
    const outcome = body.success
      ? await actions.ask(found.team.id, id, hintId, body.output.question)
      : { ok: false as const, code: "bad_request" as const, message: body.issues[0].message };
    setFlash(
      c,
      outcome.ok
        ? { tone: "info", title: "Question sent: the answer will appear below." }
        // The box comes back with the question typed in it, to fix and send again.
        : refusalFlash(outcome, { form: `ask-${hintId}`, question: form.question ?? "" }),
    );
    return c.redirect(`/puzzles/${encodeURIComponent(id)}#hint-${encodeURIComponent(hintId)}`, 303);
  });

  pages.post("/asks/:id/withdraw", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    await readForm(c);
    const id = parseId(c.req.param("id")) ?? 0;
    const ask = game.engine.asks.get(id);
    const outcome = await actions.withdraw(found.team.id, id);
    setFlash(
      c,
      outcome.ok
        ? { tone: "info", title: "Question withdrawn: its cost was given back." }
        : refusalFlash(outcome),
    );
    const back = ask !== undefined && ask.teamId === found.team.id
      ? `/puzzles/${encodeURIComponent(ask.puzzle)}#hint-${encodeURIComponent(ask.hint)}`
      : "/puzzles";
    return c.redirect(back, 303);
  });
}

/** /admin/hints and its reply forms (behind the admin guard). */
export function hintPages(pages: Hono, { game }: Play): void {
  const actions = askActions(game);
  const titleOf = (engine: Engine, puzzle: string) =>
    engine.hunt.puzzles[engine.hunt.puzzleIndex.get(puzzle) ?? -1]?.title ?? puzzle;

  pages.get("/admin/hints", async (c) => {
    const open = await actions.list("open");
    const engine = game.engine;
    const closed = [...engine.asks.values()]
      .filter((ask) => ask.status !== "open")
      .sort((a, b) => (b.closedAt ?? b.at) - (a.closedAt ?? a.at))
      .slice(0, RECENT)
      .map((ask) => ({
        ...askView(ask),
        team: ask.teamId,
        team_name: engine.teams.get(ask.teamId)?.name ?? "",
        puzzleTitle: titleOf(engine, ask.puzzle),
      }));
    return html(
      c,
      HintsPage({
        huntTitle: engine.hunt.title,
        flash: takeFlash(c),
        judging: judging(engine),
        checkpoints: carding(engine),
        open: open.map((ask) => ({ ...ask, puzzleTitle: titleOf(engine, ask.puzzle) })),
        closed,
        ended: engine.ended(),
      }),
    );
  });

  pages.post("/admin/hints/:id/reply", async (c) => {
    const form = await readForm(c);
    const id = parseId(c.req.param("id")) ?? 0;
    const body = v.safeParse(
      ReplyBody,
      form.refuse === "true"
        ? { refuse: true, ...(form.message?.trim() ? { message: form.message } : {}) }
        : { answer: form.answer ?? "" },
    );
    const outcome = body.success
      ? await actions.reply(id, body.output)
      : { ok: false as const, code: "bad_request" as const, message: body.issues[0].message };
    if (!outcome.ok) {
      // The form comes back with what was typed in it, to fix and send again.
      const typed: Record<string, string> = form.refuse === "true"
        ? { form: `refuse-${id}`, message: form.message ?? "" }
        : { form: `answer-${id}`, answer: form.answer ?? "" };
      setFlash(c, refusalFlash(outcome, typed));
    } else {
      const { team_name, status } = outcome.reply;
      setFlash(c, {
        tone: status === "answered" ? "ok" : "info",
        title: status === "answered" ? `Answered ${team_name}` : `Refused ${team_name}'s question`,
      });
    }
    return c.redirect("/admin/hints", 303);
  });
}
