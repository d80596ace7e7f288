/** The projector's scoreboard: large type, 30 teams a page, the top 10's score over time. */
import type { FC } from "hono/jsx";
import { raw } from "hono/html";
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
