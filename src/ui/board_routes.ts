/**
 * The projector's scoreboard (`/scoreboard`, `?division=D` for one division),
 * its chart of the top 10's score over time, and, when the hunt file allows
 * it, the gallery of accepted mission photos.
 */
import { type Context, Hono } from "hono";
import { roundTitle, type Submission } from "../engine/mod.ts";
import {
  ACCEPT_ENCODING,
  ApiError,
  chooseCoding,
  type Game,
  gzipPage,
  PAGE_GZIP_MIN_BYTES,
  parseId,
  type Play,
  scoreHistory,
  sessionPlayer,
  statsOpen,
  submissionFile,
} from "../play/mod.ts";
import { viewTag } from "../live/mod.ts";
import { html, huntInfo, isLoopback, noStore, param, playerOrigins, startText } from "./_page.ts";
import { BoardPage, TeamBoardPage } from "./board.tsx";
import { clock, duration, scoreChart } from "./charts.ts";
import { GalleryPage } from "./gallery.tsx";
import { MessagePage } from "./player.tsx";
import { StatsPage } from "./stats.tsx";

/** The projector's pages, to mount at the root. */
export function boardPages({ game, stats }: Play): Hono {
  const pages = new Hono();
  statsPage(pages, game, stats);

  pages.get("/scoreboard", (c) => {
    const engine = game.engine;
    const division = param(c, "division") || undefined;
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
    // The board as it is until the next change, kept by the live module for every page.
    const board = game.live.standings(division);
    // A team on its phone gets its own view; the projector (or ?view=projector) the big one.
    const player = param(c, "view") === "projector" ? undefined : sessionPlayer(game, c);
    if (player !== undefined) {
      const pageAsked = param(c, "page");
      const page = pageAsked === undefined
        ? undefined
        : Math.min(1e9, Math.max(1, Math.floor(Number(pageAsked)) || 1));
      return html(
        c,
        TeamBoardPage({
          huntTitle: engine.hunt.title,
          team: player.team.name,
          hidden: player.team.hidden,
          frozen: board.frozen,
          rows: board.teams,
          mine: game.live.positionOf(player.team.id, division),
          // The whole board a page at a time (from 1), or its top and the team's place: the same
          // rows as its live stream's `page` or `top` view, whose tag tells the page's script that
          // the stream's first event is what the page shows.
          page,
          viewTag: viewTag(
            page === undefined
              ? game.live.topView(player.team.id, division)
              : game.live.pageView(player.team.id, page, division),
          ),
          division,
          divisions: engine.hunt.divisions,
          announcement: game.live.latestAnnouncement(),
        }),
      );
    }
    const hunt = huntInfo(engine);
    return html(
      c,
      BoardPage({
        huntTitle: engine.hunt.title,
        status: hunt.status,
        ended: engine.ended(),
        changesInMs: hunt.changesInMs,
        times: hunt.times,
        frozen: board.frozen,
        rows: board.teams,
        page: Number(param(c, "page") ?? 1) || 1,
        chartSvg: chart(game, division),
        division,
        joinUrl: joinUrl(c, game.host),
        announcement: game.live.latestAnnouncement(),
      }),
    );
  });

  pages.get("/scoreboard/chart.svg", (c) => {
    const division = param(c, "division") || undefined;
    if (division !== undefined && !game.engine.hunt.divisions.includes(division)) {
      return c.notFound();
    }
    // The shape of the projector's box for it (width over height), so that it fills the box.
    const aspect = Number(param(c, "aspect"));
    // And its height in lines of the page's type, so that its labels come out a little larger.
    const lines = Number(param(c, "lines"));
    noStore(c);
    c.header("content-type", "image/svg+xml; charset=utf-8");
    return chartAnswer(
      c,
      chart(game, division, aspect > 0 ? aspect : undefined, lines > 0 ? lines : undefined),
    );
  });

  gallery(pages, game);
  return pages;
}

/**
 * The chart as the pages go out (`compressPages` in http/): gzipped for a client that takes it,
 * once large enough to gain (a busy board's 4 KB become 1.5 KB), with its length, HEAD included.
 */
function chartAnswer(c: Context, svg: string): Response {
  const bytes = new TextEncoder().encode(svg);
  c.header("vary", ACCEPT_ENCODING, { append: true });
  const gzip = bytes.length >= PAGE_GZIP_MIN_BYTES &&
    chooseCoding(c.req.header(ACCEPT_ENCODING), GZIP) !== undefined;
  const body = gzip ? gzipPage(bytes) as Uint8Array<ArrayBuffer> : bytes;
  if (gzip) c.header("content-encoding", "gzip");
  c.header("content-length", String(body.length));
  return c.body(body);
}

const GZIP = ["gzip"] as const;

/** Photo types every projector's browser shows (HEIC is left out: only Safari draws it). */
const GALLERY_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
/** The most photos the gallery shows. */
const GALLERY_SIZE = 60;

/**
 * Whether a submission is in the gallery: an accepted photo, whose solve
 * counts before the freeze while the board is frozen (a photo would tell a
 * solve the frozen board does not show), of a team on the public board. Its
 * mission is named, as the public feed (`/api/ctftime`) names a puzzle once a
 * team on the board solved it: a mission nobody on the board has solved is in
 * no photo. A hidden (or banned) team's photo would name the team, and a
 * mission perhaps solved by it alone, where the board shows neither.
 */
function inGallery(game: Game, submission: Submission): boolean {
  if (submission.status !== "accepted" || submission.file === null) return false;
  if (!GALLERY_TYPES.has(submission.file.type)) return false;
  const team = game.engine.teams.get(submission.teamId);
  if (team === undefined || team.hidden || team.banned) return false;
  const frozenAt = game.freeze.frozenAt(game.engine.now());
  return frozenAt === undefined || (submission.acceptedAt ?? Infinity) <= frozenAt;
}

/** `/stats`: the hunt's stats, from its `solutions_at` (a page saying so before, 403). */
function statsPage(pages: Hono, game: Game, stats: Play["stats"]): void {
  pages.get("/stats", async (c) => {
    const engine = game.engine;
    const team = sessionPlayer(game, c)?.team.name;
    if (!statsOpen(engine, engine.now())) {
      // A player's words, not the API's: when they come, or that the hunt has set no time yet.
      const at = engine.hunt.solutionsAt;
      const text = at === undefined
        ? "The hunt's stats are published with its solutions, and the organizers have not set a time for them yet."
        : `The hunt's stats are published with its solutions, ${startText(at, engine.now())}.`;
      return html(
        c,
        MessagePage({ hunt: huntInfo(engine), title: "No stats yet", text, team }),
        403,
      );
    }
    const { puzzles } = await stats();
    return html(
      c,
      StatsPage({
        huntTitle: engine.hunt.title,
        ...(team !== undefined && { team }),
        puzzles: puzzles.map(({ first_solve, median_solve_seconds, ...puzzle }) => ({
          ...puzzle,
          roundTitle: roundTitle(engine.hunt, puzzle.round),
          firstSolve: first_solve === null
            ? null
            : { team: first_solve.team, at: clock(Date.parse(first_solve.at)) },
          median: median_solve_seconds === null ? null : duration(median_solve_seconds),
        })),
      }),
    );
  });
}

/** `/scoreboard/gallery` and its photos, only with `[hunt] gallery = true` (404 otherwise). */
function gallery(pages: Hono, game: Game): void {
  pages.get("/scoreboard/gallery", (c) => {
    const engine = game.engine;
    if (!engine.hunt.gallery) {
      return html(
        c,
        MessagePage({
          hunt: huntInfo(engine),
          title: "No gallery",
          text: "This hunt does not show a gallery.",
        }),
        404,
      );
    }
    // The latest accepted first, by verdict: a photo judged long after it was sent shows too.
    const acceptedAt = (s: Submission) => s.judgedAt ?? s.acceptedAt ?? s.at;
    const photos = [...engine.submissions.values()]
      .filter((s) => inGallery(game, s))
      .sort((a, b) => acceptedAt(b) - acceptedAt(a))
      .slice(0, GALLERY_SIZE)
      .map((s) => {
        const index = engine.hunt.puzzleIndex.get(s.puzzle);
        return {
          id: s.id,
          team: engine.teams.get(s.teamId)?.name ?? "",
          mission: (index === undefined ? undefined : engine.hunt.puzzles[index]?.title) ??
            s.puzzle,
          at: clock(acceptedAt(s)),
        };
      });
    return html(
      c,
      GalleryPage({
        huntTitle: engine.hunt.title,
        photos,
        frozen: game.freeze.frozenAt(engine.now()) !== undefined,
      }),
    );
  });

  // A gallery photo: an accepted one only, with the sniffed type, nosniff and a sandbox policy.
  pages.get("/scoreboard/gallery/:id/photo", (c) => {
    const submission = game.engine.submissions.get(parseId(c.req.param("id")) ?? 0);
    const shown = game.engine.hunt.gallery && submission !== undefined &&
      inGallery(game, submission);
    const response = shown ? submissionFile(game, submission) : undefined;
    if (response === undefined) throw new ApiError("not_found");
    return response;
  });
}

/**
 * The chart of the top 10's score over time (in one division); it stops at the freeze while
 * frozen, and at the end once the hunt is over (or at a later change, an organizer's adjustment).
 */
function chart(
  game: Game,
  division: string | undefined,
  aspect?: number,
  boxLines?: number,
): string {
  const engine = game.engine;
  const now = engine.now();
  const at = game.freeze.frozenAt(now);
  const lines = scoreHistory(engine, at, { division });
  const end = engine.hunt.endsAt;
  const last = Math.max(...lines.flatMap((line) => line.points.map((p) => p.at)));
  return scoreChart(lines, {
    from: engine.startsAt,
    until: at ?? (end !== undefined && now > end ? Math.max(end, last) : now),
    frozen: at !== undefined,
    title: "Score over time of the top 10 teams",
    // The page lists the 10 beside the chart, in type that fits the projector.
    endLabels: false,
    ...(aspect !== undefined && Number.isFinite(aspect) && { aspect }),
    ...(boxLines !== undefined && Number.isFinite(boxLines) && { lines: boxLines }),
  });
}

/**
 * The address the projector tells players to join at: one the server listens on that phones
 * reach. None for a server on loopback only (`serve --host 127.0.0.1`), which no phone reaches.
 */
function joinUrl(c: Context, host: string): string | undefined {
  const origin = playerOrigins(c, host)[0]!;
  const hostname = origin === "" ? "" : new URL(origin).hostname;
  return hostname !== "" && isLoopback(hostname) ? undefined : `${origin}/`;
}
