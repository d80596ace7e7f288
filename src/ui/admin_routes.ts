/**
 * The organizers' pages under /admin: sign-in, the dashboard and the pieces
 * its script refreshes, a team's page, the printable QR cards, and the forms
 * (announce, adjust, extra guesses, a team's name and password, freeze,
 * reload), which run the same actions as the admin API.
 */
import { Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import * as v from "valibot";
import type { Engine } from "../engine/mod.ts";
import {
  AdjustmentBody,
  ADMIN_COOKIE,
  adminLimited,
  AnnouncementBody,
  ApiError,
  check,
  checkAdmin,
  clientAddress,
  ExtraGuessesBody,
  isAdmin,
  judgeAdminToken,
  outOfReach,
  parseId,
  type Play,
  puzzleStats,
  readForm,
  reloadFailure,
  setAdminCookie,
  TeamBannedBody,
  TeamHiddenBody,
  TeamNameBody,
  TeamPasswordBody,
  teamWithId,
} from "../play/mod.ts";
import {
  acceptsHtml,
  html,
  huntInfo,
  isLoopback,
  noStore,
  ORIGIN_PATTERN,
  param,
  playerOrigins,
  refusalFlash,
} from "./_page.ts";
import {
  AdminLoginPage,
  DashboardPage,
  FeedRows,
  type GridCell,
  type GridPage,
  type GridTeam,
  PrintPage,
  ProgressGrid,
  type SubmissionFeedRow,
  SubmissionRows,
  TeamPage,
} from "./admin.tsx";
import { clock, guessesChart, points as pointsText, puzzleChart } from "./charts.ts";
import { type Flash, setFlash, takeFlash } from "./flash.ts";
import { MessagePage } from "./player.tsx";
import { judgePages } from "./judge_routes.ts";
import { hintPages } from "./ask_routes.ts";
import { asking, carding, judging } from "./_nav.ts";
import { qrSvg } from "./qr.ts";

/** The organizers' pages, to mount at the root. */
export function adminPages(played: Play): Hono {
  const pages = new Hono();
  /** The last failed reload's errors, shown once on the dashboard. */
  const reload = { errors: [] as readonly string[] };
  signIn(pages, played);
  dashboard(pages, played, reload);
  teamAndPrint(pages, played);
  adminForms(pages, played, reload);
  teamForms(pages, played);
  judgePages(pages, played);
  hintPages(pages, played);
  return pages;
}

/** Signing in and out, and the guard in front of every other admin page. */
function signIn(pages: Hono, { game }: Play): void {
  // The admin link carries the token in its fragment, which never reaches the server or its
  // logs. The sign-in form posts it here once; it comes back as an HttpOnly, SameSite=Strict
  // cookie, so pages render without the token in any URL.
  pages.post("/admin/session", async (c) => {
    const form = await readForm(c);
    const token = (form.token ?? "").trim();
    // Wrong tokens are limited per address: past the limit, this one is not even compared.
    const judged = token === ""
      ? undefined
      : judgeAdminToken(game, clientAddress(c, game.proxies), token);
    if (judged?.kind === "limited") {
      const title = "Too many wrong admin tokens from this address";
      setFlash(c, { tone: "bad", title, retryAfter: judged.retryAfter });
      return c.redirect("/admin", 303);
    }
    if (judged?.kind !== "admin") {
      setFlash(c, { tone: "bad", title: "That admin token is wrong" });
      return c.redirect("/admin", 303);
    }
    setAdminCookie(c, token);
    game.logger.info("admin_signed_in");
    return c.redirect("/admin", 303);
  });

  pages.post("/admin/logout", async (c) => {
    await readForm(c).catch(() => ({}));
    deleteCookie(c, ADMIN_COOKIE, { path: "/" });
    return c.redirect("/admin", 303);
  });

  pages.use("/admin/*", async function adminPages(c, next) {
    const path = c.req.path;
    if (path === "/admin" || path === "/admin/session" || path === "/admin/logout") return next();
    const admin = checkAdmin(c, game);
    if (admin.kind !== "admin") {
      if (c.req.method === "GET") return c.redirect("/admin", 303);
      // A script's request gets the envelope; a browser's form post, the sign-in page and why.
      if (admin.kind === "limited" && !acceptsHtml(c)) throw adminLimited(admin.retryAfter);
      if (!acceptsHtml(c)) throw new ApiError("unauthorized", "Sign in as an organizer");
      setFlash(c, signedOutFlash(await readForm(c).catch(() => ({}))));
      return c.redirect("/admin", 303);
    }
    await next();
  });
}

/**
 * What the sign-in page says to an organizer whose form came back unsent (the admin cookie was
 * gone): sign in and send it again, with the announcement or reason they typed, so it is not lost.
 */
function signedOutFlash(form: Record<string, string>): Flash {
  const typed = (form.text ?? form.reason ?? form.message ?? "").trim();
  return {
    tone: "warn",
    title: "Your organizer session has ended: nothing was changed",
    text: typed === ""
      ? "Sign in again, then send the form again."
      : `Sign in again, then send the form again. What you typed: “${typed}”`,
  };
}

/** What a hint costs in the hunt as it is now (0 for one a reload removed). */
function hintCost(engine: Engine, puzzle: string, hint: string): number {
  const found = engine.hunt.puzzles.find((p) => p.id === puzzle)?.hints.find((h) => h.id === hint);
  return found?.cost ?? 0;
}

/** The dashboard, and the pieces of it that its script refreshes in place. */
function dashboard(pages: Hono, { game }: Play, reload: { errors: readonly string[] }): void {
  const { store } = game;

  pages.get("/admin", async (c) => {
    const engine = game.engine;
    if (!isAdmin(c, game)) {
      return html(c, AdminLoginPage({ huntTitle: engine.hunt.title, flash: takeFlash(c) }));
    }
    const now = engine.now();
    const frozenAt = game.freeze.frozenAt(now);
    const flash = takeFlash(c);
    if (flash?.reloadErrors) flash.lines = [...reload.errors];
    const [guesses, perMinute, counts] = await Promise.all([
      store.guessFeed({ after: 0, limit: 50, newest: true }),
      store.guessesPerMinute(now),
      store.counts(),
    ]);
    return html(
      c,
      DashboardPage({
        huntTitle: engine.hunt.title,
        flash,
        status: engine.running(now)
          ? "Running"
          : now < engine.startsAt
          ? `Starts ${clock(engine.startsAt)}`
          : "Ended",
        frozen: frozenAt !== undefined,
        ...(frozenAt !== undefined && { frozenAt: clock(frozenAt) }),
        teams: engine.standings({ hidden: true }).map((row) => ({
          id: row.team.id,
          name: row.team.name,
          hidden: row.team.hidden,
          banned: row.team.banned,
          score: row.score,
          solves: row.solves,
        })),
        puzzles: engine.hunt.puzzles.map((p) => ({ id: p.id, title: p.title })),
        guessFeed: engine.hunt.puzzles.some((p) => p.mission === undefined) || counts.guesses > 0,
        guesses,
        submissions: hasMissions(engine) ? submissionFeed(engine) : undefined,
        submissionCount: engine.submissions.size,
        grid: progressGrid(engine, now, gridPage(param(c, "grid"))),
        puzzleChart: puzzleChart(puzzleStats(engine)),
        guessesChart: guessesChart(perMinute),
        counts: { teams: engine.teams.size, ...counts },
        judging: judging(engine),
        asking: asking(engine),
        checkpoints: carding(engine),
      }),
    );
  });

  pages.get("/admin/progress", (c) => {
    const engine = game.engine;
    const puzzles = engine.hunt.puzzles.map((p) => ({ id: p.id, title: p.title }));
    const grid = progressGrid(engine, engine.now(), gridPage(param(c, "page")));
    noStore(c);
    return c.html(String(ProgressGrid({ puzzles, grid })));
  });

  pages.get("/admin/charts", async (c) => {
    const engine = game.engine;
    noStore(c);
    const [perMinute, counts] = await Promise.all([
      store.guessesPerMinute(engine.now()),
      store.counts(),
    ]);
    return c.json({
      puzzles: puzzleChart(puzzleStats(engine)),
      guesses: guessesChart(perMinute),
      // The summary's team count, hidden and banned teams included, as the page draws it.
      teams: engine.teams.size,
      // And its solve count, missions' accepted submissions included, as the page draws it.
      solves: counts.solves,
    });
  });

  pages.get("/admin/feed", async (c) => {
    const after = Number(param(c, "after") ?? 0);
    if (!Number.isInteger(after) || after < 0) throw new ApiError("bad_request");
    const rows = await store.guessFeed({ after, limit: 100, newest: true });
    noStore(c);
    return c.json({ last: rows[0]?.id ?? after, html: String(FeedRows({ guesses: rows })) });
  });

  // The submissions' feed, drawn whole each time: a row's status changes with its verdict.
  pages.get("/admin/feed/submissions", (c) => {
    const engine = game.engine;
    noStore(c);
    return c.json({
      count: engine.submissions.size,
      html: String(SubmissionRows({ submissions: submissionFeed(engine) })),
    });
  });
}

/** Whether the hunt has missions, or had submissions (a reload since removed its missions). */
function hasMissions(engine: Engine): boolean {
  return engine.submissions.size > 0 || engine.hunt.puzzles.some((p) => p.mission !== undefined);
}

/** The dashboard's feed of submissions: the latest 50 sent, newest first, with their status now. */
function submissionFeed(engine: Engine): SubmissionFeedRow[] {
  return [...engine.submissions.values()]
    .sort((a, b) => b.id - a.id)
    .slice(0, SUBMISSION_FEED)
    .map((s) => {
      const puzzle = engine.hunt.puzzles[engine.hunt.puzzleIndex.get(s.puzzle) ?? -1];
      return {
        id: s.id,
        team: s.teamId,
        teamName: engine.teams.get(s.teamId)?.name ?? `team ${s.teamId}`,
        puzzle: s.puzzle,
        title: puzzle?.title ?? s.puzzle,
        kind: s.submit,
        status: s.status,
        at: s.at,
        flag: s.flag,
      };
    });
}

/** The submissions the dashboard's feed shows. */
const SUBMISSION_FEED = 50;

/** A team's page, and the printable sheet of QR cards. */
function teamAndPrint(pages: Hono, { game }: Play): void {
  pages.get("/admin/teams/:id", async (c) => {
    const id = parseId(c.req.param("id"));
    // One registered on another node a moment ago is read from the shared log first.
    const team = id === undefined ? undefined : await teamWithId(game, id);
    const engine = game.engine;
    if (team === undefined) {
      return html(
        c,
        MessagePage({
          hunt: huntInfo(engine),
          title: "No such team",
          text: "There is no team here.",
        }),
        404,
      );
    }
    const history = await game.store.teamHistory(team.id);
    return html(
      c,
      TeamPage({
        huntTitle: engine.hunt.title,
        flash: takeFlash(c),
        judging: judging(engine),
        asking: asking(engine),
        checkpoints: carding(engine),
        submitter: engine.hunt.submitters === "one"
          ? { held: game.submitters.has(team.id) }
          : undefined,
        puzzles: engine.hunt.puzzles.map((p) => ({ id: p.id, title: p.title })),
        team: {
          id: team.id,
          name: team.name,
          hidden: team.hidden,
          banned: team.banned,
          division: team.division,
          members: team.members,
          score: engine.score(team),
          solves: engine.solveCount(team),
          createdAt: clock(team.createdAt),
          // Newest first, as in the dashboard's feed.
          guesses: history.guesses.map((g) => ({ ...g, team: team.id, team_name: team.name }))
            .reverse(),
          hints: history.hints.map((h) => ({ ...h, cost: hintCost(engine, h.puzzle, h.hint) })),
          asks: engine.asksOf(team),
          submissions: [...engine.submissions.values()].filter((m) => m.teamId === team.id),
          checkins: history.checkins,
          adjustments: history.adjustments,
        },
      }),
    );
  });

  pages.get("/admin/print", (c) => {
    const engine = game.engine;
    // The cards carry the address players' phones reach, which a laptop's localhost is not.
    const origins = playerOrigins(c, game.host);
    const chosen = param(c, "origin")?.trim().replace(/\/+$/, "");
    const origin = chosen !== undefined && ORIGIN_PATTERN.test(chosen) ? chosen : origins[0]!;
    // A puzzle's checkpoint, and each variant's own (another place, for the teams of that variant).
    const cards = engine.hunt.puzzles.flatMap((p) =>
      [p.checkpoint, ...(p.variants ?? []).map((v) => v.checkpoint)].flatMap((checkpoint) => {
        if (checkpoint === undefined) return [];
        const url = `${origin}/c/${encodeURIComponent(checkpoint.code)}`;
        return [{
          title: p.title,
          url,
          code: checkpoint.code,
          svg: qrSvg(url, `QR code for ${p.title}`),
        }];
      })
    );
    return html(
      c,
      PrintPage({
        huntTitle: engine.hunt.title,
        cards,
        origin,
        suggestions: origins,
        loopback: isLoopback(new URL(origin).hostname),
        ...(outOfReach(game.host, game.proxies) && { listening: game.host }),
        judging: judging(engine),
        asking: asking(engine),
      }),
    );
  });
}

/** The dashboard's forms: announcements, adjustments, extra guesses, the freeze and reloads. */
function adminForms(pages: Hono, { game, admin }: Play, reload: { errors: readonly string[] }) {
  const teamName = (id: number) => game.engine.teams.get(id)?.name ?? `team ${id}`;

  pages.post("/admin/announce", async (c) => {
    const form = await readForm(c);
    const body = check(AnnouncementBody, { text: form.text ?? "" });
    const outcome = body.ok ? await admin.announce(body.reply.text) : body;
    setFlash(
      c,
      outcome.ok
        ? { tone: "ok", title: "Announcement sent" }
        : refusalFlash(outcome, { form: "announce", text: form.text ?? "" }),
    );
    return c.redirect("/admin", 303);
  });

  pages.post("/admin/adjust", async (c) => {
    const form = await readForm(c);
    const body = check(AdjustmentBody, {
      team: Number(form.team),
      points: Number(form.points),
      reason: form.reason ?? "",
    });
    const outcome = body.ok ? await admin.adjust(body.reply) : body;
    if (!outcome.ok) {
      setFlash(c, refusalFlash(outcome, typed("adjust", form, ["team", "points", "reason"])));
    } else if (body.ok) {
      const { points, team } = body.reply;
      setFlash(c, {
        tone: "ok",
        title: `${points > 0 ? "+" : ""}${pointsText(points)} for ${teamName(team)}`,
      });
    }
    return c.redirect(safeAdminBack(form.back), 303);
  });

  pages.post("/admin/extra-guesses", async (c) => {
    const form = await readForm(c);
    const body = check(ExtraGuessesBody, {
      team: Number(form.team),
      puzzle: form.puzzle ?? "",
      count: Number(form.count),
    });
    const outcome = body.ok ? await admin.extraGuesses(body.reply) : body;
    if (!outcome.ok) {
      setFlash(c, refusalFlash(outcome, typed("extra-guesses", form, ["team", "puzzle", "count"])));
    } else if (body.ok) {
      const { count, team, puzzle } = body.reply;
      setFlash(c, {
        tone: "ok",
        title: `${count} extra guesses for ${teamName(team)} on ${puzzle}`,
      });
    }
    return c.redirect(safeAdminBack(form.back), 303);
  });

  pages.post("/admin/freeze", async (c) => {
    const form = await readForm(c);
    const frozen = v.safeParse(v.picklist(["true", "false"]), form.frozen);
    if (!frozen.success) throw new ApiError("bad_request", 'Field "frozen": true or false');
    // Answered once it is stored: the dashboard after the redirect shows it, and a failure is a 503.
    await admin.setFrozen(frozen.output === "true");
    setFlash(c, {
      tone: "ok",
      title: frozen.output === "true" ? "The scoreboard is frozen" : "The scoreboard is revealed",
    });
    return c.redirect("/admin", 303);
  });

  pages.post("/admin/reload", async (c) => {
    await readForm(c).catch(() => ({}));
    const result = admin.reload();
    if (result.kind === "error") {
      // Every error is shown, however many: they stay here for the page, not in the cookie.
      reload.errors = result.errors;
      setFlash(c, { tone: "bad", title: reloadFailure(result.errors), reloadErrors: true });
    } else {
      setFlash(c, reloadFlash(result.summary));
    }
    return c.redirect("/admin", 303);
  });
}

/** A team page's forms: its submitter, name, password and place on the board. */
function teamForms(pages: Hono, { game, admin }: Play): void {
  const teamName = (id: number) => game.engine.teams.get(id)?.name ?? `team ${id}`;
  const teamPage = (id: number) => game.engine.teams.has(id) ? `/admin/teams/${id}` : "/admin";

  pages.post("/admin/submitter-release", async (c) => {
    const form = await readForm(c);
    const teamId = Number(form.team);
    const outcome = await admin.releaseSubmitter(Number.isInteger(teamId) ? teamId : -1);
    if (!outcome.ok) setFlash(c, refusalFlash(outcome));
    else setFlash(c, { tone: "ok", title: `Released ${teamName(teamId)}'s submitting phone` });
    return c.redirect(outcome.ok ? `/admin/teams/${teamId}` : "/admin", 303);
  });

  // A team's name and password: back to its page, or to the dashboard when there is no such team.
  pages.post("/admin/teams/:id/name", async (c) => {
    const form = await readForm(c);
    const teamId = parseId(c.req.param("id")) ?? 0;
    const before = (await teamWithId(game, teamId))?.name ?? `team ${teamId}`;
    const body = check(TeamNameBody, { name: form.name ?? "" });
    const outcome = body.ok ? await admin.renameTeam(teamId, body.reply.name) : body;
    if (!outcome.ok) setFlash(c, refusalFlash(outcome, { form: "rename", name: form.name ?? "" }));
    else setFlash(c, { tone: "ok", title: `${before} is now ${outcome.reply.name}` });
    return c.redirect(teamPage(teamId), 303);
  });

  pages.post("/admin/teams/:id/hidden", async (c) => {
    const form = await readForm(c);
    const teamId = parseId(c.req.param("id")) ?? 0;
    const body = check(TeamHiddenBody, {
      hidden: form.hidden === "true" ? true : form.hidden === "false" ? false : form.hidden,
    });
    const outcome = body.ok ? await admin.hideTeam(teamId, body.reply.hidden) : body;
    if (!outcome.ok) setFlash(c, refusalFlash(outcome));
    else {
      const { name, hidden } = outcome.reply;
      setFlash(c, {
        tone: "ok",
        title: hidden ? `${name} is hidden from the scoreboard` : `${name} is on the scoreboard`,
      });
    }
    return c.redirect(teamPage(teamId), 303);
  });

  pages.post("/admin/teams/:id/banned", async (c) => {
    const form = await readForm(c);
    const teamId = parseId(c.req.param("id")) ?? 0;
    const body = check(TeamBannedBody, {
      banned: form.banned === "true" ? true : form.banned === "false" ? false : form.banned,
    });
    const outcome = body.ok ? await admin.banTeam(teamId, body.reply.banned) : body;
    if (!outcome.ok) setFlash(c, refusalFlash(outcome));
    else {
      const { team, sessionsEnded } = outcome.reply;
      setFlash(c, {
        tone: "ok",
        title: team.banned ? `${team.name} is banned` : `${team.name}'s ban is lifted`,
        text: team.banned
          ? `${sessionsEnded} phone${sessionsEnded === 1 ? " was" : "s were"} logged out.`
          : "The team can log in again. It stays hidden from the scoreboard until you show it.",
        ...(!team.banned && { banLifted: true }),
      });
      // Lifted: back at the card where it was, which says the team is still hidden, by its Show.
      if (!team.banned) return c.redirect(`${teamPage(teamId)}#hide-title`, 303);
    }
    return c.redirect(teamPage(teamId), 303);
  });

  pages.post("/admin/teams/:id/password", async (c) => {
    const form = await readForm(c);
    const teamId = parseId(c.req.param("id")) ?? 0;
    const body = check(TeamPasswordBody, {
      password: form.password ?? "",
      logout: form.logout === "true",
    });
    const outcome = body.ok ? await admin.setPassword(teamId, body.reply) : body;
    if (!outcome.ok) setFlash(c, refusalFlash(outcome));
    else {
      const { team, sessionsEnded } = outcome.reply;
      setFlash(c, {
        tone: "ok",
        title: `New password set for ${team.name}`,
        text: body.ok && body.reply.logout === true
          ? `${sessionsEnded} phone${sessionsEnded === 1 ? " was" : "s were"} logged out.`
          : "Phones already logged in stay logged in.",
      });
    }
    return c.redirect(teamPage(teamId), 303);
  });
}

/** The flash for a successful reload: what it added, removed and changed. */
function reloadFlash(
  summary: {
    added: string[];
    removed: string[];
    changed: string[];
    hunt: string[];
    puzzles: number;
  },
) {
  const { added, removed, changed, hunt, puzzles } = summary;
  const parts = [
    added.length > 0 && `added ${added.join(", ")}`,
    removed.length > 0 && `removed ${removed.join(", ")}`,
    changed.length > 0 && `changed ${changed.join(", ")}`,
    hunt.length > 0 && `changed ${hunt.join(", ")} in [hunt]`,
  ].filter(Boolean);
  return {
    tone: "ok" as const,
    title: `Hunt reloaded: ${puzzles} puzzles`,
    text: parts.length === 0 ? "Nothing changed." : `${parts.join("; ")}.`,
  };
}

/**
 * The most cells a page of the progress grid holds. Its teams come in pages:
 * 2,000 teams by 320 puzzles on one page were 40 MB of HTML, and 3 s of the
 * main thread each time a dashboard refreshed it (every 15 s).
 */
const GRID_CELLS = 10_000;

/** Teams on each page of the grid: 100 for a hunt of up to 100 puzzles, fewer (at least 10) for more. */
export function gridPageSize(puzzles: number): number {
  return Math.max(10, Math.min(100, Math.floor(GRID_CELLS / Math.max(1, puzzles))));
}

/** The grid's page asked for (`?grid=N` on the dashboard, `?page=N` for its refresh), from 1. */
function gridPage(asked: string | undefined): number {
  const page = Number(asked ?? 1);
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** One page of each team's state on each puzzle, in ranking order (the last page for one past it). */
function progressGrid(engine: Engine, now: number, asked: number): GridPage {
  const standings = engine.standings({ hidden: true });
  const size = gridPageSize(engine.hunt.puzzles.length);
  const pages = Math.max(1, Math.ceil(standings.length / size));
  const page = Math.min(asked, pages);
  const rows = standings.slice((page - 1) * size, page * size);
  return {
    page,
    pages,
    first: (page - 1) * size + 1,
    total: standings.length,
    teams: gridRows(engine, now, rows),
  };
}

/** The grid's rows: each team's state on each puzzle. */
function gridRows(
  engine: Engine,
  now: number,
  rows: ReturnType<Engine["standings"]>,
): GridTeam[] {
  // After the end no team can solve: a puzzle was open (and stuck) until the end, not until now.
  const until = Math.min(now, engine.hunt.endsAt ?? now);
  return rows.map(({ team, score }) => {
    // The time-based unlocks due by now, as the team's own pages record them when it reads.
    engine.catchUp(team, now);
    return {
      id: team.id,
      name: team.name,
      hidden: team.hidden,
      banned: team.banned,
      score,
      cells: engine.hunt.puzzles.map((p): GridCell => {
        const wrong = team.state.counts[engine.layout.wrongGuesses + p.index]!;
        const unlockedAt = team.state.unlockedAt[p.index]!;
        const solvedAt = team.solvedAt[p.index]!;
        if (solvedAt === solvedAt) {
          return { kind: "solved", tookMs: Math.max(0, solvedAt - unlockedAt), wrong };
        }
        if (!engine.isUnlocked(team, p.index, now)) return { kind: "locked" };
        // Unlocked after the end (the server was down when it fell due): never open to play.
        if (unlockedAt > until) return { kind: "open", openMs: 0, wrong, afterEnd: true };
        return { kind: "open", openMs: until - unlockedAt, wrong };
      }),
    };
  });
}

/**
 * What was typed in a refused form, for its page to show again (admin.tsx): `form` names the
 * form, as the dashboard and a team's page have more than one with a `team` field.
 */
function typed(form: string, posted: Record<string, string>, names: string[]) {
  const fields: Record<string, string> = { form };
  for (const name of names) fields[name] = posted[name] ?? "";
  return fields;
}

/** Where an admin form returns: the dashboard or a team's page. */
function safeAdminBack(back: string | undefined): string {
  return back !== undefined && /^\/admin(\/teams\/\d+)?$/.test(back) ? back : "/admin";
}
