/**
 * The judging page under /admin/judge: each judge (named by a cookie) is
 * given the oldest pending submission nobody else holds, claimed for them for
 * 2 minutes, and gives a verdict with a form post. Runs the same mission
 * actions as the judging API.
 */
import type { Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import * as v from "valibot";
import { CLAIM_MS, type Engine, type Submission, type Verdict } from "../engine/mod.ts";
import {
  ClaimBody,
  parseId,
  type Play,
  puzzleView,
  readForm,
  requestUrl,
  VerdictBody,
} from "../play/mod.ts";
import { html, param, refusalFlash } from "./_page.ts";
import { clock } from "./charts.ts";
import { setFlash, takeFlash } from "./flash.ts";
import { type JudgedItem, JudgePage } from "./judge.tsx";
import { asking, carding, judging } from "./_nav.ts";

const JUDGE_COOKIE = "cairn_judge";
/** How many accepted submissions the page lists for second thoughts. */
const RECENT = 12;

/** The judge's name from their cookie, if it is a valid one. */
function judgeOf(c: Context): string | undefined {
  const name = getCookie(c, JUDGE_COOKIE);
  return name !== undefined && v.is(ClaimBody, { judge: name }) ? name : undefined;
}

/** Mounts the judging page and its forms (behind the admin guard). */
export function judgePages(pages: Hono, { game, missions: actions }: Play): void {
  /** A submission as the page shows it. */
  const item = (engine: Engine, submission: Submission): JudgedItem => {
    const puzzle = engine.hunt.puzzles[engine.hunt.puzzleIndex.get(submission.puzzle) ?? -1];
    return {
      id: submission.id,
      team: engine.teams.get(submission.teamId)?.name ?? `team ${submission.teamId}`,
      teamId: submission.teamId,
      puzzle: submission.puzzle,
      mission: puzzle?.title ?? submission.puzzle,
      submit: submission.submit,
      text: submission.text,
      file: submission.file === null ? null : `/api/submissions/${submission.id}/file`,
      type: submission.file?.type ?? null,
      points: puzzle === undefined ? submission.points : engine.points(puzzle),
      at: clock(submission.at),
      flag: submission.flag,
    };
  };

  pages.get("/admin/judge", (c) => {
    const engine = game.engine;
    const judge = judgeOf(c);
    const skip = Number(param(c, "skip"));
    const claimed = judge === undefined
      ? undefined
      : actions.claimNext(judge, Number.isInteger(skip) ? { skip } : {});
    let current;
    if (claimed !== undefined) {
      const team = engine.teams.get(claimed.teamId);
      const index = engine.hunt.puzzleIndex.get(claimed.puzzle);
      const puzzle = index === undefined ? undefined : engine.hunt.puzzles[index];
      const now = engine.now();
      current = {
        ...item(engine, claimed),
        bodyHtml: team && puzzle ? puzzleView(engine, team, puzzle, now).bodyHtml : "",
        heldUntil: clock(engine.judging.claimOf(claimed.id, now)?.until ?? now + CLAIM_MS),
        auto: puzzle?.mission?.judge === "auto",
      };
    }
    // The judges' last verdicts first, by when they were given (an accepted one counts from when
    // it was sent); an auto mission's, never judged, by when it arrived.
    const verdictAt = (s: Submission) => s.judgedAt ?? s.acceptedAt ?? s.at;
    const recent = [...engine.submissions.values()]
      .filter((s) => s.status === "accepted")
      .sort((a, b) => verdictAt(b) - verdictAt(a))
      .slice(0, RECENT)
      .map((s) => {
        const index = engine.hunt.puzzleIndex.get(s.puzzle);
        const auto = index !== undefined && engine.hunt.puzzles[index]?.mission?.judge === "auto";
        return {
          ...item(engine, s),
          accepted: clock(verdictAt(s)),
          awarded: s.points,
          auto,
        };
      });
    return html(
      c,
      JudgePage({
        huntTitle: engine.hunt.title,
        flash: takeFlash(c),
        judge,
        pending: judging(engine) ?? 0,
        asking: asking(engine),
        checkpoints: carding(engine),
        current,
        skippedLast: Number.isInteger(skip),
        recent,
      }),
    );
  });

  pages.post("/admin/judge/name", async (c) => {
    const form = await readForm(c);
    const name = (form.name ?? "").trim();
    if (!v.is(ClaimBody, { judge: name })) {
      setFlash(c, { tone: "bad", title: "A judge's name has 1 to 64 characters" });
    } else {
      setCookie(c, JUDGE_COOKIE, name, {
        path: "/admin",
        httpOnly: true,
        sameSite: "Strict",
        secure: requestUrl(c.req.url)?.protocol === "https:",
        maxAge: 30 * 86_400,
      });
    }
    return c.redirect("/admin/judge", 303);
  });

  pages.post("/admin/judge/:id/verdict", async (c) => {
    const form = await readForm(c);
    const id = parseId(c.req.param("id")) ?? 0;
    const verdict = verdictOf(form);
    // A reject from the page of one waiting is refused when another judge (whose hold came after
    // this one's lapsed) has accepted it since: taking that back is for Recently accepted, on
    // purpose. Checked at the verdict's turn, not here: another node's acceptance may come later.
    const outcome = typeof verdict === "string"
      ? { ok: false as const, code: "bad_request" as const, message: verdict }
      : await actions.judge(id, verdict, { waiting: form.status === "pending" });
    if (!outcome.ok) setFlash(c, refusalFlash(outcome, typedVerdict(id, form)));
    else {
      const engine = game.engine;
      const { team, mission } = item(engine, engine.submissions.get(outcome.reply.id)!);
      setFlash(c, {
        tone: outcome.reply.status === "accepted" ? "ok" : "info",
        title: outcome.reply.status === "accepted"
          ? `Accepted: ${team}, ${mission} (+${outcome.reply.points})`
          : `Rejected: ${team}, ${mission}`,
        ...(outcome.reply.message !== null && { text: `Told the team: ${outcome.reply.message}` }),
      });
    }
    return c.redirect(form.back === "recent" ? "/admin/judge#judge-recent" : "/admin/judge", 303);
  });
}

/**
 * What was typed in a refused verdict form, for the page to show again (judge.tsx): the form is
 * named by its verdict and submission, and a recently accepted one's reject form by `recent`.
 */
function typedVerdict(
  id: number,
  form: Record<string, string>,
): Record<string, string> | undefined {
  if (form.verdict === "points") return { form: `points-${id}`, points: form.points ?? "" };
  if (form.verdict !== "reject") return undefined;
  const name = form.back === "recent" ? `recent-${id}` : `reject-${id}`;
  return { form: name, message: form.message ?? "" };
}

/** A verdict form's fields as a verdict, or the sentence saying what is wrong. */
function verdictOf(form: Record<string, string>): Verdict | string {
  const message = (form.message ?? "").trim();
  const body = {
    accept: form.verdict !== "reject",
    ...(form.verdict === "points" && { points: Number(form.points) }),
    ...(form.verdict === "reject" && message !== "" && { message }),
  };
  if (!["accept", "points", "reject"].includes(form.verdict ?? "")) {
    return 'Field "verdict": accept, points or reject';
  }
  const checked = v.safeParse(VerdictBody, body);
  if (!checked.success) {
    return form.verdict === "points"
      ? "Points must be a whole number"
      : "A message to the team has at most 500 characters";
  }
  return checked.output;
}
