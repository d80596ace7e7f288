/**
 * The projector's scoreboard: large type, two columns of 15 teams a page with
 * the top 3 kept at the head of every later page, the top 10's score over
 * time, and the latest announcement. Its script sizes the pages to the
 * screen and shrinks long names before it cuts them.
 */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import { titleCase } from "../engine/mod.ts";
import {
  TOP_VIEW_HEAD,
  TOP_VIEW_NEIGHBOURS,
  TOP_VIEW_PAGE,
  TOP_VIEW_WHOLE,
  topRuns,
} from "../live/mod.ts";
import { points } from "./charts.ts";
import { type Announcement, Mark, Shell } from "./layout.tsx";

/** Rows in one column of the table without scripts (the script fits them to the screen). */
export const ROWS_PER_COLUMN = 15;
/** Seconds each page stays up when the board rotates. */
export const ROTATE_SECONDS = 12;
/** The leaders shown at the head of every page after the first. */
export const PINNED = 3;

export interface BoardRow {
  rank: number;
  name: string;
  division: string | null;
  score: number;
  solves: number;
}

/**
 * The teams on page `page` (from 0), with two columns of `rows`: the first
 * page is the top; each later one starts with the top `PINNED`, then the
 * next teams. Returns the columns, and how many pages there are.
 */
export function boardPage(
  teams: readonly BoardRow[],
  options: { rows: number; page: number },
): { pages: number; page: number; columns: BoardRow[][]; pinned: number } {
  const perPage = options.rows * 2;
  if (teams.length <= perPage) {
    const columns = teams.length <= options.rows
      ? [teams.slice()]
      : [teams.slice(0, options.rows), teams.slice(options.rows)];
    return { pages: 1, page: 0, columns, pinned: 0 };
  }
  const later = perPage - PINNED;
  const pages = 1 + Math.ceil((teams.length - perPage) / later);
  const page = ((options.page % pages) + pages) % pages;
  if (page === 0) {
    return {
      pages,
      page,
      columns: [teams.slice(0, options.rows), teams.slice(options.rows, perPage)],
      pinned: 0,
    };
  }
  const start = perPage + (page - 1) * later;
  const shown = [...teams.slice(0, PINNED), ...teams.slice(start, start + later)];
  return {
    pages,
    page,
    columns: [shown.slice(0, options.rows), shown.slice(options.rows)],
    pinned: PINNED,
  };
}

/**
 * The characters of the board's widest score (and, in `data-rank-chars`, of its last rank) (3 to 8; a minus sign counts), which the Score
 * column is made wide enough for (app.css): a fixed width cut a CTF's 4-digit scores.
 */
export function scoreChars(rows: readonly { score: number }[]): number {
  let widest = 3;
  for (const row of rows) widest = Math.max(widest, String(row.score).length);
  return Math.min(widest, 8);
}

export const BoardTable: FC<{ rows: BoardRow[]; pinned?: number }> = ({ rows, pinned = 0 }) => (
  <table class="board-table">
    <thead>
      <tr>
        <th class="rank" scope="col">#</th>
        <th class="name" scope="col">Team</th>
        <th class="solves" scope="col">Solved</th>
        <th class="score" scope="col">Score</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((row, i) => (
        <tr
          class={[
            row.rank <= 3 ? `top-${row.rank}` : "",
            i < pinned ? "pinned" : "",
            i === pinned - 1 ? "pinned-last" : "",
          ].filter(Boolean).join(" ") || undefined}
          data-name={row.name}
        >
          <td class="rank">{row.rank}</td>
          <td class="name">
            <span class="team-name">{row.name}</span>
            {row.division && <small>{titleCase(row.division)}</small>}
          </td>
          <td class="solves">{row.solves}</td>
          <td class="score">{row.score}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

/** The chart's 10 lines, named in rank order with their colour: the top always on screen. */
export const ChartLegend: FC<{ rows: BoardRow[] }> = ({ rows }) => (
  <ol class="chart-legend" id="chart-legend" aria-label="The top 10">
    {rows.map((row, i) => (
      <li>
        <span class={`swatch s${i}`} aria-hidden="true"></span>
        <span class="legend-rank">{row.rank}</span>
        <span class="team-name">{row.name}</span>
        <b>{row.score}</b>
      </li>
    ))}
  </ol>
);

export const BoardPage: FC<{
  huntTitle: string;
  /** Before the start or after the end, what the room should know ("The hunt starts at 10:00."). */
  status?: string | undefined;
  /** Whether the hunt has ended: the standings are final (once revealed). */
  ended: boolean;
  /** How long until the hunt starts or ends, if it will: the page shows it then. */
  changesInMs?: number | undefined;
  /** When the hunt starts and ends, as drawn (`HuntInfo.times`). */
  times: string;
  frozen: boolean;
  rows: BoardRow[];
  page: number;
  chartSvg: string;
  division?: string | undefined;
  /** Where phones join; none when the server listens on loopback only. */
  joinUrl?: string | undefined;
  announcement?: Announcement | undefined;
}> = (props) => {
  const shown = boardPage(props.rows, { rows: ROWS_PER_COLUMN, page: props.page - 1 });
  const next = (shown.page + 1) % shown.pages + 1;
  const query = (p: number) =>
    `/scoreboard?view=projector&${
      props.division ? `division=${encodeURIComponent(props.division)}&` : ""
    }page=${p}`;
  return (
    <Shell
      title="Scoreboard"
      huntTitle={props.huntTitle}
      nav="none"
      script="board"
      bodyClass="board-page"
      data={{
        page: "board",
        division: props.division ?? "",
        rotate: String(ROTATE_SECONDS),
        pinned: String(PINNED),
        rows: String(ROWS_PER_COLUMN),
        "start-page": String(shown.page),
        ...(props.ended && { ended: "" }),
        "hunt-times": props.times,
        ...(props.changesInMs !== undefined && { "phase-in": String(props.changesInMs) }),
      }}
      head={
        // Without scripts, the page refreshes itself, and turns the page when there are several.


          <noscript>
            <meta
              http-equiv="refresh"
              content={shown.pages > 1 ? `${ROTATE_SECONDS};url=${query(next)}` : "15"}
            />
          </noscript>

      }
    >
      <header class="board-head">
        <Mark />
        <h1>
          {props.huntTitle}
          {props.division && (
            <>
              {" "}
              <span class="muted">· {titleCase(props.division)}</span>
            </>
          )}
        </h1>
        <span class={`live${props.frozen ? " live-frozen" : ""}`} id="live">
          <span class="live-dot" aria-hidden="true"></span>
          <span id="live-text">{props.frozen ? "Frozen" : props.ended ? "Ended" : "Live"}</span>
        </span>
      </header>
      {props.status && (
        <div class="freeze-banner" id="phase" role="status">
          {props.status}
        </div>
      )}
      <div
        class="board-announcement"
        id="board-announcement"
        role="status"
        aria-live="polite"
        hidden={props.announcement === undefined}
      >
        <span class="label">Announcement</span>{" "}
        <span class="board-announcement-window">
          <span id="board-announcement-text">{props.announcement?.text ?? ""}</span>
        </span>
      </div>
      <div class="freeze-banner" id="freeze" role="status" hidden={!props.frozen}>
        The scoreboard is frozen. Final standings at the reveal!
      </div>
      <main class={`board-main${shown.columns.length > 1 ? " many" : ""}`} id="main">
        <section
          class={`board-tables${shown.columns.length > 1 ? "" : " single"}`}
          id="board-tables"
          data-score-chars={String(scoreChars(props.rows))}
          data-rank-chars={String(String(props.rows.length).length)}
          aria-label="Standings"
        >
          {props.rows.length === 0
            ? (
              <p class="board-empty">
                No teams yet.{props.joinUrl !== undefined && ` Join at ${props.joinUrl}`}
              </p>
            )
            : shown.columns.map((rows, i) =>
              // The last page's teams may fit its first column: the second stays empty, headless.
              rows.length === 0
                ? null
                : <BoardTable key={i} rows={rows} pinned={i === 0 ? shown.pinned : 0} />
            )}
        </section>
        <section class="board-chart" aria-labelledby="chart-title">
          <h2 id="chart-title">Top 10 over time</h2>
          {/* Drawn in the server's shape: a page whose script runs asks for its box's shape. */}
          <div class="chart" id="chart">
            <noscript>{raw(props.chartSvg)}</noscript>
          </div>
          <ChartLegend rows={props.rows.slice(0, 10)} />
        </section>
      </main>
      <footer class="board-foot">
        <span id="page-info">
          {shown.pages > 1 ? `Page ${shown.page + 1} of ${shown.pages}` : ""}
        </span>
        {props.joinUrl !== undefined && <span>Join at {props.joinUrl}</span>}
      </footer>
    </Shell>
  );
};

/** The rows at the head of a team's phone board: the leaders everyone looks for, in a few screens. */
export const PHONE_TOP = TOP_VIEW_HEAD;
/** The rows above and below a team's own, shown with it when it is near or past the top's end. */
export const PHONE_NEIGHBOURS = TOP_VIEW_NEIGHBOURS;
/** A board of at most this many rows is shown whole on a phone, as a short one always was. */
export const PHONE_WHOLE = TOP_VIEW_WHOLE;
/** The rows of one page of the whole board on a phone (`?page=N`), as its stream's `page` view. */
export const PHONE_PAGE = TOP_VIEW_PAGE;

/** What a phone's board shows: runs of rows (`from` to before `to`) and the gaps between them. */
export type PhoneSegment = { from: number; to: number } | { gap: number };

/**
 * The rows a phone shows of a board of `total` rows, the team's own at
 * `mine`: the whole of a short board; else the top `PHONE_TOP` and the
 * team's row with its neighbours, "…" for the rows between and after; or,
 * with `page` (from 1), that page of `PHONE_PAGE` rows. Without `page`, the
 * rows are those of the page's live stream (`?scoreboard=top`, `topRuns`):
 * it is pushed when they change, and only then.
 */
export function phoneRows(
  total: number,
  options: { mine?: number | undefined; page?: number | undefined },
): { segments: PhoneSegment[]; page?: number; pages?: number } {
  if (options.page !== undefined) {
    const pages = Math.max(1, Math.ceil(total / PHONE_PAGE));
    const page = Math.min(options.page, pages);
    const from = (page - 1) * PHONE_PAGE;
    return { segments: [{ from, to: Math.min(total, from + PHONE_PAGE) }], page, pages };
  }
  const segments: PhoneSegment[] = [];
  let end = 0;
  for (const run of topRuns(total, options.mine)) {
    if (run.from > end) segments.push({ gap: run.from - end });
    segments.push(run);
    end = run.to;
  }
  if (end < total) segments.push({ gap: total - end });
  return { segments };
}

/** `/scoreboard` for a team, of `division`, at `page` if given. */
function boardHref(division: string | undefined, page?: number): string {
  const query = [
    ...(division ? [`division=${encodeURIComponent(division)}`] : []),
    ...(page !== undefined ? [`page=${page}`] : []),
  ];
  return query.length === 0 ? "/scoreboard" : `/scoreboard?${query.join("&")}`;
}

/**
 * A word longer than a phone's Team column holds (16 characters or more): a name with one breaks
 * inside it anywhere (app.css), rather than widen the table past the screen. A shorter word stays
 * whole ("Extraordinarily"), the column made as wide as it.
 */
const LONG_WORD = /\S{16,}/u;

const StandingsTable: FC<{
  rows: BoardRow[];
  segments: PhoneSegment[];
  mine: number | undefined;
  division: string | undefined;
}> = (props) => (
  // It scrolls sideways when its columns do not fit (large text on a phone): focusable, and named,
  // so a keyboard can too.
  <div class="card table-card" tabindex={0} role="region" aria-label="Standings">
    <table class="standings">
      <thead>
        <tr>
          <th class="num" scope="col">#</th>
          <th scope="col">Team</th>
          <th class="num" scope="col">Solved</th>
          <th class="num" scope="col">Score</th>
        </tr>
      </thead>
      <tbody>
        {props.segments.flatMap((segment) =>
          "gap" in segment
            ? [
              <tr key={`gap-${segment.gap}`} class="gap">
                <td colspan={4}>… {segment.gap} {segment.gap === 1 ? "team" : "teams"}</td>
              </tr>,
            ]
            : props.rows.slice(segment.from, segment.to).map((row, i) => {
              const own = segment.from + i === props.mine;
              return (
                <tr
                  class={own ? "mine" : undefined}
                  id={own ? "mine" : undefined}
                  aria-current={own ? "true" : undefined}
                >
                  <td class="num">{row.rank}</td>
                  <th scope="row">
                    <span
                      class={LONG_WORD.test(row.name) ? "standings-name long" : "standings-name"}
                    >
                      {row.name}
                    </span>
                    {own && <span class="badge badge-ok">your team</span>}
                    {row.division && !props.division && (
                      <small class="muted">{titleCase(row.division)}</small>
                    )}
                  </th>
                  <td class="num">{row.solves}</td>
                  <td class="num score">{row.score}</td>
                </tr>
              );
            })
        )}
      </tbody>
    </table>
  </div>
);

/** Under a phone's board past its top: the count of teams, and the way to the rest. */
const BoardPager: FC<{
  total: number;
  page: number | undefined;
  pages: number | undefined;
  division: string | undefined;
  /** Without `page`: the team's own place is shown too, below the top. */
  withMine?: boolean;
}> = ({ total, page, pages, division, withMine }) => {
  if (page === undefined || pages === undefined) {
    return (
      <nav class="pager" aria-label="The whole board">
        <span class="muted">
          The top {PHONE_TOP}
          {withMine && " and your team's place"} of {total} teams.
        </span>
        <a href={boardHref(division, 1)}>See the whole board →</a>
      </nav>
    );
  }
  const from = (page - 1) * PHONE_PAGE + 1;
  return (
    <nav class="pager" aria-label="Pages of the board">
      <span class="muted">
        Teams {from}–{Math.min(total, from + PHONE_PAGE - 1)} of {total} · page {page} of {pages}
      </span>
      {page > 1 && <a href={boardHref(division, page - 1)}>← Previous</a>}
      {page < pages && <a href={boardHref(division, page + 1)}>Next →</a>}
      <a href={boardHref(division)}>Top of the board</a>
    </nav>
  );
};

/**
 * The scoreboard as a team sees it on a phone, its own row marked, a way
 * back: the top of the board and the team's place, or a page of it.
 */
export const TeamBoardPage: FC<{
  huntTitle: string;
  team: string;
  /** The team is hidden from the public standings by the organizers: it has no place here. */
  hidden?: boolean;
  frozen: boolean;
  rows: BoardRow[];
  /** Where the team's own row is in `rows`, if it has one. */
  mine: number | undefined;
  /** A page of the whole board (from 1), rather than its top and the team's place. */
  page?: number | undefined;
  /** The tag (`viewTag`) of the live stream's view the page shows: `top`, or with `page`, `page`. */
  viewTag?: string | undefined;
  division?: string | undefined;
  divisions: readonly string[];
  announcement?: Announcement | undefined;
}> = (props) => {
  const total = props.rows.length;
  const shown = phoneRows(total, { mine: props.mine, page: props.page });
  const mine = props.mine === undefined ? undefined : props.rows[props.mine];
  const minePage = props.mine === undefined ? 1 : Math.floor(props.mine / PHONE_PAGE) + 1;
  // The team's row is on this screen, but for a page of the board that does not hold it.
  const mineHref = shown.page === undefined || shown.page === minePage
    ? "#mine"
    : `${boardHref(props.division, minePage)}#mine`;
  const cut = shown.page !== undefined || shown.segments.length > 1 ||
    (shown.segments[0] as { to: number }).to < total;
  return (
    <Shell
      title="Scoreboard"
      huntTitle={props.huntTitle}
      nav="player"
      team={props.team}
      current="/scoreboard"
      announcement={props.announcement}
      script="player"
      // Its live stream carries what the page shows, of the page's division: `top`, or a page of
      // the board (`page`).
      data={{
        page: "standings",
        "board-view": shown.page === undefined ? "top" : "page",
        ...(shown.page !== undefined && { "board-page": String(shown.page) }),
        ...(props.division && { "board-division": props.division }),
        ...(props.viewTag && { "board-shown": props.viewTag }),
      }}
    >
      <main id="main">
        <p class="small">
          <a href="/puzzles">← Your puzzles</a>
        </p>
        <h1>Scoreboard{props.division && ` · ${titleCase(props.division)}`}</h1>
        {props.frozen && (
          <div class="notice notice-info" role="status">
            <strong>The scoreboard is frozen</strong>
            <p>Scores stop changing here until the reveal; your own page still counts.</p>
          </div>
        )}
        <p class="muted" id="standing">
          {props.hidden
            ? "The organizers have hidden your team from the scoreboard: it takes no place here. Your own pages still count your score."
            : mine === undefined
            ? props.division ? "Your team is not in this division." : ""
            : (
              <a href={mineHref}>
                {
                  // Frozen, the board is the freeze's: not the score the team's own pages show.
                  `${props.frozen ? "At the freeze, your team was" : "Your team is"} ${
                    ordinal(mine.rank)
                  } of ${total}, with ${points(mine.score)}.`
                }
              </a>
            )}
        </p>
        {props.divisions.length > 0 && (
          <nav class="chips" aria-label="Divisions">
            <a href="/scoreboard" aria-current={props.division ? undefined : "page"}>Everyone</a>
            {props.divisions.map((d) => (
              <a
                href={`/scoreboard?division=${encodeURIComponent(d)}`}
                aria-current={props.division === d ? "page" : undefined}
              >
                {titleCase(d)}
              </a>
            ))}
          </nav>
        )}
        {total === 0 ? <p class="muted">No teams yet.</p> : (
          <StandingsTable
            rows={props.rows}
            segments={shown.segments}
            mine={props.mine}
            division={props.division}
          />
        )}
        {cut && (
          <BoardPager
            total={total}
            page={shown.page}
            pages={shown.pages}
            division={props.division}
            withMine={props.mine !== undefined && props.mine >= PHONE_TOP}
          />
        )}
        <p class="small muted">
          <a
            href={`/scoreboard?view=projector${
              props.division ? `&division=${encodeURIComponent(props.division)}` : ""
            }`}
          >
            Projector view
          </a>
        </p>
      </main>
    </Shell>
  );
};

/** 1st, 2nd, 3rd, 4th, 11th, 21st. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${suffix}`;
}
