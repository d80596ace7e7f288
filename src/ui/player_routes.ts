/**
 * The players' pages: landing, joining and logging in, the puzzle list, a
 * puzzle with its answer form and hints, and the checkpoint page a QR code
 * opens. Every form posts and redirects (POST, redirect, GET) and runs the
 * same actions as the JSON API; a refusal becomes a flash.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import {
  askView,
  check,
  clientAddress,
  credential,
  errorResponse,
  type Game,
  type GuessReply,
  LoginBody,
  type Play,
  type Player,
  puzzleView,
  QUOTA_USED,
  readForm,
  refusalResponse,
  RegisterBody,
  SESSION_COOKIE,
  sessionPlayer,
  setSessionCookie,
  sizeText,
  type TeamGuess,
  teamGuesses,
  teamPoints,
  teamScore,
  TEXT_LIMITS,
  tokensView,
  tooLargeText,
} from "../play/mod.ts";
import {
  type AnswerChecker,
  type Engine,
  type Puzzle,
  roundTitle,
  type Team,
} from "../engine/mod.ts";
import { acceptsHtml, DISMISSED_COOKIE, html, huntInfo, refusalFlash, titlesOf } from "./_page.ts";
import { hintWhen } from "./hint_when.ts";
import { askForms } from "./ask_routes.ts";
import { assetResponse } from "./assets.ts";
import { clock, clockZone } from "./charts.ts";
import { type Flash, setFlash, takeFlash } from "./flash.ts";
import { markCacheable, offlinePages } from "./offline_routes.ts";
import {
  AnnouncementsPage,
  CheckpointPage,
  GUESSES_SHOWN,
  LandingPage,
  type ListedPuzzle,
  MessagePage,
  type MissionView,
  PuzzlePage,
  PuzzlesPage,
  type PuzzleView,
} from "./player.tsx";

/** The players' pages, to mount at the root. */
export function playerPages(played: Play): Hono {
  const pages = new Hono();
  pages.get(
    "/assets/:name",
    (c) => assetResponse(c.req.path, c.req.header("accept-encoding")) ?? c.notFound(),
  );
  accountPages(pages, played);
  puzzlePages(pages, played);
  puzzleForms(pages, played);
  checkpointPages(pages, played);
  offlinePages(pages, played);
  askForms(pages, played);
  announcementPages(pages, played);
  ctfdAddresses(pages);
  return pages;
}

/**
 * CTFd's addresses that have a page of the same use here, and that page. Players of an event
 * moved from CTFd type or bookmark them (and a CTF player types them at any CTF): each is one
 * more redirect at no cost, for every hunt, since Cairn serves nothing else there. The query is
 * dropped: CTFd's (`?next=` a CTFd page, `?q=` and `?field=` a search of accounts) means nothing
 * on these pages. `/logout` is not here: a GET that logs out is one any site could make a phone
 * send, and Cairn's logout first sends what waits on the phone; nor are `/team`, `/settings` and
 * the like, which have no page here. They stay 404.
 */
const CTFD_ADDRESSES: Readonly<Record<string, string>> = {
  "/challenges": "/puzzles",
  // The landing page's login form (a team logged in already goes on to its puzzles).
  "/login": "/#login",
  // The landing page's join form, first on it.
  "/register": "/",
  // Cairn's only list of teams, every one of them (CTFd lists accounts apart from scores).
  "/teams": "/scoreboard",
  "/users": "/scoreboard",
  // CTFd's list of announcements: the same list here, the banner on every page showing the latest
  // only (and not once the team dismissed it).
  "/notifications": "/announcements",
};

/**
 * Redirects CTFd's addresses (GET only) with 302, not 301: a browser keeps a 301 for good, past
 * this event and this server, on an address where another tool, or a later Cairn, may serve a page.
 */
function ctfdAddresses(pages: Hono): void {
  for (const [from, to] of Object.entries(CTFD_ADDRESSES)) {
    pages.get(from, (c) => c.redirect(to, 302));
  }
}

/** The most announcements their page lists: an organizer's flood of them makes no huge page. */
export const ANNOUNCEMENTS_SHOWN = 50;

/**
 * The announcements, newest first, for anyone (every stream and page shows them to everyone), and
 * dismissing the banner without the page's script: a cookie hides it from then on.
 */
function announcementPages(pages: Hono, { game }: Play): void {
  pages.get("/announcements", (c) => {
    const found = sessionPlayer(game, c);
    const { latest, total } = game.live.latestAnnouncements(ANNOUNCEMENTS_SHOWN);
    // A team's, kept on its phone for reading offline as its puzzles are; no visitor's page is.
    if (found !== undefined) markCacheable(c, undefined);
    return html(
      c,
      AnnouncementsPage({
        hunt: huntInfo(game.engine),
        team: found?.team.name,
        announcements: latest.map((a) => ({ ...a, time: clock(a.at) })),
        total,
        most: ANNOUNCEMENTS_SHOWN,
        zone: clockZone(),
      }),
    );
  });
  pages.post("/announcements/dismiss", async (c) => {
    const form = await readForm(c).catch(() => ({} as Record<string, string>));
    const id = Number(form.id);
    if (Number.isSafeInteger(id) && id > 0) {
      setCookie(c, DISMISSED_COOKIE, String(id), {
        sameSite: "Lax",
        path: "/",
        maxAge: 7 * 24 * 3600,
      });
    }
    // Back to the page it was dismissed on (the pages send their address to their own origin).
    return c.redirect(sameSitePath(c.req.header("referer"), c.req.url) ?? "/", 303);
  });
}

/** Landing, join, log in, log out. */
function accountPages(pages: Hono, { game, player: actions }: Play): void {
  pages.get("/", (c) => {
    if (sessionPlayer(game, c)) return c.redirect("/puzzles", 303);
    return html(
      c,
      LandingPage({
        hunt: huntInfo(game.engine),
        announcement: game.live.latestAnnouncement(),
        flash: takeFlash(c),
      }),
    );
  });

  pages.post("/join", async (c) => {
    const form = await readForm(c);
    // Where to go afterwards is settled first, so nothing can fail once the team exists.
    const next = safeNext(form.next);
    const members = (form.members ?? "").split(/\r?\n/).map((m) => m.trim()).filter(Boolean);
    const fields = {
      name: form.name ?? "",
      members: form.members ?? "",
      division: form.division ?? "",
      code: form.code ?? "",
    };
    const body = check(RegisterBody, {
      name: form.name ?? "",
      password: form.password ?? "",
      ...(form.division ? { division: form.division } : {}),
      ...(members.length > 0 && { members }),
      ...(form.code !== undefined && { code: form.code }),
    });
    const outcome = body.ok
      ? await actions.register(body.reply, { address: clientAddress(c, game.proxies) })
      : body;
    if (!outcome.ok) setFlash(c, refusalFlash(outcome, fields));
    else setFlash(c, { tone: "ok", title: `Welcome, ${outcome.reply.team.name}!` });
    return enter(c, next, outcome.ok ? outcome.reply.token : undefined);
  });

  pages.post("/login", async (c) => {
    const form = await readForm(c);
    const next = safeNext(form.next);
    const body = check(LoginBody, { name: form.name ?? "", password: form.password ?? "" });
    const outcome = body.ok
      ? await actions.login(body.reply, { address: clientAddress(c, game.proxies) })
      : body;
    if (!outcome.ok) setFlash(c, refusalFlash(outcome, { login: form.name ?? "" }));
    else setFlash(c, { tone: "ok", title: "Logged in" });
    return enter(c, next, outcome.ok ? outcome.reply.token : undefined);
  });

  pages.post("/logout", async (c) => {
    await readForm(c).catch(() => ({}));
    await actions.logout(credential(c));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  });
}

/** After joining or logging in (`to` from `safeNext`): in with the session cookie, or back to the form. */
function enter(c: Context, to: string, token: string | undefined): Response {
  if (token === undefined) return c.redirect(to === "/puzzles" ? "/" : to, 303);
  setSessionCookie(c, token);
  return c.redirect(to, 303);
}

/** The puzzle list and one puzzle's page. */
function puzzlePages(pages: Hono, { game }: Play): void {
  pages.get("/puzzles", (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    const { engine, team } = found;
    engine.catchUp(team);
    // While the board is frozen, no value or score here moves with another team's solve.
    const frozenAt = game.freeze.frozenAt(engine.now());
    const rounds = new Map<string, ListedPuzzle[]>();
    const showSolves = engine.hunt.showSolves;
    const pending = engine.pendingMissions(team);
    for (const p of engine.unlockedPuzzles(team)) {
      const list = rounds.get(p.round) ?? [];
      list.push({
        id: p.id,
        title: p.title,
        points: teamPoints(engine, team, p, frozenAt),
        solved: engine.solved(team, p),
        ...(showSolves && { solves: engine.solvesShown(team, p, frozenAt) }),
        ...(pending.has(p.id) && { pending: true }),
      });
      rounds.set(p.round, list);
    }
    const flash = takeFlash(c);
    markCacheable(c, flash);
    return html(
      c,
      PuzzlesPage({
        hunt: huntInfo(engine),
        announcement: game.live.latestAnnouncement(),
        flash,
        team: team.name,
        score: teamScore(engine, team, frozenAt),
        solves: engine.solveCount(team),
        rounds: engine.hunt.rounds.filter((r) => rounds.has(r)).map((round) => ({
          round,
          title: roundTitle(engine.hunt, round),
          puzzles: rounds.get(round)!,
        })),
        titles: titlesOf(engine),
        checkpoints: engine.hunt.checkpoints.size > 0,
      }),
    );
  });

  pages.get("/puzzles/:id", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    const { engine, team } = found;
    engine.catchUp(team);
    const puzzle = engine.unlockedPuzzle(team, c.req.param("id"));
    if (puzzle === undefined) return puzzleNotFound(c, found);
    const guesses = await guessesShown(game, team, puzzle);
    const now = engine.now();
    const limit = engine.guessLimitStatus(team, puzzle, now);
    const solvedAt = team.solvedAt[puzzle.index]!;
    // The team's own unlocked puzzle: its service worker may keep it for reading offline.
    const flash = takeFlash(c);
    markCacheable(c, flash);
    const view = puzzleView(engine, team, puzzle, now, game.freeze.frozenAt(now));
    return html(
      c,
      PuzzlePage({
        hunt: huntInfo(engine),
        announcement: game.live.latestAnnouncement(),
        flash,
        team: team.name,
        running: engine.running(now),
        titles: titlesOf(engine),
        unlocked: engine.unlockedPuzzles(team).map((p) => p.id),
        puzzle: {
          ...view,
          roundTitle: roundTitle(engine.hunt, puzzle.round),
          hints: view.hints.map((h, i) => ({
            ...h,
            ...(!h.available && {
              when: hintWhen(engine, { team, puzzle, hint: puzzle.hints[i]! }, now),
            }),
          })),
          ...(puzzle.hints.some((h) => h.kind === "ask") && {
            asks: {
              asks: engine.asksOf(team, puzzle).map(askView),
              tokens: tokensView(engine, team),
            },
          }),
          ...(solvedAt === solvedAt && { solvedAt: clock(solvedAt) }),
          mission: missionOf(engine, team, puzzle),
          guesses,
          limit: {
            used: limit.used,
            limit: limit.limit,
            extra: limit.extra,
            window: windowText(puzzle.guessLimit.perMs),
            // The team's variant's answers, as they judge its guesses.
            matching: matchingText(engine.bodySource(team, puzzle).answers),
            ...(limit.retryAfterSeconds !== undefined && { retryAfter: limit.retryAfterSeconds }),
            // A cap on the whole hunt reached, with no extra guess left: no wait lifts it.
            ...(puzzle.guessLimit.perMs === Infinity && limit.used >= limit.limit &&
              limit.extra <= 0 && { capped: true }),
          },
        },
      }),
    );
  });
}

/**
 * The team's guesses on its puzzle page: the latest `GUESSES_SHOWN`, newest
 * first, and how many more. The page is drawn without them when the store
 * cannot be read (it is for reading the puzzle first).
 */
async function guessesShown(
  game: Game,
  team: Team,
  puzzle: Puzzle,
): Promise<PuzzleView["guesses"]> {
  let read: { guesses: TeamGuess[]; earlier: number };
  try {
    read = await teamGuesses(game, team, puzzle, GUESSES_SHOWN);
  } catch (error) {
    game.logger.error("guesses_unread", {
      puzzle: puzzle.id,
      message: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
  const shown = read.guesses.reverse().map((guess) => ({ ...guess, at: clock(guess.at) }));
  return { shown, earlier: read.earlier };
}

/** A puzzle's answer form and its hints' buttons, and a mission's upload form. */
function puzzleForms(pages: Hono, { game, player: actions, missions }: Play): void {
  // A mission's form, without the page's script: the multipart body streams to the same action.
  pages.post("/puzzles/:id/submissions", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    const id = c.req.param("id");
    const outcome = await missions.submit(found.team.id, id, c.req.raw, { server: c.env });
    if (!outcome.ok) setFlash(c, refusalFlash(outcome));
    else if (outcome.reply.status === "accepted") {
      setFlash(c, { tone: "ok", title: "Accepted! Mission solved." });
    } else setFlash(c, { tone: "info", title: "Sent: a judge will look at it" });
    return c.redirect(`/puzzles/${encodeURIComponent(id)}`, 303);
  });

  pages.post("/puzzles/:id/guess", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    const form = await readForm(c);
    const id = c.req.param("id");
    const answer = form.answer ?? "";
    const outcome = await actions.guess(found.team.id, id, answer, device(c));
    // A guess that did not solve it stays in the box, as with the page's script.
    setFlash(c, outcome.ok ? guessFlash(outcome.reply, answer) : refusalFlash(outcome, { answer }));
    return c.redirect(`/puzzles/${encodeURIComponent(id)}`, 303);
  });

  pages.post("/puzzles/:id/hints/:hint", async (c) => {
    const found = sessionPlayer(game, c);
    if (found === undefined) return c.redirect("/", 303);
    await readForm(c);
    const id = c.req.param("id");
    const hintId = c.req.param("hint");
    const outcome = await actions.takeHint(found.team.id, id, hintId, device(c));
    setFlash(
      c,
      outcome.ok
        ? { tone: "info", title: "Hint taken: it is shown below." }
        : refusalFlash(outcome),
    );
    return c.redirect(`/puzzles/${encodeURIComponent(id)}#hint-${encodeURIComponent(hintId)}`, 303);
  });
}

/** Checking in: the code typed on the puzzle list, or the page a QR code opens. */
function checkpointPages(pages: Hono, { game, player: actions }: Play): void {
  pages.post("/checkin", async (c) => {
    const form = await readForm(c);
    const code = (form.code ?? "").trim();
    // Counted in characters, as the API counts a code.
    if (code === "" || [...code].length > TEXT_LIMITS.code) return c.redirect("/puzzles", 303);
    return c.redirect(`/c/${encodeURIComponent(code)}`, 303);
  });

  // A QR code opens this page: it checks the team in, or asks it to log in first. A client
  // that does not ask for HTML (a script) gets the API's envelope for every refusal instead.
  pages.get("/c/:code", async (c) => {
    const code = c.req.param("code");
    const found = sessionPlayer(game, c);
    if (found === undefined) {
      // Whether the code exists is not told before a team logs in.
      if (!acceptsHtml(c)) return errorResponse("unauthorized");
      const hunt = huntInfo(game.engine);
      return html(
        c,
        LandingPage({
          hunt,
          announcement: game.live.latestAnnouncement(),
          flash: takeFlash(c),
          next: `/c/${encodeURIComponent(code)}`,
          intro: checkpointIntro(game.engine, hunt.registration !== "closed"),
        }),
      );
    }
    // A link on another site (Sec-Fetch-Site: cross-site; a scanned QR code is "none") must
    // not check the team in, nor spend its unknown-code allowance: the player confirms first.
    if (c.req.header("sec-fetch-site") === "cross-site" && acceptsHtml(c)) {
      return html(
        c,
        CheckpointPage({
          hunt: huntInfo(game.engine),
          announcement: game.live.latestAnnouncement(),
          team: found.team.name,
          outcome: { kind: "confirm", code },
        }),
      );
    }
    const outcome = await actions.checkIn(found.team.id, code, device(c));
    if (!outcome.ok && !acceptsHtml(c)) return refusalResponse(outcome);
    // Read after the commit: a reload may have swapped the engine.
    const engine = game.engine;
    let result: Parameters<typeof CheckpointPage>[0]["outcome"];
    if (outcome.ok) {
      const titles = titlesOf(engine);
      // The checkpoint's own puzzle is named only once the team has it unlocked.
      const own = engine.unlockedPuzzle(found.team, outcome.reply.puzzle);
      result = {
        kind: "ok",
        ...(own !== undefined && { puzzle: { id: own.id, title: own.title } }),
        unlocked: outcome.reply.unlocked.map((id) => ({ id, title: titles.get(id) ?? id })),
      };
    } else {
      const unknown = outcome.code === "not_found";
      // Outside the hunt, when it starts (a card scanned while it is being put up) or that it ended.
      const early = outcome.code === "hunt_not_running" && engine.now() < engine.startsAt;
      const status = outcome.code === "hunt_not_running" ? huntInfo(engine).status : undefined;
      result = {
        kind: "error",
        title: unknown ? "Unknown checkpoint" : "Cannot check in",
        text: status === undefined
          ? outcome.message
          : early
          ? `${status} Check in here again then.`
          : status,
      };
    }
    return html(
      c,
      CheckpointPage({
        hunt: huntInfo(engine),
        announcement: game.live.latestAnnouncement(),
        team: found.team.name,
        outcome: result,
      }),
      !outcome.ok && outcome.code === "not_found" ? 404 : 200,
    );
  });
}

/** `from`'s path and query when it is an address on this server (`here`'s host), else undefined. */
function sameSitePath(from: string | undefined, here: string): string | undefined {
  if (from === undefined) return undefined;
  try {
    const url = new URL(from);
    return url.host === new URL(here).host ? url.pathname + url.search : undefined;
  } catch {
    return undefined;
  }
}

/** The device a form post came from (its session), for `submitters = "one"`. */
function device(c: Context): { session?: string } {
  const session = credential(c);
  return session === undefined ? {} : { session };
}

/** The page for a puzzle the team cannot see: the same whether it is locked or does not exist. */
function puzzleNotFound(c: Context, { engine, team }: Player): Response {
  return html(
    c,
    MessagePage({
      hunt: huntInfo(engine),
      title: "Puzzle not found",
      text: "There is no puzzle here, or your team has not unlocked it yet.",
      team: team.name,
    }),
    404,
  );
}

/** What a guess's answer says on the page, saying which answer it was about. */
function guessFlash(reply: GuessReply, answer: string): Flash {
  switch (reply.result) {
    case "correct":
      return { tone: "ok", title: "Correct! Puzzle solved.", unlocked: reply.unlocked };
    case "partial":
      return {
        tone: "warn",
        title: "Keep going",
        text: reply.message ?? "You are on the right track.",
        fields: { answer },
      };
    case "incorrect":
      return {
        tone: "bad",
        title: "Not the answer",
        text: `“${answer}” is not it.`,
        fields: { answer },
      };
    case "already_solved":
      return { tone: "info", title: "Your team already solved this puzzle" };
  }
}

/**
 * A mission's page state: what it takes, the largest file it takes now (its
 * cap, or less when less is left of the team's quota), and the team's latest
 * submission.
 */
function missionOf(engine: Engine, team: Team, puzzle: Puzzle): MissionView | undefined {
  if (puzzle.mission === undefined) return undefined;
  const latest = engine.latestSubmission(team, puzzle);
  const { photoMax, videoMax } = engine.hunt.uploads;
  const cap = puzzle.mission.submit === "video" ? videoMax : photoMax;
  // Refused for another reason (solved, waiting for a judge, closed), the form is not offered.
  const limit = puzzle.mission.submit === "text" ? undefined : engine.uploadLimit(team, puzzle.id);
  const left = limit?.kind === "over_quota"
    ? 0
    : limit?.kind === "ok" && limit.by === "quota"
    ? limit.maxBytes
    : undefined;
  return {
    submit: puzzle.mission.submit,
    maxSize: sizeText(left ?? cap),
    maxBytes: left ?? cap,
    ...(left !== undefined && { quotaLeft: true }),
    tooLarge: left === undefined
      ? tooLargeText(cap, "cap")
      : left === 0
      ? QUOTA_USED
      : tooLargeText(left, "quota"),
    ...(puzzle.mission.submit === "photo" && { photoSize: engine.hunt.uploads.photoSize }),
    ...(latest !== undefined && {
      latest: {
        id: latest.id,
        status: latest.status,
        points: latest.points,
        message: latest.message,
        type: latest.file?.type ?? null,
        text: latest.text,
      },
    }),
  };
}

/**
 * A checkpoint page's path as the landing page writes it (`/c/` and the code through
 * `encodeURIComponent`): only characters a Location header carries as they are.
 */
const CHECKPOINT_PATH = /^\/c\/(?:[A-Za-z0-9_.!~*'()-]|%[0-9A-Fa-f]{2})+$/;

/** Where a login may send the team next: only a checkpoint page, else its puzzles. */
function safeNext(next: string | undefined): string {
  return next !== undefined && next.length <= 1_000 && CHECKPOINT_PATH.test(next)
    ? next
    : "/puzzles";
}

/**
 * How a guess is compared, for people: by `answer_regex` alone ignoring case only (whatever
 * `normalize` says, as patterns see the guess as typed), loosely by default, and as typed with
 * `normalize = "exact"` (a CTF flag); exact answers beside patterns (a CTF's exact flag and its
 * case-insensitive one) count capitals for some answers only, and loose answers beside patterns
 * spaces and punctuation. A pattern in a `(?-i:…)` group counts capitals: wholly, as a CTF's
 * case-sensitive regex flag, or in part. `answers` are the team's variant's, if it has one.
 */
function matchingText(answers: AnswerChecker): string {
  const { spec, patternCapitals } = answers;
  // A choice is picked, not typed (every variant has choices when one has).
  if (spec.choices !== undefined) return "";
  if (spec.answers.length === 0) {
    return patternCapitals === "ignored"
      ? "Capitals do not matter."
      : patternCapitals === "counted"
      ? "Capitals count."
      : "Capitals count for some answers.";
  }
  if (spec.mode === "exact") {
    // A pattern that ignores case, even in part: "capitals count" would be stricter than true.
    return spec.regexes.length > 0 && patternCapitals !== "counted"
      ? "Type it exactly: spaces and punctuation count, capitals only for some answers."
      : "Type it exactly: capitals, spaces and punctuation count.";
  }
  // A pattern sees spaces and punctuation (and capitals, in a `(?-i:…)` group): "do not matter"
  // would be looser than true.
  if (spec.regexes.length === 0) return "Capitals, spaces and punctuation do not matter.";
  return patternCapitals === "ignored"
    ? "Capitals do not matter. Spaces and punctuation count for some answers."
    : "Capitals, spaces and punctuation count for some answers.";
}

/** A guess-limit window for people: "minute", "10 minutes". */
function windowText(ms: number): string {
  if (ms === Infinity) return "hunt";
  const seconds = Math.round(ms / 1000);
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/** What a checkpoint's page says to someone not logged in: what logging in (or joining) does now. */
function checkpointIntro(engine: Engine, joinable: boolean): string {
  const login = joinable ? "Log in or join" : "Log in";
  const now = engine.now();
  if (engine.ended(now)) {
    return "You found a checkpoint, but the hunt has ended: check-ins are over.";
  }
  if (now < engine.startsAt) {
    return `You found a checkpoint! ${login}; check-ins open at the start.`;
  }
  return `You found a checkpoint! ${login}, and your team is checked in here.`;
}
