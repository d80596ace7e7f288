/**
 * The web pages: players (landing, puzzles, puzzle, checkpoint), the
 * projector (/scoreboard) and the organizers (/admin). Pages render on the
 * server with hono/jsx; every form posts and redirects (POST, redirect, GET),
 * so the core flows work without JavaScript, and the embedded scripts only
 * enhance them. Form posts run the same actions as the JSON API.
 */
import { networkInterfaces } from "node:os";
import { type Context, Hono } from "hono";
import { deleteCookie } from "hono/cookie";
import * as v from "valibot";
import type { Engine, Team } from "../engine/mod.ts";
import {
  ADMIN_COOKIE,
  credential,
  currentPlayer,
  type GuessReply,
  isAdmin,
  LoginBody,
  type Player,
  type PlayerActions,
  RegisterBody,
  SESSION_COOKIE,
  setAdminCookie,
  setSessionCookie,
} from "../http/actions.ts";
import {
  AdjustmentBody,
  adminActions,
  AnnouncementBody,
  ExtraGuessesBody,
  reloadFailure,
} from "../http/admin.ts";
import { hashToken, secretsEqual } from "../http/accounts.ts";
import { readForm, validate } from "../http/body.ts";
import { ApiError, errorResponse } from "../http/errors.ts";
import { puzzleView } from "../http/puzzle_view.ts";
import type { Freeze, Runtime } from "../http/runtime.ts";
import { guessesPerMinute, puzzleStats, scoreHistory } from "../http/stats.ts";
import type { Live } from "../live/mod.ts";
import { publicBoard } from "../live/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  AdminLoginPage,
  DashboardPage,
  FeedRows,
  type GridTeam,
  type GuessRow,
  PrintPage,
  ProgressGrid,
  TeamPage,
} from "./admin.tsx";
import { assetResponse } from "./assets.ts";
import { BoardPage, type BoardRow } from "./board.tsx";
import { clock, guessesChart, puzzleChart, scoreChart } from "./charts.ts";
import { type Flash, setFlash, takeFlash } from "./flash.ts";
import type { Announcement } from "./layout.tsx";
import {
  CheckpointPage,
  type HuntInfo,
  LandingPage,
  MessagePage,
  PuzzlePage,
  PuzzlesPage,
} from "./player.tsx";
import { qrSvg } from "./qr.ts";

export { ASSETS } from "./assets.ts";

export interface PagesOptions {
  runtime: Runtime;
  freeze: Freeze;
  live: Live;
  logger: Logger;
  /** The API's team actions, so that both share one limiter of wrong checkpoint codes. */
  actions: PlayerActions;
}

const NO_STORE = { "cache-control": "no-store" };

/** The pages, to mount at the root of the app, and the HTML "not found" page. */
export function pageRoutes(
  options: PagesOptions,
): { routes: Hono; notFound: (c: Context) => Response | undefined } {
  const { runtime, freeze, logger } = options;
  const { actions } = options;
  const admin = adminActions(options);
  /** The last failed reload's errors, shown once on the dashboard. */
  let reloadErrors: readonly string[] = [];
  const pages = new Hono();
  const latestAnnouncement = () =>
    runtime.db.query<Announcement, []>(
      "SELECT id, text, at FROM announcements ORDER BY id DESC LIMIT 1",
    ).get() ?? undefined;

  /** An HTML response; pages are never cached, since they show a team's own state. */
  const html = (c: Context, node: unknown, status: 200 | 404 = 200) => {
    // A client that does not ask for HTML (a script, curl) gets the API's envelope for an error.
    if (status === 404 && !acceptsHtml(c)) return errorResponse("not_found");
    for (const [key, value] of Object.entries(NO_STORE)) c.header(key, value);
    return c.html("<!doctype html>" + String(node), status);
  };

  const huntInfo = (engine: Engine): HuntInfo => {
    const hunt = engine.hunt;
    const now = engine.now();
    let status: string | undefined;
    if (now < engine.startsAt) status = `The hunt starts at ${clock(engine.startsAt)}.`;
    else if (hunt.endsAt !== undefined && now >= hunt.endsAt) status = "The hunt has ended.";
    return {
      title: hunt.title,
      registration: hunt.registration,
      divisions: hunt.divisions,
      teamSize: hunt.teamSize,
      ...(status !== undefined && { status }),
    };
  };

  const titlesOf = (engine: Engine) => new Map(engine.hunt.puzzles.map((p) => [p.id, p.title]));

  /** Runs a form action; an expected failure becomes a flash message instead of an error. */
  const attempt = async (c: Context, run: () => Promise<Flash>, fields?: Flash["fields"]) => {
    try {
      setFlash(c, await run());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const retry = Number(error.headers["retry-after"]);
      setFlash(c, {
        tone: error.code === "rate_limited" ? "warn" : "bad",
        title: error.message,
        ...(Number.isFinite(retry) && { retryAfter: retry }),
        ...(fields !== undefined && { fields }),
      });
    }
  };

  // ---------------------------------------------------------------- assets

  pages.get("/assets/:name", (c) => assetResponse(c.req.path) ?? c.notFound());

  // ---------------------------------------------------------------- players

  pages.get("/", (c) => {
    if (currentPlayer(runtime, c)) return c.redirect("/puzzles", 303);
    return html(
      c,
      LandingPage({
        hunt: huntInfo(runtime.engine),
        announcement: latestAnnouncement(),
        flash: takeFlash(c),
      }),
    );
  });

  pages.post("/join", async (c) => {
    const form = await readForm(c);
    const next = safeNext(form.next);
    const members = (form.members ?? "").split(/\r?\n/).map((m) => m.trim()).filter(Boolean);
    let token: string | undefined;
    await attempt(
      c,
      async () => {
        const body = validate(RegisterBody, {
          name: form.name ?? "",
          password: form.password ?? "",
          ...(form.division ? { division: form.division } : {}),
          ...(members.length > 0 && { members }),
          ...(form.code !== undefined && { code: form.code }),
        });
        const result = await actions.register(body);
        token = result.token;
        return { tone: "ok", title: `Welcome, ${result.team.name}!` };
      },
      {
        name: form.name ?? "",
        members: form.members ?? "",
        division: form.division ?? "",
        code: form.code ?? "",
      },
    );
    if (token === undefined) return c.redirect(next === "/puzzles" ? "/" : next, 303);
    setSessionCookie(c, token);
    return c.redirect(next, 303);
  });

  pages.post("/login", async (c) => {
    const form = await readForm(c);
    const next = safeNext(form.next);
    let token: string | undefined;
    await attempt(
      c,
      async () => {
        const body = validate(LoginBody, { name: form.name ?? "", password: form.password ?? "" });
        token = (await actions.login(body)).token;
        return { tone: "ok", title: "Logged in" };
      },
      { login: form.name ?? "" },
    );
    if (token === undefined) return c.redirect(next === "/puzzles" ? "/" : next, 303);
    setSessionCookie(c, token);
    return c.redirect(next, 303);
  });

  pages.post("/logout", async (c) => {
    await readForm(c).catch(() => ({}));
    await actions.logout(credential(c));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  });

  pages.get("/puzzles", (c) => {
    const found = currentPlayer(runtime, c);
    if (found === undefined) return c.redirect("/", 303);
    const { engine, team } = found;
    engine.catchUp(team);
    const rounds = new Map<
      string,
      { id: string; title: string; points: number; solved: boolean }[]
    >();
    for (const p of engine.unlockedPuzzles(team)) {
      const list = rounds.get(p.round) ?? [];
      list.push({ id: p.id, title: p.title, points: p.points, solved: engine.solved(team, p) });
      rounds.set(p.round, list);
    }
    const ordered = engine.hunt.rounds.filter((r) => rounds.has(r)).map((round) => ({
      round,
      puzzles: rounds.get(round)!,
    }));
    return html(
      c,
      PuzzlesPage({
        hunt: huntInfo(engine),
        announcement: latestAnnouncement(),
        flash: takeFlash(c),
        team: team.name,
        score: engine.score(team),
        solves: engine.solveCount(team),
        rounds: ordered,
        titles: titlesOf(engine),
      }),
    );
  });

  pages.get("/puzzles/:id", (c) => {
    const found = currentPlayer(runtime, c);
    if (found === undefined) return c.redirect("/", 303);
    const { engine, team } = found;
    engine.catchUp(team);
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) return notFoundPage(c, team);
    const now = engine.now();
    const limit = engine.guessLimitStatus(team, puzzle, now);
    const solvedAt = team.solvedAt[puzzle.index]!;
    return html(
      c,
      PuzzlePage({
        hunt: huntInfo(engine),
        announcement: latestAnnouncement(),
        flash: takeFlash(c),
        team: team.name,
        running: engine.running(now),
        titles: titlesOf(engine),
        puzzle: {
          ...puzzleView(engine, team, puzzle, now),
          ...(solvedAt === solvedAt && { solvedAt: clock(solvedAt) }),
          limit: {
            used: limit.used,
            limit: limit.limit,
            extra: limit.extra,
            window: windowText(puzzle.guessLimit.perMs),
            ...(limit.retryAfterSeconds !== undefined && { retryAfter: limit.retryAfterSeconds }),
          },
        },
      }),
    );
  });

  pages.post("/puzzles/:id/guess", async (c) => {
    const player = currentPlayer(runtime, c);
    if (player === undefined) return c.redirect("/", 303);
    const form = await readForm(c);
    const id = c.req.param("id");
    await attempt(c, async () => {
      const reply = await actions.guess(refreshed(player), id, form.answer ?? "");
      return guessFlash(reply);
    });
    return c.redirect(`/puzzles/${encodeURIComponent(id)}`, 303);
  });

  pages.post("/puzzles/:id/hints/:hint", async (c) => {
    const player = currentPlayer(runtime, c);
    if (player === undefined) return c.redirect("/", 303);
    await readForm(c);
    const id = c.req.param("id");
    const hintId = c.req.param("hint");
    await attempt(c, async () => {
      await actions.takeHint(refreshed(player), id, hintId);
      return { tone: "info", title: "Hint taken: it is shown below." };
    });
    return c.redirect(`/puzzles/${encodeURIComponent(id)}#hint-${encodeURIComponent(hintId)}`, 303);
  });

  pages.post("/checkin", async (c) => {
    const form = await readForm(c);
    const code = (form.code ?? "").trim();
    if (code === "" || code.length > 256) return c.redirect("/puzzles", 303);
    return c.redirect(`/c/${encodeURIComponent(code)}`, 303);
  });

  // A QR code opens this page: it checks the team in, or asks it to log in first.
  pages.get("/c/:code", async (c) => {
    const code = c.req.param("code");
    const player = currentPlayer(runtime, c);
    const engine = runtime.engine;
    if (player === undefined) {
      return html(
        c,
        LandingPage({
          hunt: huntInfo(engine),
          announcement: latestAnnouncement(),
          flash: takeFlash(c),
          next: `/c/${encodeURIComponent(code)}`,
          intro: "You found a checkpoint! Log in or join, and your team is checked in here.",
        }),
      );
    }
    let outcome: Parameters<typeof CheckpointPage>[0]["outcome"];
    let status: 200 | 404 = 200;
    try {
      const result = await actions.checkIn(player, code);
      // Read again after the commit: a reload may have swapped the engine.
      const current = runtime.engine;
      const titles = titlesOf(current);
      // The checkpoint's own puzzle is named only once the team has it unlocked.
      const own = current.unlockedPuzzle(player.team, result.puzzle);
      outcome = {
        kind: "ok",
        ...(own !== undefined && { puzzle: { id: own.id, title: own.title } }),
        unlocked: result.unlocked.map((id) => ({ id, title: titles.get(id) ?? id })),
      };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.code === "not_found") status = 404;
      outcome = {
        kind: "error",
        title: error.code === "not_found" ? "Unknown checkpoint" : "Cannot check in",
        text: error.message,
      };
    }
    return html(
      c,
      CheckpointPage({
        hunt: huntInfo(runtime.engine),
        announcement: latestAnnouncement(),
        team: player.team.name,
        outcome,
      }),
      status,
    );
  });

  // ---------------------------------------------------------------- projector

  const joinUrl = (c: Context) => `${playerOrigins(c)[0]}/`;

  const chart = () => {
    const engine = runtime.engine;
    const now = engine.now();
    const at = freeze.frozenAt(now);
    return scoreChart(scoreHistory(engine, at), {
      from: engine.startsAt,
      until: at ?? now,
      frozen: at !== undefined,
      title: "Score over time of the top 10 teams",
    });
  };

  pages.get("/scoreboard", (c) => {
    const engine = runtime.engine;
    const division = c.req.query("division") || undefined;
    if (division !== undefined && !engine.hunt.divisions.includes(division)) {
      return html(
        c,
        MessagePage({
          hunt: huntInfo(engine),
          title: "Unknown division",
          text: `This hunt has no division "${division.slice(0, 64)}".`,
        }),
        404,
      );
    }
    const board = publicBoard(engine, (now) => freeze.frozenAt(now), division) as {
      frozen: boolean;
      teams: BoardRow[];
    };
    return html(
      c,
      BoardPage({
        huntTitle: engine.hunt.title,
        frozen: board.frozen,
        rows: board.teams,
        page: Number(c.req.query("page") ?? 1) || 1,
        chartSvg: chart(),
        division,
        joinUrl: joinUrl(c),
      }),
    );
  });

  pages.get("/scoreboard/chart.svg", () =>
    new Response(chart(), {
      headers: { "content-type": "image/svg+xml; charset=utf-8", ...NO_STORE },
    }));

  // ---------------------------------------------------------------- organizers

  // The admin link carries the token in its fragment, which never reaches the server or its
  // logs. The sign-in form posts it here once; it comes back as an HttpOnly, SameSite=Strict
  // cookie, so pages render without the token in any URL.
  pages.post("/admin/session", async (c) => {
    const form = await readForm(c);
    const token = (form.token ?? "").trim();
    if (token === "" || !secretsEqual(hashToken(token), runtime.adminTokenHash)) {
      setFlash(c, { tone: "bad", title: "That admin token is wrong" });
      return c.redirect("/admin", 303);
    }
    setAdminCookie(c, token);
    logger.info("admin_signed_in");
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
    if (!isAdmin(c, runtime.adminTokenHash)) {
      if (c.req.method !== "GET") throw new ApiError("unauthorized", "Sign in as an organizer");
      return c.redirect("/admin", 303);
    }
    await next();
  });

  pages.get("/admin", (c) => {
    const engine = runtime.engine;
    if (!isAdmin(c, runtime.adminTokenHash)) {
      return html(c, AdminLoginPage({ huntTitle: engine.hunt.title, flash: takeFlash(c) }));
    }
    const now = engine.now();
    const frozenAt = freeze.frozenAt(now);
    const standings = engine.standings();
    const flash = takeFlash(c);
    if (flash?.reloadErrors) flash.lines = [...reloadErrors];
    const count = (sql: string) => runtime.db.query<{ n: number }, []>(sql).get()?.n ?? 0;
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
        teams: standings.map((row) => ({
          id: row.team.id,
          name: row.team.name,
          score: row.score,
          solves: row.solves,
        })),
        puzzles: engine.hunt.puzzles.map((p) => ({ id: p.id, title: p.title })),
        guesses: recentGuesses(50),
        grid: progressGrid(engine, now),
        puzzleChart: puzzleChart(puzzleStats(engine)),
        guessesChart: guessesChart(guessesPerMinute(runtime.db, now)),
        counts: {
          teams: engine.teams.size,
          guesses: count("SELECT count(*) AS n FROM guesses"),
          solves: count("SELECT count(*) AS n FROM solves"),
        },
      }),
    );
  });

  // Pieces of the dashboard its script refreshes in place.
  pages.get("/admin/progress", (c) => {
    const engine = runtime.engine;
    const puzzles = engine.hunt.puzzles.map((p) => ({ id: p.id, title: p.title }));
    c.header("cache-control", "no-store");
    return c.html(String(ProgressGrid({ puzzles, teams: progressGrid(engine, engine.now()) })));
  });

  pages.get("/admin/charts", (c) => {
    const engine = runtime.engine;
    c.header("cache-control", "no-store");
    return c.json({
      puzzles: puzzleChart(puzzleStats(engine)),
      guesses: guessesChart(guessesPerMinute(runtime.db, engine.now())),
    });
  });

  pages.get("/admin/feed", (c) => {
    const after = Number(c.req.query("after") ?? 0);
    if (!Number.isInteger(after) || after < 0) throw new ApiError("bad_request");
    const rows = runtime.db.query<GuessRow, [number]>(
      `SELECT g.id, g.team_id AS team, t.name AS team_name, g.puzzle, g.raw, g.result, g.at
       FROM guesses g JOIN teams t ON t.id = g.team_id WHERE g.id > ? ORDER BY g.id DESC LIMIT 100`,
    ).all(after);
    c.header("cache-control", "no-store");
    return c.json({
      last: rows[0]?.id ?? after,
      html: String(FeedRows({ guesses: rows })),
    });
  });

  pages.get("/admin/teams/:id", (c) => {
    const engine = runtime.engine;
    const team = engine.teams.get(Number(c.req.param("id")));
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
    const rows = <T>(sql: string) => runtime.db.query<T, [number]>(sql).all(team.id);
    return html(
      c,
      TeamPage({
        huntTitle: engine.hunt.title,
        flash: takeFlash(c),
        puzzles: engine.hunt.puzzles.map((p) => ({ id: p.id, title: p.title })),
        team: {
          id: team.id,
          name: team.name,
          division: team.division,
          members: team.members,
          score: engine.score(team),
          solves: engine.solveCount(team),
          createdAt: clock(team.createdAt),
          guesses: rows<GuessRow>(
            `SELECT id, team_id AS team, '' AS team_name, puzzle, raw, result, at
             FROM guesses WHERE team_id = ? ORDER BY id DESC`,
          ),
          hints: rows("SELECT puzzle, hint, at FROM hint_takes WHERE team_id = ?"),
          checkins: rows("SELECT puzzle, at FROM checkins WHERE team_id = ?"),
          adjustments: rows("SELECT points, reason, at FROM adjustments WHERE team_id = ?"),
        },
      }),
    );
  });

  pages.get("/admin/print", (c) => {
    const engine = runtime.engine;
    // The cards carry the address players' phones reach, which a laptop's localhost is not.
    const origins = playerOrigins(c);
    const chosen = c.req.query("origin")?.trim().replace(/\/+$/, "");
    const origin = chosen !== undefined && ORIGIN_PATTERN.test(chosen) ? chosen : origins[0]!;
    const cards = engine.hunt.puzzles.flatMap((p) => {
      if (p.checkpoint === undefined) return [];
      const url = `${origin}/c/${encodeURIComponent(p.checkpoint.code)}`;
      return [{
        title: p.title,
        url,
        code: p.checkpoint.code,
        svg: qrSvg(url, `QR code for ${p.title}`),
      }];
    });
    return html(
      c,
      PrintPage({
        huntTitle: engine.hunt.title,
        cards,
        origin,
        suggestions: origins,
        loopback: isLoopback(new URL(origin).hostname),
      }),
    );
  });

  pages.post("/admin/announce", async (c) => {
    const form = await readForm(c);
    await attempt(c, async () => {
      const { text } = validate(AnnouncementBody, { text: form.text ?? "" });
      await admin.announce(text);
      return { tone: "ok", title: "Announcement sent" };
    });
    return c.redirect("/admin", 303);
  });

  pages.post("/admin/adjust", async (c) => {
    const form = await readForm(c);
    await attempt(c, async () => {
      const body = validate(AdjustmentBody, {
        team: Number(form.team),
        points: Number(form.points),
        reason: form.reason ?? "",
      });
      await admin.adjust(body);
      const name = runtime.engine.teams.get(body.team)?.name ?? `team ${body.team}`;
      return {
        tone: "ok",
        title: `${body.points > 0 ? "+" : ""}${body.points} points for ${name}`,
      };
    });
    return c.redirect(safeAdminBack(form.back), 303);
  });

  pages.post("/admin/extra-guesses", async (c) => {
    const form = await readForm(c);
    await attempt(c, async () => {
      const body = validate(ExtraGuessesBody, {
        team: Number(form.team),
        puzzle: form.puzzle ?? "",
        count: Number(form.count),
      });
      await admin.extraGuesses(body);
      const name = runtime.engine.teams.get(body.team)?.name ?? `team ${body.team}`;
      return { tone: "ok", title: `${body.count} extra guesses for ${name} on ${body.puzzle}` };
    });
    return c.redirect(safeAdminBack(form.back), 303);
  });

  pages.post("/admin/freeze", async (c) => {
    const form = await readForm(c);
    const frozen = v.safeParse(v.picklist(["true", "false"]), form.frozen);
    if (!frozen.success) throw new ApiError("bad_request", 'Field "frozen": true or false');
    admin.setFrozen(frozen.output === "true");
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
      reloadErrors = result.errors;
      setFlash(c, { tone: "bad", title: reloadFailure(result.errors), reloadErrors: true });
    } else {
      const { added, removed, changed, puzzles } = result.summary;
      const parts = [
        added.length > 0 && `added ${added.join(", ")}`,
        removed.length > 0 && `removed ${removed.join(", ")}`,
        changed.length > 0 && `changed ${changed.join(", ")}`,
      ].filter(Boolean);
      setFlash(c, {
        tone: "ok",
        title: `Hunt reloaded: ${puzzles} puzzles`,
        text: parts.length === 0 ? "No puzzle changed." : `${parts.join("; ")}.`,
      });
    }
    return c.redirect("/admin", 303);
  });

  /** The page for an unknown path: HTML for browsers, the JSON envelope for everyone else. */
  const notFound = (c: Context): Response | undefined => {
    if (c.req.path.startsWith("/api/") || !acceptsHtml(c)) return undefined;
    const player = currentPlayer(runtime, c);
    return html(
      c,
      MessagePage({
        hunt: huntInfo(runtime.engine),
        title: "Page not found",
        text: "There is nothing at this address.",
        team: player?.team.name,
      }),
      404,
    ) as Response;
  };

  return { routes: pages, notFound };

  /** The page for a puzzle the team cannot see: the same whether it is locked or does not exist. */
  function notFoundPage(c: Context, team: Team) {
    return html(
      c,
      MessagePage({
        hunt: huntInfo(runtime.engine),
        title: "Puzzle not found",
        text: "There is no puzzle here, or your team has not unlocked it yet.",
        team: team.name,
      }),
      404,
    );
  }

  /** The player again, after the form body arrived: a reload may have swapped the engine. */
  function refreshed(player: Player): Player {
    const team = runtime.engine.teams.get(player.team.id);
    if (team === undefined) throw new ApiError("unauthorized");
    return { engine: runtime.engine, team };
  }

  function recentGuesses(limit: number): GuessRow[] {
    return runtime.db.query<GuessRow, [number]>(
      `SELECT g.id, g.team_id AS team, t.name AS team_name, g.puzzle, g.raw, g.result, g.at
       FROM guesses g JOIN teams t ON t.id = g.team_id ORDER BY g.id DESC LIMIT ?`,
    ).all(limit);
  }
}

const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.\-\[\]:]+$/;

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname.startsWith("127.") || hostname === "[::1]";
}

/**
 * The addresses players can open, best first: the one this request came to,
 * unless it is loopback (a laptop's own browser), then this machine's LAN
 * addresses on the same port.
 */
function playerOrigins(c: Context): string[] {
  const url = new URL(c.req.url);
  const host = c.req.header("host") ?? url.host;
  const here = `${url.protocol}//${host}`;
  const { hostname, port } = new URL(here);
  if (!isLoopback(hostname)) return [here];
  const lan: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.internal || address.family !== "IPv4") continue;
      lan.push(`${url.protocol}//${address.address}${port ? `:${port}` : ""}`);
    }
  }
  return [...lan, here];
}

/** Whether the client asks for HTML: browsers do for every page they open. */
function acceptsHtml(c: Context): boolean {
  return (c.req.header("accept") ?? "").includes("text/html");
}

/** Each team's state on each puzzle, in ranking order. */
function progressGrid(engine: Engine, now: number): GridTeam[] {
  return engine.standings().map(({ team, score }) => ({
    id: team.id,
    name: team.name,
    score,
    cells: engine.hunt.puzzles.map((p) => {
      const wrong = team.state.counts[engine.layout.wrongGuesses + p.index]!;
      const unlockedAt = team.state.unlockedAt[p.index]!;
      const solvedAt = team.solvedAt[p.index]!;
      if (solvedAt === solvedAt) {
        return { kind: "solved" as const, tookMs: Math.max(0, solvedAt - unlockedAt), wrong };
      }
      if (!engine.isUnlocked(team, p.index, now)) return { kind: "locked" as const };
      return { kind: "open" as const, openMs: Math.max(0, now - unlockedAt), wrong };
    }),
  }));
}

function guessFlash(reply: GuessReply): Flash {
  switch (reply.result) {
    case "correct":
      return { tone: "ok", title: "Correct! Puzzle solved.", unlocked: reply.unlocked };
    case "partial":
      return {
        tone: "warn",
        title: "Keep going",
        text: reply.message ?? "You are on the right track.",
      };
    case "incorrect":
      return { tone: "bad", title: "Not the answer" };
    case "already_solved":
      return { tone: "info", title: "Your team already solved this puzzle" };
  }
}

/** Where a login may send the team next: only a checkpoint page, else its puzzles. */
function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/c\/[^/?#\\]+$/.test(next) ? next : "/puzzles";
}

/** Where an admin form returns: the dashboard or a team's page. */
function safeAdminBack(back: string | undefined): string {
  return back !== undefined && /^\/admin(\/teams\/\d+)?$/.test(back) ? back : "/admin";
}

/** A guess-limit window for people: "minute", "10 minutes". */
function windowText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}
