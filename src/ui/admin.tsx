/** The organizers' pages: sign-in, dashboard, team detail, printable QR cards. */
import type { FC } from "hono/jsx";
import { type GuessRow, RESULT_TABLES } from "../store/mod.ts";
import { type AskStatus, refunded } from "../engine/mod.ts";
import { raw } from "hono/html";
import { clock, duration } from "./charts.ts";
import { TEXT_LIMITS as LIMITS } from "../play/mod.ts";
import { chars } from "./_text_limits.ts";
import { type Flash, typedIn } from "./flash.ts";
import { Notice, Shell } from "./layout.tsx";

/** One figure in a page's row of figures: a big value over a small label. */
const Stat: FC<{ value: string | number; label: string; id?: string }> = (props) => (
  <div class="stat">
    <b id={props.id}>{props.value}</b>
    <span>{props.label}</span>
  </div>
);

/** A puzzle open this long without a solve counts as stuck (ms). */
export const STUCK_AFTER = 30 * 60_000;

export const AdminLoginPage: FC<{ huntTitle: string; flash?: Flash | undefined }> = (props) => (
  <Shell
    title="Organizer sign-in"
    huntTitle={props.huntTitle}
    nav="guest"
    script="admin"
    data={{ page: "admin-login" }}
  >
    <main id="main">
      <section class="card" aria-labelledby="admin-login-title">
        <h1 id="admin-login-title">Organizer sign-in</h1>
        <Notice flash={props.flash} />
        <p class="muted">
          Open the admin link that <code>cairn serve</code>{" "}
          printed on its first start: it signs you in. Or paste the admin token here.
        </p>
        <p class="muted small">
          Lost it? On the server, <code class="command">cairn admin-token</code>{" "}
          makes a new link; then reload the server (<code class="command">
            cairn admin-token --help
          </code>).
        </p>
        <form method="post" action="/admin/session" id="admin-login">
          <label class="field">
            <span>Admin token</span>
            <input type="password" name="token" required autocomplete="off" id="admin-token" />
          </label>
          <button class="btn" type="submit">Sign in</button>
        </form>
      </section>
    </main>
  </Shell>
);

export type { GuessRow };

/** Rows of guesses, as given; the dashboard's feed script is sent new ones rendered by this too. */
export const FeedRows: FC<{ guesses: GuessRow[]; withTeam?: boolean }> = (
  { guesses, withTeam = true },
) => (
  <>
    {guesses.map((g) => (
      <tr data-id={String(g.id)}>
        <td class="num">{clock(g.at)}</td>
        {withTeam && (
          <td>
            <a href={`/admin/teams/${g.team}`}>{g.team_name}</a>
          </td>
        )}
        <td>{g.puzzle}</td>
        <td class="mono">{g.raw}</td>
        <td class={`result-${g.result}`}>
          {g.result}
          {g.flag !== null && (
            <span
              class="badge badge-warn"
              title={`Made offline; counts at ${clock(g.effective_at ?? g.at)}`}
            >
              {g.flag === "late" ? "late" : "time clamped"}
            </span>
          )}
        </td>
      </tr>
    ))}
  </>
);

/** A table of guesses: the live feed (with each guess's team), or one team's own. */
const GuessTable: FC<{ guesses: GuessRow[]; withTeam: boolean; bodyId?: string }> = (
  { guesses, withTeam, bodyId },
) => (
  // It scrolls on its own: focusable, and named, so a keyboard can scroll it too.
  <div
    class={`table-wrap feed${withTeam ? " feed-teams" : ""}`}
    tabindex={0}
    role="region"
    aria-label="Guess list"
  >
    <table>
      <thead>
        <tr>
          <th class="num" scope="col">Time</th>
          {withTeam && <th scope="col">Team</th>}
          <th scope="col">Puzzle</th>
          <th scope="col">Guess</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody id={bodyId}>
        <FeedRows guesses={guesses} withTeam={withTeam} />
      </tbody>
    </table>
  </div>
);

/** One mission submission in the dashboard's feed. */
export interface SubmissionFeedRow {
  id: number;
  team: number;
  teamName: string;
  /** The mission's id, and its title (its id when a reload removed it). */
  puzzle: string;
  title: string;
  kind: "photo" | "video" | "text";
  status: "pending" | "accepted" | "rejected";
  /** When it was sent. */
  at: number;
  /** "clamped" or "late": sent from a phone's outbox at a time worth a second look. */
  flag: string | null;
}

/** The words for a submission's status; one waiting links to the judging page. */
const SUBMISSION_STATUS = {
  pending: "waiting for a judge",
  accepted: "accepted",
  rejected: "rejected",
} as const;

/** Rows of submissions, newest first; the dashboard's feed script is sent them rendered by this. */
export const SubmissionRows: FC<{ submissions: SubmissionFeedRow[] }> = ({ submissions }) => (
  <>
    {submissions.map((s) => (
      <tr data-id={String(s.id)}>
        <td class="num">{clock(s.at)}</td>
        <td>
          <a href={`/admin/teams/${s.team}`}>{s.teamName}</a>
        </td>
        <td>{s.title}</td>
        <td>{s.kind}</td>
        <td class={`submission-${s.status}`}>
          {s.status === "pending"
            ? <a href="/admin/judge">{SUBMISSION_STATUS.pending}</a>
            : SUBMISSION_STATUS[s.status]}
          {s.flag !== null && (
            <span class="badge badge-warn" title="Sent from a phone's outbox: check its time">
              {s.flag === "late" ? "late" : "time clamped"}
            </span>
          )}
        </td>
      </tr>
    ))}
  </>
);

/** The dashboard's live list of mission submissions, each team's, newest first. */
const SubmissionTable: FC<{ submissions: SubmissionFeedRow[] }> = ({ submissions }) => (
  <div
    class="table-wrap feed feed-teams feed-submissions"
    tabindex={0}
    role="region"
    aria-label="Submission list"
  >
    <table>
      <thead>
        <tr>
          <th class="num" scope="col">Time</th>
          <th scope="col">Team</th>
          <th scope="col">Mission</th>
          <th scope="col">Kind</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody id="submission-feed">
        <SubmissionRows submissions={submissions} />
      </tbody>
    </table>
  </div>
);

export interface GridTeam {
  id: number;
  name: string;
  /** Hidden from the public standings by an organizer. */
  hidden: boolean;
  /** Banned by an organizer (and so hidden). */
  banned: boolean;
  score: number;
  cells: GridCell[];
}

/** One page of the grid: its teams, and where they are among all (`first` counts from 1). */
export interface GridPage {
  page: number;
  pages: number;
  first: number;
  total: number;
  teams: GridTeam[];
}

export type GridCell =
  | { kind: "locked" }
  /** `afterEnd`: it unlocked after the hunt's end, when no team could play it. */
  | { kind: "open"; openMs: number; wrong: number; afterEnd?: true }
  | { kind: "solved"; tookMs: number; wrong: number };

/** A short duration for a grid cell: "45s", "12m", "1h05". */
function short(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}`;
}

/**
 * Each team's state on each puzzle: sticky team names and puzzle titles, one
 * compact cell per puzzle, so that 60 puzzles by 100 teams scroll inside
 * their box rather than past the page. A bigger event's teams come in pages.
 */
export const ProgressGrid: FC<{ puzzles: { id: string; title: string }[]; grid: GridPage }> = (
  { puzzles, grid },
) => (
  <>
    <GridPager grid={grid} />
    <div
      class="table-wrap progress-wrap"
      role="region"
      tabindex={0}
      aria-label="Progress by team and puzzle"
    >
      <table class="progress">
        <thead>
          <tr>
            <th class="team" scope="col">Team</th>
            <th class="num" scope="col">Score</th>
            {puzzles.map((p) => (
              <th key={p.id} class="puzzle" scope="col" title={p.id}>
                <span>{p.title}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.teams.map((team) => (
            <tr>
              <th class="team" scope="row">
                <a href={`/admin/teams/${team.id}`} title={team.name}>{team.name}</a>
                <HiddenBadge team={team} />
              </th>
              <td class="num">{team.score}</td>
              {team.cells.map((cell, i) => (
                <GridCellView key={i} cell={cell} puzzle={puzzles[i]!.title} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
    <p class="legend">
      <span>✓ solved, with the time it took</span>
      <span>12m open 12 minutes, unsolved</span>
      <span>2✗ 2 wrong guesses</span>
      <span class="result-incorrect">! open over 30 min, unsolved (stuck)</span>
      <span>· locked</span>
    </p>
  </>
);

/** Which teams a page of the grid shows, with links to the pages before and after it. */
const GridPager: FC<{ grid: GridPage }> = ({ grid }) => {
  if (grid.pages <= 1) return null;
  const last = grid.first + grid.teams.length - 1;
  const link = (page: number, text: string) => (
    <a class="btn btn-quiet btn-small" href={`/admin?grid=${page}#progress-title`}>{text}</a>
  );
  return (
    <p class="row small" id="grid-pager" data-page={String(grid.page)}>
      <span>
        Teams {grid.first}–{last} of {grid.total}, in ranking order (page {grid.page} of{" "}
        {grid.pages})
      </span>
      {grid.page > 1 && link(grid.page - 1, "‹ Higher ranked")}
      {grid.page < grid.pages && link(grid.page + 1, "Lower ranked ›")}
    </p>
  );
};

/** One cell of the grid; its title says it all in words. */
const GridCellView: FC<{ cell: GridCell; puzzle: string }> = ({ cell, puzzle }) => {
  switch (cell.kind) {
    case "locked":
      return <td class="cell cell-locked" title={`${puzzle}: locked`}>·</td>;
    case "open": {
      if (cell.afterEnd) {
        return <td class="cell cell-open" title={`${puzzle}: opened after the end`}>–</td>;
      }
      const stuck = cell.openMs >= STUCK_AFTER;
      const wrong = cell.wrong > 0 ? ` ${cell.wrong}✗` : "";
      return (
        <td
          class={`cell ${stuck ? "cell-stuck" : "cell-open"}`}
          title={`${puzzle}: open ${duration(Math.round(cell.openMs / 1000))}${
            cell.wrong > 0 ? `, ${cell.wrong} wrong` : ""
          }${stuck ? " (stuck)" : ""}`}
        >
          {stuck ? "!" : ""}
          {short(cell.openMs)}
          {wrong}
        </td>
      );
    }
    case "solved":
      return (
        <td
          class="cell cell-solved"
          title={`${puzzle}: solved in ${duration(Math.round(cell.tookMs / 1000))}`}
        >
          ✓{short(cell.tookMs)}
        </td>
      );
  }
};

export interface DashboardProps {
  huntTitle: string;
  flash?: Flash | undefined;
  status: string;
  frozen: boolean;
  frozenAt?: string;
  teams: {
    id: number;
    name: string;
    score: number;
    solves: number;
    hidden: boolean;
    banned: boolean;
  }[];
  puzzles: { id: string; title: string }[];
  /** Whether the guess feed shows: a puzzle takes an answer, or a guess was made (a hunt changed). */
  guessFeed: boolean;
  guesses: GuessRow[];
  /** The latest mission submissions, newest first; undefined when the hunt has no missions. */
  submissions?: SubmissionFeedRow[] | undefined;
  /** How many submissions the hunt has had. */
  submissionCount: number;
  grid: GridPage;
  puzzleChart: string;
  guessesChart: string;
  counts: { teams: number; guesses: number; solves: number };
  /** Submissions waiting for a judge; undefined when the hunt has no missions. */
  judging?: number | undefined;
  /** Questions waiting for an organizer; undefined when the hunt has no ask hints. */
  asking?: number | undefined;
  /** Whether the hunt has a checkpoint: QR cards to print. */
  checkpoints?: boolean | undefined;
}

export const DashboardPage: FC<DashboardProps> = (props) => {
  const lastGuess = props.guesses[0]?.id ?? 0;
  return (
    <Shell
      title="Dashboard"
      huntTitle={props.huntTitle}
      nav="admin"
      current="/admin"
      script="admin"
      judging={props.judging}
      asking={props.asking}
      checkpoints={props.checkpoints}
      bodyClass="wide"
      data={{ page: "admin", "last-guess": String(lastGuess) }}
    >
      <main id="main">
        <h1 class="visually-hidden">Organizer dashboard</h1>
        <Notice flash={props.flash} />
        <div class="summary-line">
          <Stat id="team-count" value={props.counts.teams} label="teams" />
          <Stat id="solve-count" value={props.counts.solves} label="solves" />
          {props.guessFeed && (
            <Stat
              id="guess-count"
              value={props.counts.guesses}
              label="guesses"
            />
          )}
          {props.submissions !== undefined && (
            <Stat id="submission-count" value={props.submissionCount} label="submissions" />
          )}
          <Stat
            value={props.frozen ? "Frozen" : "Live"}
            label={`public scoreboard${props.frozenAt ? ` (since ${props.frozenAt})` : ""}`}
          />
          <Stat value={props.status} label="hunt" />
        </div>
        <section class="card progress-card" aria-labelledby="progress-title">
          <h2 id="progress-title">Progress</h2>
          <div id="progress">
            <ProgressGrid puzzles={props.puzzles} grid={props.grid} />
          </div>
        </section>
        <div class="admin-grid">
          <DashboardWatch {...props} />
          <DashboardControls {...props} />
        </div>
      </main>
    </Shell>
  );
};

/**
 * Says that the chart above scrolls sideways, and which way the rest is (`before`: to the left):
 * shown only while its box is narrower than the chart (app.css), as on a phone.
 */
const ScrollHint: FC<{ before?: boolean; children: string }> = ({ before, children }) => (
  <p class="scroll-hint small">
    {before && <span aria-hidden="true">←</span>}
    {before && " "}
    {children}
    {!before && " "}
    {!before && <span aria-hidden="true">→</span>}
  </p>
);

/**
 * The dashboard's left column: what is happening (the feeds of guesses and of submissions, each
 * where the hunt has them, and the charts).
 */
const DashboardWatch: FC<DashboardProps> = (props) => (
  <div class="stack">
    {props.submissions !== undefined && (
      <section class="card" aria-labelledby="submission-feed-title">
        <h2 id="submission-feed-title">
          Live submissions{" "}
          <span class="badge feed-state" id="submission-feed-state">reload for more</span>
        </h2>
        <SubmissionTable submissions={props.submissions} />
        {props.submissions.length === 0 && (
          <p class="muted" id="submission-feed-empty">No submissions yet.</p>
        )}
      </section>
    )}
    {props.guessFeed && (
      <section class="card" aria-labelledby="feed-title">
        <h2 id="feed-title">
          Live guesses <span class="badge feed-state" id="feed-state">reload for more</span>
        </h2>
        <GuessTable guesses={props.guesses} withTeam bodyId="feed" />
        {props.guesses.length === 0 && <p class="muted" id="feed-empty">No guesses yet.</p>}
      </section>
    )}
    <section class="card" aria-labelledby="charts-title">
      <h2 id="charts-title">Charts</h2>
      <div class="charts" id="charts">
        {/* On a phone each chart keeps a readable size and scrolls sideways in its box. */}
        <figure>
          <div class="chart-scroll" tabindex={0} role="region" aria-label="Solves per puzzle">
            {raw(props.puzzleChart)}
          </div>
          <ScrollHint>Scroll sideways for the times to solve</ScrollHint>
          <figcaption class="muted small">
            Solves per puzzle, and the median time from unlock to solve. Orange: twice the typical
            time or more, a candidate for a hint.
          </figcaption>
        </figure>
        {/* A hunt of missions only has no guesses to count. */}
        {props.guessFeed && (
          <figure>
            {/* Its newest minutes, at its right end, are the ones watched: the box opens there. */}
            <div
              class="chart-scroll chart-scroll-end"
              tabindex={0}
              role="region"
              aria-label="Guesses per minute"
            >
              {raw(props.guessesChart)}
            </div>
            <ScrollHint before>Scroll sideways for earlier minutes</ScrollHint>
            <figcaption class="muted small">
              Guesses per minute over the last hour; correct ones in green.
            </figcaption>
          </figure>
        )}
      </div>
    </section>
  </div>
);

/** The dashboard's right column: what an organizer can do, and the teams. */
const DashboardControls: FC<DashboardProps> = (props) => {
  const announcement = typedIn(props.flash, "announce");
  return (
    <div class="stack">
      <section class="card" aria-labelledby="announce-title">
        <h2 id="announce-title">Announcement</h2>
        <form method="post" action="/admin/announce">
          <label class="field">
            <span>Message to every team and the projector</span>
            <textarea
              name="text"
              required
              {...chars(LIMITS.announcement, { trim: true })}
              rows={3}
            >
              {announcement?.text ?? ""}
            </textarea>
          </label>
          <button class="btn" type="submit">Broadcast</button>
        </form>
      </section>
      <section class="card" aria-labelledby="freeze-title">
        <h2 id="freeze-title">Scoreboard</h2>
        <p class="muted small">
          {props.frozen
            ? "The public scoreboard is frozen. Teams still see their own progress."
            : "The public scoreboard is live."}
        </p>
        <form method="post" action="/admin/freeze" class="row">
          <input type="hidden" name="frozen" value={props.frozen ? "false" : "true"} />
          <button class="btn" type="submit">
            {props.frozen ? "Reveal the scoreboard" : "Freeze the scoreboard now"}
          </button>
        </form>
      </section>
      <AdjustForms teams={props.teams} puzzles={props.puzzles} flash={props.flash} />
      <section class="card" aria-labelledby="reload-title">
        <h2 id="reload-title">Hunt file</h2>
        <p class="muted small">
          Re-read the hunt file. If it has errors, they are shown here and the running hunt stays as
          it is.
        </p>
        <form method="post" action="/admin/reload">
          <button class="btn" type="submit">Reload the hunt</button>
        </form>
      </section>
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">Export</h2>
        <p class="row">
          <a class="btn btn-quiet btn-small" href="/api/admin/export?format=json" download>
            All results (JSON)
          </a>
          {RESULT_TABLES.map((table) => (
            <a
              class="btn btn-quiet btn-small"
              href={`/api/admin/export?format=csv&table=${table}`}
              download
            >
              {table} (CSV)
            </a>
          ))}
          {props.judging !== undefined && (
            <a class="btn btn-quiet btn-small" href="/api/admin/export/files" download>
              Photos and videos (zip, a folder per team)
            </a>
          )}
        </p>
        {props.checkpoints === true && (
          <p>
            <a href="/admin/print">Printable QR cards for the checkpoints</a>
          </p>
        )}
      </section>
      <section class="card" aria-labelledby="teams-title">
        <h2 id="teams-title">Teams</h2>
        {props.teams.length === 0
          ? <p class="muted">No teams yet.</p>
          : (
            <div class="table-wrap teams-wrap" role="region" tabindex={0} aria-label="Team list">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Team</th>
                    <th class="num" scope="col">Score</th>
                    <th class="num" scope="col">Solves</th>
                  </tr>
                </thead>
                <tbody>
                  {props.teams.map((t) => (
                    <tr>
                      <td>
                        <a href={`/admin/teams/${t.id}`}>{t.name}</a>
                        <HiddenBadge team={t} />
                      </td>
                      <td class="num">{t.score}</td>
                      <td class="num">{t.solves}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
    </div>
  );
};

/**
 * The adjustment and extra-guesses forms; with `team`, for that team only. A form the server
 * refused comes back with what was typed (`flash`).
 */
const AdjustForms: FC<{
  teams?: { id: number; name: string }[];
  puzzles: { id: string; title: string }[];
  team?: { id: number; name: string };
  flash?: Flash | undefined;
}> = (props) => {
  const back = props.team ? `/admin/teams/${props.team.id}` : "/admin";
  const adjust = typedIn(props.flash, "adjust");
  const extra = typedIn(props.flash, "extra-guesses");
  const teamField = (typed: Record<string, string> | undefined) =>
    props.team
      ? <input type="hidden" name="team" value={String(props.team.id)} />
      : (
        <label class="field">
          <span>Team</span>
          <select name="team" required>
            <option value="">Choose a team</option>
            {(props.teams ?? []).map((t) => (
              <option key={t.id} value={String(t.id)} selected={typed?.team === String(t.id)}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      );
  return (
    <>
      <section class="card" aria-labelledby="adjust-title">
        <h2 id="adjust-title">Adjust a score</h2>
        <form method="post" action="/admin/adjust">
          <input type="hidden" name="back" value={back} />
          {teamField(adjust)}
          <label class="field">
            <span>Points (negative to take away)</span>
            <input
              type="number"
              name="points"
              required
              step={1}
              min={-1000000}
              max={1000000}
              value={adjust?.points}
            />
          </label>
          <label class="field">
            <span>Reason</span>
            <input
              name="reason"
              required
              {...chars(LIMITS.reason, { trim: true })}
              value={adjust?.reason}
            />
          </label>
          <button class="btn" type="submit">Apply</button>
        </form>
      </section>
      <section class="card" aria-labelledby="extra-title">
        <h2 id="extra-title">Extra guesses</h2>
        <form method="post" action="/admin/extra-guesses">
          <input type="hidden" name="back" value={back} />
          {teamField(extra)}
          <label class="field">
            <span>Puzzle</span>
            <select name="puzzle" required>
              {props.puzzles.map((p) => (
                <option key={p.id} value={p.id} selected={extra?.puzzle === p.id}>{p.title}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>Guesses</span>
            <input
              type="number"
              name="count"
              required
              step={1}
              min={1}
              max={1000}
              value={extra?.count ?? "5"}
            />
          </label>
          <button class="btn" type="submit">Grant</button>
        </form>
      </section>
    </>
  );
};

/** The mark of a team banned, or hidden from the public standings, in the organizers' views. */
const HiddenBadge: FC<{ team: { hidden: boolean; banned: boolean } }> = ({ team }) => {
  if (team.banned) {
    return (
      <>
        {" "}
        <span class="badge badge-bad" title="Banned: off the scoreboard, cannot log in">
          banned
        </span>
      </>
    );
  }
  if (!team.hidden) return null;
  return (
    <>
      {" "}
      <span class="badge badge-warn" title="Hidden from the public scoreboard">hidden</span>
    </>
  );
};

/**
 * Whether the team is on the public standings, and the button that hides it
 * (a test team, a cheating one) or shows it again; and the ban, which also
 * shuts it out.
 */
const HideCard: FC<{
  team: { id: number; hidden: boolean; banned: boolean };
  /** Its ban just lifted: the team is still hidden, which the card says by the Show button. */
  lifted?: boolean;
}> = ({ team, lifted }) => (
  <section class="card" aria-labelledby="hide-title">
    <h2 id="hide-title">Public scoreboard</h2>
    <div class="stack">
      {lifted && team.hidden && !team.banned && (
        <div class="notice notice-warn">
          <strong>Still hidden</strong>
          <p>Show it to put it back on the scoreboard.</p>
        </div>
      )}
      <p class="small">
        {team.banned
          ? "Banned: this team is off the public scoreboard, its solves count for no other team, and it can no longer log in or play. Lifting the ban lets it log in again; it stays hidden until you show it."
          : team.hidden
          ? "Hidden: this team is off the public scoreboard, the projector and the CTFtime feed, and its solves count for no other team. It still logs in and plays."
          : "On the public scoreboard. Hide a test team or a cheating one: it leaves the scoreboard, and its solves stop counting for the others (dynamic points rise back, first-solve bonuses pass to the next team). It can still log in and play."}
      </p>
      {!team.banned && (
        <form method="post" action={`/admin/teams/${team.id}/hidden`}>
          <input type="hidden" name="hidden" value={team.hidden ? "false" : "true"} />
          <button class="btn" type="submit">
            {team.hidden ? "Show on the scoreboard" : "Hide from the scoreboard"}
          </button>
        </form>
      )}
      <form class="stack" method="post" action={`/admin/teams/${team.id}/banned`}>
        <input type="hidden" name="banned" value={team.banned ? "false" : "true"} />
        {!team.banned && (
          <p class="small">
            Ban the team to shut it out too: every phone of the team is logged out, and it can no
            longer log in.
          </p>
        )}
        <button class={team.banned ? "btn" : "btn btn-quiet"} type="submit">
          {team.banned ? "Lift the ban" : "Ban the team"}
        </button>
      </form>
    </div>
  </section>
);

/** Single-submitter mode: which device submits for the team, and the button that frees the role. */
const SubmitterCard: FC<{ teamId: number; held: boolean }> = ({ teamId, held }) => (
  <section class="card" aria-labelledby="submitter-title">
    <h2 id="submitter-title">Submitting phone</h2>
    <p class="small">
      {held
        ? "One phone submits for this team; the others are refused. Release it when that phone is lost or the team wants to switch: the next phone that submits takes over."
        : "No phone yet: the next one that submits for this team becomes its only submitter."}
    </p>
    {held && (
      <form method="post" action="/admin/submitter-release">
        <input type="hidden" name="team" value={String(teamId)} />
        <button class="btn" type="submit">Release</button>
      </form>
    )}
  </section>
);

/**
 * A team's name and password, for when its name must change (it shows on the
 * projector) or it forgot its password (a second phone cannot join).
 */
const TeamAccountForms: FC<{ team: { id: number; name: string }; flash?: Flash | undefined }> = (
  { team, flash },
) => (
  <>
    <section class="card" aria-labelledby="rename-title">
      <h2 id="rename-title">Rename</h2>
      <form method="post" action={`/admin/teams/${team.id}/name`}>
        <label class="field">
          <span>New team name</span>
          <input
            name="name"
            required
            value={typedIn(flash, "rename")?.name ?? team.name}
            {...chars(LIMITS.teamName, { trim: true })}
          />
          <small>
            Shown at once on the scoreboard. The team logs in with the new name from now on.
          </small>
        </label>
        <button class="btn" type="submit">Rename</button>
      </form>
    </section>
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Set a new password</h2>
      <form method="post" action={`/admin/teams/${team.id}/password`}>
        <label class="field">
          <span>New password</span>
          <input
            type="password"
            name="password"
            required
            autocomplete="new-password"
            {...chars(LIMITS.password, { min: LIMITS.passwordMin })}
          />
          <small>At least 8 characters. The old password stops working.</small>
        </label>
        <label class="check">
          <input type="checkbox" name="logout" value="true" />
          <span>
            Also log out every phone of the team (they log in again with the new password)
          </span>
        </label>
        <button class="btn" type="submit">Set the password</button>
      </form>
    </section>
  </>
);

export interface TeamDetail {
  id: number;
  name: string;
  /** Hidden from the public standings by an organizer. */
  hidden: boolean;
  /** Banned by an organizer (and so hidden). */
  banned: boolean;
  division: string | null;
  members: readonly string[];
  score: number;
  solves: number;
  createdAt: string;
  guesses: GuessRow[];
  hints: { puzzle: string; hint: string; cost: number; at: number }[];
  /** Questions on ask hints: what each cost, and whether it was given back (refused, withdrawn). */
  asks: { puzzle: string; cost: number; token: boolean; status: AskStatus; at: number }[];
  /** Mission submissions and their verdicts. */
  submissions: {
    puzzle: string;
    submit: "photo" | "video" | "text";
    status: "pending" | "accepted" | "rejected";
    points: number;
    at: number;
  }[];
  checkins: { puzzle: string; at: number }[];
  adjustments: { points: number; reason: string; at: number }[];
}

/** One line of a team's activity besides its guesses, with what it did to the score. */
interface ActivityRow {
  at: number;
  what: string;
  /** Points won or lost, or undefined when the score did not move. */
  points?: number;
}

const ASK_STATUS: Record<AskStatus, string> = {
  open: "waiting for an answer",
  answered: "answered",
  refused: "refused, its cost given back",
  withdrawn: "withdrawn, its cost given back",
};

/** Everything but guesses that a team did or had done to it, oldest first. */
function activityOf(team: TeamDetail): ActivityRow[] {
  const rows: ActivityRow[] = [
    ...team.hints.map((h) => ({
      at: h.at,
      what: `Took hint "${h.hint}" on ${h.puzzle}`,
      ...(h.cost !== 0 && { points: -h.cost }),
    })),
    ...team.asks.map((a) => {
      const back = refunded(a.status);
      const token = a.token ? `, 1 hint token${back ? "" : " spent"}` : "";
      return {
        at: a.at,
        what: `Asked on ${a.puzzle}: ${ASK_STATUS[a.status]}${token}`,
        ...(!back && a.cost !== 0 && { points: -a.cost }),
      };
    }),
    ...team.submissions.map((m) => ({
      at: m.at,
      what: `Sent a ${m.submit} for ${m.puzzle}: ${
        m.status === "pending" ? "waiting for a judge" : m.status
      }`,
      ...(m.status === "accepted" && { points: m.points }),
    })),
    ...team.checkins.map((c) => ({ at: c.at, what: `Checked in at ${c.puzzle}` })),
    ...team.adjustments.map((a) => ({
      at: a.at,
      what: `Adjusted: ${a.reason}`,
      points: a.points,
    })),
  ];
  return rows.sort((a, b) => a.at - b.at);
}

/** "+30", "−10" (a real minus sign), or nothing. */
function signed(points: number | undefined): string {
  if (points === undefined) return "";
  return points > 0 ? `+${points}` : points < 0 ? `−${-points}` : "0";
}

export const TeamPage: FC<
  {
    huntTitle: string;
    flash?: Flash | undefined;
    team: TeamDetail;
    puzzles: { id: string; title: string }[];
    /** With `submitters = "one"`: whether a device holds the team's submitter role. */
    submitter?: { held: boolean } | undefined;
    judging?: number | undefined;
    asking?: number | undefined;
    checkpoints?: boolean | undefined;
  }
> = (props) => {
  const { team } = props;
  const activity = activityOf(team);
  return (
    <Shell
      title={team.name}
      huntTitle={props.huntTitle}
      nav="admin"
      judging={props.judging}
      asking={props.asking}
      checkpoints={props.checkpoints}
      bodyClass="wide"
    >
      <main id="main">
        <p class="small">
          <a href="/admin">← Dashboard</a>
        </p>
        <h1>
          {team.name}
          <HiddenBadge team={team} />
        </h1>
        <Notice flash={props.flash} />
        <div class="summary-line">
          <Stat value={team.score} label="points" />
          <Stat value={team.solves} label="solves" />
          <Stat value={team.division ?? "none"} label="division" />
          <Stat value={team.members.length === 0 ? "—" : team.members.join(", ")} label="members" />
          <Stat value={team.createdAt} label="joined" />
        </div>
        <div class="admin-grid">
          <div class="stack">
            <section class="card" aria-labelledby="guesses-title">
              <h2 id="guesses-title">Guesses ({team.guesses.length})</h2>
              {team.guesses.length === 0
                ? <p class="muted">No guesses yet.</p>
                : <GuessTable guesses={team.guesses} withTeam={false} />}
            </section>
            <section class="card" aria-labelledby="activity-title">
              <h2 id="activity-title">Hints, asks, missions, check-ins and adjustments</h2>
              {/* It scrolls sideways on a narrow screen: focusable, and named, so a keyboard can too. */}
              <div
                class="table-wrap activity"
                tabindex={0}
                role="region"
                aria-label="Team activity"
              >
                <table>
                  <thead>
                    <tr>
                      <th class="num" scope="col">Time</th>
                      <th scope="col">What</th>
                      <th class="num" scope="col">Points</th>
                    </tr>
                  </thead>
                  <tbody>
                    {activity.length === 0
                      ? (
                        <tr>
                          <td colspan={3} class="muted">None yet.</td>
                        </tr>
                      )
                      : activity.map((row) => (
                        <tr>
                          <td class="num">{clock(row.at)}</td>
                          <td>{row.what}</td>
                          <td class="num">{signed(row.points)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
              {team.submissions.some((m) => m.submit !== "text") && (
                <p class="small">
                  <a href={`/api/admin/export/files?team=${team.id}`} download>
                    This team's photos and videos (zip)
                  </a>
                </p>
              )}
            </section>
          </div>
          <div class="stack">
            <AdjustForms
              puzzles={props.puzzles}
              team={{ id: team.id, name: team.name }}
              flash={props.flash}
            />
            {props.submitter && <SubmitterCard teamId={team.id} held={props.submitter.held} />}
            <TeamAccountForms team={{ id: team.id, name: team.name }} flash={props.flash} />
            <HideCard
              team={{ id: team.id, hidden: team.hidden, banned: team.banned }}
              lifted={props.flash?.banLifted === true}
            />
          </div>
        </div>
      </main>
    </Shell>
  );
};

export const PrintPage: FC<{
  huntTitle: string;
  cards: { title: string; url: string; code: string; svg: string }[];
  /** The address the cards point at, and others this machine has. */
  origin: string;
  suggestions: string[];
  loopback: boolean;
  /** The loopback address the server listens on (`serve --host 127.0.0.1`), if it does. */
  listening?: string | undefined;
  judging?: number | undefined;
  asking?: number | undefined;
}> = (props) => (
  <Shell
    title="QR cards"
    huntTitle={props.huntTitle}
    nav="admin"
    current="/admin/print"
    judging={props.judging}
    asking={props.asking}
    checkpoints={props.cards.length > 0}
    bodyClass="wide"
  >
    <main id="main">
      {props.cards.length === 0 ? <NoCheckpoints /> : (
        <>
          <div class="print-intro no-print">
            <h1>Checkpoint QR cards</h1>
            <p class="muted">
              One card per checkpoint. Print this page (the header and this text are left out).
              Scanning a card opens the checkpoint and checks the team in; the code below it works
              too.
            </p>
            {props.listening !== undefined && (
              <div class="notice notice-warn" id="loopback-only">
                <strong>
                  This server listens on {props.listening} only: phones cannot reach it
                </strong>
                <p>
                  Start it again with <code class="command">cairn serve --host 0.0.0.0</code>{" "}
                  (the default) to take players on the local network, or enter the address of the
                  reverse proxy in front of it.
                </p>
              </div>
            )}
            {props.loopback && props.listening === undefined && (
              <div class="notice notice-warn">
                <strong>Phones cannot open {props.origin}</strong>
                <p>
                  Enter the address players use to reach this server (<code>cairn serve</code>{" "}
                  logs it as <code>event=reachable</code>).
                </p>
              </div>
            )}
            <form method="get" action="/admin/print" class="row">
              <label class="grow">
                <span class="field-label">Address on the cards</span>
                <input name="origin" value={props.origin} list="origins" required />
                <datalist id="origins">
                  {props.suggestions.map((o) => <option key={o} value={o} />)}
                </datalist>
              </label>
              <button class="btn" type="submit">Update the cards</button>
            </form>
          </div>
          <div class="qr-cards">
            {props.cards.map((card) => (
              <article class="qr-card">
                <h2>{props.huntTitle}</h2>
                <p>{card.title}</p>
                {raw(card.svg)}
                <p class="url">{card.url}</p>
                <p class="url">Code: {card.code}</p>
              </article>
            ))}
          </div>
        </>
      )}
    </main>
  </Shell>
);

/** /admin/print in a hunt with no checkpoint (a CTF): no sheet, but how to add a checkpoint. */
const NoCheckpoints: FC = () => (
  <div class="stack" id="no-checkpoints">
    <h1>Checkpoint QR cards</h1>
    <p>
      This hunt has no checkpoints, so there are no QR cards to print. A checkpoint is a place
      players go to: its QR card, put there, checks a team in when scanned.
    </p>
    <p>
      To add one, give a puzzle a <code>checkpoint = {'{ code = "crane-7f3a" }'}</code>{" "}
      in the hunt file and reload it (on the{" "}
      <a href="/admin">dashboard</a>). The hunt file's reference says more under “Checkpoints”: run
      {" "}
      <code class="command">cairn docs hunt-file</code>.
    </p>
  </div>
);
