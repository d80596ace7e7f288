/** The projector's scoreboard: large type, 30 teams a page, the top 10's score over time. */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
import { titleCase } from "../engine/mod.ts";
import { Mark, Shell } from "./layout.tsx";

/** Teams per page: two columns of 15 fit a 1080p projector. */
export const PER_PAGE = 30;
/** Seconds each page stays up when the board rotates. */
export const ROTATE_SECONDS = 12;

export interface BoardRow {
  rank: number;
  name: string;
  division: string | null;
  score: number;
  solves: number;
}

export const BoardTable: FC<{ rows: BoardRow[] }> = ({ rows }) => (
  <table class="board-table">
    <thead>
      <tr>
        <th class="rank" scope="col">#</th>
        <th scope="col">Team</th>
        <th class="solves" scope="col">Solved</th>
        <th class="score" scope="col">Score</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((row) => (
        <tr class={row.rank <= 3 ? `top-${row.rank}` : undefined} data-name={row.name}>
          <td class="rank">{row.rank}</td>
          <td class="name">
            {row.name}
            {row.division && <small>{row.division}</small>}
          </td>
          <td class="solves">{row.solves}</td>
          <td class="score">{row.score}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

export const BoardPage: FC<{
  huntTitle: string;
  frozen: boolean;
  rows: BoardRow[];
  page: number;
  chartSvg: string;
  division?: string | undefined;
  joinUrl: string;
}> = (props) => {
  const pages = Math.max(1, Math.ceil(props.rows.length / PER_PAGE));
  const page = Math.min(Math.max(1, props.page), pages);
  const shown = props.rows.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  const half = Math.ceil(PER_PAGE / 2);
  const next = page % pages + 1;
  const query = (p: number) =>
    `/scoreboard?${
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
        "per-page": String(PER_PAGE),
        rotate: String(ROTATE_SECONDS),
      }}
      head={
        // Without scripts, the page refreshes itself, and turns the page when there are several.


          <noscript>
            <meta
              http-equiv="refresh"
              content={pages > 1 ? `${ROTATE_SECONDS};url=${query(next)}` : "15"}
            />
          </noscript>

      }
    >
      <header class="board-head">
        <Mark />
        <h1>
          {props.huntTitle}
          {props.division && <span class="muted">· {props.division}</span>}
        </h1>
        <span class="live" id="live">
          <span class="live-dot" aria-hidden="true"></span>
          <span id="live-text">Live</span>
        </span>
      </header>
      <div class="freeze-banner" id="freeze" role="status" hidden={!props.frozen}>
        The scoreboard is frozen. Final standings at the reveal!
      </div>
      <main class="board-main" id="main">
        <section
          class={`board-tables${shown.length <= half ? " single" : ""}`}
          id="board-tables"
          aria-label="Standings"
        >
          {shown.length === 0
            ? <p class="board-empty">No teams yet. Join at {props.joinUrl}</p>
            : (
              <>
                <BoardTable rows={shown.slice(0, half)} />
                {shown.length > half && <BoardTable rows={shown.slice(half)} />}
              </>
            )}
        </section>
        <section class="board-chart" aria-labelledby="chart-title">
          <h2 id="chart-title">Top 10 over time</h2>
          <div class="chart" id="chart">{raw(props.chartSvg)}</div>
        </section>
      </main>
      <footer class="board-foot">
        <span id="page-info">{pages > 1 ? `Page ${page} of ${pages}` : ""}</span>
        <span>Join at {props.joinUrl}</span>
      </footer>
    </Shell>
  );
};

/** The scoreboard as a team sees it on a phone: the ranking, its own row marked, a way back. */
export const TeamBoardPage: FC<{
  huntTitle: string;
  team: string;
  frozen: boolean;
  rows: BoardRow[];
  division?: string | undefined;
  divisions: readonly string[];
}> = (props) => {
  const mine = props.rows.find((row) => row.name === props.team);
  return (
    <Shell
      title="Scoreboard"
      huntTitle={props.huntTitle}
      nav="player"
      team={props.team}
      current="/scoreboard"
      script="player"
      data={{ page: "standings" }}
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
          {mine === undefined
            ? props.division ? "Your team is not in this division." : ""
            : `Your team is ${
              ordinal(mine.rank)
            } of ${props.rows.length}, with ${mine.score} points.`}
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
        {props.rows.length === 0
          ? <p class="muted">No teams yet.</p>
          : (
            <div class="card table-card">
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
                  {props.rows.map((row) => {
                    const own = row.name === props.team;
                    return (
                      <tr class={own ? "mine" : undefined} aria-current={own ? "true" : undefined}>
                        <td class="num">{row.rank}</td>
                        <th scope="row">
                          {row.name}
                          {own && <span class="badge badge-ok">your team</span>}
                          {row.division && !props.division && (
                            <small class="muted">{titleCase(row.division)}</small>
                          )}
                        </th>
                        <td class="num">{row.solves}</td>
                        <td class="num score">{row.score}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
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
